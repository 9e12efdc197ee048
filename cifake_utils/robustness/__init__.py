"""Robustness and shortcuts: what the detectors rely on, and where they stop working."""

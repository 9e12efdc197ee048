"""Metrics, tests and tables of trained models on labelled images, and their figures."""

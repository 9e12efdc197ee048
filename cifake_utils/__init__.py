"""Shared code of the CIFAKE study: data, models, training, metrics, explanations, plots."""

__version__ = "0.1.0"

"""Shared code of the CIFAKE study: data, models, training, metrics, explanations, plots."""

import os

from . import tracing

__version__ = "0.1.0"

if os.environ.get(tracing.TRACE_VARIABLE):  # a kernel the study runner records
    tracing.install(os.environ[tracing.TRACE_VARIABLE])

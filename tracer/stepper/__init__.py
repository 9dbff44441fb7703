"""The interactive terminal stepper (``tracer step TRACE``). Textual is imported only here."""
from __future__ import annotations

from .app import StepperApp, run_stepper

__all__ = ["StepperApp", "run_stepper"]

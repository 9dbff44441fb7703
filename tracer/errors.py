"""Errors raised by tracer: each one reads as a single line naming the problem and where it is.

The CLI catches :class:`TracerError` and prints ``error: <message>`` with exit code 2, so every
message is written for a person: what went wrong, in which step, on which line of their code.
"""
from __future__ import annotations


class TracerError(Exception):
    """Base class: a problem the user can fix, reported in one line (no traceback in the CLI)."""


class ShapeError(TracerError, ValueError):
    """Operands of an op do not fit together (inner dimensions, broadcasting, axes)."""


class IndexRangeError(ShapeError, IndexError):
    """An index past the end of an axis: an IndexError too, so ``for row in x`` stops there."""


class NonFiniteError(TracerError, FloatingPointError):
    """``record(strict=True)`` saw a NaN or an infinity appear in a step's output."""


class UnsupportedError(TracerError, TypeError):
    """A NumPy function or an operation the tracer cannot record, so it refuses to run it untraced."""


class GradientError(TracerError, RuntimeError):
    """``backward()`` cannot run: nothing requires a gradient, a non-scalar loss, or a second call."""


class TraceFileError(TracerError, OSError):
    """A ``.trace`` file is missing, corrupt, hostile or of an unknown schema version."""


class ResourceError(TracerError):
    """An example or a trace would take more memory than the budget (:mod:`tracer.budget`)."""


class ManifestError(TracerError, ValueError):
    """A trace file's manifest breaks the schema: names the step or tensor and the field."""


class ConfigError(TracerError, ValueError):
    """A YAML example or an override is malformed: the message names the file, line and key."""

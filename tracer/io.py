"""Trace files (being written: see issue 3)."""
from __future__ import annotations

import os

from .errors import TraceFileError


def save(trace, path: str | os.PathLike[str]) -> None:
    raise TraceFileError("saving traces is not implemented yet")


def load(path: str | os.PathLike[str]):
    raise TraceFileError("loading traces is not implemented yet")

"""Where in the user's code a step came from: the first frame outside the engine, and how its file
is named in a trace (the same from any checkout, folder or machine).

A step's :class:`~tracer.trace.Source` is looked up as the step is recorded, once per line of
code (a loop's steps share it); an error message names the same line (:func:`where_text`).

>>> import tracer
>>> with tracer.record() as trace:
...     y = tracer.relu(tracer.tensor([1.0], name="x"))
>>> trace.steps[0].src.line > 0, is_internal(tracer.ops.core.__file__), is_internal("mine.py")
(True, True, False)
"""
from __future__ import annotations

import linecache
import os
import sys

import numpy as np

from .trace import Source

# Frames from these files are the engine itself: a step's source is the first frame outside them.
_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
_ENGINE_FILES = {os.path.join(_ENGINE_DIR, f)
                 for f in ("tensor.py", "trace.py", "recording.py", "sources.py", "autograd.py", "optim.py")}
_NUMPY_DIR = os.path.dirname(np.__file__)
_internal_cache: dict[str, bool] = {}
_display_path: dict[str, str] = {}
_sources: dict[tuple[str, int], Source] = {}


def is_internal(filename: str) -> bool:
    """Whether code in ``filename`` is the engine's (tracer's recording code or NumPy), not the user's."""
    hit = _internal_cache.get(filename)
    if hit is None:
        path = os.path.abspath(filename)
        hit = (path in _ENGINE_FILES or path.startswith(os.path.join(_ENGINE_DIR, "ops") + os.sep)
               or path.startswith(_NUMPY_DIR + os.sep) or filename.startswith("<__array_function__"))
        _internal_cache[filename] = hit
    return hit


def user_source() -> Source | None:
    """The first frame outside the engine: the user's line that caused the current op."""
    frame = sys._getframe(1)
    known = _internal_cache  # inlined: this runs for every step recorded
    while frame is not None:
        file = frame.f_code.co_filename
        hit = known.get(file)
        if not (is_internal(file) if hit is None else hit):
            break
        frame = frame.f_back
    if frame is None:
        return None
    key = (frame.f_code.co_filename, frame.f_lineno)
    src = _sources.get(key)
    if src is None:  # one Source per line of code: a loop's steps share it
        src = _sources[key] = Source(_display_path.get(key[0]) or portable_path(key[0]), key[1],
                                     linecache.getline(*key).strip())
    return src


def where_text() -> str:
    """`` (file:line: code)`` for an error message: the line of the user's own code that led to it
    and, when the op ran inside one of tracer's layers or models, that line too. Only errors call
    this, so walking the whole stack costs nothing that matters.
    """
    src = user_source()
    frame = sys._getframe(1)
    while frame is not None and (frame.f_code.co_filename.startswith(_ENGINE_DIR + os.sep)
                                 or is_internal(frame.f_code.co_filename)):
        frame = frame.f_back
    if frame is None or src is None:
        return f" ({src})" if src else ""
    key = (frame.f_code.co_filename, frame.f_lineno)
    mine = Source(portable_path(key[0]), key[1], linecache.getline(*key).strip())
    return f" ({mine})" if (mine.file, mine.line) == (src.file, src.line) else f" ({mine}; in {src})"


_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def portable_path(file: str) -> str:
    """How a source file is named in a trace, the same from any checkout, folder or machine.

    tracer's own files are named from the folder that holds the package (``tracer/models/layers.py``);
    any other file from the nearest folder above it that marks a project (``.git``,
    ``pyproject.toml`` ...), else by its name alone: never an absolute path. Cached: this runs once
    per file.
    """
    if file.startswith("<"):  # <stdin>, <string>, <doctest ...>
        return file
    path = os.path.abspath(file)
    root = os.path.dirname(_ENGINE_DIR)
    if not path.startswith(_ENGINE_DIR + os.sep):
        root = os.path.dirname(path)
        while not any(os.path.exists(os.path.join(root, m)) for m in _PROJECT_MARKERS):
            parent = os.path.dirname(root)
            if parent == root:
                root = os.path.dirname(path)
                break
            root = parent
    short = os.path.relpath(path, root).replace(os.sep, "/")
    _display_path[file] = short
    return short

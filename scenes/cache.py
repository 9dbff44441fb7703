"""Rendered parts kept between renders: a second render of the same trace with the same options
reuses every part (a ``--jobs`` chunk of beats) instead of drawing it again.

An entry is named by a key hashing everything a part's frames depend on: the trace's content, the
plan (its beats, pacing, language, layout mode), the part's window, quality and frame rate, and the
code that draws it (the sources of ``scenes/`` and ``tracer/``, Manim's version). ``<key>.mp4`` is
written first, then ``<key>.json`` with the part's captions and the mp4's SHA-256, each as a
temporary file renamed into place. An entry is served only when its json reads and the mp4's digest
matches it: a truncated or corrupted entry is ignored, rendered again and overwritten.

The folder is ``$XDG_CACHE_HOME/tracer/render`` (``~/.cache/tracer/render`` by default); the least
recently used entries leave when it holds more than :data:`LIMIT` bytes.

>>> import tracer
>>> def traced(v):
...     with tracer.record() as trace:
...         tracer.relu(tracer.tensor([[v, -1.0]], name="x"), name="y")
...     return trace
>>> t = traced(2.0)
>>> before = trace_digest(t)
>>> t.tensors[t.steps[0].outputs[0]].stats["max"]   # reading a trace fills in what it computes lazily
2.0
>>> trace_digest(t) == before == trace_digest(traced(2.0)), before == trace_digest(traced(3.0))
(True, False)
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from tracer.io import to_manifest
from tracer.trace import Trace

LIMIT = 2 << 30          # bytes kept before the least recently used entries are removed
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def cache_dir() -> Path:
    """Where rendered parts are kept (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tracer" / "render"


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code that draws a walkthrough: any edit to it is a new version."""
    import manim

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"manim {manim.__version__}".encode())
    for package in ("scenes", "tracer"):
        for source in sorted((root / package).rglob("*.py")):
            h.update(str(source.relative_to(root)).encode())
            h.update(source.read_bytes())
    return h.hexdigest()


def trace_digest(trace: Trace) -> str:
    """A digest of ``trace``'s content: its manifest (steps, names, meta) and every tensor's values."""
    manifest = to_manifest(trace)
    for entry in manifest["tensors"]:   # the values' statistics, there once something has read them
        entry.pop("stats", None)
    h = hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode())
    for tid in sorted(trace.tensors):
        data = np.ascontiguousarray(trace.tensors[tid].data)
        h.update(f"{tid} {data.dtype.str} {data.shape}".encode())
        h.update(memoryview(data.reshape(-1).view(np.uint8)))
    return h.hexdigest()


def part_key(plan, chunk: tuple[int, int], quality: str, fps: int | None) -> str:
    """The key of the part of ``plan`` that animates beats ``chunk`` (the beats before it are laid
    out in it too, so the whole plan counts)."""
    beats = [(b.name, None if b.step is None else b.step.id, b.chapter, b.title, b.subtitle, b.card, b.pause,
              _ADDRESS.sub("", repr(b.data))) for b in plan.beats]
    described = repr((plan.kind, plan.title, plan.subtitle, plan.mode, repr(plan.pace), plan.lang,
                      sorted(map(repr, plan.hints.items())), beats, tuple(chunk), quality, fps))
    return hashlib.sha256(f"{code_version()}\n{trace_digest(plan.trace)}\n{described}".encode()).hexdigest()


def fetch(key: str, part: Path) -> bool:
    """Copy the cached part ``key`` to ``part`` (and its captions beside it); False when there is
    no sound entry (missing, unreadable, or its mp4 not the one its json vouches for)."""
    folder = cache_dir()
    movie, note = folder / f"{key}.mp4", folder / f"{key}.json"
    try:
        noted = json.loads(note.read_text(encoding="utf-8"))
        data = movie.read_bytes()   # checked and copied from one read: a rename meanwhile cannot mix them
        if not isinstance(noted, dict) or noted.get("sha256") != hashlib.sha256(data).hexdigest():
            return False
        part.write_bytes(data)
        part.with_suffix(".captions.json").write_text(json.dumps(noted["captions"]), encoding="utf-8")
        os.utime(note)   # recently used: the last to be pruned
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def store(key: str, part: Path) -> None:
    """Keep ``part`` (and its captions) as entry ``key``; a cache that cannot be written is skipped."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        captions = json.loads(part.with_suffix(".captions.json").read_text(encoding="utf-8"))
        movie = part.read_bytes()
        _atomic_write(movie, folder / f"{key}.mp4")   # first the movie, then the note vouching for it
        note = {"sha256": hashlib.sha256(movie).hexdigest(), "captions": captions}
        _atomic_write(json.dumps(note).encode(), folder / f"{key}.json")
        prune(folder)
    except (OSError, ValueError):
        pass


def _atomic_write(data: bytes, dest: Path) -> None:
    """Write ``dest`` whole or not at all: a temporary file beside it, renamed over it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def prune(folder: Path, limit: int = LIMIT) -> None:
    """Remove the least recently used entries until ``folder`` holds at most ``limit`` bytes."""
    entries = {}
    for path in folder.glob("*.json"):
        movie = path.with_suffix(".mp4")
        with contextlib.suppress(OSError):
            entries[path.stem] = (path.stat().st_mtime, path.stat().st_size + movie.stat().st_size)
    used = sum(size for _, size in entries.values())
    for key, (_, size) in sorted(entries.items(), key=lambda e: e[1][0]):
        if used <= limit:
            break
        for suffix in (".json", ".mp4"):
            with contextlib.suppress(OSError):
                (folder / f"{key}{suffix}").unlink()
        used -= size

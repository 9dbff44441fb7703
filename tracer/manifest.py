"""A trace file's manifest: the steps, the tensors and the meta as JSON, written and read back
field by field.

Reading checks every field of every step and tensor against the schema (types, ranges, at most
32 dimensions, the attributes each known op declares, the links between steps and tensors), so
that whatever ``show``, ``step``, ``export`` or ``render`` reads later is known good. An op this
tracer does not know still loads (its attributes are checked as plain data) and is shown
generically. The first problem found is raised as :class:`ManifestError`, naming the step or
tensor and the field: ``step 12: attrs.axis: expected a whole number, got text``.

Schema 2 (written now) keeps each source line a step points to once, in ``sources``, and a step
refers to it by position; schema 1 (still read) repeated the line in every step and carried the
whole text of each source file.

>>> import tracer
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")
>>> doc = to_manifest(trace)
>>> doc["steps"][0]["attrs"] = {"axis": "rows"}
>>> check_manifest(doc)
Traceback (most recent call last):
...
tracer.errors.ManifestError: step 0: attrs: relu takes no attribute 'axis'
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable

import numpy as np

from .attrs import check_attrs, kind_of, text, whole
from .errors import ManifestError, TracerError
from .label_names import check_table
from .trace import KINDS, PHASES, Source, Step, TensorRecord, Trace

SCHEMA = 2
READABLE = (1, 2)
FORMAT = "tracer-trace"
MAX_DIMS = 32
MAX_DIM = (1 << 31) - 1
MAX_META_DEPTH = 32
LONG = 1 << 16  # characters in a formula, a narration or a line of code
TENSOR_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
OP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")
DTYPE = re.compile(r"[<>|=]?[biuf][0-9]{1,2}")  # bool, integers, floats: all the engine makes
STATS = {"min": float, "max": float, "mean": float, "nan": int, "inf": int}


# ---- writing ---------------------------------------------------------------------------------------
def to_manifest(trace: Trace) -> dict[str, Any]:
    """The trace's manifest as JSON data (schema 2); arrays are stored beside it, one per tensor."""
    from . import __version__
    from .ops.records import plain

    sources: dict[Source, int] = {}
    for s in trace.steps:
        if s.src is not None:
            sources.setdefault(s.src, len(sources))
    tensors = []
    for r in trace.tensors.values():
        entry = {"id": r.id, "name": r.name, "shape": list(r.shape), "dtype": np.dtype(r.dtype).str,
                 "kind": r.kind, "producer": r.producer, "grad_of": r.grad_of, "version": r.version,
                 "file": array_member(r.id)}
        if r._stats is not None:
            entry["stats"] = r._stats
        if r.labels is not None:
            entry["labels"] = [None if n is None else list(n) for n in r.labels]
        tensors.append(entry)
    steps = [{"id": s.id, "phase": s.phase, "op": s.op, "name": s.name, "inputs": s.inputs,
              "outputs": s.outputs, "attrs": s.attrs, "parent": s.parent, "depth": s.depth,
              "src": None if s.src is None else sources[s.src], "formula": s.formula,
              "narration": s.narration, "grad_of": s.grad_of, "grad_map": s.grad_map,
              "nonfinite": s.nonfinite, "part": s.part} for s in trace.steps]
    return {"format": FORMAT, "schema": SCHEMA, "tracer": __version__, "meta": plain(trace.meta),
            "tensors": tensors, "steps": steps, "sources": [[s.file, s.line, s.code] for s in sources]}


def array_member(tid: str) -> str:
    """The archive member holding tensor ``tid``'s array."""
    return f"arrays/{tid}.npy"


# ---- checking --------------------------------------------------------------------------------------
def need(ok: bool, where: str, problem: str) -> None:
    if not ok:
        raise ManifestError(f"{where}: {problem}")


def field(doc: dict, key: str, where: str, default: Any = ...) -> Any:
    if key not in doc:
        need(default is not ..., where, f"missing field {key!r}")
        return default
    return doc[key]


def optional(v: Any, check: Callable[..., Any], where: str, *args: Any) -> Any:
    return None if v is None else check(v, where, *args)


def listed(v: Any, where: str, limit: int | None = None) -> list:
    need(isinstance(v, list), where, f"expected a list, got {kind_of(v)}")
    need(limit is None or len(v) <= limit, where, f"more than {limit} entries")
    return v


def mapping(v: Any, where: str) -> dict:
    need(isinstance(v, dict), where, f"expected an object, got {kind_of(v)}")
    return v


def check_manifest(doc: Any) -> tuple[dict[str, Any], list[dict], list[Step], list[Source]]:
    """Check a whole manifest; returns ``(meta, tensor entries, steps, sources)``.

    Tensor entries are checked but stay JSON: the reader pairs each with its array.
    """
    doc = mapping(doc, "manifest")
    need(doc.get("format") == FORMAT, "manifest", "not a tracer manifest")
    schema = doc.get("schema")
    if type(schema) is not int or schema not in READABLE:
        raise ManifestError(f"schema version {schema!r} is not supported (this tracer reads versions "
                            f"{', '.join(map(str, READABLE))})")
    meta = check_meta(field(doc, "meta", "manifest"))
    raw_tensors = listed(field(doc, "tensors", "manifest"), "tensors")
    raw_steps = listed(field(doc, "steps", "manifest"), "steps")
    sources = _sources(field(doc, "sources", "manifest", {} if schema == 1 else []), schema)
    tensors = [_tensor(t, k) for k, t in enumerate(raw_tensors)]
    by_id: dict[str, dict] = {}
    for t in tensors:
        need(t["id"] not in by_id, f"tensor {t['id']}", "appears twice")
        by_id[t["id"]] = t
    steps: list[Step] = []
    for k, s in enumerate(raw_steps):
        steps.append(_step(s, k, steps, by_id, sources, schema))
    for t in tensors:
        where = f"tensor {t['id']}"
        p = t["producer"]
        need(p is None or (p < len(steps) and t["id"] in steps[p].outputs), f"{where}: producer",
             f"step {p} does not output this tensor")
        need(t["grad_of"] is None or t["grad_of"] in by_id, f"{where}: grad_of", f"no tensor {t['grad_of']!r}")
    _check_story(meta, len(steps), by_id)
    return meta, tensors, steps, sources


def check_meta(meta: Any) -> dict[str, Any]:
    """The free-form meta of a trace: JSON no deeper than 32, text where viewers read text, and a
    table of label names that :mod:`tracer.label_names` can read."""
    meta = mapping(meta, "meta")
    _depth(meta, "meta", 0)
    for key in ("title", "description", "example", "system", "source", "scene", "model", "layout"):
        if meta.get(key) is not None:
            text(meta[key], f"meta.{key}")
    if meta.get("label_names") is not None:
        check_table(meta["label_names"])
    return meta


def _depth(v: Any, where: str, depth: int) -> None:
    need(depth <= MAX_META_DEPTH, where, f"nested deeper than {MAX_META_DEPTH}")
    if isinstance(v, dict):
        for k, x in v.items():
            _depth(x, where, depth + 1)
    elif isinstance(v, list):
        for x in v:
            _depth(x, where, depth + 1)
    elif isinstance(v, str):
        text(v, where, 1 << 20)


def _check_story(meta: dict, n_steps: int, tensors: dict) -> None:
    from .story import Story

    try:
        story = Story.from_meta(meta)
    except TracerError as e:
        raise ManifestError(f"meta: {e}") from None
    if story is None:
        return
    for k, c in enumerate(story.chapters):
        need(c.steps[1] < n_steps, f"meta.story.chapters[{k}].steps", f"step {c.steps[1]} is not in the trace")
    for k, p in enumerate(story.plots):
        need(p.tensor is None or p.tensor in tensors, f"meta.story.plots[{k}].tensor", f"no tensor {p.tensor!r}")
        need(p.after is None or p.after < len(story.chapters), f"meta.story.plots[{k}].after", "no such chapter")


def _sources(raw: Any, schema: int) -> list[Source]:
    if schema == 1:  # whole files, replaced by the lines the steps carry themselves
        raw = mapping(raw, "sources")
        for file, body in raw.items():
            text(body, f"sources[{file!r}]", 1 << 24)
        return []
    out = []
    for k, entry in enumerate(listed(raw, "sources")):
        where = f"sources[{k}]"
        need(isinstance(entry, list) and len(entry) == 3, where, "expected [file, line, code]")
        out.append(_source(*entry, where))
    return out


def _source(file: Any, line: Any, code: Any, where: str) -> Source:
    return Source(text(file, f"{where}.file"), whole(line, f"{where}.line", 1, 10**9), text(code, f"{where}.code", LONG))


def _tensor(t: Any, k: int) -> dict:
    t = mapping(t, f"tensors[{k}]")
    tid = field(t, "id", f"tensors[{k}]")
    need(isinstance(tid, str) and TENSOR_ID.fullmatch(tid) is not None, f"tensors[{k}].id",
         "expected letters, digits and _ (at most 64)")
    where = f"tensor {tid}"
    shape = listed(field(t, "shape", where), f"{where}: shape", MAX_DIMS)
    for d, n in enumerate(shape):
        whole(n, f"{where}: shape[{d}]", 0, MAX_DIM)
    dtype = field(t, "dtype", where)
    try:
        numeric = isinstance(dtype, str) and DTYPE.fullmatch(dtype) is not None and np.dtype(dtype).kind in "biuf"
    except TypeError:  # "<f1": the right letters, no such type
        numeric = False
    need(numeric, f"{where}: dtype", f"{dtype!r} is not allowed (numeric arrays only; nothing is unpickled)")
    kind = field(t, "kind", where)
    need(kind in KINDS, f"{where}: kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    need(field(t, "file", where) == array_member(tid), f"{where}: file", f"expected {array_member(tid)!r}")
    entry = {"id": tid, "name": text(field(t, "name", where), f"{where}: name"), "shape": tuple(shape),
             "dtype": np.dtype(dtype), "kind": kind,
             "producer": optional(field(t, "producer", where), whole, f"{where}: producer", 0, 1 << 40),
             "grad_of": optional(field(t, "grad_of", where), text, f"{where}: grad_of", 64),
             "version": whole(field(t, "version", where), f"{where}: version", 0, 1 << 62),
             "labels": _labels(t.get("labels"), shape, f"{where}: labels"),
             "stats": _stats(t.get("stats"), f"{where}: stats")}
    return entry


def _labels(labels: Any, shape: list[int], where: str) -> tuple | None:
    if labels is None:
        return None
    listed(labels, where)
    need(len(labels) == len(shape), where, f"expected one entry per axis ({len(shape)})")
    out = []
    for axis, (names, n) in enumerate(zip(labels, shape)):
        if names is None:
            out.append(None)
            continue
        listed(names, f"{where}[{axis}]")
        need(len(names) == n, f"{where}[{axis}]", f"expected {n} names, one per position")
        out.append(tuple(text(x, f"{where}[{axis}]", 256) for x in names))
    return tuple(out)


def _stats(stats: Any, where: str) -> dict | None:
    if stats is None:
        return None
    mapping(stats, where)
    out: dict[str, float | int] = {}
    for key, kind in STATS.items():
        v = field(stats, key, where)
        if kind is int:
            out[key] = whole(v, f"{where}.{key}", 0, 1 << 62)
        else:
            need(type(v) in (int, float) and math.isfinite(v), f"{where}.{key}", f"expected a finite number, got {kind_of(v)}")
            out[key] = float(v)
    return out


def _step(s: Any, k: int, steps: list[Step], tensors: dict[str, dict], sources: list[Source], schema: int) -> Step:
    s = mapping(s, f"steps[{k}]")
    where = f"step {k}"
    need(field(s, "id", where) == k and type(s["id"]) is int, f"{where}: id", f"{s['id']!r} is out of order")
    phase = field(s, "phase", where)
    need(phase in PHASES, f"{where}: phase", f"{phase!r} is not one of {', '.join(PHASES)}")
    op = field(s, "op", where)
    need(isinstance(op, str) and OP_NAME.fullmatch(op) is not None, f"{where}: op", "expected an op name")
    ids = {}
    for key in ("inputs", "outputs"):
        ids[key] = listed(field(s, key, where), f"{where}: {key}", 1 << 16)
        for tid in ids[key]:
            need(isinstance(tid, str) and tid in tensors, f"{where}: {key}", f"no tensor {tid!r}")
    parent = optional(field(s, "parent", where), whole, f"{where}: parent", 0, k - 1)
    depth = whole(field(s, "depth", where), f"{where}: depth", 0, 1 << 16)
    need(depth == (0 if parent is None else steps[parent].depth + 1), f"{where}: depth",
         f"{depth} does not follow from its parent")
    part = optional(s.get("part"), text, f"{where}: part", 64)
    _check_part(part, None if parent is None else steps[parent], where)
    grad_of = optional(field(s, "grad_of", where), whole, f"{where}: grad_of", 0, k - 1)
    need(grad_of is None or (steps[grad_of].op == op and steps[grad_of].phase == "forward"),
         f"{where}: grad_of", f"step {grad_of} is not a forward {op} step")
    grad_map = mapping(field(s, "grad_map", where), f"{where}: grad_map")
    for a, b in grad_map.items():
        need(a in tensors and isinstance(b, str) and b in tensors, f"{where}: grad_map", f"{a!r}: {b!r} names unknown tensors")
    attrs = check_attrs(op, mapping(field(s, "attrs", where), f"{where}: attrs"), tensors, f"{where}: attrs")
    src = field(s, "src", where)
    if src is not None and schema == 1:
        mapping(src, f"{where}: src")
        src = _source(field(src, "file", f"{where}: src"), field(src, "line", f"{where}: src"),
                      field(src, "code", f"{where}: src"), f"{where}: src")
    elif src is not None:
        src = sources[whole(src, f"{where}: src", 0, len(sources) - 1)]
    return Step(k, phase, op, text(field(s, "name", where), f"{where}: name"), list(ids["inputs"]),
                list(ids["outputs"]), attrs, parent, depth, src,
                text(field(s, "formula", where), f"{where}: formula", LONG),
                text(field(s, "narration", where), f"{where}: narration", LONG), grad_of, dict(grad_map),
                whole(field(s, "nonfinite", where), f"{where}: nonfinite", 0, 1 << 62), part)


def _check_part(part: str | None, parent: Step | None, where: str) -> None:
    from .ops.spec import REGISTRY

    if parent is None:
        need(part is None, f"{where}: part", "a top-level step plays no part")
        return
    spec = REGISTRY.get(parent.op)
    if spec is None:
        return  # an op this tracer does not know: its parts are shown as they are
    need(spec.composite, f"{where}: parent", f"step {parent.id} ({parent.op}) is not a composite op")
    need(part is None or part in spec.parts, f"{where}: part",
         f"{part!r} is not one of the parts of {parent.op} ({', '.join(spec.parts)})")


def build(meta: dict, steps: list[Step], records: list[TensorRecord]) -> Trace:
    """A :class:`Trace` from checked parts."""
    trace = Trace(meta)
    trace.tensors = {r.id: r for r in records}
    trace.steps = steps
    return trace

"""The step timeline of a trace as Chrome trace-event JSON, to open in https://ui.perfetto.dev.

Forward, backward and update steps are three tracks, in execution order (steps have an order, not
a measured duration: each takes one tick); a composite step spans its children; an arrow runs from
each gradient step to the forward step it differentiates. Metadata only, never values.

>>> import json, os, tempfile, tracer
>>> with tracer.record() as trace:
...     w = tracer.param([1.0, -2.0], name="w")
...     (w * w).sum(name="loss").backward()
>>> path = os.path.join(tempfile.mkdtemp(), "loss.json")
>>> export(trace, path)
>>> events = json.load(open(path))["traceEvents"]
>>> [(e["name"], e["cat"]) for e in events if e["ph"] == "X"]
[('mul', 'forward'), ('loss', 'forward'), ('loss.grad', 'backward'), ('mul.grad', 'backward'), ('w.grad_sum', 'backward')]
"""
from __future__ import annotations

import os
from typing import Any

from .files import atomic_write
from .safetext import json_line
from .trace import Trace

_TRACKS = {"forward": 1, "backward": 2, "update": 3}
_TICK = 10  # microseconds per step on the timeline: steps have an order, not a measured duration


def export(trace: Trace, path: str | os.PathLike[str]) -> None:
    """Write the step timeline as Chrome trace-event JSON, for https://ui.perfetto.dev.

    Forward, backward and update steps are three tracks; a composite step spans its children; an
    arrow runs from each gradient step to the forward step it differentiates. Metadata only: names,
    ops, shapes and source lines, no values.
    """
    end = {s.id: s.id for s in trace.steps}
    for s in reversed(trace.steps):  # a composite spans its last descendant
        if s.parent is not None:
            end[s.parent] = max(end[s.parent], end[s.id])
    events: list[dict[str, Any]] = [{"ph": "M", "name": "process_name", "pid": 1, "args": {"name": str(trace.meta.get("title", "tracer"))}}]
    for phase, tid in _TRACKS.items():
        events.append({"ph": "M", "name": "thread_name", "pid": 1, "tid": tid, "args": {"name": phase}})
        events.append({"ph": "M", "name": "thread_sort_index", "pid": 1, "tid": tid, "args": {"sort_index": tid}})

    def shapes(ids: list[str]) -> list[str]:
        return [f"{trace.tensors[t].name} {tuple(trace.tensors[t].shape)}" for t in ids]

    for s in trace.steps:
        args: dict[str, Any] = {"step": s.id, "op": s.op, "formula": s.formula,
                                "inputs": shapes(s.inputs), "outputs": shapes(s.outputs)}
        if s.src is not None:
            args["source"] = str(s.src)
        tid = _TRACKS[s.phase]
        events.append({"ph": "X", "name": s.name, "cat": s.phase, "pid": 1, "tid": tid,
                       "ts": s.id * _TICK, "dur": (end[s.id] - s.id + 1) * _TICK - 1, "args": args})
        if s.grad_of is not None:
            fwd = trace.steps[s.grad_of]
            events.append({"ph": "s", "name": "gradient of", "cat": "grad", "id": s.id, "pid": 1,
                           "tid": tid, "ts": s.id * _TICK})
            events.append({"ph": "f", "bp": "e", "name": "gradient of", "cat": "grad", "id": s.id,
                           "pid": 1, "tid": _TRACKS[fwd.phase], "ts": fwd.id * _TICK})
    doc = {"traceEvents": events, "displayTimeUnit": "ms", "otherData": {"steps": len(trace.steps)}}
    data = json_line(doc).encode("utf-8")  # no raw control character, should someone cat it
    atomic_write(os.fspath(path), lambda fh: fh.write(data))

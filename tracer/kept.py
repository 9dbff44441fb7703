"""Which positions of a long named axis a view must keep when it elides: the answer.

A language model's scores and probabilities run over its vocabulary (14 words here, 30 522 in
MiniLM); a view shows the first and last few words with a ⋮ between, so the word the model picks
could be the one row hidden. The word a softmax rates highest (its argmax, read from the recorded
probabilities of one distribution over a named axis) and the words the story's bar plots highlight
are kept, in that tensor and in every tensor of its chain: the tensors a step links to it that are
named alike on an axis (the scores it came from, the output weights' rows, the bias) and the
gradients of all of them. Grids drawn side by side (the weights left of the scores) then keep the
same rows, so they still line up. The walkthrough, ``tracer show`` and the stepper read this.

>>> import tracer
>>> words = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
>>> with tracer.record() as t:
...     W = tracer.param([[0.0]] * 4 + [[5.0]] + [[0.0]] * 5, name="W", labels=(words, None))
...     p = tracer.softmax(tracer.matmul(W, tracer.tensor([[1.0]], name="x")), axis=0)
>>> sorted((t.tensors[tid].name, axes[0]) for tid, axes in kept(t).items())
[('W', (4,)), ('exp', (4,)), ('matmul', (4,)), ('shifted', (4,)), ('softmax', (4,))]
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .trace import Trace

MOST = 3   # answers kept on one axis at most (a view of 9 rows keeps 3 of them around them)
SOFTMAX = ("softmax", "log_softmax")

Kept = dict[str, dict[int, tuple[int, ...]]]   # tensor id -> axis -> indices kept
_MEMO: "weakref.WeakKeyDictionary[Trace, tuple[int, Kept]]" = weakref.WeakKeyDictionary()


def kept(trace: Trace) -> Kept:
    """The indices each tensor of ``trace`` keeps on its named axes when elided (see the module);
    found once per trace (again when it has recorded more steps since)."""
    memo = _MEMO.get(trace)
    if memo is None or memo[0] != len(trace):
        memo = _MEMO[trace] = (len(trace), _find(trace))
    return memo[1]


def kept_of(trace: Trace, tid: str) -> dict[int, tuple[int, ...]]:
    return kept(trace).get(tid, {})


def _axis_named(rec: Any, names: tuple) -> int | None:
    """The axis of ``rec`` named ``names`` (its labels along that axis), if any."""
    for axis, labels in enumerate(rec.labels or ()):
        if labels is not None and tuple(labels) == names and rec.shape[axis] == len(names):
            return axis
    return None


def _seeds(trace: Trace) -> list[tuple[str, int, int]]:
    """(tensor, axis, argmax) of each softmax over a named axis that is one distribution."""
    out = []
    for step in trace.steps:
        if step.phase != "forward" or step.op not in SOFTMAX or not step.outputs:
            continue
        rec = trace.tensors[step.outputs[0]]
        shape, labels = tuple(rec.shape), rec.labels or ()
        axis = int(step.attrs.get("axis", -1)) % max(len(shape), 1) if shape else None
        if axis is None or axis >= len(labels) or labels[axis] is None:
            continue
        if any(n != 1 for k, n in enumerate(shape) if k != axis):
            continue   # many distributions (attention weights, a row per query): no one answer
        data = np.asarray(rec.data, dtype=np.float64).reshape(-1)
        if data.size and np.isfinite(data).any():
            out.append((step.outputs[0], axis, int(np.nanargmax(np.where(np.isfinite(data), data, np.nan)))))
    return out


def _highlights(trace: Trace) -> dict[tuple, list[str]]:
    """The words the story's bar plots highlight, by the plot's labels (the axis they name)."""
    out: dict[tuple, list[str]] = {}
    story = trace.meta.get("story") if isinstance(trace.meta, dict) else None
    for plot in (story or {}).get("plots", []) if isinstance(story, dict) else []:
        if isinstance(plot, dict) and plot.get("kind") == "bars" and plot.get("labels"):
            out.setdefault(tuple(plot["labels"]), []).extend(str(h) for h in plot.get("highlight") or [])
    return out


def _find(trace: Trace) -> Kept:
    seeds = _seeds(trace)
    if not seeds:
        return {}
    touching: dict[str, list[int]] = {}
    for k, step in enumerate(trace.steps):
        for tid in step.inputs + step.outputs:
            touching.setdefault(tid, []).append(k)
    grads: dict[str, list[str]] = {}
    for tid, rec in trace.tensors.items():
        if rec.grad_of:
            grads.setdefault(rec.grad_of, []).append(tid)
    highlights = _highlights(trace)
    out: Kept = {}
    for tid, axis, best in seeds:
        if axis in out.get(tid, {}):
            continue   # in the chain of an earlier seed: its answers are there already
        names = tuple(trace.tensors[tid].labels[axis])
        chain = _chain(trace, tid, axis, names, touching)
        answers = [b for t, a, b in seeds if t in chain and a == chain[t]]
        answers += [names.index(w) for w in highlights.get(names, []) if w in names]
        picks = tuple(list(dict.fromkeys(answers))[:MOST])   # the first found first (a view short of room keeps it)
        for t, a in chain.items():
            out.setdefault(t, {})[a] = picks
            for g in grads.get(t, []):
                if len(trace.tensors[g].shape) == len(trace.tensors[t].shape):
                    out.setdefault(g, {})[a] = picks
    return out


def _chain(trace: Trace, start: str, axis: int, names: tuple, touching: dict[str, list[int]]) -> dict[str, int]:
    """The tensors linked to ``start`` through steps, each named ``names`` on an axis (which)."""
    chain, todo = {start: axis}, [start]
    while todo:
        tid = todo.pop()
        for k in touching.get(tid, []):
            step = trace.steps[k]
            for other in step.inputs + step.outputs:
                if other in chain or other not in trace.tensors:
                    continue
                axis = _axis_named(trace.tensors[other], names)
                if axis is not None:
                    chain[other] = axis
                    todo.append(other)
    return chain

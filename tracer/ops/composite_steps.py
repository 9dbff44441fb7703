"""How a composite op runs: its body's primitives recorded as the child steps of one parent step,
or, when no trace records, its fused rule run whole as one graph node.

A recorded composite whose body is the engine's own runs its fused rule too and has its children
rebuilt when the trace is read (:mod:`tracer.ops.lazy`); one the user declared runs its body.

>>> import tracer
>>> with tracer.record() as trace:
...     p = tracer.softmax(tracer.tensor([[0.0, 0.0]], name="s"), name="p")
>>> p.numpy().tolist(), [(s.name, s.parent) for s in trace.steps][:2]
([[0.5, 0.5]], [('p', None), ('p.max', 0)])
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..recording import current
from ..sources import is_internal, user_source
from ..tensor import Tensor
from ..trace import Step, Trace
from . import core as _core
from . import lazy as _lazy
from .core import Node, _part
from .labels import broadcast as broadcast_labels, fit
from .records import _as_tensors, _inputs, plain_attrs, tensor_id
from .spec import OpSpec
from .templates import fill_text


def apply_composite(spec: OpSpec, fn: Callable, args: tuple, attrs: dict,
                    out_name: str | None) -> Any:
    """Run a composite's body as child steps of one parent step."""
    given = tuple([a for a in args if a is not None])  # optional inputs left out: linear without b
    present = _inputs(given) or _as_tensors(given)
    if len(given) == len(args):
        xs = present
    else:
        it = iter(present)
        xs = [None if a is None else next(it) for a in args]
    trace = current()
    if trace is None or trace._rec is None:
        if spec.fused is not None:
            out = _fused(spec, xs, attrs, out_name)
            if out is not None:
                return out
        return fn(*xs, **attrs)
    rec = trace._rec
    # the fused rule, the children's steps stamped and their arrays made when the trace is read
    # (ops.lazy; with a graph, one node whose children's backward steps are stamped the same way)
    lazy = (None if spec.fused is None or not _engine_code(fn)
            else _lazy.plan(spec, fn, args, present, attrs, rec))
    name = rec.unique_name(out_name or spec.name)
    recorded = plain_attrs(attrs)
    omitted = [p for p, a in zip(spec.params, args + (None,) * len(spec.params)) if a is None]
    if omitted and not spec.varargs:
        recorded["omitted"] = omitted  # which inputs the formula leaves out (linear without b)
    src = (rec.sources[-1] if rec.parents else None) or user_source()
    step = Step(len(trace._steps), "forward", spec.name, name, [tensor_id(trace, x) for x in present],
                [], recorded, rec.parents[-1] if rec.parents else None, len(rec.parents),
                src, part=_part(trace, out_name or spec.name) if rec.parents else None)
    trace._steps.append(step)
    if lazy is not None:
        out, kids = _lazy.stamp(trace, lazy[0], step, spec, fn, args, present, attrs, lazy[1])
        bad = 0
        if _core._grad_enabled:  # one graph node, the fused vjp; the children's steps rebuilt on read
            for x in present:
                if x.requires_grad:
                    node = Node(spec, present, _link(spec, xs, lazy[2]), 1)
                    node.step, node.rec, node.lazy = step.id, rec, (kids, len(trace._steps))
                    out._node, out.requires_grad = node, True
                    break
    else:
        rec.parents.append(step.id)
        rec.prefixes.append(name)
        rec.sources.append(src if _engine_code(fn) else None)
        rec.nonfinite.append(0)
        try:
            out = fn(*xs, **attrs)
        finally:
            rec.parents.pop()
            rec.prefixes.pop()
            rec.sources.pop()
            bad = rec.nonfinite.pop()  # what its steps introduced, its own composites' included
    results = list(out) if isinstance(out, (tuple, list)) else [out]
    for t in results:
        if len(results) == 1 and (out_name is not None or t.kind == "activation"):
            t.named(out_name or name.rsplit(".", 1)[-1])
        step.outputs.append(tensor_id(trace, t))
    if rec.strict:  # its steps counted their NaN / Inf as they ran
        trace.later(step, fill_text, spec)
        step.nonfinite = bad
        if rec.nonfinite:
            rec.nonfinite[-1] += bad
    else:  # counted when the trace is read, as its steps' own
        trace.later(step, _fill_composite, spec, len(trace._steps))
    return out


def _fill_composite(trace: Trace, step: Step, spec: OpSpec, end: int) -> None:
    """A composite's text, and the NaN / Inf its steps introduced (its own composites' included):
    its direct children are among the steps recorded before it returned, its nested composites
    filled before it (their entries come first)."""
    fill_text(trace, step, spec)
    bad = 0
    for i in range(step.id + 1, end):
        child = trace.built(i)
        if child.parent == step.id and child.phase != "backward":
            bad += child.nonfinite
    step.nonfinite = bad


def _engine_code(fn: Callable) -> bool:
    """Whether ``fn`` is the engine's own code (its steps' source line is the line that called it)."""
    code = getattr(fn, "__code__", None)
    return code is not None and is_internal(code.co_filename)


def _fused(spec: OpSpec, xs: list[Tensor | None], attrs: dict, out_name: str | None) -> Tensor | None:
    """A composite run whole by its fused rule, linked to the graph as one node; ``None`` when NumPy
    refuses the inputs, so that the children run and raise the error that names the part, when the
    rule declines, and when axis labels would need the children's rules (the normalising family's
    output keeps its input's shape, so labels broadcast; another family's do not)."""
    present = [x for x in xs if x is not None]
    if spec.family != "normalization":
        for x in present:
            if x.labels is not None:
                return None
    try:
        result = spec.fused(*[None if x is None else x.data for x in xs], **attrs)  # type: ignore[misc]
    except (ValueError, IndexError, TypeError):
        return None
    if result is None:  # the rule declines these attributes (attention asked for its weights too)
        return None
    out, vjp = result
    node = None
    if _core._grad_enabled:
        for x in present:
            if x.requires_grad:
                node = Node(spec, present, _link(spec, xs, vjp), 1)
                break
    t = Tensor._result(out, out_name or spec.name, node, 0)
    for x in present:
        if x.labels is not None:  # the normalising composites keep their input's shape: labels broadcast
            t.labels = fit(broadcast_labels(present, [out], attrs)[0], out.shape)
            break
    return t


def _link(spec: OpSpec, xs: list[Tensor | None], vjp: Callable) -> Callable:
    """A fused vjp as its node calls it: one gradient per input given (optional inputs left out
    get none)."""
    slots = [i for i, x in enumerate(xs) if x is not None]

    def link(g: Any, need: tuple[bool, ...]) -> tuple[np.ndarray | None, ...]:
        wanted = [False] * max(len(xs), len(spec.params))
        for i, n in zip(slots, need):
            wanted[i] = n
        grads = vjp(g, tuple(wanted))
        return tuple([grads[i] for i in slots])
    return link

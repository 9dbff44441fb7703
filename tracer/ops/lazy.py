"""Composites recorded lazily: the fused rule runs, the children's steps are rebuilt when read.

A composite with a fused rule (softmax, layer norm, batch norm, attention, the squared errors)
runs as one NumPy function while a trace records, as it does untraced. Its children's steps and
tensor records still take their places in the trace at once, with the ids, names and order the
children would have given them (so every later step and tensor is numbered as before), but their
arrays are not computed: a child's record holds a callable instead (``TensorRecord.data`` calls it
on first read), and the first read of any of them runs the composite's children once, eagerly, on
its inputs (which the trace keeps anyway) in a scratch recording. The composite's own output is the
fused rule's array: the same bits as the children's (``tests/test_fused.py``, ``tests/test_lazy.py``).
With a graph, the composite is one node whose vjp is the fused rule's, and the children's backward
steps are rebuilt on read too (:mod:`tracer.ops.lazy_grads`, which says what differs).

Where the children go is learnt once per kind of call (op, input shapes, dtypes and axis labels,
attributes): a scratch recording of the children gives a :class:`_Template` of the steps they
record, the constants they use and the tensors they register, in order; each later call of that
kind stamps the template into the trace. Recorded eagerly instead: under ``record(strict=True)``
(it raises at the child that first makes a NaN / Inf); for a composite the user declared (its
children have their own source lines); when an input is a scalar constant (it could share a record
with the children's); when the rule declines; and inside :func:`eager_children` (the switch the
tests and the benchmark compare against).
"""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from ..recording import _active, _Recorder
from ..tensor import Tensor
from ..trace import Step, TensorRecord, Trace
from . import core as _core
from .core import _step
from .records import register

_PLAIN = frozenset((bool, int, float, str, type(None)))
LAZY = True  # False: every composite records its children as they run (eager_children)
_TEMPLATES: dict[Any, "_Template | None"] = {}


@contextlib.contextmanager
def eager_children() -> Iterator[None]:
    """Record every composite's children as they run (the engine before lazy children)."""
    global LAZY
    before, LAZY = LAZY, False
    try:
        yield
    finally:
        LAZY = before


class _Template:
    """What a composite's children record, relative to the composite (step 0 of the scratch
    recording): ``steps`` as ``(is_composite, op, part, parent index, depth, attrs, input refs,
    output tids, phase)``, the ``records`` of their outputs and their ``pending`` fill entries. An
    input ref is ``("in", k)`` (the composite's k-th present input), ``("t", scratch tid)`` or
    ``("c", array, name, kind, labels, version)`` (a constant, registered as the children would)."""

    __slots__ = ("steps", "records", "pending", "out", "out_name", "out_labels", "out_shape", "out_dtype")

    def __init__(self) -> None:
        self.steps: list[tuple[Any, ...]] = []
        # scratch tid -> (name, kind, labels, nbytes, dtype, shape, version)
        self.records: dict[str, tuple[Any, ...]] = {}
        self.pending: list[tuple[Any, ...]] = []  # the children's fill entries, in order (scratch ids)
        self.out = ""


def plan(spec: Any, fn: Callable, args: tuple, present: list[Tensor], attrs: dict,
         rec: _Recorder) -> tuple[_Template, np.ndarray, Callable] | None:
    """The template, the fused output and the fused vjp for a lazy recording of this call, or
    ``None`` (record eagerly). ``fn`` is the engine's own code (a user's composite's children have
    their own lines)."""
    if not LAZY or rec.strict or rec.eager:
        return None
    for v in attrs.values():  # the key holds the attributes: only values whose repr is the value
        if type(v) not in _PLAIN and not (type(v) is tuple and all([type(a) in _PLAIN for a in v])):
            return None
    seen: dict[int, int] = {}
    shape_key = []
    for k, x in enumerate(present):
        if x.kind == "const" and x.data.ndim == 0:
            return None  # it could share a record with a constant of the children
        shape_key.append((x.data.shape, x.data.dtype.str, x.labels, seen.setdefault(id(x.data), k)))
    key = (spec.name, tuple(shape_key), tuple([a is None for a in args]), repr(sorted(attrs.items())))
    try:
        tpl = _TEMPLATES.get(key, False)
    except TypeError:  # unhashable labels
        return None
    try:
        result = spec.fused(*[None if a is None else x.data for a, x in _zip_present(args, present)], **attrs)
    except (ValueError, IndexError, TypeError):
        return None
    if result is None:
        return None
    out = result[0]
    if tpl is False:
        try:
            tpl = _learn(spec, fn, args, present, attrs)
        except Exception:  # the children refuse what the fused rule took: they run, and raise, eagerly
            tpl = None
        if len(_TEMPLATES) > 512:
            _TEMPLATES.clear()
        _TEMPLATES[key] = tpl
    if tpl is None or type(out) is not np.ndarray or out.shape != tpl.out_shape or out.dtype.str != tpl.out_dtype:
        return None
    for x in present:
        if out is x.data:  # an output is never an input's object
            return None
    return tpl, out, result[1]


def _zip_present(args: tuple, present: list[Tensor]) -> Iterator[tuple[Any, Any]]:
    it = iter(present)
    for a in args:
        yield a, (None if a is None else next(it))


def _scratch(spec: Any, fn: Callable, args: tuple, present: list[Tensor], attrs: dict,
             g_out: np.ndarray | None = None) -> Trace:
    """The composite's children recorded eagerly into a trace of their own; with ``g_out``, their
    backward steps too, from that gradient of the output, to the inputs that require one."""
    from .composite_steps import apply_composite  # here: composite_steps imports this module

    scratch = Trace()
    scratch._rec = _Recorder(False, limit=float("inf"))
    scratch._rec.eager = True  # its composites record their children
    inputs = tuple([x for _, x in _zip_present(args, present)])
    _active.append(scratch)
    grad_before = _core._grad_enabled
    _core._grad_enabled = g_out is not None  # the trace may be read inside no_grad()
    try:
        with np.errstate(all="ignore"):
            out = apply_composite(spec, fn, inputs, dict(attrs), None)
            if g_out is not None:
                out.backward(g_out)
    finally:
        _core._grad_enabled = grad_before
        _active.remove(scratch)
        scratch._rec = None
    return scratch


def _learn(spec: Any, fn: Callable, args: tuple, present: list[Tensor], attrs: dict) -> _Template | None:
    """The template of this kind of call, or ``None`` when a stamp could not reproduce it."""
    scratch = _scratch(spec, fn, args, present, attrs)
    tpl = _Template()
    top = scratch._steps[0]
    assert isinstance(top, Step)
    inputs = {tid: k for k, tid in reversed(list(enumerate(top.inputs)))}
    order: list[str] = list(dict.fromkeys(top.inputs))  # the order the stamp registers tensors in
    known = set(order)
    tensors = scratch.tensors
    for sid in range(1, len(scratch._steps)):
        composite = type(scratch._steps[sid]) is not tuple
        step = scratch.built(sid)
        if step.part is None or step.parent is None or step.phase != "forward":
            return None
        refs: list[tuple[Any, ...]] = []
        for tid in step.inputs:
            if tid in inputs:
                refs.append(("in", inputs[tid]))
            elif tid in known:
                refs.append(("t", tid))
            else:
                r = tensors[tid]
                if r.kind != "const" or r.data.ndim != 0 or r.producer is not None:
                    return None
                refs.append(("c", r.data, r.name, r.kind, r.labels, r.version))
                known.add(tid)
                order.append(tid)
        if not composite:
            for tid in step.outputs:
                r = tensors[tid]
                tpl.records[tid] = (r.name, r.kind, r.labels, r.data.nbytes, r.dtype, r.shape, r.version)
                known.add(tid)
                order.append(tid)
        tpl.steps.append((composite, step.op, step.part, step.parent, step.depth, step.attrs, refs,
                          list(step.outputs), step.phase))
    if order != list(tensors) or len(top.outputs) != 1 or top.outputs[0] not in tpl.records:
        return None
    tpl.out = top.outputs[0]
    r = tensors[tpl.out]
    tpl.out_name, tpl.out_labels, tpl.out_shape, tpl.out_dtype = tpl.records[tpl.out][0], r.labels, r.shape, r.dtype
    for fill, target, *rest in scratch._pending[:-1]:  # the last entry is the composite's own
        if len(rest) != (2 if isinstance(target, Step) else 1):
            return None
        tpl.pending.append((fill, target.id, True, *rest) if isinstance(target, Step) else (fill, target, False, *rest, 0))
    return tpl


def stamp(trace: Trace, tpl: _Template, parent: Step, spec: Any, fn: Callable, args: tuple,
          present: list[Tensor], attrs: dict, out: np.ndarray) -> tuple[Tensor, _Kids]:
    """Write the children's steps and records of ``tpl`` under ``parent`` (already appended, its
    inputs registered), the output record holding the fused rule's ``out``; return the output and
    what the children's arrays are made by when read."""
    rec = trace._rec
    assert rec is not None
    steps, tensors, ids = trace._steps, trace.tensors, rec.ids
    offset = parent.id
    kids = _Kids(spec, fn, tuple([None if a is None else True for a in args]), [x.data for x in present], attrs)
    later = kids.array
    partial = functools.partial
    real: dict[str, str] = {}  # scratch tid -> trace tid
    names = {0: parent.name}
    nested: list[tuple[Step, list[str]]] = []
    src, depth0 = parent.src, parent.depth
    for composite, op, short, rel_parent, depth, attrs_, refs, outs, phase in tpl.steps:
        sid = len(steps)
        name = names[sid - offset] = rec.unique(f"{names[rel_parent]}.{short}")
        inputs = []
        for ref in refs:
            kind = ref[0]
            if kind == "in":
                inputs.append(parent.inputs[ref[1]])
            elif kind == "t":
                inputs.append(real[ref[1]])
            else:
                arr = ref[1]
                tid = ids.get(id(arr))
                inputs.append(tid if tid is not None else register(trace, arr, ref[2], ref[3], ref[4], None, None, ref[5]))
        # each step its own attribute dict, as eagerly (its lists too)
        attrs_ = {k: (list(v) if type(v) is list else v) for k, v in attrs_.items()} if attrs_ else {}
        if composite:
            step = Step(sid, phase, op, name, inputs, [], attrs_, rel_parent + offset, depth + depth0, src, part=short)
            steps.append(step)
            nested.append((step, outs))
            continue
        outputs: list[str] = []
        steps.append((_step, phase, op, name, inputs, outputs, attrs_, rel_parent + offset, depth + depth0,
                      src, short, None))
        for stid in outs:
            rname, kind, labels, nbytes, dtype, shape, version = tpl.records[stid]
            if stid == tpl.out:
                tid = register(trace, out, rname, kind, labels, sid, None, version)
            else:
                tid = f"t{len(tensors)}"
                rec.hold(nbytes)
                tensors[tid] = TensorRecord(tid, rname, shape, dtype, kind, sid, None, version, labels,
                                            partial(later, stid))
            real[stid] = tid
            kids.names[tid] = rname
            outputs.append(tid)
    for step, outs in nested:
        step.outputs = [real[t] for t in outs]
    pending = trace._pending
    for fill, target, composite, fill_spec, end in tpl.pending:
        if composite:  # a nested composite: (fill, its Step, spec, the end of its steps)
            pending.append((fill, steps[target + offset], fill_spec, end + offset))
        else:  # a primitive: (fill, its id, spec)
            pending.append((fill, target + offset, fill_spec))
    t = Tensor._result(out, tpl.out_name, None, 0)
    t.labels = tpl.out_labels
    return t, kids


class _Kids:
    """A lazy composite's children, run once when the first of their arrays is read (it refers to
    the composite's inputs, never to the trace)."""

    __slots__ = ("spec", "fn", "args", "arrays", "attrs", "made", "grads", "names")

    def __init__(self, spec: Any, fn: Callable, args: tuple, arrays: list[np.ndarray], attrs: dict) -> None:
        self.spec, self.fn, self.args, self.arrays, self.attrs = spec, fn, args, arrays, attrs
        self.made: dict[str, np.ndarray] | None = None
        # a weak reference to what makes its backward steps' arrays (lazy_grads.Values, which
        # refers to this), if it had any: one scratch run then makes the forward arrays too
        self.grads: Any = None
        # trace tid -> the name its child's tensor has (the trace's record may be renamed later,
        # a head's weights₁; an accumulate step's narration names the tensor as eagerly)
        self.names: dict[str, str] = {}

    def scratch(self, need: tuple[bool, ...] | None = None, g_out: np.ndarray | None = None) -> Trace:
        """The children run eagerly on the composite's inputs in a scratch recording; with ``g_out``,
        backward from it to the inputs ``need`` says require a gradient. Keeps the forward arrays."""
        present = []
        for k, a in enumerate(self.arrays):
            t = Tensor._result(a, "x", None, 0)
            t.requires_grad = bool(need and need[k])
            present.append(t)
        scratch = _scratch(self.spec, self.fn, self.args, present, self.attrs, g_out)
        if self.made is None:  # the forward arrays, under the same ids with or without a graph
            self.made = {tid: r.data for tid, r in scratch.tensors.items()}
        return scratch

    def array(self, stid: str) -> np.ndarray:
        grads = self.grads() if self.made is None and self.grads is not None else None
        if grads is not None:
            grads.run()
        if self.made is None:
            self.scratch()
        return self.made[stid]  # type: ignore[index]

"""How a primitive op runs: its forward, its link to the autograd graph, and the step it records.

:func:`apply` runs for every op, traced or not, and :func:`record_step` for every step recorded:
their Python is most of an op's cost on small tensors, so both stay flat (module globals, plain
loops, few calls). Gradient mode (:func:`no_grad`) is this module's state, read by every op. How an
op is declared is :mod:`tracer.ops.declare`; how a composite runs, :mod:`tracer.ops.composite_steps`.

>>> import tracer
>>> from tracer.ops.spec import REGISTRY
>>> with tracer.record() as trace:
...     y = apply(REGISTRY["exp"], REGISTRY["exp"].forward, (tracer.tensor([0.0], name="x"),), {}, "y")
>>> y.numpy().tolist(), trace.steps[0].formula
([1.0], 'y = e^x')
"""
from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from ..errors import ShapeError, TracerError
from ..recording import _active, count_nonfinite, current, nonfinite_error
from ..sources import user_source, where_text
from ..tensor import Tensor
from ..trace import Source, Step, Trace
from .labels import propagate
from .records import _as_tensors, _inputs, plain_attrs, tensor_id
from .spec import REGISTRY, OpSpec
from .templates import fill_text

VJP = Callable[[Any, tuple[bool, ...]], tuple[np.ndarray | None, ...]]
_result = Tensor._result  # bound once: apply() wraps every op's output with it


class Node:
    """The autograd link of an op's outputs: inputs, the vjp closure and the id of the step recorded.

    ``seq`` counts nodes in the order they ran: the reverse of that order is a reverse topological
    order that keeps the children of a composite op together. ``rec`` is the recorder of the trace
    that recorded ``step``, never the trace itself: a tensor kept after its trace is dropped keeps
    what its own gradient needs, not the whole trace.
    """

    __slots__ = ("spec", "inputs", "vjp", "n_out", "step", "rec", "seq", "lazy")
    _counter = itertools.count()

    def __init__(self, spec: OpSpec, inputs: list[Tensor], vjp: VJP, n_out: int) -> None:
        self.spec, self.inputs, self.vjp, self.n_out = spec, inputs, vjp, n_out
        self.seq = next(Node._counter)
        self.step: int | None = None  # the id of the step recorded
        self.rec: Any = None  # the trace's _Recorder while it recorded
        # a composite run by its fused rule while recording: (its children, ops.lazy._Kids; the
        # end of their steps), what backward_steps.Recording.fused_children writes its steps from
        self.lazy: tuple[Any, int] | None = None


# ---- gradient mode -------------------------------------------------------------------------
_grad_enabled = True  # read by apply() for every op: a plain module global is the cheapest lookup


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without linking them for ``backward()``: no graph is kept, as ``torch.no_grad``.

    Inside a :func:`~tracer.record` block the steps are still recorded (a forward-only trace);
    outside one an op costs little more than the NumPy it runs. Also a decorator.

    >>> import tracer
    >>> W = tracer.param([[2.0]], name="W")
    >>> with tracer.no_grad():
    ...     y = W @ tracer.tensor([[3.0]])
    >>> y.numpy().tolist(), y.requires_grad
    ([[6.0]], False)
    """
    global _grad_enabled
    before, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = before


def is_grad_enabled() -> bool:
    """Whether ops link their outputs for ``backward()`` (``False`` inside :func:`no_grad`)."""
    return _grad_enabled


# ---- running ops ------------------------------------------------------------------------------
def _part(trace: Trace, short: str) -> str | None:
    """The declared part a step recorded inside a composite plays (``None`` at the top level)."""
    rec = trace._rec
    if not rec.parents:  # type: ignore[union-attr]
        return None
    parent = trace._steps[rec.parents[-1]]  # type: ignore[union-attr]
    spec = REGISTRY[parent.op]
    if short not in spec.parts:
        raise TracerError(f"composite {parent.op} ran a step {short!r} that is not among its declared "
                          f"parts ({', '.join(spec.parts)})")
    return short


def _shape_error(spec: OpSpec, xs: list[Tensor], problem: str, out_name: str | None) -> ShapeError:
    trace = current()
    prefix = trace._rec.prefixes[-1] if trace is not None and trace._rec is not None else ""
    label = ".".join(p for p in (prefix, out_name) if p)
    sym = {"matmul": " @ ", "add": " + ", "sub": " - ", "mul": " * ", "div": " / "}.get(spec.name, ", ")
    operands = sym.join(f"{x.name} {tuple(x.shape)}" for x in xs)
    return ShapeError(f"{label + ' ' if label else ''}{spec.name}: {operands}: {problem}{where_text()}")


def apply(spec: OpSpec, fn: Callable, args: tuple, attrs: dict, out_name: str | None,
          phase: str | None = None, names_from: Tensor | None = None) -> Any:
    """Run a primitive: forward, autograd link, and a recorded step when a trace is active;
    ``names_from``: the input whose axis names the outputs take first (:func:`.labels.preferring`)."""
    # plain loops and few calls below: this runs for every op, and its Python is most of an op's
    # cost on small tensors
    for a in args:
        if type(a) is not Tensor:
            xs = _inputs(args)
            if xs is None:
                return _update(spec, fn, args, attrs, out_name)
            break
    else:
        xs = list(args)
    arrays = [x.data for x in xs]
    if spec.check is not None:
        problem = spec.check(*arrays, **attrs)
        if problem:
            raise _shape_error(spec, xs, problem, out_name)
    try:
        out, vjp = fn(*arrays, **attrs)
    except (ValueError, IndexError) as e:
        raise _shape_error(spec, xs, str(e).split("\n")[0], out_name) from None
    several = type(out) is tuple or type(out) is list
    outs = list(out) if several else [out]
    for k, o in enumerate(outs):
        if type(o) is not np.ndarray:
            outs[k] = o = np.asarray(o)
        for a in arrays:
            if o is a:  # outputs are never an input's object
                outs[k] = o.view()
                break
    node = None
    if vjp is not None and _grad_enabled:
        for x in xs:
            if x.requires_grad:
                node = Node(spec, xs, vjp, len(outs))
                break
    name = out_name or spec.name
    tensors = [_result(o, name, node, k) for k, o in enumerate(outs)] if several else [_result(outs[0], name, node, 0)]
    if names_from is not None and not any(x is names_from for x in xs):
        raise TracerError(f"{spec.name}: names_from={names_from.name} is not one of its inputs")
    for x in xs:
        if x.labels is not None:
            propagate(spec, xs, tensors, attrs, names_from)
            break
    if _active:
        trace = _active[-1]
        if trace._rec is not None:
            # the NaN / Inf count: now when strict mode must raise here, else when the step is built
            sid = record_step(trace, spec, xs, tensors, attrs, out_name, phase,
                              count_nonfinite(outs, arrays) if trace._rec.strict else None)
            if node is not None:
                node.step, node.rec = sid, trace._rec
    return tuple(tensors) if several else tensors[0]


def _update(spec: OpSpec, fn: Callable, args: tuple, attrs: dict, out_name: str | None) -> Any:
    """An op that mixes a gradient into a tensor (``W = W - lr * W.grad``) is a hand-written update.

    Its result is a fresh leaf that requires a gradient as the tensor it updates did (a parameter
    stays a parameter, under its name), recorded as an update step; it is never linked to the graph
    that made the gradient, so a training loop does not chain every step to the one before.
    """
    xs = _as_tensors(args)
    base = next((x for x in xs if x.kind != "grad" and x.requires_grad), None)
    if base is None:  # nothing to update: the gradient is just numbers
        return apply(spec, fn, tuple(xs), attrs, out_name)
    with no_grad():
        out = apply(spec, fn, tuple(xs), attrs, out_name or f"{base.name}.update", "update")
    if not isinstance(out, Tensor):
        return out
    out.requires_grad, out.kind, out.version = True, base.kind, base.version + 1
    trace = current()
    if trace is not None and trace._rec is not None:
        rec = trace.tensors[trace._rec.ids[id(out.data)]]
        rec.kind, rec.version = base.kind, out.version
    return out.named(base.name)


def record_step(trace: Trace, spec: OpSpec, xs: list[Tensor | None], outs: list[Tensor], attrs: dict,
                out_name: str | None, phase: str | None = None, nonfinite: int | None = 0) -> int:
    """Append a step for an op that has run, naming and registering its output tensors; return its id.

    The step is recorded as a tuple (:meth:`Trace.lazy`) and built as a :class:`Step` when it is
    first needed. ``nonfinite`` counts the NaN / Inf its outputs introduced (strict mode raises);
    ``None``: counted when the step is built (its arrays are read-only and the trace keeps them).
    """
    rec = trace._rec
    assert rec is not None
    name = rec.unique_name(out_name or spec.name)
    ids = rec.ids
    inputs = []
    for x in xs:  # plain loops below: this runs for every step recorded
        if x is not None:
            tid = ids.get(id(x.data))
            inputs.append(tid if tid is not None else tensor_id(trace, x))
    outputs: list[str] = []
    parents = rec.parents
    if parents:  # inside a composite: its source line when it is the engine's (see _Recorder.sources)
        src = rec.sources[-1] or user_source()
        parent, part = parents[-1], _part(trace, out_name or spec.name)
        if nonfinite:
            rec.nonfinite[-1] += nonfinite
    else:
        src, parent, part = user_source(), None, None
    sid = trace.lazy((_step, phase or spec.phase, spec.name, name, inputs, outputs, plain_attrs(attrs) if attrs else {},
                      parent, len(parents), src, part, nonfinite), _fill_at, spec)
    for t in outs:
        if out_name is None and t.name == spec.name and t.kind == "activation":
            t.name = name.rsplit(".", 1)[-1]
        outputs.append(tensor_id(trace, t, producer=sid))
    if nonfinite and rec.strict:
        raise nonfinite_error(name, spec.name, nonfinite, src)
    return sid


def _step(trace: Trace, sid: int, phase: str, op: str, name: str, inputs: list[str], outputs: list[str],
          attrs: dict, parent: int | None, depth: int, src: Source | None, part: str | None,
          nonfinite: int | None) -> Step:
    """The Step of a primitive recorded as a tuple (see :func:`record_step`)."""
    if nonfinite is None:  # counted now, on the arrays the trace kept (read-only: the values it had)
        tensors = trace.tensors
        with np.errstate(all="ignore"):  # as while recording (record() counts instead of warning)
            nonfinite = count_nonfinite([tensors[o].data for o in outputs], [tensors[i].data for i in inputs])
    return Step(sid, phase, op, name, inputs, outputs, attrs, parent, depth, src, nonfinite=nonfinite, part=part)


def step_links(trace: Trace, sid: int) -> tuple[str, list[str], list[str], int | None, str]:
    """The name, inputs, outputs, parent and op of step ``sid``, without building a step still
    recorded as its tuple (the fields of :func:`_step`)."""
    step = trace._steps[sid]
    if type(step) is tuple:
        return step[3], step[4], step[5], step[7], step[2]
    return step.name, step.inputs, step.outputs, step.parent, step.op  # type: ignore[union-attr]


def _fill_at(trace: Trace, sid: int, spec: OpSpec) -> None:
    fill_text(trace, trace.built(sid), spec)

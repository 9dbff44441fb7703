"""A working, and the one chain that finds the handler that writes it.

A handler is chosen by the step's op, then by the op's declared family, then by the fallbacks
(any op with a declared cell template, any composite, and last the generic working that never
fails). A handler may decline by returning ``None``; the chain moves on. Nothing here depends on
the order modules register their handlers in.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from ..errors import TracerError
from ..i18n import formula as step_formula
from ..ops.spec import REGISTRY, OpSpec
from ..trace import Step, Trace
from .lines import cell_ref
from .numbers import Index, Numbers

Read = tuple[str, Index]


@dataclass(frozen=True)
class Working:
    """The arithmetic behind ``output[index]`` of ``step``, every number as printed.

    ``lines`` are the working, each ending ``= value`` or ``≈ value`` (the last on ``text``, the
    cell's printed value); ``formula`` says the same with tensor names. ``reads`` are the input
    cells used, as ``(tensor id, index)``, in the order they enter the arithmetic; ``terms`` the
    addends of a sum and ``partials`` its running totals (``terms[0] + … + terms[k]`` gives
    ``partials[k]`` as printed). ``operands`` are tensors the working reads that are not the step's
    inputs (the forward ``H3`` a backward linear layer multiplies by): viewers show them too.
    """

    step: int
    output: str
    index: Index
    value: float
    text: str
    lines: tuple[str, ...]
    reads: tuple[Read, ...] = ()
    terms: tuple[str, ...] = ()
    partials: tuple[str, ...] = ()
    formula: str = ""
    operands: tuple[str, ...] = ()
    cancels: bool = False

    @property
    def expression(self) -> str:
        """The last line: the one that ends on the cell's value."""
        return self.lines[-1] if self.lines else self.text

    @property
    def approx(self) -> bool:
        """Whether a line had to say ≈ (the printed numbers are rounded)."""
        return any(" ≈ " in line for line in self.lines)


@dataclass
class Context:
    """What a handler works from: the cell, its step and the number view."""

    trace: Trace
    step: Step
    k: int                    # which output of the step
    index: Index
    view: Numbers
    lang: str = "en"
    refine: bool = True       # may the first line print its fresh numbers with more digits
    extra: dict = field(default_factory=dict)

    @property
    def out(self) -> str:
        return self.step.outputs[self.k]

    @property
    def spec(self) -> OpSpec | None:
        return REGISTRY.get(self.step.op)

    @property
    def text(self) -> str:
        return self.view.text(self.out, self.index)

    @property
    def formula(self) -> str:
        """The step's formula in the working's language (:func:`tracer.i18n.formula`)."""
        return step_formula(self.trace, self.step, self.lang)

    def shape(self, tid: str) -> tuple[int, ...]:
        return tuple(self.trace.tensors[tid].shape)

    def name(self, tid: str) -> str:
        return self.trace.tensors[tid].name

    def working(self, lines: tuple[str, ...] | list[str], reads=(), terms=(), partials=(),
                formula: str = "") -> Working:
        return Working(self.step.id, self.out, self.index, self.view.raw(self.out, self.index), self.text,
                       tuple(lines), tuple(reads), tuple(terms), tuple(partials), formula)

    def at(self, step: Step, k: int, index: Index, refine: bool | None = None) -> "Context":
        """The same view on another cell (a composite's part)."""
        return Context(self.trace, step, k, index, self.view, self.lang,
                       self.refine if refine is None else refine, self.extra)


Handler = Callable[[Context], "Working | None"]
_HANDLERS: dict[tuple[str, str], Handler] = {}     # (direction, "op:NAME" or "family:NAME")
_FALLBACKS: dict[str, list[Handler]] = {"forward": [], "backward": []}


def drawn_sum(step: Step) -> bool:
    """Whether a reader redoes each cell of ``step`` from its cells as drawn: an op whose cells are
    sums (:attr:`OpSpec.sums`) the code or the backward pass called (not its gradient step; not a
    composite's part, worked inside its composite's working with the digits its lines carry)."""
    spec = REGISTRY.get(step.op)
    return (spec is not None and spec.sums and step.phase == spec.phase
            and (step.parent is None or step.phase != "forward"))


def direction(step: Step) -> str:
    """Backward steps explain gradients; forward and update steps compute outputs from inputs."""
    return "backward" if step.phase == "backward" else "forward"


def for_op(op: str, way: str = "forward") -> Callable[[Handler], Handler]:
    """Register the working of one op (``way`` is ``forward`` or ``backward``)."""
    return _register(way, f"op:{op}")


def for_family(family: str, way: str = "forward") -> Callable[[Handler], Handler]:
    """Register the working of every op of a family that has no working of its own."""
    return _register(way, f"family:{family}")


def fallback(way: str) -> Callable[[Handler], Handler]:
    """Register a handler tried after the op's and the family's, before the generic working."""
    def deco(fn: Handler) -> Handler:
        _FALLBACKS[way].append(fn)
        return fn
    return deco


def _register(way: str, key: str) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        if (way, key) in _HANDLERS:
            raise TracerError(f"two {way} workings for {key}")
        _HANDLERS[(way, key)] = fn
        return fn
    return deco


def chain(step: Step) -> list[Handler]:
    """The handlers tried for ``step``, in order (the generic working last)."""
    way = direction(step)
    spec = REGISTRY.get(step.op)
    keys = [f"op:{step.op}"] + ([f"family:{spec.family}"] if spec is not None else [])
    found = [_HANDLERS[(way, k)] for k in keys if (way, k) in _HANDLERS]
    return found + _FALLBACKS[way] + [generic]


def work(ctx: Context) -> Working:
    """The first working a handler of ``ctx.step``'s chain writes."""
    for handler in chain(ctx.step):
        done = handler(ctx)
        if done is not None:
            return done
    raise AssertionError("the generic working never declines")  # pragma: no cover


def generic(ctx: Context) -> Working:
    """Any op, known or not: the step's formula, the input cells at the same place, the value."""
    reads = [(t, ctx.index) for t in ctx.step.inputs
             if t in ctx.trace.tensors and ctx.shape(t) == ctx.shape(ctx.out)]
    return ctx.working((ctx.text,), reads, formula=ctx.formula)


def tensor_label(trace: Trace, step: Step, tid: str) -> str:
    """The name a working (and the walkthrough) gives tensor ``tid`` of ``step``: its own, or,
    when another tensor of the step has the same name (two heads' outputs, both ``z``), the scope
    that made it in front, ``head2 · z`` (a gradient: the scope that made its tensor, ``head2 ·
    dz``); where the scopes do not tell them apart, which of them it is, ``z #2``.

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     with tracer.scope("head1"):
    ...         a = tracer.mul(tracer.tensor([1.0], name="x"), 2.0, name="z")
    ...     with tracer.scope("head2"):
    ...         b = tracer.mul(tracer.tensor([2.0], name="x"), 2.0, name="z")
    ...     j = tracer.concat([a, b], name="j")
    ...     k = tracer.concat([tracer.tensor([3.0], name="z"), tracer.tensor([4.0], name="z")], name="k")
    >>> [[tensor_label(trace, s, t) for t in s.inputs + s.outputs] for s in trace.steps[2:]]
    [['head1 · z', 'head2 · z', 'j'], ['z #1', 'z #2', 'k']]
    """
    name = trace.tensors[tid].name
    twins = [t for t in dict.fromkeys(step.inputs + step.outputs) if trace.tensors[t].name == name]
    if len(twins) < 2:
        return name
    scopes = [made_in(trace, t) for t in twins]
    if all(scopes) and len(set(scopes)) == len(scopes):  # a scope says more than a number
        return f"{scopes[twins.index(tid)]} · {name}"
    return f"{name} #{twins.index(tid) + 1}"


def made_in(trace: Trace, tid: str) -> str | None:
    """The innermost scope of the step the code called that made tensor ``tid`` (``head2`` of
    ``blocks.0.attn.head2.z2``), of its tensor's for a gradient; ``None`` for a tensor no scoped
    step made (an input, a constant)."""
    record = trace.tensors[tid]
    if record.grad_of is not None and record.grad_of in trace.tensors:
        record = trace.tensors[record.grad_of]
    step = trace.steps[record.producer] if record.producer is not None else None
    while step is not None and step.parent is not None:   # the op the code called, not its parts
        step = trace.steps[step.parent]
    parts = step.name.split(".") if step is not None else []
    return parts[-2] if len(parts) > 1 else None


def cells_of(trace: Trace, working: Working) -> dict[str, float | None]:
    """The cell a working works out and the cells it reads, by the name a line gives them
    (``dhx[0, 0]``), with their values from the trace (``None`` for a name two different cells
    share: a line cannot name either)."""
    step = trace.steps[working.step]
    out: dict[str, float | None] = {}
    for tid, index in ((working.output, working.index),) + working.reads:
        key, value = cell_ref(tensor_label(trace, step, tid), index), float(trace.tensors[tid].data[index])
        if key in out and out[key] != value and not (out[key] != out[key] and value != value):
            value = None  # type: ignore[assignment]
        out[key] = value
    return out


def reads_outputs(op: str, k: int = 0) -> list[int]:
    """The step's other outputs output ``k``'s cell template reads (``{out1}``: Adam's new weight
    from its new m and v), in order: a viewer works those first.

    >>> reads_outputs("adam"), reads_outputs("adam", 1), reads_outputs("sgd")
    ([1, 2], [], [])
    """
    spec = REGISTRY.get(op)
    cell = spec.cell if spec is not None else ""
    template = cell if isinstance(cell, str) and k == 0 else cell[k] if isinstance(cell, tuple) and k < len(cell) else ""
    return [j for j in range(1, 10) if j != k and f"{{out{j}}}" in template]


def resolve(trace: Trace, step: Step | int | str, index: Index | int | None, output: int) -> tuple[Step, Index]:
    """The step and the full cell index, or a TracerError naming what is wrong."""
    step = step if isinstance(step, Step) else trace.step(step)
    if not 0 <= output < len(step.outputs):
        raise TracerError(f"{step.name} has {len(step.outputs)} output(s), not {output + 1}")
    out = trace.tensors[step.outputs[output]]
    shape = tuple(out.shape)
    index = () if index is None else (index,) if isinstance(index, (int, np.integer)) else tuple(int(i) for i in index)
    if len(index) != len(shape):
        need = "no cell (it is a single number)" if not shape else f"{len(shape)} number(s), like {','.join('0' * len(shape))}"
        raise TracerError(f"{step.name}: {out.name} has shape {shape}: a cell needs {need}, got {index}")
    if any(not 0 <= i < n for i, n in zip(index, shape)):
        raise TracerError(f"{step.name}: cell {index} is outside {out.name} of shape {shape}")
    return step, index


def with_operands(w: Working, step: Step) -> Working:
    """Name the tensors the working reads beyond the step's own inputs and outputs."""
    own = set(step.inputs) | set(step.outputs)
    extra = tuple(dict.fromkeys(t for t, _ in w.reads if t not in own))
    return replace(w, operands=extra)

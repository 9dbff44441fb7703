"""The gradients a tensor's gradient is added up from, and their names.

A tensor fed several ops gets a gradient back from each; an ``accumulate`` step adds them, named
in the order they came, ``dx′``, ``dx″``, ``dx‴`` (:func:`tracer.notation.share_mark`), their
sum ``dx`` (:func:`name_shares`). A second ``backward()`` without ``zero_grad()`` adds its
gradient to the one kept (a ``grad_total`` step): the kept one, the running total, keeps ``dx``,
the new one is ``dx_new`` (:func:`name_new`). The primes go on counting over the whole trace: the
second call's shares of ``dx_new`` are ``dx‴``, ``dx⁗`` (``dx_new = dx‴ + dx⁗``), never a second
``dx′``, so no two gradients of one tensor are named alike.
What a name cannot say is the op each share flowed back through: :func:`shares` finds it, and
:func:`tracer.i18n.told` says it in a sentence in every language.

>>> import tracer
>>> with tracer.record() as trace:
...     x = tracer.param([1.0, 2.0], name="x")
...     y = tracer.mul(x, 3.0, name="tripled") + tracer.exp(x, name="grown")
...     y.sum().backward()
>>> acc = next(s for s in trace.steps if s.op == "accumulate")
>>> acc.formula
'dx = dx′ + dx″'
>>> shares(trace, acc)
[('dx′', 'grown'), ('dx″', 'tripled')]

This module reads the trace's records only: the engine (:mod:`tracer.backward_steps`) names the
gradients with it as it records, and the narration (:mod:`tracer.i18n`) reads them.
"""
from __future__ import annotations

from .notation import share_mark
from .ops.spec import REGISTRY
from .trace import Step, Trace

NEW = "_new"   # dx_new: the gradient a later backward() adds to the one kept (see the module)
GIVEN = "backward()"   # what a gradient no step made came from: the one given to backward()


def shares(trace: Trace, step: Step) -> list[tuple[str, str | None]]:
    """The inputs of ``step`` (an ``accumulate`` step) as ``(name, through)``: ``through`` is the
    forward step a contribution flowed back through, named as short as tells it apart from the
    others (``mean`` is an op's name: ``ln2.mean``), the op of a gradient step whose forward pass
    was not recorded (``mul``), ``None`` for the sum an earlier accumulate step made."""
    fwd_names: list[str | None] = []
    made = [trace.steps[p] if (p := trace.tensors[tid].producer) is not None else None for tid in step.inputs]
    # shares each made inside a different step (the matmuls of two linear layers' gradients, the
    # sum so far inside one and a share inside the next): named by those steps (the layer z_o,
    # not its part z_o.matmul); the parts of one step's own rule (a layer norm's) by their parts
    parts = [m.parent for m in made if m is not None and m.parent is not None]
    whole = len(set(parts)) == len(parts)
    for made_by in made:
        if made_by is None:
            fwd_names.append(GIVEN)
        elif made_by.op == "accumulate":
            fwd_names.append(None)
        else:
            if whole and made_by.parent is not None:
                made_by = trace.steps[made_by.parent]
            fwd_names.append(made_by.op if made_by.grad_of is None else trace.steps[made_by.grad_of].name)
    known = {n for n in fwd_names if n is not None}
    return [(trace.tensors[tid].name, None if n is None else _short(n, known - {n}))
            for tid, n in zip(step.inputs, fwd_names)]


def _short(name: str, others: set[str]) -> str:
    """The last parts of the dotted ``name``: at least one, more while they are only an op's name
    or read as the end of one of ``others``."""
    parts = name.split(".")
    for k in range(1, len(parts) + 1):
        tail = ".".join(parts[-k:])
        if k < len(parts) and (tail in REGISTRY or any(o == tail or o.endswith("." + tail) for o in others)):
            continue
        return tail
    return name


def is_sum(trace: Trace, sid: int) -> bool:
    """Whether step ``sid`` is an accumulate step (one is always appended as a :class:`Step`: a
    step still kept as its tuple is not)."""
    step = trace._steps[sid]
    return type(step) is not tuple and step.op == "accumulate"  # type: ignore[union-attr]


def name_shares(trace: Trace, counts: dict[str, int], fwd: str, inputs: list[str], out: str) -> None:
    """Name the contributions to the gradient of tensor ``fwd`` that an accumulate step adds as
    the order they came in: ``dx′`` (the first), ``dx″``, ``dx‴``…, so that its grids, hints and
    formula tell them apart from each other and from their sum ``out`` (``counts``: how many each
    tensor had so far in the trace, every ``backward()`` of it, which this adds to). A running total (an earlier accumulate step's sum) keeps
    ``dx``; a record that is another tensor's gradient too (an array passed back unchanged)
    keeps its own name."""
    for tid in inputs:
        r = trace.tensors[tid]
        if r.name != out or r.grad_of != fwd or (r.producer is not None and is_sum(trace, r.producer)):
            continue  # a running total, a shared array, or a share named already (x + x)
        counts[fwd] = counts.get(fwd, 0) + 1
        r.name = out + share_mark(counts[fwd])


def name_new(trace: Trace, fwd: str, kept: str, new: str) -> None:
    """Name ``new``, the gradient of tensor ``fwd`` a later ``backward()`` adds to the one kept
    from an earlier one, ``dx_new`` when it reads as ``kept`` does (not a record that is another
    tensor's gradient too)."""
    r = trace.tensors[new]
    if new != kept and r.grad_of == fwd and r.name == trace.tensors[kept].name:
        r.name += NEW

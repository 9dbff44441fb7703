"""Recording a trace: the :func:`record` block, its :func:`scope` names, the state of a trace being
recorded, and the NaN / Inf a step introduces (counted, or raised in strict mode).

The trace being recorded is the innermost :func:`record` block's (:func:`current`); the engine
(:mod:`tracer.ops`, :mod:`tracer.autograd`) appends to it through its recorder.

>>> import tracer
>>> with tracer.record(strict=False) as trace:
...     y = tracer.log(tracer.tensor([0.0, 1.0], name="x"), name="y")
>>> current() is None, trace.steps[0].nonfinite
(True, 1)
"""
from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .budget import budget, describe, human
from .errors import NonFiniteError, ResourceError
from .trace import Source, Trace

_active: list[Trace] = []


class _Recorder:
    """The mutable state of a trace being recorded: scopes, open composite steps, tensor ids."""

    def __init__(self, strict: bool, limit: float | None = None) -> None:
        self.strict = strict
        self.prefixes: list[str] = [""]
        self.parents: list[int] = []
        # per open composite: the source line its children share (an engine composite's body is
        # never the user's code, so its children come from the line that called it), or None to
        # look it up (a composite the user declared: its children are lines of its body)
        self.sources: list[Source | None] = []
        self.nonfinite: list[int] = []  # per open composite: the NaN / Inf its steps introduced so far
        self.name_counts: dict[str, int] = {}
        self.used: set[str] = set()
        # forward tensor id -> its gradient's contributions named so far (dx′, dx″…), over every
        # backward() of the trace: a second one's shares go on dx‴, never a second dx′
        self.shares: dict[str, int] = {}
        self.ids: dict[int, str] = {}  # id(ndarray) -> tensor id; the record keeps the array alive
        self.consts: dict[tuple[str, float], str] = {}
        self.eager = False  # True: composites record their children as they run (ops.lazy's scratch)
        self.held = 0  # bytes of the arrays the trace keeps alive
        self.limit = budget() if limit is None else limit  # bytes; a scratch recording: no limit

    def hold(self, nbytes: int) -> None:
        """Count ``nbytes`` more of arrays the trace keeps (made now or when read) against the budget."""
        self.held += nbytes
        if self.held > self.limit:
            self.over()

    def over(self) -> None:
        """The arrays the trace keeps (``held``, counted as tensors are registered) passed the budget."""
        raise ResourceError(f"the trace being recorded holds {human(self.held)} of tensors, more than "
                            f"{describe()}: record fewer steps or smaller tensors")

    def unique_name(self, short: str) -> str:
        """``short`` under the current scope, made unique with a ``_1``, ``_2`` ... suffix."""
        prefix = self.prefixes[-1]
        return self.unique(f"{prefix}.{short}" if prefix else short)

    def unique(self, name: str) -> str:
        n = self.name_counts.get(name, 0)
        candidate = name if n == 0 else f"{name}_{n}"
        while candidate in self.used:  # a user may have named a step "x_1" already
            n += 1
            candidate = f"{name}_{n}"
        self.name_counts[name] = n + 1
        self.used.add(candidate)
        return candidate


def current() -> Trace | None:
    """The trace being recorded, or ``None`` outside :func:`record`."""
    return _active[-1] if _active else None


@contextmanager
def record(strict: bool = False, **meta: Any) -> Iterator[Trace]:
    """Record every op run inside the block into a new :class:`Trace`.

    Parameters
    ----------
    strict : bool
        Raise :class:`~tracer.errors.NonFiniteError` at the first step whose output holds a NaN or
        an infinity (masked ``-inf`` scores are expected and allowed). Otherwise they are counted
        in ``Step.nonfinite``.
    **meta
        Stored in ``Trace.meta`` (``title=``, ``description=`` ...).

    Examples
    --------
    >>> import tracer
    >>> with tracer.record(title="demo") as trace:
    ...     y = tracer.tensor([1.0, 2.0], name="x") * 3
    >>> trace.meta["title"], trace.steps[0].formula
    ('demo', 'mul = x ⊙ 3')
    """
    trace = Trace(meta)
    trace._rec = _Recorder(strict)
    _active.append(trace)
    # A trace is many small objects and no garbage cycles: collect far less often while recording,
    # or each full collection walks the whole growing trace again.
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), max(thresholds[1], 50), max(thresholds[2], 100))
    try:
        with np.errstate(all="ignore"):  # NaN / Inf are counted per step instead (count_nonfinite)
            yield trace
    finally:
        _age()
        gc.set_threshold(*thresholds)
        _active.remove(trace)
        trace._rec = None


def _age() -> None:
    """Hand what the recording made to the collector's oldest generation at once.

    The objects still alive as a recording ends are nearly all the trace's own (steps, tensor
    records, their lists), which hold no reference cycles and live as long as the trace: the
    young generations' collections would walk each of them once or twice only to promote it.
    ``gc.freeze()`` then ``gc.unfreeze()`` moves every tracked object to the oldest generation in
    one step (no walk); skipped when the program froze objects of its own, which unfreezing would
    release. A cycle made inside the block waits for the next full collection instead.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


@contextmanager
def scope(name: str) -> Iterator[None]:
    """Prefix the names of the steps recorded inside the block, e.g. ``encoder.layer1``.

    >>> import tracer
    >>> with tracer.record() as trace, tracer.scope("encoder"), tracer.scope("layer1"):
    ...     z = tracer.tensor([[1.0]], name="W1") @ tracer.tensor([[2.0]], name="X")
    >>> trace.steps[0].name
    'encoder.layer1.matmul'
    """
    trace = current()
    if trace is None or trace._rec is None:
        yield
        return
    rec = trace._rec
    prefix = rec.prefixes[-1]
    rec.prefixes.append(f"{prefix}.{name}" if prefix else name)
    try:
        yield
    finally:
        rec.prefixes.pop()


def count_nonfinite(outputs: list[np.ndarray], inputs: list[np.ndarray]) -> int:
    """How many NaN / Inf a step introduced in its ``outputs``.

    An infinity an input already held (a ``-inf`` mask flowing through softmax) is not new; a NaN
    always is. The common case costs one sum per output.
    """
    bad = 0
    for a in outputs:
        if a.dtype.kind == "f" and a.size and not _finite_sum(a):
            bad += int(np.isnan(a).sum())
            inherited = any(x.dtype.kind == "f" and np.isinf(x).any() for x in inputs)
            bad += 0 if inherited else int(np.isinf(a).sum())
    return bad


def nonfinite_error(name: str, op: str, bad: int, src: Source | None) -> NonFiniteError:
    """What strict mode raises at a step whose output holds ``bad`` new NaN / Inf values."""
    where = f" ({src})" if src else ""
    return NonFiniteError(f"{name} {op}: {bad} NaN/Inf value(s) in the output{where}")


def _finite_sum(a: np.ndarray) -> bool:
    """Whether the sum of ``a`` is finite: always so when every entry is (else an overflow, and the
    exact count then says 0). A small array is added up in Python: a NumPy reduction costs a few
    microseconds of calls, more than the whole sum of a few dozen numbers."""
    return math.isfinite(sum(a.ravel().tolist()) if a.size <= 64 else _ADD(a, None))


_ADD = np.add.reduce  # the reduction itself: ndarray.sum adds a Python layer around it

"""The trace: steps and tensors recorded while a program runs.

A :class:`Trace` is plain data. Viewers (the CLI, the stepper, the scenes, the sheets) only read it;
the engine (:mod:`tracer.ops`, :mod:`tracer.autograd`, :mod:`tracer.optim`) is the only writer,
inside a :func:`~tracer.recording.record` block (:mod:`tracer.recording`); a step's source line
comes from :mod:`tracer.sources`.

>>> import tracer
>>> with tracer.record() as trace:
...     x = tracer.tensor([[1.0, -2.0]], name="x")
...     y = tracer.relu(x, name="h")
>>> [(s.id, s.op, s.name) for s in trace.steps]
[(0, 'relu', 'h')]
>>> trace.tensors[trace.steps[0].outputs[0]].name
'h'
"""
from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .errors import TracerError
from .safetext import ascii_int

if TYPE_CHECKING:
    from .recording import _Recorder

PHASES = ("forward", "backward", "update")
KINDS = ("input", "param", "activation", "grad", "const", "state")


@dataclass(frozen=True, slots=True)
class Source:
    """Where in the user's code a step came from."""

    file: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"{os.path.basename(self.file)}:{self.line}: {self.code}"


@dataclass(slots=True)
class TensorRecord:
    """One immutable tensor of the trace: ``t17`` is its id for the trace's whole life.

    ``data`` is the array itself while recording (the very array the computation made: no copy) and
    is loaded on first access for a trace opened from a file.
    """

    id: str
    name: str
    shape: tuple[int, ...]
    dtype: str
    kind: str
    producer: int | None = None
    grad_of: str | None = None
    version: int = 0
    labels: tuple[tuple[str, ...] | None, ...] | None = None  # per axis: names of its positions
    _data: np.ndarray | Callable[[], np.ndarray] | None = field(default=None, repr=False)
    _stats: dict[str, float] | None = field(default=None, repr=False)

    @property
    def data(self) -> np.ndarray:
        if callable(self._data):
            self._data = self._data()
        return self._data

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def stats(self) -> dict[str, float]:
        """min, max, mean and NaN / Inf counts, for colour scales (computed once, on demand)."""
        if self._stats is None:
            a = np.asarray(self.data)
            finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a.astype(np.float64)
            self._stats = {
                "min": float(finite.min()) if finite.size else 0.0,
                "max": float(finite.max()) if finite.size else 0.0,
                "mean": float(finite.mean()) if finite.size else 0.0,
                "nan": int(np.isnan(a).sum()) if a.dtype.kind == "f" else 0,
                "inf": int(np.isinf(a).sum()) if a.dtype.kind == "f" else 0,
            }
        return self._stats


@dataclass(slots=True)
class Step:
    """One op as it ran: forward, its gradient (backward) or a parameter update.

    ``inputs`` and ``outputs`` are tensor ids. A backward step has ``grad_of`` (the forward step it
    differentiates) and ``grad_map`` (forward input id to the id of its gradient). A step inside a
    composite names the ``part`` of it that it plays (``exp`` of a softmax), as the composite
    declared it; its gradient step keeps that part.
    """

    id: int
    phase: str
    op: str
    name: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)
    parent: int | None = None
    depth: int = 0
    src: Source | None = None
    formula: str = ""
    narration: str = ""
    grad_of: int | None = None
    grad_map: dict[str, str] = field(default_factory=dict)
    nonfinite: int = 0
    part: str | None = None  # inside a composite: which of its declared parts this step is

    def _repr_html_(self) -> str:
        """In a notebook: the step's grids, formula, narration and a working (:mod:`tracer.lecture`)."""
        from .lecture.notebook import step_html

        return step_html(self)


# The traces alive in this process: a Step shown in a notebook finds its own trace here (a weak
# set, so a trace is freed as soon as the notebook drops it; no step holds its trace).
_LIVE: "weakref.WeakSet[Trace]" = weakref.WeakSet()


def owner(step: Step) -> "Trace | None":
    """The live trace ``step`` belongs to, if any."""
    for trace in list(_LIVE):
        if step.id < len(trace._steps) and trace._steps[step.id] is step:
            return trace
    return None


class Trace:
    """Everything one recorded run did: ``steps`` in execution order and ``tensors`` by id."""

    def __init__(self, meta: dict[str, Any] | None = None) -> None:
        # A step recorded lazily is the tuple (build, *args) here until it is built (``built``):
        # the steps are all built when they are first read.
        self._steps: list[Step | tuple[Any, ...]] = []
        # Formulas and narrations are filled in (and lazy steps built) when the steps are first
        # read: recording stays cheap, and the text uses each tensor's final name. Each entry is
        # (fill, *args), one flat tuple (one object fewer for the collector to walk per step),
        # called in recording order as fill(trace, *args): nothing in it points back at the
        # trace, so a trace nobody holds is freed at once instead of waiting for the cycle collector.
        self._pending: list[tuple[Any, ...]] = []
        self.tensors: dict[str, TensorRecord] = {}
        self.meta: dict[str, Any] = dict(meta or {})
        self.origin: str | None = None  # the file it was read from: an output must not replace it
        self._by_name: dict[str, int] | None = None
        self._children: dict[int | None, list[int]] | None = None
        self._rec: _Recorder | None = None
        _LIVE.add(self)

    # ---- reading ---------------------------------------------------------------------------
    @property
    def steps(self) -> list[Step]:
        """Every step, in execution order (ids 0, 1, 2 ...)."""
        if self._pending:
            pending, self._pending = self._pending, []
            for entry in pending:
                entry[0](self, *entry[1:])
        return self._steps  # type: ignore[return-value]  (every lazy step has its pending entry)

    @steps.setter
    def steps(self, steps: list[Step]) -> None:
        self._steps = list(steps)

    def later(self, step: Step, fill: Callable[..., None], *args: Any) -> None:
        """Fill ``step``'s formula and narration when the steps are next read: ``fill(trace, step, *args)``."""
        self._pending.append((fill, step, *args))

    def lazy(self, record: tuple[Any, ...], fill: Callable[..., None], *args: Any) -> int:
        """Append a step recorded as the tuple ``record`` = ``(build, *fields)``, a tuple instead of
        a :class:`Step`: ``build(trace, sid, *fields)`` returns the Step when it is first needed
        (:meth:`built`) or read, and ``fill(trace, sid, *args)`` writes its text when the steps are
        read. Neither the fields nor the args may refer to the trace. Returns the step's id."""
        sid = len(self._steps)
        self._steps.append(record)
        self._pending.append((fill, sid, *args))
        return sid

    def built(self, sid: int) -> Step:
        """Step ``sid``, built now if it was recorded as a tuple (see :meth:`lazy`)."""
        step = self._steps[sid]
        if type(step) is tuple:
            step = self._steps[sid] = step[0](self, sid, *step[1:])
        return step  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._steps)

    def recorded_since(self, first: int) -> list[Step]:
        """The steps recorded from id ``first`` on, their formulas not filled yet: a tensor
        renamed now (a head's ``scores`` becoming ``scores₁``) is named so in them."""
        return [self.built(sid) for sid in range(first, len(self._steps))]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __repr__(self) -> str:
        return f"<Trace {len(self.steps)} steps, {len(self.tensors)} tensors>"

    def step(self, key: int | str) -> Step:
        """A step by id (``3``, ``"3"``) or by name (``"encoder.layer1.matmul"``)."""
        if isinstance(key, str):
            with contextlib.suppress(ValueError):  # ASCII digits only: "²" and "٣" are names
                key = ascii_int(key)
        if isinstance(key, int):
            if 0 <= key < len(self.steps):
                return self.steps[key]
            raise TracerError(f"no step {key}: the trace has steps 0..{len(self.steps) - 1}")
        if self._by_name is None or len(self._by_name) != len(self.steps):
            self._by_name = {s.name: s.id for s in self.steps}
        if key not in self._by_name:
            raise TracerError(f"no step named {key!r} in the trace")
        return self.steps[self._by_name[key]]

    def tensor(self, tid: str) -> TensorRecord:
        """The tensor record ``tid`` (e.g. ``"t17"``)."""
        try:
            return self.tensors[tid]
        except KeyError:
            raise TracerError(f"no tensor {tid!r} in the trace") from None

    def children(self, step: Step | int | None) -> list[Step]:
        """The child steps of a composite step (or the top-level steps for ``None``)."""
        if self._children is None or sum(map(len, self._children.values())) != len(self.steps):
            self._children = {}
            for s in self.steps:
                self._children.setdefault(s.parent, []).append(s.id)
        sid = step.id if isinstance(step, Step) else step
        return [self.steps[i] for i in self._children.get(sid, [])]

    def parts(self, step: Step | int) -> dict[str, Step]:
        """The child steps of a composite by the part each plays (``{"exp": …, "sum": …}``).

        >>> import tracer
        >>> with tracer.record() as trace:
        ...     p = tracer.softmax(tracer.tensor([[1.0, 2.0]], name="s"), name="p")
        >>> sorted(trace.parts(trace.step("p")))
        ['exp', 'max', 'probs', 'shifted', 'sum']
        """
        return {c.part: c for c in self.children(step) if c.part is not None}

    def phase(self, phase: str) -> list[Step]:
        """The steps of one phase (``forward``, ``backward`` or ``update``)."""
        return [s for s in self.steps if s.phase == phase]

    def names(self) -> list[str]:
        """Every step name, in order: the published hook names of this trace."""
        return [s.name for s in self.steps]

    def _repr_html_(self) -> str:
        """In a notebook: the step table (:mod:`tracer.lecture.notebook`)."""
        from .lecture.notebook import trace_html

        return trace_html(self)

    def video(self, **options: Any) -> Any:
        """Render the walkthrough now and return it as an IPython ``Video`` (the options of
        ``tracer render``: ``steps``, ``scene``, ``depth``, ``quality``, ``lang`` ...)."""
        from .lecture.notebook import video

        return video(self, **options)

    def still(self, step: "int | str | Step", **options: Any) -> Any:
        """Render the walkthrough's frame at ``step`` and return it as an IPython ``Image``."""
        from .lecture.notebook import still

        return still(self, step, **options)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the trace to ``path`` atomically (see :mod:`tracer.io`)."""
        from .io import save

        save(self, path)

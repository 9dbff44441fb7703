"""The trace: steps and tensors recorded while a program runs, and the context that records them.

A :class:`Trace` is plain data. Viewers (the CLI, the stepper, the scenes, the sheets) only read it;
the engine (:mod:`tracer.ops`, :mod:`tracer.autograd`, :mod:`tracer.optim`) is the only writer.

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
import gc
import linecache
import math
import os
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .budget import budget, describe, human
from .errors import NonFiniteError, ResourceError, TracerError
from .safetext import ascii_int

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


# ---- recording --------------------------------------------------------------------------------
_active: list[Trace] = []

# Frames from these files are the engine itself: a step's source is the first frame outside them.
_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
_ENGINE_FILES = {os.path.join(_ENGINE_DIR, f) for f in ("tensor.py", "trace.py", "autograd.py", "optim.py")}
_NUMPY_DIR = os.path.dirname(np.__file__)
_internal_cache: dict[str, bool] = {}
_display_path: dict[str, str] = {}
_sources: dict[tuple[str, int], Source] = {}


def is_internal(filename: str) -> bool:
    """Whether code in ``filename`` is the engine's (tracer's recording code or NumPy), not the user's."""
    hit = _internal_cache.get(filename)
    if hit is None:
        path = os.path.abspath(filename)
        hit = (path in _ENGINE_FILES or path.startswith(os.path.join(_ENGINE_DIR, "ops") + os.sep)
               or path.startswith(_NUMPY_DIR + os.sep) or filename.startswith("<__array_function__"))
        _internal_cache[filename] = hit
    return hit


def user_source() -> Source | None:
    """The first frame outside the engine: the user's line that caused the current op."""
    frame = sys._getframe(1)
    known = _internal_cache  # inlined: this runs for every step recorded
    while frame is not None:
        file = frame.f_code.co_filename
        hit = known.get(file)
        if not (is_internal(file) if hit is None else hit):
            break
        frame = frame.f_back
    if frame is None:
        return None
    key = (frame.f_code.co_filename, frame.f_lineno)
    src = _sources.get(key)
    if src is None:  # one Source per line of code: a loop's steps share it
        src = _sources[key] = Source(_display_path.get(key[0]) or portable_path(key[0]), key[1],
                                     linecache.getline(*key).strip())
    return src



def where_text() -> str:
    """`` (file:line: code)`` for an error message: the line of the user's own code that led to it
    and, when the op ran inside one of tracer's layers or models, that line too. Only errors call
    this, so walking the whole stack costs nothing that matters.
    """
    src = user_source()
    frame = sys._getframe(1)
    while frame is not None and (frame.f_code.co_filename.startswith(_ENGINE_DIR + os.sep)
                                 or is_internal(frame.f_code.co_filename)):
        frame = frame.f_back
    if frame is None or src is None:
        return f" ({src})" if src else ""
    key = (frame.f_code.co_filename, frame.f_lineno)
    mine = Source(portable_path(key[0]), key[1], linecache.getline(*key).strip())
    return f" ({mine})" if (mine.file, mine.line) == (src.file, src.line) else f" ({mine}; in {src})"

_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def portable_path(file: str) -> str:
    """How a source file is named in a trace, the same from any checkout, folder or machine.

    tracer's own files are named from the folder that holds the package (``tracer/models/layers.py``);
    any other file from the nearest folder above it that marks a project (``.git``,
    ``pyproject.toml`` ...), else by its name alone: never an absolute path. Cached: this runs once
    per file.
    """
    if file.startswith("<"):  # <stdin>, <string>, <doctest ...>
        return file
    path = os.path.abspath(file)
    root = os.path.dirname(_ENGINE_DIR)
    if not path.startswith(_ENGINE_DIR + os.sep):
        root = os.path.dirname(path)
        while not any(os.path.exists(os.path.join(root, m)) for m in _PROJECT_MARKERS):
            parent = os.path.dirname(root)
            if parent == root:
                root = os.path.dirname(path)
                break
            root = parent
    short = os.path.relpath(path, root).replace(os.sep, "/")
    _display_path[file] = short
    return short


class _Recorder:
    """The mutable state of a trace being recorded: scopes, open composite steps, tensor ids."""

    def __init__(self, strict: bool) -> None:
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
        self.ids: dict[int, str] = {}  # id(ndarray) -> tensor id; the record keeps the array alive
        self.consts: dict[tuple[str, float], str] = {}
        self.eager = False  # True: composites record their children as they run (ops.lazy's scratch)
        self.held = 0  # bytes of the arrays the trace keeps alive
        self.limit = budget()

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

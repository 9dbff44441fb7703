"""How an op is declared once and recorded every time it runs.

A **primitive** is one function returning its output and its local gradient (a vector-Jacobian
product closure, as in micrograd), declared with its formula, gradient formula and narration::

    @primitive("exp", formula="{out} = e^{x}", grad="d{x} = d{out} ⊙ {out}",
               narration="Raise e to every entry of {x}.")
    def exp(x):
        out = np.exp(x)
        return out, lambda g, need: (g * out,)

Positional parameters are tensor inputs, keyword-only parameters are attributes. ``vjp(g, need)``
gets the output gradient(s) and which inputs need one, and returns one gradient (or ``None``) per
input. A **composite** is built from primitives and has no gradient code: it becomes a parent step
whose children are the primitives it ran.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import ShapeError, TracerError
from ..gradient import Gradient
from ..notation import TRANSPOSE, transposed
from ..tensor import Tensor
from ..trace import (Source, Step, TensorRecord, Trace, _active, count_nonfinite, current, is_internal,
                     nonfinite_error, user_source, where_text)
from .labels import broadcast as broadcast_labels, fit, has_rule, propagate
from . import lazy as _lazy

VJP = Callable[[Any, tuple[bool, ...]], tuple[np.ndarray | None, ...]]
_result = Tensor._result  # bound once: apply() wraps every op's output with it

# What an op *is*: readers (the cell working, the stepper, the scenes) key on the family, never on
# a list of op names.
FAMILIES: dict[str, str] = {
    "elementwise": "each output entry from the entries at the same place (with broadcasting)",
    "contraction": "each output entry a sum of products (matmul)",
    "reduction": "entries added, averaged or compared along axes (sum, mean, max)",
    "structural": "entries moved, cut, joined or picked, never changed (transpose, concat, gather)",
    "normalization": "a composite that rescales along an axis (softmax, layer norm)",
    "layer": "a composite a network is built from (a linear layer, attention)",
    "loss": "a composite that scores outputs against targets",
    "update": "an optimiser's change of a parameter, or of its gradients",
    "gradient": "bookkeeping of the backward pass (adding the gradients of a shared tensor)",
}


@dataclass(frozen=True)
class OpSpec:
    """One op's declaration: what the trace, the stepper and the scenes know about it."""

    name: str
    formula: str
    grad: str
    narration: str
    params: tuple[str, ...]
    varargs: bool
    composite: bool
    phase: str = "forward"
    check: Callable[..., str | None] | None = None
    defaults: tuple[tuple[str, Any], ...] = ()  # keyword attributes a call may leave out (axis=None)
    # The working of one output cell from the input cells (tracer.explain): ``{a} + {b}``, one
    # template per output; and of each input's gradient cell, one template per input, from the
    # cell of d{out} ({g}), the input cells, the output cell ({o}) and the count per output ({n}).
    cell: str | tuple[str, ...] = ""
    cell_grad: str | tuple[str, ...] = ""
    forward: Callable[..., Any] | None = None  # the body: the cell working recomputes a cell with it
    family: str = ""                 # one of FAMILIES
    parts: tuple[str, ...] = ()      # a composite's named sub-steps (its children's Step.part)
    labels: Callable[..., Any] | None = None  # how axis names travel, when the family rule does not say
    # A composite's whole forward and backward in one NumPy function (arrays in, ``(out, vjp)`` out,
    # ``None`` for an optional input left out), run when no trace records: the same values as its
    # children, without an op and a graph node for each of them; it may return ``None`` to decline
    # (the children run). A recorded run keeps the children.
    fused: Callable[..., Any] | None = None


REGISTRY: dict[str, OpSpec] = {}


def family_of(op: str) -> str:
    """The declared family of ``op`` (empty for an op this version does not know)."""
    spec = REGISTRY.get(op)
    return spec.family if spec is not None else ""


class Node:
    """The autograd link of an op's outputs: inputs, the vjp closure and the id of the step recorded.

    ``seq`` counts nodes in the order they ran: the reverse of that order is a reverse topological
    order that keeps the children of a composite op together. ``rec`` is the recorder of the trace
    that recorded ``step``, never the trace itself: a tensor kept after its trace is dropped keeps
    what its own gradient needs, not the whole trace.
    """

    __slots__ = ("spec", "inputs", "vjp", "n_out", "step", "rec", "seq")
    _counter = itertools.count()

    def __init__(self, spec: OpSpec, inputs: list[Tensor], vjp: VJP, n_out: int) -> None:
        self.spec, self.inputs, self.vjp, self.n_out = spec, inputs, vjp, n_out
        self.seq = next(Node._counter)
        self.step: int | None = None  # the id of the step recorded
        self.rec: Any = None  # the trace's _Recorder while it recorded


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


# ---- tensors entering the trace ------------------------------------------------------------------
def fmt_scalar(v: float) -> str:
    """How a constant reads in a formula: ``3``, ``0.5``, ``1e-05``."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}"


_NUMBERS: dict[tuple[Any, ...], Tensor] = {}  # a Python number as a constant, per value and dtype


def as_tensor(x: Any, like: np.dtype | None = None) -> Tensor:
    """A Tensor for an op input: tensors pass through, numbers and arrays become constants.

    A Python number other than zero (whose sign ``==`` would not tell apart) is made into a
    constant once per value and dtype: ``x + 1e-5`` in a loop builds no new tensor each time.
    The trace records it as it records any equal scalar constant, under one id.
    """
    if isinstance(x, Tensor):
        return x
    kind = type(x)
    if (kind is float or kind is int) and x:
        key = (kind, x, like)
        t = _NUMBERS.get(key)
        if t is None:
            t = _as_constant(x, like)
            if len(_NUMBERS) < 4096:  # a loop over many values must not grow it without bound
                _NUMBERS[key] = t
        return t
    return _as_constant(x, like)


def _as_constant(x: Any, like: np.dtype | None) -> Tensor:
    if isinstance(x, Gradient):  # lr * W.grad: a change computed from a gradient (an update)
        t = Tensor._result(x.view(np.ndarray), f"Δ{x.of or ''}", None, 0)
        t.kind = "grad"
        return t
    arr = np.asarray(x)
    if arr.dtype.kind in "iuf" and like is not None and (arr.ndim == 0 or arr.dtype.kind != "f"):
        arr = arr.astype(like)  # a Python 2 must not promote a float32 tensor to float64
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fb":
        raise TracerError(f"cannot use a {type(x).__name__} of dtype {arr.dtype} as a tensor")
    name = fmt_scalar(arr) if arr.ndim == 0 and arr.dtype.kind == "f" else "const"
    return Tensor(arr, name=name, kind="const")


def tensor_id(trace: Trace, t: Tensor, producer: int | None = None, kind: str | None = None,
              grad_of: str | None = None) -> str:
    """The trace's id for ``t``'s current array, registering it on first sight (no copy)."""
    tid = trace._rec.ids.get(id(t.data))  # type: ignore[union-attr]
    if tid is not None:
        return tid
    return register(trace, t.data, t.name, kind or t.kind, t.labels, producer, grad_of, t.version)


_DTYPE_STR: dict[np.dtype, str] = {}  # dtype.str builds a new string each time: one per dtype


def register(trace: Trace, data: np.ndarray, name: str, kind: str, labels: Any = None,
             producer: int | None = None, grad_of: str | None = None, version: int = 0) -> str:
    """Add the array ``data`` to the trace as a new tensor record (no copy) and return its id.

    A gradient is registered straight from its array (no Tensor is built for it).
    """
    rec = trace._rec
    dt = data.dtype
    dts = _DTYPE_STR.get(dt)
    if dts is None:
        dts = _DTYPE_STR[dt] = dt.str
    tensors = trace.tensors
    if kind == "const" and data.ndim == 0:  # one record per distinct scalar constant
        ckey = (dts, float(data))
        tid = rec.consts.get(ckey)  # type: ignore[union-attr]
        if tid is not None:
            return tid
        tid = rec.consts[ckey] = f"t{len(tensors)}"  # type: ignore[union-attr]
    else:
        tid = f"t{len(tensors)}"
    rec.held += data.nbytes  # type: ignore[union-attr]
    if rec.held > rec.limit:  # type: ignore[union-attr]
        rec.over()  # type: ignore[union-attr]
    tensors[tid] = TensorRecord(tid, name, data.shape, dts, kind, producer, grad_of, version, labels, data)
    rec.ids[id(data)] = tid  # type: ignore[union-attr]
    return tid


def rename_in_trace(t: Tensor, name: str) -> None:
    trace = current()
    if trace is not None and trace._rec is not None and id(t.data) in trace._rec.ids:
        trace.tensors[trace._rec.ids[id(t.data)]].name = name


def plain(v: Any) -> Any:
    """An attribute value as JSON data (tuples to lists, NumPy scalars to numbers, slices encoded)."""
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return {"array": v.tolist()}
    if isinstance(v, slice):
        return {"slice": [v.start, v.stop, v.step]}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if v is Ellipsis:
        return {"ellipsis": True}
    return repr(v)


_SIMPLE = frozenset((bool, int, float, str, type(None)))


def plain_attrs(attrs: dict) -> dict:
    """``plain(attrs)`` for an op's keyword attributes, without its recursion in the common case:
    numbers, strings and flat tuples of them (checked by exact type: NumPy's float64 is a float
    that ``plain`` converts)."""
    out = {}
    for k, v in attrs.items():
        kind = type(v)
        if kind in _SIMPLE:
            out[k] = v
        elif (kind is tuple or kind is list) and all([type(x) in _SIMPLE for x in v]):
            out[k] = list(v)
        else:
            return plain(attrs)
    return out


_OPTIONAL = re.compile(r"⟦(.*?)⟧")
_SUBSCRIPTED = re.compile(r"_\{(\w+)\}")  # ``Σ_{axis}``: an attribute written as a real subscript
_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_WORD = re.compile(r"[\w.′]+")


def subscript(value: Any) -> str | None:
    """An axis (or axes) as subscript digits, ``None`` for anything else.

    >>> subscript(-1), subscript((0, 1)), subscript("x")
    ('₋₁', '₀,₁', None)
    """
    axes = value if isinstance(value, tuple) else (value,)
    if not axes or not all(isinstance(a, (int, np.integer)) for a in axes):
        return None
    return ",".join(str(int(a)).translate(_SUBSCRIPT) for a in axes)


class _Short(float):
    """An attribute in a sentence: ``0.1235``, not ``0.12345404968947128`` (``{norm:.4g}`` still works)."""

    def __format__(self, spec: str) -> str:
        return fmt_scalar(self) if not spec else float.__format__(self, spec)


def render(template: str, spec: OpSpec, names: list[str], out_names: list[str], attrs: dict,
           unset: str = "all") -> str:
    """Fill a formula or narration template with tensor names and attribute values.

    A part ``⟦ + {b}⟧`` is kept only when the input or attribute it names was given (``attrs["omitted"]``
    lists the optional inputs a composite was called without; an attribute left at ``None`` drops
    its part too: ``Σ⟦_{axis}⟧`` reads ``Σ`` for a sum of everything). Elsewhere such an attribute
    reads ``unset`` (a narration in another language passes its own word).
    """
    given = {**dict(spec.defaults), **attrs} if spec.defaults else attrs
    missing = attrs.get("omitted", ())
    if "⟦" in template:  # most templates have no optional part: no pattern to run
        dropped = set(missing) | {k for k, v in given.items() if v is None}
        template = _OPTIONAL.sub(
            lambda m: "" if any("{" + p + "}" in m.group(1) for p in dropped) else m.group(1), template)
    if "_{" in template:
        template = _SUBSCRIPTED.sub(lambda m: "{" + m.group(1) + "}" if m.group(1) not in given
                                    or subscript(given[m.group(1)]) is None else subscript(given[m.group(1)]), template)
    fill: dict[str, Any] = {k: unset if v is None else _Short(v) if isinstance(v, float) else v
                            for k, v in given.items()}
    if spec.varargs:
        fill[spec.params[0]] = _listed(names)
    else:
        fill.update(zip([p for p in spec.params if p not in missing] if missing else spec.params, names))
    for p, name in list(fill.items()):  # a power that is not one word is bracketed: 10000^(2i/d)
        if "^{" + p + "}" in template and not _WORD.fullmatch(str(name)):
            template = template.replace("^{" + p + "}", "^({" + p + "})")
    fill["out"] = _listed(out_names)
    for p in [p for p in fill if "{" + p + "}" + TRANSPOSE in template]:  # Kᵀ transposed reads K, never Kᵀᵀ
        template = template.replace("d{" + p + "}" + TRANSPOSE, "{d" + p + TRANSPOSE + "}")
        template = template.replace("{" + p + "}" + TRANSPOSE, "{" + p + TRANSPOSE + "}")
        fill["d" + p + TRANSPOSE] = transposed(str(fill[p]), gradient=True)
        fill[p + TRANSPOSE] = transposed(str(fill[p]))
        if fill[p + TRANSPOSE] == fill["out"]:   # Kᵀ made by transposing K reads Kᵀ = (K)ᵀ, not Kᵀ = Kᵀ
            fill[p + TRANSPOSE] = f"({fill[p]}){TRANSPOSE}"
    try:
        return template.format(**fill)
    except (KeyError, IndexError, ValueError):
        return template


def _listed(names: list[str], most: int = 4) -> str:
    """Names in a formula, the middle ones elided past ``most`` (a clipping of 22 gradients reads
    ``dW1, db1, …, db11``, not 22 names in a caption too small to read).

    >>> _listed(["a", "b", "c"]), _listed([f"g{k}" for k in range(22)])
    ('a, b, c', 'g0, g1, …, g21')
    """
    return ", ".join(names if len(names) <= most else [*names[:2], "…", names[-1]])


# ---- declaring ops ------------------------------------------------------------------------------
def _declare(name: str, fn: Callable, composite: bool, **kw: Any) -> OpSpec:
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    defaults = tuple((p.name, p.default) for p in sig.parameters.values()
                     if p.kind == p.KEYWORD_ONLY and p.default is not p.empty)
    spec = OpSpec(name, kw.pop("formula"), kw.pop("grad", ""), kw.pop("narration"),
                  tuple(p.name for p in params), varargs, composite, defaults=defaults, forward=fn, **kw)
    if name in REGISTRY:
        raise TracerError(f"op {name!r} is declared twice")
    check_declaration(spec)
    REGISTRY[name] = spec
    return spec


def check_declaration(spec: OpSpec) -> None:
    """An op names a known family; a composite (and only a composite) declares its parts."""
    if spec.family not in FAMILIES:
        raise TracerError(f"op {spec.name!r}: family {spec.family!r} is not one of {', '.join(FAMILIES)}")
    if spec.composite != bool(spec.parts):
        raise TracerError(f"op {spec.name!r}: " + ("a composite declares its parts (parts=...)"
                                                    if spec.composite else "only a composite has parts"))
    if not has_rule(spec):
        raise TracerError(f"op {spec.name!r}: say how axis labels pass through it (labels=...)")
    if len(set(spec.parts)) != len(spec.parts) or not all(p.isidentifier() for p in spec.parts):
        raise TracerError(f"op {spec.name!r}: parts must be distinct identifiers, got {spec.parts}")


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


def primitive(name: str, **kw: Any) -> Callable[[Callable], Callable[..., Any]]:
    """Declare a primitive op: forward, local gradient, formula and narration in one place."""
    def deco(fn: Callable) -> Callable[..., Any]:
        spec = _declare(name, fn, False, **kw)

        @functools.wraps(fn)
        def op(*args: Any, name: str | None = None, **attrs: Any) -> Any:
            return apply(spec, fn, _positional(spec, args, attrs), attrs, name)

        op.spec = spec  # type: ignore[attr-defined]
        return op
    return deco


def composite(name: str, **kw: Any) -> Callable[[Callable], Callable[..., Any]]:
    """Declare a composite op: its body calls primitives, recorded as child steps of one parent."""
    def deco(fn: Callable) -> Callable[..., Any]:
        spec = _declare(name, fn, True, **kw)

        @functools.wraps(fn)
        def op(*args: Any, name: str | None = None, **attrs: Any) -> Any:
            return apply_composite(spec, fn, _positional(spec, args, attrs), attrs, name)

        op.spec = spec  # type: ignore[attr-defined]
        return op
    return deco


# ---- running ops ------------------------------------------------------------------------------
def _positional(spec: OpSpec, args: tuple, attrs: dict) -> tuple:
    """Tensor inputs given by keyword (``linear(W, X, b=b)``) moved among the positional ones."""
    if not attrs or spec.varargs or not any(p in attrs for p in spec.params):
        return args
    rest = tuple(attrs.pop(p, None) for p in spec.params[len(args):])
    while rest and rest[-1] is None:
        rest = rest[:-1]
    return args + rest


def _inputs(args: tuple) -> list[Tensor] | None:
    """The op's inputs as tensors, or ``None`` when one is a gradient (a hand-written update)."""
    for a in args:  # a plain loop: this runs for every op, and generators cost more than it
        if type(a) is not Tensor:
            break
    else:
        return list(args)
    if any(isinstance(a, Gradient) for a in args):
        return None
    return _as_tensors(args)


def _as_tensors(args: tuple) -> list[Tensor]:
    like = next((a.dtype for a in args if isinstance(a, Tensor) and a.dtype.kind == "f"), None)
    return [as_tensor(a, like) for a in args]


def _shape_error(spec: OpSpec, xs: list[Tensor], problem: str, out_name: str | None) -> ShapeError:
    trace = current()
    prefix = trace._rec.prefixes[-1] if trace is not None and trace._rec is not None else ""
    label = ".".join(p for p in (prefix, out_name) if p)
    sym = {"matmul": " @ ", "add": " + ", "sub": " - ", "mul": " * ", "div": " / "}.get(spec.name, ", ")
    operands = sym.join(f"{x.name} {tuple(x.shape)}" for x in xs)
    return ShapeError(f"{label + ' ' if label else ''}{spec.name}: {operands}: {problem}{where_text()}")


def apply(spec: OpSpec, fn: Callable, args: tuple, attrs: dict, out_name: str | None,
          phase: str | None = None) -> Any:
    """Run a primitive: forward, autograd link, and a recorded step when a trace is active."""
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
    for x in xs:
        if x.labels is not None:
            propagate(spec, xs, tensors, attrs)
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


def step_links(trace: Trace, sid: int) -> tuple[str, list[str], list[str], int | None]:
    """The name, inputs, outputs and parent of step ``sid``, without building a step still recorded
    as its tuple (the fields of :func:`_step`, in that order)."""
    step = trace._steps[sid]
    if type(step) is tuple:
        return step[3], step[4], step[5], step[7]
    return step.name, step.inputs, step.outputs, step.parent  # type: ignore[union-attr]


def _fill_at(trace: Trace, sid: int, spec: OpSpec) -> None:
    fill_text(trace, trace.built(sid), spec)


def fill_text(trace: Trace, step: Step, spec: OpSpec) -> None:
    """A step's formula and narration from its op's templates and its tensors' names."""
    names = [trace.tensors[i].name for i in step.inputs]
    out_names = [trace.tensors[o].name for o in step.outputs]
    step.formula = render(spec.formula, spec, names, out_names, step.attrs)
    step.narration = render(spec.narration, spec, names, out_names, step.attrs)


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
    # no graph node needed: the fused rule, the children rebuilt when the trace is read (ops.lazy)
    lazy = (None if spec.fused is None or not _engine_code(fn)
            else _lazy.plan(spec, fn, args, present, attrs, rec, _grad_enabled))
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
        out, bad = _lazy.stamp(trace, lazy[0], step, spec, fn, args, present, attrs, lazy[1]), 0
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
    if _grad_enabled:
        for x in present:
            if x.requires_grad:
                slots = [i for i, x in enumerate(xs) if x is not None]

                def link(g: Any, need: tuple[bool, ...]) -> tuple[np.ndarray | None, ...]:
                    wanted = [False] * max(len(xs), len(spec.params))  # inputs left out: none
                    for i, n in zip(slots, need):
                        wanted[i] = n
                    grads = vjp(g, tuple(wanted))
                    return tuple([grads[i] for i in slots])
                node = Node(spec, present, link, 1)
                break
    t = Tensor._result(out, out_name or spec.name, node, 0)
    for x in present:
        if x.labels is not None:  # the normalising composites keep their input's shape: labels broadcast
            t.labels = fit(broadcast_labels(present, [out], attrs)[0], out.shape)
            break
    return t


def broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether NumPy broadcasting joins two shapes (in Python: a quarter of np.broadcast_shapes' time)."""
    if a == b:
        return True
    for m, n in zip(a[::-1], b[::-1]):
        if m != n and m != 1 and n != 1:
            return False
    return True


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes broadcasting added, back to the input's ``shape``."""
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return (g.sum(axis=axes, keepdims=True) if axes else g).reshape(shape)

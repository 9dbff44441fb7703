"""How values enter the trace being recorded: numbers and arrays as constant tensors, arrays as
tensor records under their ids, an op's keyword attributes as JSON data.

A tensor record holds the very array the computation made (no copy); the trace knows it by the
array's identity, so an op's output is registered once, however many steps read it.

>>> import tracer
>>> as_tensor(0.5).name, as_tensor(0.5) is as_tensor(0.5), as_tensor([1, 2]).dtype
('0.5', True, dtype('float64'))
>>> plain({"axis": (0, 1), "index": slice(None, 2, None)})
{'axis': [0, 1], 'index': {'slice': [None, 2, None]}}
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import TracerError
from ..gradient import Gradient
from ..recording import current
from ..tensor import Tensor
from ..trace import TensorRecord, Trace
from .templates import fmt_scalar


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
    rec.hold(data.nbytes)  # type: ignore[union-attr]
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

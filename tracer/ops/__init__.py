"""Every op of the tracer, as NumPy-style functions, and the NumPy functions they stand in for.

The declarations live in :mod:`.elementwise`, :mod:`.structural`, :mod:`.composite`,
:mod:`.special`, :mod:`.compare`, :mod:`.arrays`, :mod:`.reductions` and :mod:`.products`; this
module adds the thin wrappers whose signatures follow NumPy (``concat(tensors, axis=0)``) and the
tables that route ``np.exp(t)`` or ``np.sum(t, axis=0)`` to them.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import rng
from ..errors import IndexRangeError, UnsupportedError
from ..tensor import Tensor
from ..sources import where_text
from .composite import (attention, batch_norm, binary_cross_entropy, cross_entropy, l1, l2_norm,
                        layer_norm, linear, log_softmax, mse, softmax, sse)
from .composite import dropout as _dropout
from .arrays import astype, broadcast_to, expand_dims, repeat, squeeze, tile
from .arrays import pad as _pad
from .arrays import stack as _stack
from .compare import equal, greater, greater_equal, less, less_equal, minimum, not_equal
from .core import is_grad_enabled, no_grad
from .dense import dense
from .elementwise import (abs, add, clip, cos, div, exp, leaky_relu, log, maximum, mul, neg,
                          pow, prelu, relu, sigmoid, sin, sqrt, step, sub, swish, tanh)
from .elementwise import gelu as _gelu
from .products import einsum as _einsum
from .products import outer
from .reductions import cumsum, min, std, var
from .spec import REGISTRY, OpSpec
from .special import erf, gelu_tanh, log1p, sign, softplus
from .structural import concat as _concat
from .structural import gather as _gather
from .structural import getitem as _getitem
from .structural import index_text, matmul, max, mean, reshape, sum, transpose
from .structural import split as _split
from .structural import where as _where


def concat(tensors: Sequence[Any], axis: int = 0, name: str | None = None,
           names_from: Tensor | None = None) -> Tensor:
    """Join tensors along ``axis`` (``np.concatenate``), e.g. attention heads side by side;
    ``names_from``: the piece whose names the other axes take when the pieces' names differ."""
    return _concat(*tensors, axis=axis, name=name, names_from=names_from)


def split(x: Any, sections: int | Sequence[int], axis: int = 0, name: str | None = None) -> tuple[Tensor, ...]:
    """Cut ``x`` into pieces along ``axis`` (``np.split``): one step, several outputs."""
    return _split(x, sections=sections if isinstance(sections, int) else list(sections), axis=axis, name=name)


def stack(tensors: Sequence[Any], axis: int = 0, name: str | None = None,
          names_from: Tensor | None = None) -> Tensor:
    """Stack tensors of one shape along a new axis (``np.stack``), e.g. sentences into a batch."""
    return _stack(*tensors, axis=axis, name=name, names_from=names_from)


def einsum(subscripts: str, *operands: Any, name: str | None = None) -> Tensor:
    """``np.einsum``: products of the operands' entries as the index letters say, summed over the
    letters the output leaves out (``"ij,jk->ik"`` is a matmul; ``...`` stands for leading axes)."""
    return _einsum(*operands, subscripts=subscripts, name=name)


def gelu(x: Any, approximate: str = "none", name: str | None = None) -> Tensor:
    """GELU, ``x·Φ(x)``: exact with the error function (``approximate="none"``, BERT's) or the tanh
    form of GPT-2 (``"tanh"``), as ``torch.nn.functional.gelu``."""
    if approximate == "none":
        return _gelu(x, name=name)
    if approximate == "tanh":
        return gelu_tanh(x, name=name)
    raise UnsupportedError(f"gelu: approximate={approximate!r} is not one of 'none', 'tanh'")


def swapaxes(x: Any, axis1: int, axis2: int, name: str | None = None) -> Tensor:
    """Exchange two axes (``np.swapaxes``): a transpose step."""
    order = list(range(x.ndim if isinstance(x, Tensor) else np.ndim(x)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(x, axes=tuple(order), name=name)


def moveaxis(x: Any, source: int, destination: int, name: str | None = None) -> Tensor:
    """Move one axis to another place (``np.moveaxis``): a transpose step."""
    order = [a for a in range(np.ndim(x)) if a != source % np.ndim(x)]
    order.insert(destination % np.ndim(x), source % np.ndim(x))
    return transpose(x, axes=tuple(order), name=name)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: float = 0.0,
        name: str | None = None) -> Tensor:
    """Surround ``x`` with a constant (``np.pad`` in its constant mode)."""
    if mode != "constant":
        raise UnsupportedError(f"np.pad mode {mode!r} is not supported on tracer tensors (only 'constant')")
    return _pad(x, pad_width=np.asarray(pad_width).tolist(), constant_values=constant_values, name=name)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """``np.linalg.norm`` with its default order: the L2 norm (Frobenius for a matrix)."""
    if ord not in (None, 2, "fro") or (ord == 2 and axis is None and np.ndim(x) > 1):
        raise UnsupportedError(f"np.linalg.norm with ord={ord!r} is not supported on tracer tensors "
                               "(the L2 / Frobenius norm is: leave ord out)")
    return l2_norm(x, axis=tuple(axis) if isinstance(axis, (list, tuple)) else axis, keepdims=keepdims, name=name)


def getitem(x: Tensor, index: Any, name: str | None = None) -> Tensor:
    """``x[index]`` as a recorded ``slice`` step (basic and integer-array indexing)."""
    if any(isinstance(i, Tensor) for i in (index if isinstance(index, tuple) else (index,))):
        raise UnsupportedError(f"indexing tensor {x.name} with a tensor: use tracer.gather(table, indices)")
    outside = _outside(x.shape, index)
    if outside:
        raise IndexRangeError(f"{x.name}{index_text(index)}: {outside}{where_text()}")
    return _getitem(x, index=index, text=index_text(index), name=name)


def _outside(shape: tuple[int, ...], index: Any) -> str | None:
    """What is wrong with a plain index (numbers and slices) that runs past an axis, if anything."""
    parts = index if isinstance(index, tuple) else (index,)
    if len(parts) > len(shape) or not all(isinstance(p, (int, np.integer, slice)) and not isinstance(p, bool)
                                          for p in parts):
        return None  # None, ..., lists: NumPy's own message says it
    for axis, p in enumerate(parts):
        if not isinstance(p, slice) and not -shape[axis] <= p < shape[axis]:
            return f"index {p} is outside axis {axis} of length {shape[axis]}"
    return None


def gather(table: Any, indices: Any, axis: int = 0, name: str | None = None) -> Tensor:
    """Rows (``axis=0``) or columns (``axis=1``) of ``table`` picked by integer ``indices``.

    >>> import tracer
    >>> E = tracer.param([[1, 2, 3], [4, 5, 6]], name="E")   # (d=2, vocabulary of 3)
    >>> tracer.gather(E, [2, 0], axis=1).numpy()              # the embeddings of tokens 2 and 0
    array([[3., 1.],
           [6., 4.]])
    """
    if isinstance(indices, Tensor) and indices.dtype.kind in "iu":  # token ids of the trace: linked
        return _gather(table, indices, axis=axis, name=name)
    idx = np.asarray(indices.numpy() if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind == "f" and np.all(idx == np.round(idx)):
        idx = idx.astype(np.int64)
    label = str(idx.tolist()) if idx.size <= 8 else f"ids{idx.shape}"
    names = indices.labels if isinstance(indices, Tensor) else None  # the tokens the ids stand for
    return _gather(table, Tensor(idx, name=label, kind="const", labels=names), axis=axis, name=name)


def where(cond: Any, a: Any, b: Any, name: str | None = None, names_from: Tensor | None = None) -> Tensor:
    """``a`` where ``cond`` is true, ``b`` elsewhere (``np.where``); ``cond`` is a boolean array."""
    if isinstance(cond, Tensor) and cond.dtype == bool:  # a mask the trace made (t > 0): linked
        return _where(cond, a, b, name=name, names_from=names_from)
    c = np.asarray(cond.numpy() if isinstance(cond, Tensor) else cond, dtype=bool)
    label = cond.name if isinstance(cond, Tensor) else "mask"
    return _where(Tensor(c, name=label, kind="const"), a, b, name=name, names_from=names_from)


def mask(x: Any, keep: Any, fill: float = -np.inf, name: str | None = None) -> Tensor:
    """Keep ``x`` where ``keep`` is true and put ``fill`` elsewhere (a causal mask uses ``-inf``)."""
    return where(keep, x, fill, name=name)


def causal_mask(T: int) -> np.ndarray:
    """The (T, T) boolean mask where query i may look at keys 0..i (lower triangle)."""
    return np.tril(np.ones((T, T), dtype=bool))


def dropout(x: Any, p: float = 0.5, seed: int | None = None, name: str | None = None) -> Tensor:
    """Zero a random fraction ``p`` of ``x`` and scale the rest by 1/(1−p); the seed is recorded."""
    return _dropout(x, p=p, seed=rng.next_seed() if seed is None else seed, name=name)


def _relu_or_max(a: Any, b: Any) -> Tensor:
    if np.ndim(b) == 0 and not isinstance(b, Tensor) and b == 0:
        return relu(a)
    if np.ndim(a) == 0 and not isinstance(a, Tensor) and a == 0:
        return relu(b)
    return maximum(a, b)


def _no_extra(fname: str, kw: dict) -> None:
    if kw:
        raise UnsupportedError(f"np.{fname} with {', '.join(kw)} is not supported on tracer tensors")


def _np_sum(a: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
    _no_extra("sum", kw)
    return sum(a, axis=axis, keepdims=keepdims)


def _np_mean(a: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
    _no_extra("mean", kw)
    return mean(a, axis=axis, keepdims=keepdims)


def _np_max(a: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
    _no_extra("max", kw)
    return max(a, axis=axis, keepdims=keepdims)


def _np_min(a: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
    _no_extra("min", kw)
    return min(a, axis=axis, keepdims=keepdims)


def _np_spread(fname: str, fn: Any) -> Any:
    """``np.var`` / ``np.std`` (their ``dtype=``, ``out=`` ... are refused by name)."""
    def spread(a: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, **kw: Any) -> Tensor:
        _no_extra(fname, kw)
        return fn(a, axis=axis, ddof=ddof, keepdims=keepdims)
    return spread


def _np_dot(a: Any, b: Any) -> Tensor:
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise UnsupportedError("np.dot of arrays with more than 2 dimensions: use the @ operator")
    return matmul(a, b)


NUMPY_UFUNCS: dict[np.ufunc, Any] = {
    np.add: add, np.subtract: sub, np.multiply: mul, np.true_divide: div, np.negative: neg,
    np.power: pow, np.matmul: matmul, np.exp: exp, np.log: log, np.sqrt: sqrt, np.absolute: abs,
    np.tanh: tanh, np.sin: sin, np.cos: cos, np.maximum: _relu_or_max, np.square: lambda x: pow(x, 2.0),
    np.minimum: minimum, np.log1p: log1p, np.sign: sign, np.less: less, np.less_equal: less_equal,
    np.greater: greater, np.greater_equal: greater_equal, np.equal: equal, np.not_equal: not_equal,
}

NUMPY_FUNCTIONS: dict[Any, Any] = {
    np.sum: _np_sum, np.mean: _np_mean, np.max: _np_max, np.amax: _np_max, np.dot: _np_dot,
    np.transpose: lambda a, axes=None: transpose(a, axes=None if axes is None else tuple(axes)),
    np.reshape: lambda a, shape=None, **kw: reshape(a, shape=tuple(np.atleast_1d(shape if shape is not None else kw.get("newshape")))),
    np.concatenate: lambda arrays, axis=0: concat(arrays, axis=axis),
    np.split: lambda a, indices_or_sections, axis=0: split(a, indices_or_sections, axis=axis),
    np.where: lambda cond, a, b: where(cond, a, b),
    np.clip: lambda a, a_min=None, a_max=None: clip(a, a_min=a_min, a_max=a_max),
    np.shape: lambda a: a.shape, np.ndim: lambda a: a.ndim, np.size: lambda a, axis=None: a.data.size if axis is None else a.shape[axis],
    np.min: _np_min, np.amin: _np_min, np.var: _np_spread("var", var), np.std: _np_spread("std", std),
    np.stack: lambda arrays, axis=0: stack(arrays, axis=axis),
    np.expand_dims: lambda a, axis: expand_dims(a, axis=axis),
    np.squeeze: lambda a, axis=None: squeeze(a, axis=axis),
    np.swapaxes: swapaxes, np.moveaxis: moveaxis, np.einsum: einsum, np.linalg.norm: norm,
    np.broadcast_to: lambda array, shape: broadcast_to(array, shape=tuple(np.atleast_1d(shape).tolist())),
    np.tile: lambda A, reps: tile(A, reps=np.atleast_1d(reps).tolist()),
    np.repeat: lambda a, repeats, axis=None: repeat(a, repeats=np.asarray(repeats).tolist(), axis=axis),
    np.pad: pad, np.cumsum: lambda a, axis=None: cumsum(a, axis=axis), np.outer: outer,
}

__all__ = [
    "REGISTRY", "OpSpec", "abs", "add", "astype", "attention", "batch_norm", "binary_cross_entropy",
    "broadcast_to", "causal_mask", "clip", "concat", "cos", "cross_entropy", "cumsum", "dense", "div", "dropout",
    "einsum", "equal", "erf", "exp", "expand_dims", "gather", "gelu", "gelu_tanh", "getitem", "greater",
    "greater_equal", "is_grad_enabled", "l1", "l2_norm", "layer_norm", "leaky_relu", "less", "less_equal",
    "linear", "log", "log1p", "log_softmax", "mask", "matmul", "max", "maximum", "mean", "min", "minimum",
    "moveaxis", "mse", "mul", "neg", "no_grad", "norm", "not_equal", "outer", "pad", "pow", "prelu", "relu",
    "repeat", "reshape", "sigmoid", "sign", "sin", "softmax", "softplus", "split", "sqrt", "squeeze",
    "sse", "stack", "std", "step", "sub", "sum", "swapaxes", "swish", "tanh", "tile", "transpose", "var", "where",
]

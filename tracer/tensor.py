"""Tensor: a NumPy array that records every op it takes part in.

Arrays and Python numbers mix freely with tensors (``W @ X + 1``, ``np.exp(t)``,
``np.maximum(t, 0)``). A NumPy function the tracer does not know raises
:class:`~tracer.errors.UnsupportedError` instead of running outside the trace.

>>> import numpy as np, tracer
>>> x = tracer.tensor([[1.0, -2.0], [3.0, 4.0]], name="X")
>>> y = np.maximum(x, 0) + 1
>>> y.numpy()
array([[2., 1.],
       [4., 5.]])
>>> np.linalg.det(x)
Traceback (most recent call last):
...
tracer.errors.UnsupportedError: np.linalg.det is not supported on tracer tensors: it would run outside the trace (use tensor.numpy() to read values)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .errors import ShapeError, UnsupportedError
from .gradient import Gradient

if TYPE_CHECKING:
    from .ops.core import Node

ArrayLike = Any  # anything np.asarray accepts, or a Tensor
Labels = tuple["tuple[str, ...] | None", ...]  # per axis: a name for each position, or None


def axis_labels(shape: tuple[int, ...], labels: Any = None, rows: Any = None, cols: Any = None,
                name: str | None = None) -> Labels | None:
    """Check and normalise axis labels: one entry per axis, each ``None`` or one text per position.

    ``rows`` names the positions of the second-to-last axis (the only axis of a vector), ``cols``
    those of the last axis; ``labels`` gives every axis at once.

    >>> axis_labels((2, 3), rows=["x", "y"], cols="abc")
    (('x', 'y'), ('a', 'b', 'c'))
    >>> axis_labels((3,), rows=["a", "b"], name="v")
    Traceback (most recent call last):
    ...
    tracer.errors.ShapeError: v: 2 labels for axis 0 of length 3
    """
    if labels is None and rows is None and cols is None:
        return None
    ndim = len(shape)
    out: list[Any] = list(labels) if labels is not None else [None] * ndim
    if len(out) != ndim:
        raise ShapeError(f"{name or 'tensor'}: labels for {len(out)} axes, the shape {shape} has {ndim}")
    if ndim == 0 and (rows is not None or cols is not None):
        raise ShapeError(f"{name or 'tensor'}: a single number has no rows or columns to label")
    if rows is not None:
        out[max(ndim - 2, 0)] = rows
    if cols is not None:
        out[ndim - 1] = cols
    for axis, names in enumerate(out):
        if names is None:
            continue
        out[axis] = tuple(str(n) for n in names)
        if len(out[axis]) != shape[axis]:
            raise ShapeError(f"{name or 'tensor'}: {len(out[axis])} labels for axis {axis} of length {shape[axis]}")
    return None if all(n is None for n in out) else tuple(out)


class Tensor:
    """An immutable array in the trace, with a name, a kind and (after ``backward``) a gradient.

    Parameters
    ----------
    data : array_like
        The values; integers become float64, float32 stays float32.
    name : str, optional
        Shown in formulas, captions and grids (``W1``, ``X``, ``Q``).
    kind : {"input", "param", "activation", "grad", "const"}
    requires_grad : bool
        Whether ``backward()`` computes a gradient for this tensor (parameters do).
    labels : sequence, optional
        Names of the positions along each axis (tokens, words, features), see :func:`axis_labels`.
    """

    __slots__ = ("data", "name", "kind", "requires_grad", "_grad", "_gview", "version", "labels", "_node",
                 "_k", "_done", "_columns")
    __array_priority__ = 1000.0

    def __init__(self, data: ArrayLike, name: str | None = None, kind: str = "input",
                 requires_grad: bool = False, labels: Any = None) -> None:
        arr = np.array(data, copy=True)
        if arr.dtype.kind in "iub" and kind != "const":
            arr = arr.astype(np.float64)
        elif arr.dtype.kind == "f" and arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
        elif arr.dtype.kind not in "fiub":
            raise UnsupportedError(f"tensor {name or ''}: dtype {arr.dtype} is not numeric")
        arr.flags.writeable = False
        self.data: np.ndarray = arr
        self.name = name or kind
        self.kind = kind
        self.requires_grad = requires_grad
        self._grad: np.ndarray | None = None  # the very array backward made (the trace knows it)
        self._gview: Gradient | None = None
        self.version = 0
        self.labels: Labels | None = axis_labels(arr.shape, labels, name=name)
        self._node: Node | None = None
        self._k = 0
        self._done = False
        self._columns = False  # W @ X with W a parameter: samples are columns (see __add__)

    @classmethod
    def _result(cls, data: np.ndarray, name: str, node: Node | None, k: int) -> Tensor:
        """Wrap an op's output without copying it."""
        t = cls.__new__(cls)
        data.setflags(False)  # read-only; positional: a third of the time of flags.writeable = False
        t.data, t.name, t.kind, t._grad, t._gview, t.version, t.labels = data, name, "activation", None, None, 0, None
        t.requires_grad, t._node, t._k, t._done, t._columns = node is not None, node, k, False, False
        return t

    @property
    def grad(self) -> Gradient | None:
        """The gradient ``backward()`` computed (added up over calls until ``zero_grad``), or ``None``."""
        g = self._grad
        if g is None:
            return None
        if self._gview is None:
            self._gview = g.view(Gradient)
            self._gview.of = self.name
        return self._gview

    @grad.setter
    def grad(self, value: ArrayLike | None) -> None:
        self._grad = None if value is None else np.asarray(value)
        self._gview = None

    def zero_grad(self) -> None:
        """Forget the gradient: the next ``backward()`` starts from nothing instead of adding to it."""
        self._grad = self._gview = None

    def detach(self) -> Tensor:
        """The same values, cut from the graph: nothing flows back through it (no copy, no step)."""
        t = Tensor._result(self.data, self.name, None, 0)
        t.kind, t.labels = self.kind, self.labels
        return t

    # ---- reading ---------------------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    dtype = property(lambda self: self.data.dtype)

    def numpy(self) -> np.ndarray:
        """The values as a read-only NumPy array (no copy)."""
        return self.data

    def item(self) -> float:
        return self.data.item()

    def __float__(self) -> float:
        return float(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=40)
        return f"Tensor({self.name}, shape={self.shape}, {body})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise UnsupportedError(
            f"converting tensor {self.name} to a NumPy array would leave the trace; "
            "use tensor.numpy() to read its values")

    def __setitem__(self, index: Any, value: Any) -> None:
        raise UnsupportedError(f"tensor {self.name} is immutable: build a new one with tracer.where or concat")

    def named(self, name: str) -> Tensor:
        """Rename this tensor (and its trace record) for formulas and grids; returns ``self``."""
        self.name = name
        from .ops.records import rename_in_trace

        rename_in_trace(self, name)
        return self

    # ---- ops -------------------------------------------------------------------------------
    def __add__(self, o: ArrayLike) -> Tensor:
        if self._columns:
            _check_column_bias(self, o)
        elif type(o) is Tensor and o._columns:
            _check_column_bias(o, self)
        return _ops.add(self, o)

    def __radd__(self, o: ArrayLike) -> Tensor:
        if self._columns:
            _check_column_bias(self, o)
        return _ops.add(o, self)

    def __sub__(self, o: ArrayLike) -> Tensor: return _ops.sub(self, o)
    def __rsub__(self, o: ArrayLike) -> Tensor: return _ops.sub(o, self)
    def __mul__(self, o: ArrayLike) -> Tensor: return _ops.mul(self, o)
    def __rmul__(self, o: ArrayLike) -> Tensor: return _ops.mul(o, self)
    def __truediv__(self, o: ArrayLike) -> Tensor: return _ops.div(self, o)
    def __rtruediv__(self, o: ArrayLike) -> Tensor: return _ops.div(o, self)
    def __pow__(self, o: ArrayLike) -> Tensor: return _ops.pow(self, o)
    def __rpow__(self, o: ArrayLike) -> Tensor: return _ops.pow(o, self)
    def __rmatmul__(self, o: ArrayLike) -> Tensor: return _ops.matmul(o, self)
    def __neg__(self) -> Tensor: return _ops.neg(self)
    def __abs__(self) -> Tensor: return _ops.abs(self)
    def __getitem__(self, index: Any) -> Tensor: return _ops.getitem(self, index)

    def __matmul__(self, o: ArrayLike) -> Tensor:
        out = _ops.matmul(self, o)
        out._columns = self.kind == "param" and not (isinstance(o, Tensor) and o.kind == "param")
        return out

    # comparisons make masks (boolean tensors) that no gradient flows through
    def __lt__(self, o: ArrayLike) -> Tensor: return _ops.less(self, o)  # type: ignore[override]
    def __le__(self, o: ArrayLike) -> Tensor: return _ops.less_equal(self, o)  # type: ignore[override]
    def __gt__(self, o: ArrayLike) -> Tensor: return _ops.greater(self, o)  # type: ignore[override]
    def __ge__(self, o: ArrayLike) -> Tensor: return _ops.greater_equal(self, o)  # type: ignore[override]
    def __eq__(self, o: ArrayLike) -> Tensor: return _ops.equal(self, o)  # type: ignore[override]
    def __ne__(self, o: ArrayLike) -> Tensor: return _ops.not_equal(self, o)  # type: ignore[override]
    __hash__ = object.__hash__  # a tensor stays usable as a key, by identity

    @property
    def T(self) -> Tensor:
        return _ops.transpose(self)

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices, each transposed)."""
        return _ops.swapaxes(self, -1, -2)

    def transpose(self, *axes: int | Sequence[int], name: str | None = None) -> Tensor:
        flat = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        return _ops.transpose(self, axes=tuple(flat) if flat else None, name=name)

    def swapaxes(self, a: int, b: int, name: str | None = None) -> Tensor:
        return _ops.swapaxes(self, a, b, name=name)

    def reshape(self, *shape: int | Sequence[int], name: str | None = None) -> Tensor:
        flat = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return _ops.reshape(self, shape=tuple(flat), name=name)

    def squeeze(self, axis: int | tuple[int, ...] | None = None, name: str | None = None) -> Tensor:
        return _ops.squeeze(self, axis=axis, name=name)

    def astype(self, dtype: Any, name: str | None = None) -> Tensor:
        return _ops.astype(self, dtype=np.dtype(dtype).name, name=name)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False,
            name: str | None = None) -> Tensor:
        return _ops.sum(self, axis=axis, keepdims=keepdims, name=name)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False,
            name: str | None = None) -> Tensor:
        return _ops.mean(self, axis=axis, keepdims=keepdims, name=name)

    def max(self, axis: int | None = None, keepdims: bool = False, name: str | None = None) -> Tensor:
        return _ops.max(self, axis=axis, keepdims=keepdims, name=name)

    def min(self, axis: int | None = None, keepdims: bool = False, name: str | None = None) -> Tensor:
        return _ops.min(self, axis=axis, keepdims=keepdims, name=name)

    def var(self, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False,
            name: str | None = None) -> Tensor:
        return _ops.var(self, axis=axis, ddof=ddof, keepdims=keepdims, name=name)

    def std(self, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False,
            name: str | None = None) -> Tensor:
        return _ops.std(self, axis=axis, ddof=ddof, keepdims=keepdims, name=name)

    def cumsum(self, axis: int | None = None, name: str | None = None) -> Tensor:
        return _ops.cumsum(self, axis=axis, name=name)

    def tolist(self) -> Any:
        """The values as nested Python lists (reading, like :meth:`numpy`)."""
        return self.data.tolist()

    def exp(self) -> Tensor: return _ops.exp(self)
    def log(self) -> Tensor: return _ops.log(self)
    def sqrt(self) -> Tensor: return _ops.sqrt(self)
    def abs(self) -> Tensor: return _ops.abs(self)

    def clip(self, a_min: float | None = None, a_max: float | None = None) -> Tensor:
        return _ops.clip(self, a_min=a_min, a_max=a_max)

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Compute the gradient of this tensor with respect to everything that requires one.

        Records one backward step per forward step differentiated (see :mod:`tracer.autograd`).
        """
        from .autograd import backward

        backward(self, grad)

    # ---- NumPy interop ---------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        fn = _ops.NUMPY_UFUNCS.get(ufunc)
        if method != "__call__" or kwargs or fn is None:
            what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
            extra = f" with {', '.join(kwargs)}" if kwargs and fn is not None else ""
            raise UnsupportedError(f"{what}{extra} is not supported on tracer tensors: "
                                   "it would run outside the trace (use tensor.numpy() to read values)")
        return fn(*inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        fn = _ops.NUMPY_FUNCTIONS.get(func)
        if fn is None:
            mod = func.__module__.replace("numpy._core", "numpy").replace("numpy.core", "numpy")
            mod = mod.replace("numpy.linalg._linalg", "numpy.linalg").replace("numpy", "np")
            mod = "np" if mod.startswith("np.") and mod.count(".") == 1 and "linalg" not in mod else mod
            raise UnsupportedError(f"{mod}.{func.__name__} is not supported on tracer tensors: "
                                   "it would run outside the trace (use tensor.numpy() to read values)")
        return fn(*args, **kwargs)


def _check_column_bias(z: Tensor, b: Any) -> None:
    """Refuse ``W @ X + b`` with a 1-D ``b`` of one entry per row: NumPy adds a 1-D array along the
    last axis, so it would land on the columns (one bias per sample), never on the rows it is for."""
    shape = b.shape if isinstance(b, Tensor) else np.shape(b)
    if len(shape) == 1 and z.ndim >= 2 and shape[0] == z.shape[-2]:
        raise ShapeError(
            f"W @ X + b: b of shape {tuple(shape)} has one entry per row of W @ X {tuple(z.shape)}, but NumPy "
            "adds a 1-D array along the columns (one per sample); with samples as columns write "
            "W @ X + b[:, None] or tracer.linear(W, X, b) (tokens as rows: X @ W + b)")


def tensor(data: ArrayLike, name: str | None = None, requires_grad: bool = False,
           dtype: Any = None, rows: Sequence[str] | None = None, cols: Sequence[str] | None = None,
           labels: Sequence[Sequence[str] | None] | None = None) -> Tensor:
    """An input tensor (data the model is given), e.g. ``X`` or a target ``Y``.

    ``rows`` and ``cols`` name the positions of its last two axes (features down, tokens across),
    ``labels`` every axis at once; grids, the stepper and the walkthroughs print them.

    >>> import tracer
    >>> X = tracer.tensor([[1, 2], [3, 4]], name="X", rows=["weather", "price"], cols=["Mon", "Tue"])
    >>> X.dtype, X.labels
    (dtype('float64'), (('weather', 'price'), ('Mon', 'Tue')))
    >>> tracer.tensor([101, 2023, 102], name="input_ids", dtype=np.int64).dtype   # ids stay integers
    dtype('int64')
    """
    arr = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=dtype)
    t = Tensor(arr, name=name, kind="input", requires_grad=requires_grad)
    if dtype is not None and arr.dtype.kind in "iub":  # token ids, masks: the integer type asked for
        t.data = np.array(arr)
        t.data.flags.writeable = False
    t.labels = axis_labels(t.shape, labels, rows, cols, name)
    return t


def param(data: ArrayLike, name: str | None = None, dtype: Any = None,
          rows: Sequence[str] | None = None, cols: Sequence[str] | None = None,
          labels: Sequence[Sequence[str] | None] | None = None) -> Tensor:
    """A trainable parameter (a weight or a bias): it requires a gradient and optimisers update it.

    >>> import tracer
    >>> W = tracer.param([[1, 0], [0, 1]], name="W1")
    >>> W.kind, W.requires_grad
    ('param', True)
    """
    arr = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=dtype)
    t = Tensor(arr, name=name, kind="param", requires_grad=True)
    t.labels = axis_labels(t.shape, labels, rows, cols, name)
    return t


from . import ops as _ops  # noqa: E402  (the ops import Tensor: bind them after the class exists)

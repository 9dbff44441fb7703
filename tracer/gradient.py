"""What ``tensor.grad`` returns: a NumPy array that knows it is a gradient.

>>> import tracer
>>> w = tracer.param([2.0, -1.0], name="w")
>>> (w * w).sum().backward()
>>> w.grad, (0.1 * w.grad).of           # prints as an array; lr * W.grad still knows whose it is
(array([ 4., -2.]), 'w')
"""
from __future__ import annotations

from typing import Any

import numpy as np


class Gradient(np.ndarray):
    """``tensor.grad``: a read-only NumPy array that remembers it is a gradient.

    It behaves as any array (``W.grad.tolist()``, ``np.linalg.norm(W.grad)``), and so does anything
    computed from it (``lr * W.grad``). An op that mixes it into a tensor is a hand-written update
    (``W = W - lr * W.grad``): recorded as an update step whose result is a fresh leaf, not linked to
    the graph that made the gradient (see :mod:`tracer.ops.core`).
    """

    of: str | None = None  # the name of the tensor it is the gradient of (lr * W.grad keeps "W")

    def __array_finalize__(self, obj: Any) -> None:
        self.of = getattr(obj, "of", None)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __str__(self) -> str:
        return str(self.view(np.ndarray))

    def __array_wrap__(self, arr: np.ndarray, context: Any = None, return_scalar: bool = False) -> Any:
        if return_scalar:  # W.grad.sum() is a number, as it is for any array
            return arr[()]
        return super().__array_wrap__(arr, context, return_scalar)

"""tracer: a NumPy engine that records every op and every gradient as a trace to step through,
render and print.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.param([[1, -1], [2, 0]], name="W")
...     X = tracer.tensor([[3], [1]], name="X")
...     H = tracer.relu(W @ X, name="H")
...     loss = tracer.sse(H, tracer.tensor([[1], [5]], name="Y"), name="L")
...     loss.backward()
>>> H.numpy().ravel().tolist(), float(loss), W.grad.tolist()
([2.0, 6.0], 2.0, [[6.0, 2.0], [6.0, 2.0]])
"""
from __future__ import annotations

from .errors import (ConfigError, GradientError, NonFiniteError, ShapeError, TraceFileError,
                     TracerError, UnsupportedError)
from .ops import (abs, add, astype, attention, batch_norm, binary_cross_entropy, broadcast_to, causal_mask,
                  clip, concat, cos, cross_entropy, cumsum, dense, div, dropout, einsum, equal, erf, exp,
                  expand_dims, gather, gelu, greater, greater_equal, is_grad_enabled, l1, l2_norm,
                  layer_norm, leaky_relu, less, less_equal, linear, log, log1p, log_softmax, mask, matmul,
                  max, maximum, mean, min, minimum, moveaxis, mse, mul, neg, no_grad, norm, not_equal,
                  outer, pad, pow, prelu, relu, repeat, reshape, sigmoid, sign, sin, softmax, softplus, split,
                  sqrt, squeeze, sse, stack, std, step, sub, sum, swapaxes, swish, tanh, tile, transpose, var,
                  where)
from .ops.spec import REGISTRY as OPS
from .optim import SGD, Adam, Optimizer, RMSprop, clip_grad_norm, clip_grad_value, he, xavier, zero_grad
from .rng import seed
from .tensor import Tensor, param, tensor
from .recording import current, record, scope
from .trace import Source, Step, TensorRecord, Trace
from .io import load
from . import explain  # noqa: E402  (tracer.explain.explain: the working behind any cell)

inference_mode = no_grad  # the PyTorch name for the same thing here: run without building a graph

__version__ = "0.1.0"

__all__ = [
    "OPS", "Adam", "ConfigError", "GradientError", "NonFiniteError", "Optimizer", "RMSprop", "SGD", "ShapeError",
    "Source", "Step", "Tensor", "TensorRecord", "Trace", "TraceFileError", "TracerError",
    "UnsupportedError", "abs", "add", "astype", "attention", "batch_norm", "binary_cross_entropy",
    "broadcast_to", "causal_mask", "clip", "clip_grad_norm", "clip_grad_value", "concat", "cos",
    "cross_entropy", "cumsum", "current", "dense", "div", "dropout", "einsum", "equal", "erf", "exp",
    "expand_dims", "explain", "gather", "gelu", "greater", "greater_equal", "he", "inference_mode",
    "is_grad_enabled", "l1", "l2_norm", "layer_norm", "leaky_relu", "less", "less_equal", "linear",
    "load", "log", "log1p", "log_softmax", "mask", "matmul", "max", "maximum", "mean", "min", "minimum",
    "moveaxis", "mse", "mul", "neg", "no_grad", "norm", "not_equal", "outer", "pad", "param", "pow", "prelu",
    "record", "relu", "repeat", "reshape", "scope", "seed", "sigmoid", "sign", "sin", "softmax",
    "softplus", "split", "sqrt", "squeeze", "sse", "stack", "std", "step", "sub", "sum", "swapaxes", "swish",
    "tanh", "tensor", "tile", "transpose", "var", "where", "xavier", "zero_grad",
]

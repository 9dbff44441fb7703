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
from .ops import (abs, add, attention, batch_norm, binary_cross_entropy, causal_mask, clip, concat, cos,
                  cross_entropy, div, dropout, exp, gather, gelu, l1, l2_norm, layer_norm,
                  leaky_relu, linear, log, log_softmax, mask, matmul, max, maximum, mean, mse, mul,
                  neg, pow, relu, reshape, sigmoid, sin, softmax, split, sqrt, sse, step, sub, sum, tanh,
                  transpose, where)
from .ops.core import REGISTRY as OPS
from .optim import SGD, Adam, Optimizer, clip_grad_norm, clip_grad_value, he, xavier
from .rng import seed
from .tensor import Tensor, param, tensor
from .trace import Source, Step, TensorRecord, Trace, current, record, scope
from .io import load
from . import explain  # noqa: E402  (tracer.explain.explain: the working behind any cell)

__version__ = "0.1.0"

__all__ = [
    "OPS", "Adam", "ConfigError", "GradientError", "NonFiniteError", "Optimizer", "SGD", "ShapeError",
    "Source", "Step", "Tensor", "TensorRecord", "Trace", "TraceFileError", "TracerError",
    "UnsupportedError", "abs", "add", "attention", "batch_norm", "binary_cross_entropy",
    "causal_mask", "clip", "clip_grad_norm", "clip_grad_value", "concat", "cos", "cross_entropy",
    "current", "div", "dropout", "exp", "explain", "gather", "gelu", "he", "l1", "l2_norm", "layer_norm",
    "leaky_relu", "linear", "load", "log", "log_softmax", "mask", "matmul", "max", "maximum", "mean",
    "mse", "mul", "neg", "param", "pow", "record", "relu", "reshape", "scope", "seed", "sigmoid", "sin",
    "softmax", "split", "sqrt", "sse", "step", "sub", "sum", "tanh", "tensor", "transpose", "where",
    "xavier",
]

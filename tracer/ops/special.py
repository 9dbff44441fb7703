"""Element-wise special functions: the error function (exact GELU needs it), log1p, softplus, sign.

NumPy has no ``erf``: :func:`erf_values` sums its Taylor series below 1 and, above, uses
``erf(x) = 1 − e^(−x²)·erfcx(x)`` with ``erfcx`` interpolated (Chebyshev) from the C library's
``math.erfc`` once at import: about 2e-15 in float64, and float32 work for float32 inputs.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev

from .declare import primitive

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _taylor(n: int) -> list[float]:
    """erf(x) = x·Σ c_k·x^(2k): the c_k, highest first (for Horner's rule)."""
    return [TWO_OVER_SQRT_PI * (-1) ** k / (math.factorial(k) * (2 * k + 1)) for k in range(n)][::-1]


def _erfcx_fit(degree: int) -> np.ndarray:
    """Chebyshev coefficients of erfcx(a) = erfc(a)·e^(a²) on [1, 6] (smooth, between 0.43 and 0.09)."""
    f = np.vectorize(lambda a: math.erfc(a) * math.exp(a * a), otypes=[np.float64])
    return chebyshev.chebinterpolate(lambda t: f(2.5 * t + 3.5), degree)


# per float type: terms enough for its precision (float32 needs about half the work)
_COEFFS = {np.dtype(np.float64): (_taylor(19), _erfcx_fit(26)),
           np.dtype(np.float32): (_taylor(11), _erfcx_fit(14))}


def erf_values(x: np.ndarray) -> np.ndarray:
    """The error function ``2/√π ∫₀ˣ e^(−t²) dt`` of every entry (float32 stays float32).

    >>> import math
    >>> bool(abs(erf_values(np.array(0.5)) - math.erf(0.5)) < 1e-15)
    True
    """
    x = np.asarray(x)
    if x.dtype not in _COEFFS:
        x = x.astype(np.float64)
    taylor, tail = _COEFFS[x.dtype]
    a = np.abs(x)
    small = a < 1
    out = np.empty_like(x)
    s = x if small.all() else x[small]
    u, acc = s * s, np.full_like(s, taylor[0])
    for c in taylor[1:]:  # Horner's rule, in place
        acc *= u
        acc += c
    acc *= s
    if s is x:
        return acc
    out[small] = acc
    big = ~small  # and NaN, which stays NaN
    b = np.minimum(a[big], 6)  # erf(6) is 1 to within 2e-17
    out[big] = np.copysign(1 - np.exp(-b * b) * chebyshev.chebval((b - 3.5) / 2.5, tail).astype(x.dtype), x[big])
    return out


@primitive("erf", family="elementwise", formula="{out} = erf({x})", grad="d{x} = d{out} ⊙ 2/√π·e^(−{x}²)",
           narration="The error function of every entry of {x}: the area under a bell curve, from −1 to 1.",
           cell="erf({x})", cell_grad="{g}×2/√π×e^(−{x}²)")
def erf(x):
    return erf_values(x), lambda g, need: (g * TWO_OVER_SQRT_PI * np.exp(-x * x),)


@primitive("log1p", family="elementwise", formula="{out} = ln(1 + {x})", grad="d{x} = d{out} / (1 + {x})",
           narration="Take ln(1 + x) of every entry of {x}, exactly even when x is tiny.",
           cell="ln(1 + {x})", cell_grad="{g} / (1 + {x})")
def log1p(x):
    return np.log1p(x), lambda g, need: (g / (1 + x),)


@primitive("softplus", family="elementwise", formula="{out} = ln(1 + e^({beta}·{x})) / {beta}",
           grad="d{x} = d{out} ⊙ σ({beta}·{x})",
           narration="Softplus: a smooth ReLU, ln(1 + e^x), of every entry of {x}.",
           cell="softplus({x})", cell_grad="{g}×σ({x})")
def softplus(x, *, beta=1.0):
    bx = beta * x
    out = np.logaddexp(0.0, bx) / beta  # ln(1 + e^bx) without overflow

    def vjp(g, need):
        return (g * np.exp(-np.logaddexp(0.0, -bx)),)  # σ(βx)
    return out, vjp


@primitive("sign", family="elementwise", formula="{out} = sign({x})", grad="d{x} = 0 (the sign is flat)",
           narration="The sign of every entry of {x}: −1, 0 or 1.",
           cell="sign({x})", cell_grad="0")
def sign(x):
    return np.sign(x), lambda g, need: (np.zeros_like(x),)


_C = math.sqrt(2 / math.pi)


@primitive("gelu_tanh", family="elementwise", formula="{out} = ½·{x}·(1 + tanh(√(2/π)·({x} + 0.044715·{x}³)))",
           grad="d{x} = d{out} ⊙ GELU′({x})",
           narration="GELU (tanh form, as GPT-2) lets positive entries of {x} through and softly damps the negative ones.",
           cell="GELU({x})")
def gelu_tanh(x):
    t = np.tanh(_C * (x + 0.044715 * x ** 3))

    def vjp(g, need):
        return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _C * (1 + 3 * 0.044715 * x * x)),)
    return 0.5 * x * (1 + t), vjp

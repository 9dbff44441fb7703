"""Element-wise primitives: arithmetic with broadcasting, and the activation functions.

Each op: its forward, its local gradient (``vjp``), its formula and its narration, declared once.
"""
from __future__ import annotations

import math

import numpy as np

from .broadcasting import broadcastable, unbroadcast
from .declare import primitive
from .special import erf_values

_SQRT_HALF = math.sqrt(0.5)  # Python floats: a float32 tensor stays float32
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _fits(a: np.ndarray, b: np.ndarray) -> str | None:
    return None if broadcastable(a.shape, b.shape) else f"shapes {a.shape} and {b.shape} do not broadcast"


# ---- arithmetic -----------------------------------------------------------------------------
@primitive("add", family="elementwise", formula="{out} = {a} + {b}", grad="d{a} = d{out};  d{b} = d{out}",
           narration="Add {b} to {a}, entry by entry.", check=_fits,
           cell="{a} + {b}", cell_grad=("{g}", "{g}"), sums=True)
def add(a, b):
    def vjp(g, need):
        return (unbroadcast(g, a.shape) if need[0] else None,
                unbroadcast(g, b.shape) if need[1] else None)
    return a + b, vjp


@primitive("sub", family="elementwise", formula="{out} = {a} − {b}", grad="d{a} = d{out};  d{b} = −d{out}",
           narration="Subtract {b} from {a}, entry by entry.", check=_fits,
           cell="{a} − {b}", cell_grad=("{g}", "−{g}"), sums=True)
def sub(a, b):
    def vjp(g, need):
        return (unbroadcast(g, a.shape) if need[0] else None,
                unbroadcast(-g, b.shape) if need[1] else None)
    return a - b, vjp


@primitive("mul", family="elementwise", formula="{out} = {a} ⊙ {b}", grad="d{a} = d{out} ⊙ {b};  d{b} = d{out} ⊙ {a}",
           narration="Multiply {a} by {b}, entry by entry.", check=_fits,
           cell="{a}×{b}", cell_grad=("{g}×{b}", "{g}×{a}"))
def mul(a, b):
    def vjp(g, need):
        return (unbroadcast(g * b, a.shape) if need[0] else None,
                unbroadcast(g * a, b.shape) if need[1] else None)
    return a * b, vjp


@primitive("div", family="elementwise", formula="{out} = {a} / {b}", grad="d{a} = d{out} / {b};  d{b} = −d{out} ⊙ {a} / {b}²",
           narration="Divide {a} by {b}, entry by entry.", check=_fits,
           cell="{a} / {b}", cell_grad=("{g} / {b}", "−{g}×{a} / {b}²"))
def div(a, b):
    out = a / b

    def vjp(g, need):
        db = None
        if need[1]:  # −g ⊙ out / b, in one temporary when g is out's own gradient (the same numbers)
            db = -g
            if type(db) is np.ndarray and db.shape == out.shape and db.dtype == out.dtype:
                np.divide(np.multiply(db, out, out=db), b, out=db)
            else:
                db = db * out / b
            db = unbroadcast(db, b.shape)
        return (unbroadcast(g / b, a.shape) if need[0] else None, db)
    return out, vjp


@primitive("neg", family="elementwise", formula="{out} = −{x}", grad="d{x} = −d{out}", narration="Flip the sign of {x}.",
           cell="−{x}", cell_grad="−{g}")
def neg(x):
    return -x, lambda g, need: (-g,)


@primitive("pow", family="elementwise", formula="{out} = {a}^{b}", grad="d{a} = d{out} ⊙ {b}·{a}^({b}−1)",
           narration="Raise {a} to the power {b}.", check=_fits,
           cell="{a}^{b}", cell_grad=("{g}×{b}×{a}^({b} − 1)",))
def pow(a, b):
    out = a ** b

    def vjp(g, need):
        if np.any(b == 0):  # x⁰ is flat, also at 0 where 0·0⁻¹ would be NaN
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.where(b == 0, 0.0, b * a ** (b - 1))
        elif b.ndim == 0 and b == 2:  # a square (a loss): a¹ is a itself, exactly, so b·a is b·a^(b−1)
            slope = b * a
        else:
            slope = b * a ** (b - 1)
        da = unbroadcast(g * slope, a.shape) if need[0] else None
        db = None
        if need[1]:  # d/db a^b = a^b·ln a, defined where a > 0
            db = unbroadcast(g * out * np.log(np.where(a > 0, a, 1.0)), b.shape)
        return da, db
    return out, vjp


@primitive("maximum", family="elementwise", formula="{out} = max({a}, {b})", grad="the larger input gets d{out} (ties share it)",
           narration="Keep the larger of {a} and {b}, entry by entry.", check=_fits,
           cell="max({a}, {b})",
           cell_grad=("{g}×([{a} > {b}] + [{a} = {b}] / 2)", "{g}×([{b} > {a}] + [{a} = {b}] / 2)"))
def maximum(a, b):
    def vjp(g, need):
        wa = (a > b) + 0.5 * (a == b)
        return (unbroadcast(g * wa, a.shape) if need[0] else None,
                unbroadcast(g * (1 - wa), b.shape) if need[1] else None)
    return np.maximum(a, b), vjp


# ---- functions of one tensor -------------------------------------------------------------------
@primitive("exp", family="elementwise", formula="{out} = e^{x}", grad="d{x} = d{out} ⊙ {out}",
           narration="Raise e to the power of every entry of {x}.",
           cell="e^{x}", cell_grad="{g}×{o}")
def exp(x):
    out = np.exp(x)
    return out, lambda g, need: (g * out,)


@primitive("log", family="elementwise", formula="{out} = ln {x}", grad="d{x} = d{out} / {x}",
           narration="Take the natural logarithm of every entry of {x}.",
           cell="ln {x}", cell_grad="{g} / {x}")
def log(x):
    return np.log(x), lambda g, need: (g / x,)


@primitive("sqrt", family="elementwise", formula="{out} = √{x}", grad="d{x} = d{out} / (2·{out})",
           narration="Take the square root of every entry of {x}.",
           cell="√{x}", cell_grad="{g} / (2×{o})")
def sqrt(x, *, at_zero=None):
    """``at_zero``: the gradient to use where the root is 0 (its slope is infinite there); a norm
    passes 0, the subgradient of ‖x‖ at x = 0."""
    out = np.sqrt(x)
    if at_zero is None:
        return out, lambda g, need: (g / (2 * out),)
    return out, lambda g, need: (np.where(out == 0, at_zero, g / (2 * np.where(out == 0, 1, out))),)


@primitive("abs", family="elementwise", formula="{out} = |{x}|", grad="d{x} = d{out} ⊙ sign({x})",
           narration="Take the absolute value of every entry of {x}.",
           cell="|{x}|", cell_grad="{g}×sign({x})")
def abs(x):
    return np.abs(x), lambda g, need: (g * np.sign(x),)


@primitive("sin", family="elementwise", formula="{out} = sin({x})", grad="d{x} = d{out} ⊙ cos({x})",
           narration="Take the sine of every entry of {x} (angles in radians).",
           cell="sin({x})", cell_grad="{g}×cos({x})")
def sin(x):
    return np.sin(x), lambda g, need: (g * np.cos(x),)


@primitive("cos", family="elementwise", formula="{out} = cos({x})", grad="d{x} = −d{out} ⊙ sin({x})",
           narration="Take the cosine of every entry of {x} (angles in radians).",
           cell="cos({x})", cell_grad="−{g}×sin({x})")
def cos(x):
    return np.cos(x), lambda g, need: (-g * np.sin(x),)


@primitive("relu", family="elementwise", formula="{out} = max(0, {x})", grad="d{x} = d{out} ⊙ [{x} > 0]",
           narration="ReLU keeps the positive entries of {x} and turns the negative ones into 0.",
           cell="max(0, {x})", cell_grad="{g}×[{x} > 0]")
def relu(x):
    return np.maximum(x, 0), lambda g, need: (g * (x > 0),)


@primitive("leaky_relu", family="elementwise", formula="{out} = max({alpha}·{x}, {x})", grad="d{x} = d{out} ⊙ (1 if {x} > 0 else {alpha})",
           narration="Leaky ReLU keeps the positive entries of {x} and scales the negative ones by {alpha}.",
           cell="max({alpha}×{x}, {x})", cell_grad="{g}×([{x} > 0] + [{x} ≤ 0]×{alpha})")
def leaky_relu(x, *, alpha=0.01):
    slope = np.where(x > 0, 1.0, alpha)
    return x * slope, lambda g, need: (g * slope,)


@primitive("sigmoid", family="elementwise", formula="{out} = 1 / (1 + e^(−{x}))", grad="d{x} = d{out} ⊙ {out} ⊙ (1 − {out})",
           narration="The sigmoid squashes every entry of {x} into the range 0 to 1.",
           cell="σ({x})", cell_grad="{g}×{o}×(1 − {o})")
def sigmoid(x):
    out = np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + e^-x) without overflow for large |x|
    return out, lambda g, need: (g * out * (1 - out),)


@primitive("tanh", family="elementwise", formula="{out} = tanh({x})", grad="d{x} = d{out} ⊙ (1 − {out}²)",
           narration="tanh squashes every entry of {x} into the range −1 to 1.",
           cell="tanh({x})", cell_grad="{g}×(1 − {o}²)")
def tanh(x):
    out = np.tanh(x)
    return out, lambda g, need: (g * (1 - out * out),)


@primitive("gelu", family="elementwise", formula="{out} = ½·{x}·(1 + erf({x}/√2))",
           grad="d{x} = d{out} ⊙ (Φ({x}) + {x}·φ({x}))",
           narration="GELU lets positive entries of {x} through and softly damps the negative ones.",
           cell="GELU({x})")
def gelu(x):
    cdf = 0.5 * (1 + erf_values(x * _SQRT_HALF))  # Φ(x), the normal distribution's CDF

    def vjp(g, need):
        return (g * (cdf + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI),)
    return x * cdf, vjp


@primitive("step", family="elementwise", formula="{out} = 1 if {x} > {threshold} else 0", grad="d{x} = 0 (the step is flat)",
           narration="Fire (1) where {x} is above the threshold {threshold}, otherwise stay at 0.",
           cell="[{x} > {threshold}]", cell_grad="{g}×0")
def step(x, *, threshold=0.0):
    return (x > threshold).astype(x.dtype), lambda g, need: (np.zeros_like(x),)


@primitive("clip", family="elementwise", formula="{out} = clip({x}, {a_min}, {a_max})", grad="d{x} = d{out} where {x} is inside the range, else 0",
           narration="Clip every entry of {x} into the range [{a_min}, {a_max}].",
           cell="clip({x}, {a_min}, {a_max})", cell_grad="{g}×[{a_min} ≤ {x}]×[{x} ≤ {a_max}]")
def clip(x, *, a_min=None, a_max=None):
    lo = -np.inf if a_min is None else a_min
    hi = np.inf if a_max is None else a_max
    return np.clip(x, lo, hi), lambda g, need: (g * ((x >= lo) & (x <= hi)),)


# ---- the remedies for vanishing gradients (seed 001): ReLU's smooth and learned variants -------------
@primitive("swish", family="elementwise", formula="{out} = {x}·σ({x})", grad="d{x} = d{out} ⊙ (σ({x}) + {out}·(1 − σ({x})))",
           narration="Swish multiplies every entry of {x} by its own sigmoid: positives pass almost unchanged, "
                     "negatives are damped smoothly.",
           cell="{x}×σ({x})")
def swish(x):
    s = np.exp(-np.logaddexp(0.0, -x))  # σ(x) without overflow, as in sigmoid
    out = x * s
    return out, lambda g, need: (g * (s + out * (1 - s)),)


@primitive("prelu", family="elementwise", formula="{out} = max(0, {x}) + {alpha}·min(0, {x})",
           grad="d{x} = d{out} ⊙ (1 if {x} > 0 else {alpha});  d{alpha} = Σ d{out} ⊙ min(0, {x})",
           narration="PReLU keeps the positive entries of {x} and scales the negative ones by the learned slope {alpha}.",
           check=_fits, cell="max(0, {x}) + {alpha}×min(0, {x})")
def prelu(x, alpha):
    negative = np.minimum(x, 0)

    def vjp(g, need):  # the slope is a weight: it gets a gradient of its own from the negatives
        return (unbroadcast(g * np.where(x > 0, 1.0, alpha), x.shape) if need[0] else None,
                unbroadcast(g * negative, alpha.shape) if need[1] else None)
    return np.maximum(x, 0) + alpha * negative, vjp

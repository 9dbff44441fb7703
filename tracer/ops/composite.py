"""Composite ops: built from primitives, recorded as a parent step whose children are visible.

None of these has gradient code: backward runs through their children. The child names
(``softmax.exp``, ``layer_norm.var``) are the sub-steps the stepper and the scenes show.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from . import elementwise as ew
from . import structural as st
from .broadcasting import unbroadcast
from .declare import composite


# ---- fused rules: the same values as the children, in one NumPy function (see OpSpec.fused) --------
def _softmax_fused(x, *, axis=-1, stable=True):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True) if stable else x)
    out = e / np.sum(e, axis=axis, keepdims=True)

    def vjp(g, need):  # out ⊙ (g − Σ g⊙out), each pass into one temporary (the same numbers)
        t = g * out
        np.subtract(g, np.sum(t, axis=axis, keepdims=True), out=t)
        return (np.multiply(out, t, out=t),)
    return out, vjp


def _normalize_fused(x, gamma=None, beta=None, *, axis, eps=1e-5):
    centered = x - np.mean(x, axis=axis, keepdims=True)
    std = np.sqrt(np.mean(centered * centered, axis=axis, keepdims=True) + eps)
    normalized = centered / std
    y = normalized if gamma is None else normalized * gamma
    y = y if beta is None else y + beta

    def vjp(g, need):
        dn = g if gamma is None else g * gamma
        # (dn − mean(dn) − x̂ ⊙ mean(dn ⊙ x̂)) / std, each pass into one of two temporaries: the same
        # numbers (dn's dtype is the widest: g has the output's, gamma's included)
        dx = dn - np.mean(dn, axis=axis, keepdims=True)
        t = dn * normalized
        np.multiply(normalized, np.mean(t, axis=axis, keepdims=True), out=t)
        np.subtract(dx, t, out=dx)
        np.divide(dx, std, out=dx)
        return (dx if need[0] else None,
                unbroadcast(g * normalized, gamma.shape) if need[1] else None,
                unbroadcast(g, beta.shape) if need[2] else None)
    return y, vjp


def _attention_fused(Q, K, V, mask=None, *, return_weights=False):
    """The children's own forward rules run in a row (the same values as the children), softmax's
    fused rule among them; the gradient runs their vjps back."""
    if return_weights:
        return None  # two outputs: the children give both
    swap = None if K.ndim == 2 else tuple(range(K.ndim - 2)) + (K.ndim - 1, K.ndim - 2)
    K_T, transposed = st.transpose.spec.forward(K, axes=swap)
    scores, product = st.matmul.spec.forward(Q, K_T)
    # √d_k as the constant the children divide by: a Python float made a tensor of the scores' dtype
    scaled, divided = ew.div.spec.forward(scores, np.asarray(float(np.sqrt(Q.shape[-1]))).astype(scores.dtype))
    if mask is not None:
        scaled, masked = st.where.spec.forward(mask, scaled, np.asarray(-np.inf).astype(scaled.dtype))
    weights, normalized = _softmax_fused(scaled, axis=-1)
    out, mixed = st.matmul.spec.forward(weights, V)

    def vjp(g, need):
        dw, dV = mixed(g, (True, need[2]))
        ds = normalized(dw, (True,))[0]
        if mask is not None:
            ds = masked(ds, (False, True, False))[1]
        ds = divided(ds, (True, False))[0]
        dQ, dK_T = product(ds, (need[0], need[1]))
        return dQ, transposed(dK_T, (True,))[0] if need[1] else None, dV, None
    return out, vjp


def _squared_error_fused(reduce):
    """``mean`` or ``sum`` of ``(y − target)²`` as the children compute it; its gradient is their
    chain's numbers too: the reduction's share of g times the square's slope 2·diff."""
    def fused(y, target):
        diff = y - target
        two = np.asarray(2.0).astype(diff.dtype)  # the constant 2.0 the children's pow gets
        out = np.asarray(reduce(diff ** two))
        share = 1 if reduce is np.sum else diff.size

        def vjp(g, need):
            d = np.multiply(two * diff, g / share if share != 1 else g)
            return (unbroadcast(d, y.shape) if need[0] else None,
                    unbroadcast(-d, target.shape) if need[1] else None)
        return out, vjp
    return fused


def _layer_norm_fused(x, gamma=None, beta=None, *, axis=-1, eps=1e-5):
    return _normalize_fused(x, gamma, beta, axis=axis, eps=eps)


def _batch_norm_fused(x, gamma=None, beta=None, *, axis=0, eps=1e-5):
    return _normalize_fused(x, gamma, beta, axis=axis, eps=eps)


# ---- normalisation and probabilities ----------------------------------------------------------
@composite("softmax", family="normalization", fused=_softmax_fused,
           parts=("max", "shifted", "exp", "sum", "probs"),
           formula="{out} = e^{x} / Σ e^{x}", grad="d{x} = {out} ⊙ (d{out} − Σ d{out}⊙{out})",
           narration="Softmax turns the scores in {x} into probabilities {along}: "
                     "exponentiate, add up, divide.")
def softmax(x: Tensor, *, axis: int = -1, stable: bool = True) -> Tensor:
    if stable:  # e^(x − max) = e^x / e^max: same probabilities, no overflow
        x = ew.sub(x, st.max(x, axis=axis, keepdims=True, name="max"), name="shifted")
    e = ew.exp(x, name="exp")
    return ew.div(e, st.sum(e, axis=axis, keepdims=True, name="sum"), name="probs")


@composite("log_softmax", family="normalization",
           parts=("max", "shifted", "exp", "sum", "log_sum", "log_probs"),
           formula="{out} = {x} − ln Σ e^{x}", grad="d{x} = d{out} − softmax({x})·Σ d{out}",
           narration="Log-softmax: the logarithm of the softmax probabilities of {x}, computed stably.")
def log_softmax(x: Tensor, *, axis: int = -1) -> Tensor:
    shifted = ew.sub(x, st.max(x, axis=axis, keepdims=True, name="max"), name="shifted")
    lse = ew.log(st.sum(ew.exp(shifted, name="exp"), axis=axis, keepdims=True, name="sum"), name="log_sum")
    return ew.sub(shifted, lse, name="log_probs")


def _normalize(x: Tensor, axis: int, eps: float, gamma: Tensor | None, beta: Tensor | None) -> Tensor:
    mu = st.mean(x, axis=axis, keepdims=True, name="mean")
    centered = ew.sub(x, mu, name="centered")
    var = st.mean(ew.mul(centered, centered, name="squared"), axis=axis, keepdims=True, name="var")
    std = ew.sqrt(ew.add(var, eps, name="var_eps"), name="std")
    y = ew.div(centered, std, name="normalized")
    if gamma is not None:
        y = ew.mul(y, gamma, name="scaled")
    if beta is not None:
        y = ew.add(y, beta, name="shifted")
    return y


@composite("layer_norm", family="normalization", fused=_layer_norm_fused,
           parts=("mean", "centered", "squared", "var", "var_eps", "std", "normalized", "scaled", "shifted"),
           formula="{out} = ⟦{gamma} ⊙ ⟧({x} − μ) / √(σ² + ε)⟦ + {beta}⟧", grad="through mean, variance and divide",
           narration="Layer norm: give each sample of {x} mean 0 and variance 1 {along}, "
                     "then scale by γ and shift by β.")
def layer_norm(x: Tensor, gamma: Tensor | None = None, beta: Tensor | None = None, *,
               axis: int = -1, eps: float = 1e-5) -> Tensor:
    return _normalize(x, axis, eps, gamma, beta)


@composite("batch_norm", family="normalization", fused=_batch_norm_fused,
           parts=("mean", "centered", "squared", "var", "var_eps", "std", "normalized", "scaled", "shifted"),
           formula="{out} = ⟦{gamma} ⊙ ⟧({x} − μ_batch) / √(σ²_batch + ε)⟦ + {beta}⟧",
           grad="through the batch mean, variance and divide",
           narration="Batch norm (training): normalise {x} over the batch, {along}, "
                     "then scale by γ and shift by β.")
def batch_norm(x: Tensor, gamma: Tensor | None = None, beta: Tensor | None = None, *,
               axis: int = 0, eps: float = 1e-5) -> Tensor:
    return _normalize(x, axis, eps, gamma, beta)


# ---- layers ---------------------------------------------------------------------------------
@composite("linear", family="layer",
           parts=("matmul", "bias_column", "bias"),
           formula="{out} = {W} · {X}⟦ + {b}⟧",
           grad="d{W} = d{out}·{X}ᵀ;  d{X} = {W}ᵀ·d{out}⟦;  d{b} = Σ d{out}⟧",
           narration="A linear layer: multiply {X} by the weights {W}⟦ and add the bias {b} "
                     "([{W} | {b}] · [{X} ; 1])⟧.")
def linear(W: Tensor, X: Tensor, b: Tensor | None = None) -> Tensor:
    z = st.matmul(W, X, name="matmul")
    if b is None:
        return z
    if b.ndim == 1 and z.ndim >= 2:  # one bias per output row, shared by every column (and batch)
        b = st.reshape(b, shape=(-1, 1), name="bias_column")
    return ew.add(z, b, name="bias")


@composite("attention", family="layer", fused=_attention_fused,
           parts=("K_T", "scores", "scaled", "masked", "weights", "mix"),
           formula="{out} = softmax({Q}·{K}ᵀ / √d_k) · {V}",
           grad="through the weighted sum, the softmax and both products",
           narration="Attention: every query in {Q} scores every key in {K}, the scores are scaled "
                     "by √d_k and turned into weights by softmax, and the weights mix the values {V}.")
def attention(Q: Tensor, K: Tensor, V: Tensor, mask: Tensor | None = None, *,
              return_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """Rows are tokens; leading axes (batch, heads) are carried along. ``mask[..., i, j]`` says
    whether query ``i`` may look at key ``j``; ``return_weights`` also returns the softmax weights."""
    d_k = Q.shape[-1]
    swap = None if K.ndim == 2 else tuple(range(K.ndim - 2)) + (K.ndim - 1, K.ndim - 2)
    scores = st.matmul(Q, st.transpose(K, axes=swap, name="K_T"), name="scores")  # (…, T_q, T_k)
    scaled = ew.div(scores, float(np.sqrt(d_k)), name="scaled")
    if mask is not None:  # masked positions get −∞: after softmax their weight is exactly 0
        scaled = st.where(mask, scaled, -np.inf, name="masked")
    weights = softmax(scaled, axis=-1, name="weights")
    out = st.matmul(weights, V, name="mix")
    return (out, weights) if return_weights else out


@composite("dropout", family="layer",
           parts=("dropped",),
           formula="{out} = {x} ⊙ mask / (1 − {p})", grad="d{x} = d{out} ⊙ mask / (1 − {p})",
           narration="Dropout: zero a random {p} of the entries of {x} (seed {seed}) and scale the rest up.")
def dropout(x: Tensor, *, p: float = 0.5, seed: int) -> Tensor:
    keep = np.random.default_rng(seed).random(x.shape) >= p
    mask = Tensor(keep / (1.0 - p) if p < 1 else np.zeros(x.shape), name="mask", kind="const")
    return ew.mul(x, mask, name="dropped")


@composite("l2_norm", family="normalization",
           parts=("squared", "sum", "norm"),
           formula="{out} = √Σ {x}²", grad="d{x} = d{out} ⊙ {x} / {out}",
           cell_grad="{g}×{x} / {o}",
           narration="The length (L2 norm) of {x}⟦ {along}⟧.")
def l2_norm(x: Tensor, *, axis: int | None = None, keepdims: bool = False) -> Tensor:
    sq = ew.pow(x, 2.0, name="squared")
    # at a zero row the slope of √ is infinite: 0, the subgradient of ‖x‖, instead of NaN
    return ew.sqrt(st.sum(sq, axis=axis, keepdims=keepdims, name="sum"), at_zero=0.0, name="norm")


# ---- losses ---------------------------------------------------------------------------------
@composite("mse", family="loss", fused=_squared_error_fused(np.mean),
           parts=("diff", "squared", "loss"),
           formula="{out} = mean(({y} − {target})²)", grad="d{y} = 2·({y} − {target}) / n",
           cell_grad=("2×({y} − {target}) / {n}",),
           narration="Mean squared error: subtract the target {target} from {y}, square, and average.")
def mse(y: Tensor, target: Tensor) -> Tensor:
    diff = ew.sub(y, target, name="diff")
    return st.mean(ew.pow(diff, 2.0, name="squared"), name="loss")


@composite("sse", family="loss", fused=_squared_error_fused(np.sum),
           parts=("diff", "squared", "loss"),
           formula="{out} = Σ ({y} − {target})²", grad="d{y} = 2·({y} − {target})",
           cell_grad=("2×({y} − {target})",),
           narration="Sum of squared errors: subtract the target {target} from {y}, square, and add up.")
def sse(y: Tensor, target: Tensor) -> Tensor:
    diff = ew.sub(y, target, name="diff")
    return st.sum(ew.pow(diff, 2.0, name="squared"), name="loss")


@composite("l1", family="loss",
           parts=("abs", "weighted", "penalty"),
           formula="{out} = Σ |{x}|⟦ ⊙ {weight}⟧", grad="d{x} = sign({x})⟦ ⊙ {weight}⟧",
           cell_grad=("{g}×sign({x})⟦×{weight}⟧", "{g}×|{x}|"),
           narration="L1 penalty: add up the absolute values of {x}, which pushes most of them to 0 (sparsity).")
def l1(x: Tensor, weight: Tensor | None = None) -> Tensor:
    a = ew.abs(x, name="abs")
    if weight is not None:
        a = ew.mul(a, weight, name="weighted")
    return st.sum(a, name="penalty")


@composite("cross_entropy", family="loss",
           parts=("log_probs", "picked", "log_likelihood", "mean", "loss"),
           formula="{out} = −mean(Σ {target} ⊙ log_softmax({logits}))",
           grad="d{logits} = (softmax({logits}) − {target}) / n",
           narration="Cross-entropy: how surprised the model is by the right answer {target}, "
                     "the negative log of the probability it gave it, averaged.")
def cross_entropy(logits: Tensor, target: Tensor, *, axis: int = -1) -> Tensor:
    if target.shape != logits.shape:  # class indices: one-hot rows of the identity, a constant
        onehot = np.moveaxis(np.eye(logits.shape[axis])[target.data.astype(int)], -1, axis)
        target = Tensor(onehot, name=f"onehot({target.name})", kind="const")
    logp = log_softmax(logits, axis=axis, name="log_probs")
    picked = st.sum(ew.mul(logp, target, name="picked"), axis=axis, name="log_likelihood")
    return ew.neg(st.mean(picked, name="mean"), name="loss")


@composite("binary_cross_entropy", family="loss",
           parts=("log_p", "pos", "one_minus_t", "one_minus_p", "log_1mp", "neg", "sum", "mean", "loss"),
           formula="{out} = −mean({target}·ln {p} + (1 − {target})·ln(1 − {p}))",
           grad="d{p} = ({p} − {target}) / ({p}(1 − {p})) / n",
           cell_grad=("{g}×({p} − {target}) / ({p}×(1 − {p})) / {n}", "{g}×(ln(1 − {p}) − ln {p}) / {n}"),
           narration="Binary cross-entropy between the probabilities {p} and the 0/1 targets {target}.")
def binary_cross_entropy(p: Tensor, target: Tensor) -> Tensor:
    pos = ew.mul(target, ew.log(p, name="log_p"), name="pos")
    neg = ew.mul(ew.sub(1.0, target, name="one_minus_t"),
                 ew.log(ew.sub(1.0, p, name="one_minus_p"), name="log_1mp"), name="neg")
    return ew.neg(st.mean(ew.add(pos, neg, name="sum"), name="mean"), name="loss")

"""Contractions beyond matmul: ``einsum`` (any sum of products named by index letters) and the
outer product.

The gradient of an einsum is an einsum: for ``ij,jk->ik``, ``dA = einsum("ik,jk->ij", dOut, B)``.

>>> import tracer
>>> a, b = tracer.tensor([1.0, 2.0], name="a"), tracer.tensor([3.0, 4.0], name="b")
>>> tracer.einsum("i,i->", a, b).item(), tracer.outer(a, b).numpy().tolist()
(11.0, [[3.0, 4.0], [6.0, 8.0]])
"""
from __future__ import annotations

import string

import numpy as np

from ..tensor import Tensor
from . import elementwise as ew
from . import structural as st
from .broadcasting import unbroadcast
from .declare import composite, primitive


def spell_out(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Explicit subscripts: ``...`` replaced by letters and the output written out.

    >>> spell_out("...ij,jk", [(5, 2, 3), (3, 4)])
    (['aij', 'jk'], 'aik')
    """
    s = subscripts.replace(" ", "")
    left, arrow, out = s.partition("->")
    ins = left.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"{subscripts!r} names {len(ins)} operands, {len(shapes)} were given")
    spans = [len(shape) - len(t) + 3 if "..." in t else 0 for t, shape in zip(ins, shapes)]  # axes "..." covers
    ell = "".join([c for c in string.ascii_letters if c not in s][:max(spans, default=0)])
    ins = [t.replace("...", ell[len(ell) - n:]) for t, n in zip(ins, spans)]  # right-aligned, as broadcasting
    if not arrow:  # NumPy's implicit output: the broadcast axes, then the letters used once, sorted
        joined = "".join(ins)
        out = "..." * bool(ell) + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ell))
    return ins, out.replace("...", ell)


def _check(*xs: np.ndarray, subscripts: str) -> str | None:
    try:
        ins, _ = spell_out(subscripts, [x.shape for x in xs])
    except ValueError as e:
        return str(e)
    if any(len(set(t)) != len(t) for t in ins):
        return "an index repeated within one operand (a diagonal) is not supported"
    return None


def _letters(xs, outs, attrs):
    """Each output axis takes the names its index letter has on the first input that names it."""
    ins, out = spell_out(attrs["subscripts"], [x.shape for x in xs])
    names: dict[str, object] = {}
    for t, x in zip(ins, xs):
        for c, n in zip(t, x.labels or ()):
            if n is not None:
                names.setdefault(c, n)
    return [[names.get(c) for c in out]]


@primitive("einsum", family="contraction", labels=_letters, formula="{out} = einsum({subscripts}; {xs})",
           grad="d(each input) = einsum of d{out} with the other inputs",
           narration="Multiply {xs} entry by entry as the index letters {subscripts} say, and add up "
                     "over every letter the result does not keep.", check=_check)
def einsum(*xs, subscripts):
    ins, out = spell_out(subscripts, [x.shape for x in xs])

    def vjp(g, need):
        grads = []
        for k, x in enumerate(xs):
            if not need[k]:
                grads.append(None)
                continue
            others = [t for i, t in enumerate(ins) if i != k]
            seen = out + "".join(others)
            kept = "".join(c for c in ins[k] if c in seen)  # letters only x has were summed: broadcast back
            gk = np.einsum(",".join([out, *others]) + "->" + kept, g, *[y for i, y in enumerate(xs) if i != k])
            gk = np.expand_dims(gk, tuple(i for i, c in enumerate(ins[k]) if c not in seen))
            grads.append(unbroadcast(np.broadcast_to(gk, np.broadcast_shapes(gk.shape, x.shape)), x.shape).copy())
        return tuple(grads)
    return np.einsum(",".join(ins) + "->" + out, *xs), vjp


@composite("outer", family="contraction", parts=("column", "row", "product"),
           formula="{out} = {a} ⊗ {b}", grad="through the product",
           narration="The outer product of {a} and {b}: every entry of {a} times every entry of {b}.")
def outer(a: Tensor, b: Tensor) -> Tensor:
    column = st.reshape(a, shape=(-1, 1), name="column")
    return ew.mul(column, st.reshape(b, shape=(1, -1), name="row"), name="product")

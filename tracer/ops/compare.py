"""Comparisons, which make masks, and the element-wise minimum.

``t > 0``, ``t == 0`` ... return boolean tensors: recorded steps with no gradient (a comparison is
flat wherever it is defined), ready for :func:`tracer.where`, a product or ``.astype(float)``.

>>> import tracer
>>> t = tracer.tensor([-1.0, 0.0, 2.0], name="t")
>>> (t > 0).numpy(), (t == 0).numpy()
(array([False, False,  True]), array([False,  True, False]))
"""
from __future__ import annotations

import numpy as np

from .broadcasting import unbroadcast
from .declare import primitive
from .elementwise import _fits


def _comparison(name: str, ufunc: np.ufunc, symbol: str, words: str):
    """Declare the comparison ``{a} symbol {b}``: a mask, and no gradient."""
    def compare(a, b):
        return ufunc(a, b), None

    compare.__name__ = name
    return primitive(name, family="elementwise", formula=f"{{out}} = [{{a}} {symbol} {{b}}]",
                     grad="none: a comparison is flat (a mask)",
                     narration=f"Mark where {{a}} is {words} {{b}}: true there, false elsewhere (a mask).",
                     check=_fits, cell=f"[{{a}} {symbol} {{b}}]")(compare)


less = _comparison("less", np.less, "<", "less than")
less_equal = _comparison("less_equal", np.less_equal, "≤", "at most")
greater = _comparison("greater", np.greater, ">", "greater than")
greater_equal = _comparison("greater_equal", np.greater_equal, "≥", "at least")
equal = _comparison("equal", np.equal, "=", "equal to")
not_equal = _comparison("not_equal", np.not_equal, "≠", "not equal to")


@primitive("minimum", family="elementwise", formula="{out} = min({a}, {b})",
           grad="the smaller input gets d{out} (ties share it)",
           narration="Keep the smaller of {a} and {b}, entry by entry.", check=_fits,
           cell="min({a}, {b})")
def minimum(a, b):
    def vjp(g, need):
        wa = (a < b) + 0.5 * (a == b)
        return (unbroadcast(g * wa, a.shape) if need[0] else None,
                unbroadcast(g * (1 - wa), b.shape) if need[1] else None)
    return np.minimum(a, b), vjp

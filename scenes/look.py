"""How a tensor looks: its role's colours (given, computed, gradient, updated, heat, constant: the
legend of the title card),
the 2-D view a grid draws of any shape, and which rows and columns a large one shows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracer.display import elide
from tracer.trace import TensorRecord

from . import style

ROLES = ("given", "computed", "grad", "updated", "heat", "const")


@dataclass(frozen=True)
class Look:
    fill: str
    edge: str
    text: str
    fill_opacity: float = 1.0


LOOKS = {
    "given": Look(style.GIVEN_FILL, style.GIVEN_EDGE, style.INK),
    "computed": Look(style.COMPUTED_FILL, style.COMPUTED_EDGE, style.COMPUTED),
    "grad": Look(style.GRAD_FILL, style.GRAD_EDGE, style.GRAD),
    "updated": Look(style.COMPUTED_FILL, style.COMPUTED_EDGE, style.UPDATE),
    "heat": Look(style.COMPUTED_FILL, style.FAINT, style.INK),
    "const": Look(style.CONST_FILL, style.FAINT, style.MUTED),
}


def role_of(record: TensorRecord) -> str:
    """The default look of a tensor from its kind: inputs and weights are given, a weight (or an
    optimiser's running average) an update step wrote is updated, the rest computed."""
    if record.kind in ("param", "state") and record.producer is not None:
        return "updated"
    return {"input": "given", "param": "given", "state": "given", "const": "const",
            "grad": "grad"}.get(record.kind, "computed")


def as_matrix(a: np.ndarray, as_row: bool = False) -> np.ndarray:
    """The 2-D view a grid draws: a scalar is 1×1, a vector a column (or a row), more dimensions
    stack their leading axes as rows."""
    a = np.asarray(a)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(1, -1) if as_row else a.reshape(-1, 1)
    return a.reshape(-1, a.shape[-1])


def shown_indices(n: int, most: int = style.MAX_SHOWN, also: tuple[int, ...] = ()) -> list[int | None]:
    """All of a dimension up to ``most`` (9), else its first and last 3 (fewer when ``most`` is
    smaller) around a ``None`` (⋯): a few matrices side by side stay legible at 480p. The indices
    ``also`` (the answers a learner should see, first the first: :mod:`tracer.kept`) are shown
    too, in order, with fewer first and last ones (down to one), then fewer answers (the last
    given first), while the dimension would take more than ``most`` slots.

    >>> shown_indices(8), shown_indices(8, most=5), shown_indices(14, also=(3, 10))
    ([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, None, 6, 7], [0, 1, 2, 3, None, 10, 11, 12, 13])
    >>> shown_indices(14, most=5, also=(6,)), shown_indices(14, most=5, also=(6, 9))
    ([0, None, 6, None, 13], [0, None, 6, None, 13])
    """
    if n <= most:
        return list(range(n))
    keep, also = min(style.ELIDE_KEEP, (most - 1) // 2), tuple(also)
    while len(elide(n, keep, also)) > most and (keep > 1 or also):
        keep, also = (keep - 1, also) if keep > 1 else (keep, also[:-1])
    return elide(n, keep, also)


def kept_drawn(shape: tuple[int, ...], axes: dict[int, tuple[int, ...]], as_row: bool = False,
               transpose: bool = False) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The drawn rows and columns (:func:`as_matrix`) elision keeps, from the tensor's axes that
    keep indices (:func:`tracer.kept.kept`); the stacked leading axes of >2 dimensions keep none.

    >>> kept_drawn((14, 3), {0: (3,)}), kept_drawn((14,), {0: (3,)}, as_row=True)
    (((3,), ()), ((), (3,)))
    """
    if not shape or not axes:
        return (), ()
    if len(shape) == 1:
        rows, cols = ((), axes.get(0, ())) if as_row else (axes.get(0, ()), ())
    else:
        rows, cols = (axes.get(0, ()) if len(shape) == 2 else ()), axes.get(len(shape) - 1, ())
    return (cols, rows) if transpose else (rows, cols)


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def heat(v: float, vmax: float) -> str:
    """A cell's colour by sign and size on the diverging map: orange positive, purple negative,
    stronger when larger (white at 0)."""
    from manim import ManimColor, interpolate_color

    if not np.isfinite(v):
        return style.FAINT
    end = ManimColor(style.POSITIVE if v >= 0 else style.NEGATIVE)
    return interpolate_color(ManimColor(style.COMPUTED_FILL), end, 0.15 + 0.55 * min(1.0, abs(v) / vmax)).to_hex()

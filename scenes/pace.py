"""How long a walkthrough dwells: how many cells of a step are worked one by one, and how long
what is finished stays on screen to be read (``--pace``)."""
from __future__ import annotations

from dataclasses import dataclass

from tracer.errors import TracerError


@dataclass
class Pace:
    """How much of each step is worked cell by cell (the rest is filled a row at a time), and how
    long what is finished stays on screen to be read."""

    detailed: int = 1        # cells worked term by term, with the running partial sum
    single: int = 6          # further cells worked one at a time (expression shown at once)
    cell_time: float = 0.45  # seconds per single cell
    term_time: float = 0.35  # seconds per term of a detailed cell
    row_time: float = 0.4    # seconds per row of the quick fill (nothing on it is read: its working was shown)
    pause: float = 0.6       # a beat at the end of a step
    hold: float = 2.0        # a finished working (and a card) stays at least this long
    read_rate: float = 15.0  # characters read per second: a long caption stays longer
    glance: float = 1.0      # an op worked before: its one worked cell stays at least this long,
    at_once: bool = True     # ... and the rest of its output fills in at once, not row by row
    recolour: float = 0.5    # seconds for updated cells to take their new colour
    name: str = "normal"

    def reading(self, text: str) -> float:
        """How long ``text`` stays: at least :attr:`hold`, longer when it takes longer to read.

        >>> Pace().reading("3 + 4 = 7"), Pace().reading("x" * 60)
        (2.0, 4.0)
        """
        return max(self.hold, len(text) / self.read_rate)

    def recap(self, text: str) -> float:
        """How long the recap (the card a video ends on) stays: read at :attr:`read_rate`, then
        a hold and a half more to take its result in, and never less than two and a half holds.
        (Its reading alone, floored at two and a half holds, left a one-line recap of numbers,
        "once upon a → time (p = 0.999); …", up only as long as a short one: 5 s.)

        >>> Pace().recap("Done."), Pace().recap("x" * 75), Pace().recap("x" * 150)
        (5.0, 8.0, 13.0)
        """
        return max(2.5 * self.hold, self.reading(text) + 1.5 * self.hold)

    def caption(self, formula: str, narration: str) -> float:
        """How long a step's caption stays: its formula and its narration read, the formula once
        (a narration that repeats it, "Send the gradient back through add: dz = …", is read up to it).

        >>> Pace().caption("dx = dy", "Send the gradient back through add: dx = dy") == Pace().reading(
        ...     "dx = dy Send the gradient back through add:")
        True
        """
        said = narration.replace(formula, "").strip() if formula else narration
        return self.reading(f"{formula} {said}".strip())

    def again(self, text: str) -> float:
        """How long the one worked cell of an op worked before stays: its expression read, at
        least :attr:`glance` (the learner has read one of its kind in full already).

        >>> Pace().again("1 + 2 = 3"), Pace().again("x" * 60)
        (1.0, 4.0)
        """
        return max(self.glance, len(text) / self.read_rate)

    def looking(self, text: str) -> float:
        """How long a picture (a plot, the whole network on one page) stays: twice :attr:`hold`,
        longer for its words, but at most four holds: its names are looked over, not read aloud.

        >>> Pace().looking("Loss"), Pace().looking("x" * 90), Pace().looking("x" * 600)
        (4.0, 6.0, 8.0)
        """
        return min(max(2.0 * self.hold, self.reading(text)), 4.0 * self.hold)


def worked_as(phase: str, op: str) -> tuple[str, str]:
    """What a step computes, for "an op worked before": its phase and op, except that a linear
    layer's gradient is a product's (dX = Wᵀ·dY and dW = dY·Xᵀ are a matmul's gradients, and
    db = Σ dY their sum): a matmul's gradient after it is worked again, not in full.

    >>> worked_as("backward", "linear") == worked_as("backward", "matmul"), worked_as("forward", "linear")
    (True, ('forward', 'linear'))
    """
    return (phase, "matmul") if phase == "backward" and op == "linear" else (phase, op)


PACES = ("slow", "normal", "fast")


def pace_for(name: str = "normal", quick: bool = False) -> Pace:
    """The pacing ``slow``, ``normal`` or ``fast``. ``slow`` works every cell of a small product
    (and an op worked before as long as the first, row by row); ``normal`` a representative cell
    term by term and a few more whole (an op worked before: one cell, a glance, the rest at once);
    ``fast`` only a couple.
    ``quick`` (the generic walkthrough, a page per step) works one cell fewer.

    >>> pace_for("slow").single > pace_for("normal").single > pace_for("fast").single
    True
    """
    if name not in PACES:
        raise TracerError(f"unknown pace {name!r}: choose one of {', '.join(PACES)}")
    if name == "slow":
        return Pace(detailed=1 if quick else 2, single=48, cell_time=0.7, term_time=0.5, row_time=0.7,
                    pause=1.2, hold=3.0, read_rate=11.0, glance=3.0, at_once=False, recolour=0.8, name=name)
    if name == "fast":
        return Pace(detailed=0, single=1, cell_time=0.35, term_time=0.25, row_time=0.35, pause=0.3,
                    hold=0.8, read_rate=22.0, glance=0.5, recolour=0.3, name=name)
    return Pace(detailed=0 if quick else 1, single=2 if quick else 3, name=name)

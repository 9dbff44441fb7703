"""How long a walkthrough will run, estimated from its plan and its pace without rendering.

Each step beat costs what :func:`scenes.players.common.fill` spends on it: the cells worked one by
one, the reading time of the last, a row at a time for the rest, for every output; plus the caption
set up, the camera's move and the step's end (which waits until the caption has been read). A card
costs its fade in and out and its reading time. The figures are the pace's own, so a slower pace
gives a longer estimate; the estimate is for budgets (a test keeps every built-in example's video
under a few minutes), not a promise to the second.

>>> import tracer
>>> from scenes.curated import build_plan
>>> with tracer.record() as trace:
...     y = tracer.relu(tracer.tensor([[1.0, -2.0]], name="x"), name="y")
>>> plan = build_plan(trace)
>>> [(name, round(t, 1)) for name, t in beat_seconds(plan)]
[('title', 4.5), ('0:y', 6.7)]
"""
from __future__ import annotations

from tracer.trace import Step, Trace

from . import style
from .pace import Pace
from .plan import Beat, Plan, caption_of
from .players.update import CLIPS

INTRO = 1.0       # header and caption set (one play at manim's default run time)
FOCUS = 0.6       # the camera moves to the step's grids
FINISH = 0.5      # highlights off, the step framed
FADES = 0.9       # a card fades in (0.5) and out (0.4)
FILLS = 4.0       # a summary card's values fill in within this long


def drawn(n: int) -> int:
    """How many of ``n`` rows (or columns) a grid draws (the rest are elided, ``⋯``)."""
    return n if n <= style.MAX_SHOWN else 2 * style.ELIDE_KEEP


def grid_of(shape: tuple[int, ...]) -> tuple[int, int]:
    """The drawn rows and columns of a tensor of ``shape`` (a vector is a column)."""
    if not shape:
        return 1, 1
    rows = 1
    for n in shape[:-1]:
        rows *= n
    return (drawn(shape[0]), 1) if len(shape) == 1 else (drawn(rows), drawn(shape[-1]))


def step_seconds(trace: Trace, step: Step, pace: Pace, lang: str = "en", again: bool = False) -> float:
    """The seconds a step beat takes: every output filled (the optimiser's and the generic players
    work two cells, the others the pace's; one cell for an op worked ``again``), then the caption
    left up until it has been read."""
    worked = 1 if again else 2 if step.phase == "update" else pace.detailed + pace.single
    busy = INTRO + FOCUS
    for tid in step.outputs[:1] if step.op in CLIPS else step.outputs:   # a clipping: one worked, a note
        rows, cols = grid_of(trace.tensors[tid].shape)
        one = min(worked, rows * cols)
        busy += one * pace.cell_time + (pace.hold if one else 0.0)
        busy += max(0, rows - (one + cols - 1) // cols) * pace.row_time
    busy += FINISH
    formula, narration = caption_of(trace, step, lang)
    return busy + max(pace.pause, pace.reading(f"{formula} {narration}") - busy + INTRO)


def card_seconds(beat: Beat, pace: Pace) -> float:
    """The seconds a card stays: fading in and out, and its words read (a plot or the whole network
    at least twice the hold, a recap two and a half)."""
    said = pace.reading(" ".join(w for w in (beat.title, beat.subtitle) if w))
    if beat.card == "recap":
        return 0.5 + max(2.5 * pace.hold, said)
    if beat.card in ("plot", "overview"):
        return FADES + max(2.0 * pace.hold, said)
    return FADES + said + (FILLS if beat.card == "summary" else 0.0)


def beat_seconds(plan: Plan) -> list[tuple[str, float]]:
    """Each beat of ``plan`` by name, with the seconds it is estimated to take."""
    seen: set[tuple[str, str]] = set()
    out = []
    for b in plan.beats:
        if b.step is None:
            out.append((b.name, card_seconds(b, plan.pace)))
            continue
        key = (b.step.phase, b.step.op)
        out.append((b.name, step_seconds(plan.trace, b.step, plan.pace, plan.lang, key in seen)))
        seen.add(key)
    return out


def video_seconds(plan: Plan) -> float:
    """The estimated length of the walkthrough of ``plan``, in seconds."""
    return sum(t for _, t in beat_seconds(plan))

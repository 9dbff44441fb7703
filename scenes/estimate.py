"""How long a walkthrough will run, estimated from its plan and its pace without rendering.

Each step beat costs what :func:`scenes.players.common.fill` spends on it: the cells worked one by
one, the reading time of the last, a row at a time for the rest, for every output; plus the caption
set up, the camera's move and the step's end (which waits until the caption has been read). A
transpose flies its numbers instead; a product's first cell is worked term by term; a gradient is
worked output by output, a pan to each, its first cell term by term when its explanation sums a
few terms (:func:`gradient_cells`: a layer norm's or a linear layer's gradient were 10 to 16 s
longer than estimated before this was counted); a loss or a normalisation is worked part by part
(three fills). A card costs its fade in and its reading time (a picture its looking time, a
fast-forward its numbers filling in). The figures are the pace's own (and the plays' run times as
measured at -ql), so a slower pace gives a longer estimate; the estimate is for budgets (a test
keeps the built-in examples' videos under their ceilings), not a promise to the second: measured
at -ql, the real videos run within 4 % of it (transformer_block, multi_head_attention,
mlp_backprop, gradient_through_time; docs/performance.md). A chapter's first step and a step
after a card reframe the camera: that move is the step's own (FOCUS), not one more.

>>> import tracer
>>> from scenes.curated import build_plan
>>> with tracer.record() as trace:
...     y = tracer.relu(tracer.tensor([[1.0, -2.0]], name="x"), name="y")
>>> plan = build_plan(trace)
>>> [(name, round(t, 1)) for name, t in beat_seconds(plan)]
[('title', 4.2), ('0:y', 6.3)]
"""
from __future__ import annotations

from typing import Collection

from tracer.errors import TracerError
from tracer.explain import explain
from tracer.ops.spec import family_of
from tracer.trace import Step, Trace

from . import style
from .pace import Pace, worked_as
from .plan import Beat, Plan, caption_of
from .players import player_for
from .players.gradients import play_grad_flow
from .players.matmul_grad import play_linear_grad, play_matmul_grad
from .players.update import CLIPS

INTRO = 0.55      # header and caption set (measured at -ql: ~0.53 s)
FOCUS = 0.6       # the camera moves to the step's grids
FINISH = 0.3      # highlights off, the step framed
FADES = 0.55      # a card's own fades, as measured at -q l (in; words out, then its page)
FILLS = 4.0       # a summary card's values fill in within this long
FILL = 0.5        # ... each row at most this long
FLIGHT = 1.2      # a transpose's numbers fly to their new cells (scenes.players.structural)
LOOK = 0.6        # the camera turns to the next part of a step worked part by part
PRODUCTS = ("contraction", "layer")          # the families whose cells are sums of products
STAGES = {("forward", "loss"): 3, ("forward", "normalization"): 3}
# the parts a loss (Y − Y′, squares, sum) or a normalisation (mean, spread, scaled) is worked in
CLOSE = 0.3       # a cell worked term by term: its finished line and number shown


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


def step_seconds(trace: Trace, step: Step, pace: Pace, lang: str = "en", again: bool = False,
                 on_canvas: Collection[str] = ()) -> float:
    """The seconds a step beat takes: every output filled (the optimiser's and the generic players
    work two cells, the others the pace's; one cell for an op worked ``again``; a gradient output
    by output, :func:`gradient_cells`, with the tensors the beats before drew, ``on_canvas``), then the
    caption left up until it has been read."""
    worked = 1 if again else 2 if step.phase == "update" else pace.detailed + pace.single
    busy = INTRO + FOCUS + FINISH
    if step.phase == "forward" and step.op == "transpose" and len(trace.tensors[step.outputs[0]].shape) == 2:
        busy += FLIGHT
    else:
        for tid in step.outputs[:1] if step.op in CLIPS else step.outputs:   # a clipping: one worked, a note
            busy += filled(trace.tensors[tid].shape, worked, pace, again)
    if step.phase == "update" and step.op not in CLIPS:   # the new weights fade to the updated colours
        busy += pace.recolour
    family = family_of(step.op)
    if not again:   # a product's first cell term by term, its expression then read
        for terms in products(trace, step):
            busy += pace.detailed * (terms * pace.term_time + pace.hold - pace.cell_time)
        busy += gradient_cells(trace, step, pace, on_canvas)
    if trace.children(step):   # a composite shown whole, worked part by part
        parts = STAGES.get((step.phase, family), 1) - 1
        shape = max((trace.tensors[t].shape for c in trace.children(step) for t in c.outputs), key=len, default=())
        busy += parts * (LOOK + filled(shape, 1 if again else pace.single, pace))
    formula, narration = caption_of(trace, step, lang)
    return busy + max(pace.pause, pace.caption(formula, narration) - busy + INTRO)


def products(trace: Trace, step: Step) -> list[int]:
    """The terms of a forward product's first cell (its inner size), when there are 2 to 8 of them
    (the players work such a cell term by term; a gradient's: :func:`gradient_cells`)."""
    terms: list[int] = []
    if step.phase == "forward" and family_of(step.op) in PRODUCTS and step.inputs:
        terms = list(trace.tensors[step.inputs[0]].shape[-1:])
    return [t for t in terms if 1 < t <= 8]


def by_terms(trace: Trace, step: Step, on_canvas: Collection[str]) -> bool:
    """``step`` is a gradient its player works output by output, its first cell term by term: the
    matmul's and the linear layer's, or one that flows back through the forward step's drawing
    (:func:`scenes.players.gradients.play_grad_flow`, which needs some of it ``on_canvas`` already)."""
    if step.phase != "backward" or step.grad_of is None:
        return False
    player = player_for(trace, step)
    fwd = trace.steps[step.grad_of]
    return player in (play_matmul_grad, play_linear_grad) or (
        player is play_grad_flow and any(t in on_canvas for t in (*fwd.inputs, *fwd.outputs)))


def gradient_cells(trace: Trace, step: Step, pace: Pace, on_canvas: Collection[str]) -> float:
    """The seconds a gradient worked output by output (:func:`by_terms`) takes beyond its cells'
    fill: a pan to each next output (the result before it seen whole first), each output's first
    cell term by term when its explanation sums 2 to 8 terms, and the last cell worked on its own
    left up until its expression is read (a long one stays longer than a hold)."""
    if not by_terms(trace, step, on_canvas):
        return 0.0
    extra = (len(step.outputs) - 1) * (FOCUS + pace.pause)
    for k, tid in enumerate(step.outputs):
        try:
            cell = explain(trace, step, (0,) * len(trace.tensors[tid].shape), output=k, minus="−")
        except TracerError:   # a cell the explanation does not work: filled, not worked
            continue
        read = pace.reading(cell.expression)
        extra += read - pace.hold
        n = len(cell.terms)
        if 1 < n <= 8 and len(cell.partials) == n:
            extra += pace.detailed * (n * pace.term_time + CLOSE + read - pace.cell_time)
    return extra


def filled(shape: tuple[int, ...], worked: int, pace: Pace, again: bool = False) -> float:
    """The seconds one output of ``shape`` takes to fill: ``worked`` cells one by one, the last
    left up to be read, the rest a drawn row at a time (an op worked ``again``: a glance at its
    cell, the rest at once, as the pace says)."""
    rows, cols = grid_of(shape)
    one = min(worked, rows * cols)
    rest = max(0, rows - (one + cols - 1) // cols)
    if again and pace.at_once:
        rest = min(rest, 1)
    return one * pace.cell_time + ((pace.glance if again else pace.hold) if one else 0.0) + rest * pace.row_time


def card_seconds(beat: Beat, pace: Pace, trace: Trace | None = None, again: bool = False) -> float:
    """The seconds a card stays: fading in and out, and its words read (a plot or the whole network
    looked at, :meth:`Pace.looking`, a glance of two holds when shown ``again``; a recap read, then
    taken in, :meth:`Pace.recap`; a fast-forward's numbers filling in, a row at a time)."""
    words = [w for w in (beat.title, beat.subtitle) if w]
    if beat.card == "recap":
        return 0.5 + pace.recap(" ".join(words))
    if again and beat.card in ("plot", "overview"):
        return FADES + 2.0 * pace.hold
    if beat.card == "overview":
        return FADES + pace.looking(" ".join(words + [n.name for n in beat.data or []]))
    if beat.card == "plot":
        return FADES + pace.looking(" ".join(words))
    if beat.card != "summary":
        return FADES + pace.reading(" ".join(words))
    fills = FILLS
    if trace is not None and beat.data is not None:   # a loss per pass, then the rows of the result
        result = beat.data.result(trace)
        n = len(beat.data.losses(trace)) + (grid_of(trace.tensors[result].shape)[0] if result else 0)
        fills = n * min(FILL, FILLS / n) if n else 0.0
    return FADES + fills + pace.reading(" ".join([beat.title, f"×{beat.data.chapter.repeat}" if beat.data else ""]))


def beat_seconds(plan: Plan) -> list[tuple[str, float]]:
    """Each beat of ``plan`` by name, with the seconds it is estimated to take."""
    seen: set[tuple[str, str]] = set()
    looked: set[int] = set()
    on_canvas: set[str] = set()   # the tensors the step beats so far have drawn
    out = []
    for b in plan.beats:
        if b.step is None:
            out.append((b.name, card_seconds(b, plan.pace, plan.trace, id(b.data) in looked)))
            looked.add(id(b.data))
            continue
        key = worked_as(b.step.phase, b.step.op)
        out.append((b.name, step_seconds(plan.trace, b.step, plan.pace, plan.lang, key in seen, on_canvas)))
        seen.add(key)
        on_canvas.update(b.step.inputs, b.step.outputs)
    return out


def video_seconds(plan: Plan) -> float:
    """The estimated length of the walkthrough of ``plan``, in seconds."""
    return sum(t for _, t in beat_seconds(plan))

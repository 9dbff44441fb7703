"""The one routine every player uses to fill an output grid: cell by cell, then row by row.

A player decides *where* things are (which boxes light up, which number appears); this module
decides *how long*: the first cells are worked term by term with a running partial sum, the next
ones with their whole expression at once, the rest a row at a time (``Pace``). Every string comes
from :func:`tracer.explain.explain` or from the trace through :mod:`tracer.display`: nothing here
computes a value. The cells themselves, and their working, are :mod:`.cells`'; the steps' framing
(new grids brought on, the end of a step) is here too.
"""
from __future__ import annotations

from typing import Iterable

from manim import AnimationGroup, Rectangle, Succession, VGroup, VMobject

from tracer.explain.numbers import joined

from .. import anim, glyphs, style
from ..pace import worked_as
from ..words import word
from ..manim_adapter import video_time
from ..plan import caption_of
from ..stage import Stage
from .cells import Work, audit_working, telling_first


def focus_boxes(targets: list[VMobject], out: VMobject | None, color: str = style.HIGHLIGHT) -> list[VMobject]:
    """The highlight boxes round ``targets`` (the operands read) and ``out`` (the cell written, a
    thicker line). A box round a whole cell lies on the cell's edges, not outside them: a cell's
    neighbour above or below writes its number (a gradient in its blue band) close to the shared
    edge, and a box reaching past the edge would cut through those digits; sideways a cell has its
    padding, and a box round a bare number has room to grow."""
    def around(t: VMobject, width: float, pad: float) -> VMobject:
        tall = t.height if isinstance(t, Rectangle) else t.height + pad
        return anim.box_like(t, color, width).stretch_to_fit_width(t.width + pad).stretch_to_fit_height(tall).move_to(t)
    return [around(t, 3.0, 0.08) for t in targets] + ([around(out, 4.5, 0.04)] if out is not None else [])


def _boxes_to(stage: Stage, targets: list[VMobject], out: VMobject | None, run_time: float,
              color: str = style.HIGHLIGHT) -> list:
    """Glide the highlight markers onto ``targets`` (and the output cell), hiding spare ones."""
    rects = focus_boxes(targets, out, color)
    if not targets and out is not None:   # the rest of a result: the box on the cell just worked
        return rest_box(stage, rects[0], run_time)   # grows onto it (not one from an operand, across the gap)
    moves = [anim.Glide(stage.marker(k, r), r, run_time=run_time) for k, r in enumerate(rects)]
    moves += [anim.Reveal([m], to=0.0, run_time=run_time) for m in stage.markers[len(rects):]
              if m.get_stroke_opacity() > 0]
    stage.out_marker = len(rects) - 1 if out is not None else None   # (batches are built before they play)
    return moves


def rest_box(stage: Stage, rect: VMobject, run_time: float) -> list:
    """The highlight box on the result cell just worked glides onto ``rect`` (the rest of the result);
    the others fade out where they are."""
    k = stage.out_marker or 0
    mover = stage.marker(k, rect)
    return [anim.Glide(mover, rect, run_time=run_time)] + [
        anim.Reveal([m], to=0.0, run_time=run_time) for m in stage.markers if m is not mover]


def _pending(w: Work) -> list[VMobject]:
    """A large result's cell is coloured by its value: it appears with its number."""
    if w.target is None or not getattr(w.target, "pending", False) or w.target.fill_rgbas[0, 3] > 0:
        return []   # (a cell already shown, as when its gradient is written: left where it is)
    return [w.target]


def _show(w: Work, run_time: float) -> list:
    # a play re-adds what it animates on top of the canvas, in order: the filled cell first,
    # or it would cover its own number
    out = [anim.Reveal([c], run_time=run_time) for c in _pending(w)]
    out.append(anim.Reveal([w.text, *w.extra], run_time=run_time))
    if w.hide:
        out.append(anim.Reveal(w.hide, to=0.0, run_time=run_time))
    return out


def _group(mobs: Iterable[VMobject]) -> VMobject:
    return VGroup(*[m for m in mobs if m is not None])


def detailed(stage: Stage, w: Work, color: str) -> list:
    """Term by term: the two cells of each product light up, each in its own box (not one box spanning
    the canvas between them), and the partial sum grows in the cell."""
    pace = stage.pace
    holder = stage.camera.bubble
    steps = []
    for t in range(len(w.terms)):
        boxes = w.term_boxes[t] if t < len(w.term_boxes) else []
        shown = joined(w.terms[:t + 1])   # a negative term as a subtraction, as the finished line
        partial = w.partials[t] if t < len(w.partials) else ""
        line = f"{shown} = {partial}" if partial else shown
        bubble = None
        if partial and w.target is not None:
            bubble = glyphs.fit_width(glyphs.number(partial, color, style.SMALL_NUMBER_SIZE), w.target.width - 0.06)
            bubble.move_to(w.target).set_opacity(0.75).set_z_index(16)
        steps.append(AnimationGroup(*_boxes_to(stage, boxes, w.target, pace.term_time * 0.5),
                                    stage.say(line, color), anim.Swap(holder, bubble, run_time=pace.term_time * 0.3)))
        steps.append(anim.hold(pace.term_time * 0.5))
    steps.append(AnimationGroup(anim.Swap(holder, None, run_time=0.1), stage.say(w.expression, color),
                                *_show(w, 0.3)))
    steps.append(anim.hold(pace.reading(w.expression)))   # the finished working stays to be read
    return steps


def single(stage: Stage, w: Work, color: str, last: bool = False, again: bool = False) -> list:
    """The whole cell at once: its row / column light up, the expression shows, the number appears
    (the last cell worked stays long enough to read; a glance for an op worked ``again``)."""
    t = stage.pace.cell_time
    rest = (stage.pace.again if again else stage.pace.reading)(w.expression) if last else t * 0.2
    return [AnimationGroup(*_boxes_to(stage, w.boxes, w.target, t * 0.4), stage.say(w.expression, color)),
            AnimationGroup(*_show(w, t * 0.4)), anim.hold(rest)]


def by_rows(stage: Stage, works: list[Work], color: str, note: str, at_once: bool = False) -> list:
    """The rest, a drawn row at a time (or all ``at_once``): the row of results lights up and fills in."""
    rows: dict[float, list[Work]] = {}
    for w in works:
        y = 0.0 if at_once or w.target is None else round(float(w.target.get_center()[1]), 3)
        rows.setdefault(y, []).append(w)
    steps = []
    for row in rows.values():
        targets = [w.target for w in row if w.target is not None]
        boxes = _boxes_to(stage, [], _group(targets) if targets else None, stage.pace.row_time * 0.4)
        steps.append(AnimationGroup(*boxes, stage.say(note, color)))
        steps.append(AnimationGroup(*[a for w in row for a in _show(w, stage.pace.row_time * 0.6)]))
    return steps


def fill(stage: Stage, works: list[Work], color: str = style.COMPUTED, note: str | None = None,
         detailed_n: int | None = None, single_n: int | None = None) -> None:
    """Play the filling of ``works``: detailed cells, single cells, then rows, each batch one play.
    An op worked in an earlier step is not worked again in full: one cell, then rows (at the
    normal and fast paces a glance at the cell, then the rest at once)."""
    step = stage.step
    again = step is not None and stage.worked.setdefault(worked_as(step.phase, step.op), step.id) != step.id
    works = telling_first(stage, works)   # skipped too: the audit sees the cell the video works
    if stage.hints.get("audit") and works:
        audit_working(stage, works[0])
    if stage.skipping:  # the end state only: every number shown, every replaced one gone
        for w in works:
            for m in (w.text, *w.extra, *_pending(w)):
                if m is not None:
                    anim.set_alpha_all(m, 1.0)
            for m in w.hide:
                anim.set_alpha_all(m, 0.0)
        return
    pace = stage.pace
    d = pace.detailed if detailed_n is None else detailed_n
    s = pace.single if single_n is None else single_n
    if again:
        d, s = 0, min(s, 1)
    batches: list[list] = []
    for k, w in enumerate(works):
        if w.make is not None and k < d + s:
            made = w.make()
            made.hide = made.hide or w.hide
            w = made
        if k < d and 1 < len(w.terms) <= 8 and len(w.partials) == len(w.terms):
            batches.append(detailed(stage, w, color))
        elif k < d + s:
            if not batches or len(batches[-1]) > 60:
                batches.append([])
            batches[-1].extend(single(stage, w, color, last=k == min(d + s, len(works)) - 1, again=again))
        else:
            rest = works[k:]
            batches.append(by_rows(stage, rest, color, note or word("entry_rest", stage.lang),
                                   at_once=again and pace.at_once))
            break
    for b in batches:
        if b:
            stage.play(Succession(*b))
            stage.tidy()
    stage.filled = bool(batches)


def look(stage: Stage, grids: list) -> None:
    """Pan to ``grids`` (what the next cells read and write) when they are not all in view: a step
    too wide for one view is worked a part at a time."""
    moves = stage.camera.focus(grids)
    if moves:
        stage.play(*moves, run_time=0.6)


def relabel(stage: Stage, grid, text: str) -> list:
    """``grid``'s name label changes to ``text`` (it shows another tensor, or the old value of
    one). The grid owns the new label; the old one fades out over it and leaves the scene at the
    next tidy."""
    old, new = grid.rename(text)
    if old is None:
        return []
    stage.scene.add(old)
    stage.canvas.trash.append(old)
    return [anim.Reveal([old], to=0.0), anim.Reveal([new])]


def show_new(stage: Stage, grids: list, *extra, run_time: float = 0.6, focus: list | None = None) -> None:
    """Bring new grids onto the canvas and pan the camera to the work (one play)."""
    anims = stage.canvas.add_grids(*grids) + list(extra)
    moves = stage.camera.focus(focus if focus is not None else grids)
    if moves:   # the camera leaves the work before: a result just filled is seen whole first, and
        if stage.filled and not stage.skipping:   # the boxes on it do not ride the pan
            stage.scene.pause(stage.pace.pause)
        anims += stage.hide_markers() + moves
    stage.filled = False
    if anims:
        stage.play(*anims, run_time=run_time)


def finish(stage: Stage) -> None:
    """The end of a step: highlights off, work line cleared, all the step's grids framed when
    they fit, a pause (and a record of what is shown, when the plan asks for one: tests audit
    every step)."""
    stage.filled = False   # (its own pause follows)
    anims = stage.hide_markers()
    anims.append(anim.Swap(stage.camera.work, None, run_time=0.1))
    moves = stage.frame_step(stage.step)
    stage.play(*anims, *moves, run_time=0.5 if moves else 0.25)
    stage.tidy()
    if stage.hints.get("audit"):
        stage.audits.append(stage.shown_numbers())
    # the caption has been up since the step began: it stays until it has been read
    shown = video_time(stage.scene) - stage.step_start
    formula, narration = caption_of(stage.trace, stage.step, stage.lang) if stage.step is not None else ("", "")
    stage.scene.pause(max(stage.pace.pause, stage.pace.caption(formula, narration) - shown))


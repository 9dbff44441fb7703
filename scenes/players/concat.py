"""Joining tensors: ``concat`` (the heads of multi-head attention side by side, then one matrix
for W_O) and its gradient (each part takes its slice of the joined gradient back).

Every part gets a colour of its own: an outline around the part and the same outline around the
block of the result its numbers land in, so the joined matrix says where each cell came from. The
numbers fly from the part's cells to the result's (nothing is computed: each end is the trace's
number). Parts already on the canvas are reused when they fit in one view with the result;
otherwise they are drawn again, side by side as they will be joined, next to the result.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, AnimationGroup, Rectangle, Succession, VGroup, rush_from

from tracer.explain.lines import cell_ref
from tracer.explain.working import tensor_label

from .. import anim, style
from ..canvas import fits_one_view
from ..grid import NumberGrid
from ..near import near
from ..stage import Stage
from ..supersede import supersede
from ..words import word
from . import BACKWARD, DECLINE, FORWARD, register
from .cells import explain_cell
from .common import finish, show_new
from .gradients import named

PART_COLORS = ("#7048E8", "#0CA678", "#9C36B5", "#5C940D", "#1098AD", "#C92A2A")


def part_color(k: int) -> str:
    return PART_COLORS[k % len(PART_COLORS)]


def _two_d(stage: Stage, tids) -> bool:
    return all(len(stage.trace.tensors[t].shape) == 2 for t in tids)


def spans(stage: Stage, parts: list[str], axis: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]``: the rows (axis 0) or columns (axis 1) of the result each part fills."""
    out, start = [], 0
    for t in parts:
        n = stage.trace.tensors[t].shape[axis]
        out.append((start, start + n))
        start += n
    return out


def source(index: tuple[int, ...], axis: int, span: tuple[int, int]) -> tuple[int, ...]:
    """The part's own cell behind result cell ``index`` (which lies in ``span``)."""
    idx = list(index)
    idx[axis] -= span[0]
    return tuple(idx)


def part_labels(stage: Stage, step) -> list[str]:
    """The names of the parts ``step`` joins, as a working names them
    (:func:`tracer.explain.working.tensor_label`): when they repeat (every head's output is
    ``z``), the scope that made each one goes in front, ``head1 · z``."""
    return [tensor_label(stage.trace, step, t) for t in step.inputs]


def _drawn(stage: Stage, tid: str) -> NumberGrid | None:
    s = stage.slot(tid)
    return s.grid if s is not None and s.lane == "value" and s.grid in stage.canvas.grids else None


def fits(mobs: list) -> bool:
    """``mobs`` fit in one view (zoomed out as far as the camera goes: :func:`~scenes.canvas.fits_one_view`)."""
    group = VGroup(*[m for m in mobs if m is not None])
    return fits_one_view(group.get_corner(DOWN + LEFT), group.get_corner(UP + RIGHT))


def place(stage: Stage, step, parts: list[str], axis: int, labels: list[str]) -> tuple[list[NumberGrid], NumberGrid, list[NumberGrid]]:
    """The parts' grids, the result's grid and the grids that are new."""
    out = step.outputs[0]
    side = "right" if axis == 0 else "down"
    drawn = [_drawn(stage, t) for t in parts]
    if all(g is not None for g in drawn) and len({id(g) for g in drawn}) == len(drawn):
        anchor = max(drawn, key=lambda g: g.get_right()[0]) if axis == 0 else min(drawn, key=lambda g: g.get_bottom()[1])
        gout = stage.canvas.beside(anchor, out, side)
        if fits(drawn + [gout]) and all(near(stage.canvas, [anchor, gout], g) for g in drawn):   # else: far apart
            return drawn, gout, [gout]
    grids: list[NumberGrid] = []
    for t, label in zip(parts, labels):   # drawn again, as they will be joined
        if not grids:
            g = stage.canvas.fresh(t, label=label)
        else:
            g = stage.canvas.beside(grids[-1], t, "down" if axis == 0 else "right", label=label, hidden=False,
                                    gap=style.GRID_GAP)
        stage.canvas.register(g)
        stage.bind(t, g)
        supersede(stage, t, g)   # the part drawn before (the slice's x) leaves: one x on screen
        grids.append(g)
    gout = stage.canvas.beside(grids[0], out, side)
    return grids, gout, grids + [gout]


def outline(mobs: list, color: str) -> Rectangle | None:
    """A coloured frame around ``mobs`` (hidden: revealed with its part)."""
    mobs = [m for m in mobs if m is not None]
    if not mobs:
        return None
    group = VGroup(*mobs)
    rect = Rectangle(width=group.width + 0.1, height=group.height + 0.1, stroke_color=color,
                     stroke_width=4, fill_opacity=0.0).move_to(group)
    rect.set_stroke(opacity=0).set_z_index(5)
    return rect


def _block(gout: NumberGrid, axis: int, span: tuple[int, int]) -> list:
    """The drawn cells of the result that part ``span`` fills."""
    return [gout.cell(i) for i in gout.shown() if span[0] <= i[axis] < span[1]]


def fly(stage: Stage, pairs: list, run_time: float = 0.9) -> list:
    """Copies of the numbers ``src`` glide onto ``dst`` (which appear as they land). They leave at
    once and slow down to land (``rush_from``): under the default easing a copy sat half over its
    source for the first ~40% of the flight, two numbers written over each other."""
    pairs = [(s, d) for s, d in pairs if s is not None and d is not None]
    if stage.skipping or not pairs:
        return []
    copies = []
    for s, d in pairs:
        c = s.copy()
        anim.set_alpha_all(c, 1.0)
        copies.append((c, d))
    stage.scene.add(*[c for c, _ in copies])
    stage.canvas.trash += [c for c, _ in copies]
    return [c.animate(run_time=run_time, rate_func=rush_from).move_to(d) for c, d in copies]


@register(FORWARD, "concat")
def play_concat(stage: Stage, step) -> object:
    """Each part in its colour; its numbers fly into its block of the joined result."""
    parts, out = list(step.inputs), step.outputs[0]
    axis = step.attrs.get("axis", 0)
    if not _two_d(stage, parts + [out]) or axis not in (0, 1, -1, -2):
        return DECLINE
    axis %= 2
    labels = part_labels(stage, step)
    grids, gout, new = place(stage, step, parts, axis, labels)
    stage.canvas.register(gout)
    stage.bind(out, gout)
    frames = []
    for k, (g, span) in enumerate(zip(grids, spans(stage, parts, axis))):
        frames.append((outline([g.body], part_color(k)), [c for c in _block(gout, axis, span) if c is not None], span))
    stage.canvas.add_loose(*[f for f, _, _ in frames if f is not None])
    stage.layouts[step.id] = {"out": gout, "parts": grids, "frames": frames}
    show_new(stage, new, focus=grids + [gout])
    name = stage.trace.tensors[out].name
    for k, (g, (f_part, block, span)) in enumerate(zip(grids, frames)):
        cells = [i for i in gout.shown() if span[0] <= i[axis] < span[1]]
        pairs = [(g.entry(source(i, axis, span)), gout.entry(i)) for i in cells]
        say = stage.say(join_caption(stage.lang, axis, labels[k], span, name), part_color(k))
        edges = [c.animate(run_time=0.4).set_stroke(part_color(k), width=2.5) for c in block]  # its block's cells
        stage.play(*([anim.Reveal([f_part], run_time=0.4)] if f_part is not None else []), *edges, say,
                   *fly(stage, pairs))
        stage.play(anim.Reveal([gout.entry(i) for i in cells], run_time=0.2))
        stage.tidy()
    stage.play(stage.say(word("concat_done", stage.lang), style.COMPUTED))
    finish(stage)


def join_caption(lang: str, axis: int, part: str, span: tuple[int, int], out: str) -> str:
    """``x → rows 3–4 of hx``: where a part lands, counted from 1 as a reader counts rows (the
    grid's indices, ``hx[2, 0]``, stay NumPy's); one row is ``row 3``."""
    lo, hi = span[0] + 1, span[1]
    key = ("concat_rows" if axis == 0 else "concat_cols") if hi > lo else ("concat_row" if axis == 0 else "concat_col")
    return word(key, lang, part=part, lo=lo, hi=hi, out=out)


def bring_back(stage: Stage, gid: str, grid: NumberGrid) -> None:
    """Show gradient ``gid`` in ``grid``'s band; when it was written under another drawing of
    the same tensor (the copy a later product layout drew), its numbers fly over from there."""
    from .bands import ensure_shown_grad, grad_band

    s = stage.slot(gid)
    if s is None or s.lane != "grad" or s.grid is grid or s.grid not in stage.canvas.grids:
        return ensure_shown_grad(stage, gid, grid)
    other = s.grid
    slot = grad_band(stage, grid, gid)
    moves = stage.camera.focus([other, grid])
    if moves:
        stage.play(*moves, run_time=0.6)
    pairs = [(other.grad_entry(i), slot.entry(i)) for i in grid.shown()]
    stage.play(stage.say(word("grad_in", stage.lang, grad=stage.trace.tensors[gid].name), style.GRAD),
               *fly(stage, pairs))
    stage.play(anim.Reveal([slot.entry(i) for i in grid.shown()], run_time=0.2),
               anim.Reveal(list(slot.replaces.values()), to=0.0, run_time=0.2))
    stage.tidy()


def _redraw(stage: Stage, fwd, parts: list[str], axis: int) -> tuple[list, NumberGrid]:
    """The forward join drawn again, its numbers given (not worked): the parts as they were
    joined, each outlined in its colour, the joined tensor beside them."""
    grids, gout, new = place(stage, fwd, parts, axis, part_labels(stage, fwd))
    stage.canvas.register(gout)
    stage.bind(fwd.outputs[0], gout)
    for g in new:
        for t in g.values.values():
            t.set_opacity(1)
    frames = [(outline([g.body], part_color(k)), _block(gout, axis, span), span)
              for k, (g, span) in enumerate(zip(grids, spans(stage, parts, axis)))]
    for k, (f, block, _) in enumerate(frames):   # where each part's numbers sit, at once
        if f is not None:
            f.set_stroke(opacity=1)
        for c in block:
            if c is not None:
                c.set_stroke(part_color(k), width=2.5)
    stage.canvas.add_loose(*[f for f, _, _ in frames if f is not None])
    stage.layouts[fwd.id] = {"out": gout, "parts": grids, "frames": frames}
    show_new(stage, new, focus=grids + [gout])
    return grids, gout


def _first_cell(stage: Stage, step, part: str) -> str:
    """``;  dhidden[0, 0] = dhx[0, 0] = 0.06``: the part's first gradient cell, the cell of the
    joined gradient it is (:func:`tracer.explain.explain`), so the slice is read, not guessed."""
    gid = step.grad_map[part]
    record = stage.trace.tensors[gid]
    if record.size == 0:
        return ""
    index = (0,) * len(record.shape)
    w = explain_cell(stage, step, index, step.outputs.index(gid))
    if not w.lines[-1] or w.formula == "0":   # unseen (a skipped section), or nothing flows back
        return ""
    return ";  " + named(cell_ref(tensor_label(stage.trace, step, gid), index), w.expression)


@register(BACKWARD, "concat")
def play_concat_grad(stage: Stage, step) -> object:
    """The joined gradient (in the result's blue band) is cut back into the parts' bands."""
    from .bands import grad_band

    fwd = stage.trace.steps[step.grad_of]
    out, parts = fwd.outputs[0], list(fwd.inputs)
    axis = fwd.attrs.get("axis", 0)
    lay = stage.layouts.get(fwd.id, {})
    gout = lay["out"] if lay.get("out") in stage.canvas.grids else _drawn(stage, out)
    grids = [_drawn(stage, t) for t in parts]
    owed = [(k, t) for k, t in enumerate(parts) if t in step.grad_map]
    if stage.mode != "canvas" or not _two_d(stage, parts + [out]):
        return DECLINE
    axis %= 2
    if gout is None or any(grids[k] is None for k, _ in owed):   # the join not on the canvas (worked in a
        grids, gout = _redraw(stage, fwd, parts, axis)         # chapter fast-forwarded): drawn again, both parts
    if not gout.has_grad or any(not grids[k].has_grad for k, _ in owed):
        return DECLINE
    g_in = step.inputs[0]
    bring_back(stage, g_in, gout)
    data = [k for k, t in enumerate(parts) if t not in step.grad_map and grids[k] is not None]   # x: no gradient owed
    moves = stage.camera.focus([gout] + [grids[k] for k in sorted({k for k, _ in owed} | set(data))])
    if moves:
        stage.play(*moves, run_time=0.6)
    labels = part_labels(stage, fwd)
    frames = stage.layouts.get(fwd.id, {}).get("frames")
    gname = stage.trace.tensors[g_in].name
    for k, t in owed:
        span = spans(stage, parts, axis)[k]
        grid = grids[k]
        slot = grad_band(stage, grid, step.grad_map[t])
        cells = [i for i in gout.shown() if span[0] <= i[axis] < span[1]]
        pairs = [(gout.grad_entry(i), slot.entry(source(i, axis, span))) for i in cells]
        lit = [frames[k][0]] if frames and k < len(frames) and frames[k][0] is not None else []
        marks = [anim.Glide(stage.marker(0, grid.body), anim.box_like(VGroup(*_block(gout, axis, span)), part_color(k), 4.0))]
        say = stage.say(word("concat_grad", stage.lang, part=labels[k], grad=gname) + _first_cell(stage, step, t),
                        style.GRAD)
        stage.play(*marks, say, *([anim.Reveal(lit, run_time=0.3)] if lit else []), *fly(stage, pairs))
        landed = [slot.entry(i) for i in grid.shown()]
        stage.play(anim.Reveal(landed, run_time=0.2),
                   anim.Reveal([v for v in slot.replaces.values()], to=0.0, run_time=0.2))
        stage.tidy()
    for k in data:   # the split shows both parts: the slice of a part that is data is boxed, and goes nowhere
        span = spans(stage, parts, axis)[k]
        box = anim.box_like(VGroup(*_block(gout, axis, span)), part_color(k), 4.0)
        marks = [anim.Glide(stage.marker(0, grids[k].body), box),
                 anim.Glide(stage.marker(1, grids[k].body), anim.box_like(grids[k].body, part_color(k), 4.0))]
        said = word("concat_grad_data", stage.lang, part=labels[k], grad=gname)
        stage.play(Succession(AnimationGroup(*marks, stage.say(said, style.MUTED)), anim.hold(stage.pace.reading(said))))
        stage.tidy()
    finish(stage)


__all__ = ["play_concat", "play_concat_grad", "part_color", "spans", "source", "part_labels"]

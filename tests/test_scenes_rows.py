"""Operands side by side, not stacked (:mod:`scenes.rows`): the LSTM's and GRU's gradient steps drew
the gates they read one under another (the inputs of a step shown as inputs → outputs, the forward
inputs a gradient step found undrawn), a column of 4×1 grids taller than the view: the camera
zoomed out to frame its height (1.44 to 1.56 in gradient_through_time, cell.grad's work filling
6% of the width), the digits drew small and the right half of the frame stayed empty."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes import style  # noqa: E402
from scenes.camera import MIN_ZOOM  # noqa: E402
from scenes.canvas import Canvas  # noqa: E402
from scenes.rows import next_in_row  # noqa: E402
from tracer.ops.spec import family_of  # noqa: E402

from .test_scenes_operands import _stages, workings  # noqa: E402
from .test_stage import scene  # noqa: E402,F401  (fixture)

EPS = 1e-6
USABLE = np.array([style.FRAME_WIDTH - 0.5, style.FRAME_HEIGHT - style.CAPTION_HEIGHT - style.TOP_MARGIN - 0.1])


@pytest.fixture(scope="module")
def gates() -> tracer.Trace:
    with tracer.record() as t:
        a = tracer.tensor(np.arange(4.0).reshape(4, 1) / 10, name="a")
        b = tracer.tensor(np.arange(4.0).reshape(4, 1) / 7, name="b")
        tracer.mul(a, b, name="ab")
        wide = tracer.tensor(np.arange(36.0).reshape(4, 9) * 1234.5, name="wide")
        tracer.add(wide, tracer.tensor(np.arange(36.0).reshape(4, 9) * 4321.5, name="wide2"), name="sum")
    return t


def _tid(trace, name: str) -> str:
    return next(r.id for r in trace.tensors.values() if r.name == name)


def test_thin_grids_go_side_by_side_and_wide_ones_one_under_another(scene, gates):
    canvas = Canvas(scene, gates)
    a = canvas.fresh(_tid(gates, "a"))
    canvas.register(a)
    b = next_in_row(canvas, [a], _tid(gates, "b"), hidden=False)
    assert b.body.get_left()[0] > a.body.get_right()[0]                   # right of it
    assert abs(b.body.get_top()[1] - a.body.get_top()[1]) < EPS          # tops aligned
    wide = canvas.fresh(_tid(gates, "wide"))
    canvas.register(wide)
    under = next_in_row(canvas, [wide], _tid(gates, "wide2"), hidden=False)
    assert under.body.get_top()[1] < wide.body.get_bottom()[1]           # a row of two would be wider than a view
    assert abs(under.body.get_left()[0] - wide.body.get_left()[0]) < EPS


def _views(name: str, folder) -> list[tuple[str, float, float, float]]:
    """(step, zoom, parts of the view's width and height the work spans) at the end of each backward
    step of the recurrent cells worked entry by entry (and as each of its outputs is worked)."""
    trace, plan, seen = workings(name, folder)
    stage = _stages[name]

    def spans(area, boxes) -> tuple[float, float, float]:
        lo, hi = area
        inside = [b for b in boxes if (b[0][:2] >= lo - EPS).all() and (b[1][:2] <= hi + EPS).all()]
        zoom = float((hi[0] - lo[0]) / style.FRAME_WIDTH)
        if len(inside) < 2:
            return zoom, 1.0, 1.0
        width = max(b[1][0] for b in inside) - min(b[0][0] for b in inside)
        height = max(b[1][1] for b in inside) - min(b[0][1] for b in inside)
        return zoom, float(width / (USABLE[0] * zoom)), float(height / (USABLE[1] * zoom))

    def entrywise(step) -> bool:
        fwd = trace.steps[step.grad_of] if step.grad_of is not None else step
        cell = any(part in step.name.split(".") for part in ("lstm", "gru"))
        # not an accumulate step: its contribution goes right of its band or under it, whichever the
        # two are framed closer with (scenes.players.bands.place_grad), not where this layout puts it
        return cell and step.phase == "backward" and family_of(fwd.op) == "elementwise" and step.op != "accumulate"

    out = [(b.step.name, *spans(f["area"], f["shown"])) for b, f in zip(plan.step_beats, stage.framings)
           if entrywise(b.step)]
    out += [(trace.steps[w["step"]].name, *spans(w["area"], list(w["drawn"].values())))
            for w in seen if entrywise(trace.steps[w["step"]])]
    assert len(out) >= 6
    return out


def stacked(views) -> list:
    """Views the camera stepped back for (past its closest) whose work spans less than 40% of the
    width and most of the height: a column framed by its height. (Two thin grids side by side that
    the camera did not come closer to, the work being in view already, span little of either.)"""
    return [(s, round(z, 2), round(w, 2), round(h, 2)) for s, z, w, h in views
            if z > MIN_ZOOM + EPS and w < 0.4 and h > 0.6]


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_a_cells_gradient_steps_draw_their_gates_side_by_side(name, tmp_path):
    """lstm: kept.grad's kept over written framed at zoom 0.94, spanning 10-15% of the width."""
    bad = stacked(_views(name, tmp_path))
    assert not bad, bad


@pytest.mark.slow
def test_gradient_through_time_draws_its_gates_side_by_side(tmp_path):
    views = _views("gradient_through_time", tmp_path)
    bad = stacked(views)
    assert not bad, bad
    assert max(z for _, z, _, _ in views) <= style.LEGIBLE_ZOOM + EPS   # 1.56 before: digits 7 px tall

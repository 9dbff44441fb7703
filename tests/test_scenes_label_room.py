"""Every label readable (issue 9): at the end of each step of the issue's two examples, and at the
end of every play within it, no grid's label (its name, a row name, a column name) lies over a
cell of another grid or over another label, no two names of one grid's columns (or rows) stand
closer than a word space would leave, and no label is left on the scene without its grid (the old
name of a grid renamed in place by a ReLU, a name whose grid has left). The stage's framing
records the labels of the grids on show and the orphans (:mod:`scenes.label_room`), and so does
each play, and so does each play's middle (:mod:`scenes.midway`: a label covered through it, by a
grid moving or fading in, that is gone by the play's end); the walkthrough is laid out without
drawing a frame (a still of its last beat, every beat before it in a skipped section), and once drawn, the video, where grids leaving the camera's
view fade under a veil (slow). The line under each share of a sum (its way back, in words) and
the loose arrows are audited as labels are."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.label_room import crowded, overlap  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402

EXAMPLES = ["transformer_block", "next_token"]
_laid: dict[str, tuple] = {}


def framings(name: str, folder) -> tuple:
    if name not in _laid:
        plan = build_plan(run(name))
        plan.hints["audit"] = plan.hints["audit_midway"] = True
        scene = render_scene(plan, plan.window, folder / f"{name}.png", "l", still=True)
        _laid[name] = plan, scene.stage.framings, scene.stage.played_labels, scene.stage.midway
    return _laid[name]


def findings(played: list[dict]) -> list[tuple]:
    """What the audit finds at the end of each play: (step, what is wrong)."""
    bad = []
    for f in played:
        step = f["step"].name if f["step"] is not None else None
        bad += [(step, said) for said in crowded(f["labels"])]
        bad += [(step, f"{o}'s label left without its grid") for o in f["orphans"]]
    return bad


def test_overlap_is_strict():
    a = ((0.0, 0.0), (1.0, 1.0))
    assert overlap(a, ((0.5, 0.5), (2.0, 2.0)))
    assert not overlap(a, ((1.0, 0.0), (2.0, 1.0)))       # touching edges leave room
    labels = [{"grid": 1, "name": "W", "kind": "name", "box": a, "cells": ((0.0, -3.0), (1.0, -1.0))},
              {"grid": 2, "name": "X", "kind": "row", "box": ((3.0, 3.0), (4.0, 4.0)),
               "cells": ((0.5, 0.5), (2.0, 2.0))}]
    assert crowded(labels) == ["W's name label over the cells of X"]


def test_a_share_line_and_an_arrow_are_audited_like_labels():
    """The line under a share (its way back, longer in words than z_o) and a loose arrow lie over
    no label and no cells; an arrow may touch the cells of the grids it joins only."""
    cells = {1: ((0.0, 0.0), (1.0, 1.0)), 2: ((3.0, 0.0), (4.0, 1.0)), 3: ((1.5, -2.0), (2.5, -1.0))}
    path = {"grid": 1, "name": "dhx′", "kind": "path", "box": ((0.0, -1.2), (2.0, -0.9)), "cells": cells[1]}
    arrow = {"grid": 9, "name": "dhx″ → dhx", "kind": "arrow", "box": ((0.9, 0.4), (3.1, 0.6)), "cells": None,
             "owners": {1, 2}}
    other = [{"grid": k, "name": n, "kind": "name", "box": ((c[0][0], 1.1), (c[0][0] + 0.4, 1.3)), "cells": c}
             for k, n, c in ((2, "dhx", cells[2]), (3, "c", cells[3]))]
    assert crowded([path, arrow, *other]) == ["dhx′'s path label over the cells of c"]
    assert crowded([{**arrow, "owners": {1}}, *other]) == ["dhx″ → dhx's arrow label over the cells of dhx"]


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_an_lstms_gradient_sums_leave_their_share_lines_and_arrows_room(lang, tmp_path):
    """The LSTM's sums worked apart (d[h; x] through two gates, the cell state read twice), each
    share with its way back in words under it, in English and in Chinese: no share line or arrow
    over a label or another grid's cells, at the end of every play and through its middle."""
    trace = run("lstm")
    lo, hi = (trace.step(f"train.0.lstm.{n}.grad_sum").id for n in ("t2.hx", "t1.cell"))
    plan = build_plan(trace, steps=f"{lo}..{hi}", lang=lang)
    plan.hints["audit"] = plan.hints["audit_midway"] = True
    stage = render_scene(plan, plan.window, tmp_path / "sums.png", "l", still=True).stage
    kinds = {label["kind"] for f in stage.played_labels for label in f["labels"]}
    assert {"path", "arrow"} <= kinds   # the audit saw them
    bad = findings(stage.played_labels) + [(m["step"].name, said) for m in stage.midway for said in m["found"]]
    assert not bad, f"{len(bad)} crowded: {bad[:6]}"


def test_names_of_one_grid_keep_a_gap_a_word_space_would_not_leave():
    def col(x0, text, kind="col", grid=1):
        return {"grid": grid, "name": "P", "kind": kind, "box": ((x0, 0.0), (x0 + 0.6, 0.15)),
                "cells": ((0.0, -2.0), (3.0, -0.1)), "text": text}
    word_space = [col(0.0, "once"), col(0.8, "upon")]            # 0.2 apart: reads "once upon"
    assert crowded(word_space) == ["P's col names 'once' and 'upon' 0.20 apart (less than 0.28)"]
    assert crowded([col(0.0, "once"), col(0.9, "upon")]) == []   # 0.3: two names
    assert crowded([col(0.0, "once"), col(0.8, "upon", grid=2)]) == []   # other grids: only no overlap
    assert crowded([col(0.0, "once"), col(0.8, "upon", kind="row")]) == []
    rows = [{**col(0.0, "once", "row"), "box": ((0.0, y), (0.6, y + 0.15))} for y in (0.0, 0.2)]
    assert crowded(rows) == ["P's row names 'once' and 'once' 0.05 apart (less than 0.1)"]


def test_narrow_columns_are_widened_for_their_names():
    import numpy as np

    from scenes.grid import NumberGrid
    from scenes.label_room import MIN_GAP, gap, label_boxes
    from tracer.trace import TensorRecord

    t = TensorRecord("t0", "t", (1, 3), "float64", "input", _data=np.array([[1.0, 2.0, 3.0]]))
    names = ["once", "upon", "a"]
    g = NumberGrid(t, col_labels=names)          # one-digit numbers: narrow cells
    cols = [b for b in label_boxes([g]) if b["kind"] == "col"]
    assert [b["text"] for b in cols] == names
    assert min(gap(a["box"], b["box"]) for a, b in zip(cols, cols[1:])) >= MIN_GAP["col"]
    wide = NumberGrid(t, col_labels=["a_very_long_name"] * 3)   # shrunk to fit, not a cell as wide
    assert wide.cell_w < 1.6 and all(m.width <= wide.cell_w - MIN_GAP["col"] for m in wide.col_labels)


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_label_is_crowded_or_orphaned(name, tmp_path_factory):
    plan, framed, played, midway = framings(name, tmp_path_factory.mktemp("label_room"))
    assert len(framed) == len(plan.step_beats)
    bad, labelled = [], 0
    for beat, f in zip(plan.step_beats, framed):
        labelled += len(f["labels"])
        bad += [(beat.step.name, said) for said in crowded(f["labels"])]
        bad += [(beat.step.name, f"{o}'s label left without its grid") for o in f["orphans"]]
    assert labelled > len(framed)   # the grids on show are named
    assert not bad, f"{len(bad)} crowded or orphaned: {bad[:6]}"
    # and at the end of every play within a step (a grid drawn, the camera moved, a rename)
    assert len(played) > len(framed) and {f["step"].id for f in played if f["step"] is not None} >= {b.step.id for b in plan.step_beats}
    bad = findings(played)
    assert not bad, f"{len(bad)} crowded or orphaned mid-step: {bad[:6]}"
    # and through the middle of every play laid out
    assert len(midway) >= len(played) // 2 and len(midway) > len(framed)
    assert sum(m["read"] == 3 for m in midway) > len(midway) // 2
    bad = [(m["step"].name, said) for m in midway for said in m["found"]]
    assert not bad, f"{len(bad)} crowded through a play's middle: {bad[:6]}"


@pytest.mark.slow
def test_no_label_is_crowded_or_orphaned_at_any_play_of_the_video(tmp_path):
    """Drawn (few frames a second: the plays are the same), grids leave the camera's view under a
    paper veil, labels and all: covered, not left behind; mid-play, the labels are read at the
    frames drawn (grids culled out of view are not)."""
    plan = build_plan(run("next_token"))
    plan.hints["audit"] = plan.hints["audit_midway"] = True
    scene = render_scene(plan, plan.window, tmp_path / "next_token.mp4", "l", fps=5)
    played = scene.stage.played_labels
    assert len(played) > len(plan.step_beats)
    bad = findings(played)
    assert not bad, f"{len(bad)} crowded or orphaned: {bad[:6]}"
    # and through the middle of every play, read at the frames drawn (scenes.midway.Probe)
    midway = scene.stage.midway
    assert len(midway) > len(plan.step_beats) and sum(m["read"] > 0 for m in midway) > len(midway) // 2
    bad = [(m["step"].name if m["step"] else None, said) for m in midway for said in m["found"]]
    assert not bad, f"{len(bad)} crowded through a play's middle: {bad[:6]}"


def test_an_arrow_ends_short_of_the_row_names_and_a_name_beside_the_grid():
    from manim import RIGHT

    from scenes.canvas import Canvas
    from scenes.players.generic import arrow_between

    class Scene:
        def add(self, *mobs):
            pass

    trace = run("transformer_block")
    canvas = Canvas(Scene(), trace)
    named = [r.id for r in trace.tensors.values() if r.labels and r.labels[0] and len(r.shape) == 2]
    a = canvas.make_grid(named[0])
    for side in ("up", "left"):
        b = canvas.make_grid(named[1], label_side=side).next_to(a, RIGHT, buff=3.0)
        end = arrow_between(a, b).get_end()[0]
        assert end < b.row_labels.get_left()[0]   # the row names are drawn between arrow and cells
        if side == "left":
            assert end < b.name_label.get_left()[0]
            assert b.brackets.get_left()[0] - b.name_label.get_right()[0] >= 0.3 - 1e-6   # NAME_GAP off


def test_a_grid_renamed_in_place_owns_its_new_name_and_the_old_one_is_an_orphan_while_drawn():
    from manim import VGroup

    from scenes.canvas import Canvas
    from scenes.label_room import orphans

    class Scene:
        def __init__(self):
            self.mobjects = []

        def add(self, *mobs):
            self.mobjects += mobs

        def get_mobject_family_members(self):
            return VGroup(*self.mobjects).get_family()

    trace = run("transformer_block")
    relu = next(s for s in trace.steps if s.op == "relu" and s.phase == "forward")
    scene = Scene()
    grid = Canvas(scene, trace).make_grid(relu.inputs[0])
    scene.add(grid)
    assert orphans(scene, [grid]) == []
    assert orphans(scene, [], covered=[grid]) == []  # under a veil (out of view): covered with its grid
    old, new = grid.rename(trace.tensors[relu.outputs[0]].name)
    assert grid.name_label is new and new in grid.get_family() and old not in grid.get_family()
    scene.add(old)                                   # still drawn: its letters would show
    assert orphans(scene, [grid]) == [trace.tensors[relu.inputs[0]].name]
    old.set_opacity(0)                               # faded out: gone
    assert orphans(scene, [grid]) == []
    assert not new.get_fill_opacity()                # the new name waits to be revealed
    # a grid left on the scene but not on show (parked, veiled out): its visible labels are orphans
    assert set(orphans(scene, [])) == {trace.tensors[relu.outputs[0]].name}

"""The highlight box round a cell being read or written cuts no neighbouring digits: in a grid with
blue gradient bands, a box round a cell stays on the cell's edges, clear of the gradient written
just above them (found in the LSTM's backward pass, where it cut the band above)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.players import common  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .test_examples import run  # noqa: E402

# 2 frames a second: the checks read what each play leaves on the stage, the same at any frame
# rate (Manim's 15 at -q l drew seven times the frames for nothing)
FPS = 2

STROKE = 0.01   # a stroke_width of 1 is 0.01 units wide (drawn half outside the path)


def _cut(box, text) -> bool:
    """``text`` is crossed by ``box``'s line (outer edge: half its stroke out), not inside it."""
    reach = box.get_stroke_width() * STROKE / 2
    lo, hi = box.get_corner([-1, -1, 0])[:2] - reach, box.get_corner([1, 1, 0])[:2] + reach
    inner_lo, inner_hi = lo + 2 * reach, hi - 2 * reach
    t_lo, t_hi = text.get_corner([-1, -1, 0])[:2], text.get_corner([1, 1, 0])[:2]
    overlaps = bool((t_lo < hi).all() and (t_hi > lo).all())
    inside = bool((t_lo >= inner_lo).all() and (t_hi <= inner_hi).all())
    return overlaps and not inside


def test_a_focus_box_cuts_no_neighbouring_digits(tmp_path, monkeypatch):
    trace = run("lstm")
    plan = build_plan(trace)
    names = ["train.0.lstm.t2.cell.grad", "train.0.lstm.t2.cell_tanh.grad", "lstm.t0.kept"]
    beats = sorted(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.name in names)
    seen: list[tuple] = []
    boxes_to = common._boxes_to

    def spy(stage, targets, out, *args, **kwargs):   # the boxes, and every number shown as they glide in
        texts = [(g.record.name, k, t) for g in stage.canvas.grids for d in (g.values, g.grads)
                 for k, t in d.items() if t.get_fill_opacity() > 0]
        seen.extend((box, name, k, t) for box in common.focus_boxes(targets, out) for name, k, t in texts)
        return boxes_to(stage, targets, out, *args, **kwargs)

    monkeypatch.setattr(common, "_boxes_to", spy)
    for k in beats:
        render_scene(plan, (k, k + 1), tmp_path / f"b{k}.mp4", "l", FPS)
    assert len({id(b) for b, *_ in seen}) >= 6                     # boxes were drawn over numbers
    cut = sorted({(name, k, t.text) for box, name, k, t in seen if _cut(box, t)})
    assert not cut, cut

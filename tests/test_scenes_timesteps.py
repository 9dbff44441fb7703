"""A recurrent model's tensors carry their timestep on screen, as the equations name them: the
LSTM's second timestep reads h₁ and c₁ and leaves c₂ and h₂ (grids and caption), and the overview
draws each layer once, named without the timestep (h ×3), its state fed back (t+1)."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.overview import overview_page  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402


def test_the_lstms_second_timestep_is_labelled_h2_and_c2(tmp_path):
    trace = run("lstm")
    kept, hidden = trace.step("train.0.lstm.t1.kept"), trace.step("train.0.lstm.t1.hidden")
    plan = build_plan(trace, steps=(kept.id, hidden.id), story=False)
    scene = render_scene(plan, plan.window, tmp_path / "t2.png", "l", still=True)
    labels = {g.name_label.text for g in scene.stage.canvas.grids if g.name_label is not None}
    assert {"c₂", "h₂"} <= labels                              # what timestep 2 leaves
    assert not {"hidden", "cell", "h", "c"} & labels           # not the step's name, nor the layer's
    assert hidden.formula == "h₂ = output_gate ⊙ cell_tanh" and kept.formula == "kept = forget_gate ⊙ c₁"


def test_the_overview_draws_h_once_for_three_timesteps():
    nodes = next(b.data for b in build_plan(run("lstm")).beats if b.card == "overview")
    page = overview_page(nodes, "The whole network on one page", "en")
    said = [m.text for m in page.get_family() if isinstance(getattr(m, "text", None), str)]
    assert said.count("h") == 1 and said.count("c") == 1        # one box each, not h₁, h₂, h₃
    assert not [n for n in page.names if re.search("[₀-₉]", n)]   # no box for one timestep's h₂
    assert said.count("×3") >= 2 and said.count("t+1") == 2     # h and c: three timesteps, fed back

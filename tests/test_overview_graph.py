"""The overview draws the real graph, read from the trace's steps: a residual connection skips
forward over columns, a recurrent network feeds its state back, attention's X branches into Q, K
and V side by side; repeated timesteps and heads stand as one box ×N."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.network import levels, links  # noqa: E402
from scenes.overview import overview_page  # noqa: E402

from .test_examples import run  # noqa: E402


def overview(name):
    return next(b.data for b in build_plan(run(name)).beats if b.card == "overview")


def edges(nodes, kind):
    return {(nodes[a].name, nodes[b].name) for a, b, k in links(nodes) if k == kind}


def test_a_residual_connection_skips_forward():
    nodes = overview("transformer_block")
    assert ("X", "ln1") in edges(nodes, "skip")      # resid_mid = X + attn_out, folded with ln1
    assert ("ln1", "ln2") in edges(nodes, "skip")    # resid_post = ln1 + mlp_out
    assert len(nodes) <= 15


@pytest.mark.parametrize("name, back", [("lstm", {("h", "hx"), ("c", "kept")}),
                                        ("rnn", {("h", "Wh_h")})])
def test_a_recurrent_network_feeds_its_state_back(name, back):
    nodes = overview(name)
    assert edges(nodes, "back") == back                  # h₁ (c₁) read at timestep 2, h₂ at 3: one edge, t+1
    hidden = next(n for n in nodes if n.name == "h")     # h₁, h₂, h₃: the state named as the equations name it
    assert hidden.runs == 3 and hidden.names == ["h"]    # three timesteps, one box (and one layer)
    assert next(n for n in nodes if n.name == "loss").runs == 1
    assert not [n.name for n in nodes if re.search("[₀-₉]", n.name)]   # no box for one timestep


def test_attention_branches_x_into_q_k_and_v():
    nodes = overview("self_attention")
    level = levels(nodes)
    x = [n.name for n in nodes].index("X")
    branches = [n.name for k, n in enumerate(nodes) if n.inputs == [x]]
    assert branches == ["Q", "K", "V"] and len({level[[n.name for n in nodes].index(b)] for b in branches}) == 1
    assert ("V", "attn") in edges(nodes, "skip")         # V waits beside the weights


def test_heads_stand_as_one_box():
    nodes = overview("transformer_block")
    q = next(n for n in nodes if n.name == "Q")
    assert q.runs == 2 and {"Q₁", "Q₂"} <= set(q.names)
    assert ("Q", "weights") in edges(nodes, "next") and ("head", "concat") in edges(nodes, "next")


@pytest.mark.parametrize("name", ["transformer_block", "lstm", "self_attention", "gradient_through_time"])
def test_every_edge_is_drawn_and_every_box_is_apart(name):
    nodes = overview(name)
    page = overview_page(nodes, "The whole network on one page", "en")
    assert len(page.links) == len(links(nodes))
    frames = [m for m in page.get_family() if type(m).__name__ == "RoundedRectangle"]
    assert len(frames) == len(nodes)
    for i, a in enumerate(frames):
        for b in frames[i + 1:]:
            apart = (a.get_right()[0] <= b.get_left()[0] or b.get_right()[0] <= a.get_left()[0]
                     or a.get_top()[1] <= b.get_bottom()[1] or b.get_top()[1] <= a.get_bottom()[1])
            assert apart, "two boxes overlap"

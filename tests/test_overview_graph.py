"""The overview draws the real graph, read from the trace's steps: a residual connection skips
forward over columns, a recurrent network feeds its state back, attention's X branches into Q, K
and V side by side; repeated timesteps and heads stand as one box ×N."""
from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import DL, UR, Arrow, VMobject  # noqa: E402

from scenes.curated import build_plan  # noqa: E402
from scenes.network import levels, links  # noqa: E402
from scenes.routes import crossings, near_runs  # noqa: E402
from scenes.overview import name_px, overview_page  # noqa: E402

from .example_runs import NAMES  # noqa: E402
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


@pytest.mark.parametrize("name, back", [("rnn", 1), ("lstm", 2), ("gru", 3), ("positional_encoding", 0)])
def test_only_a_state_made_from_the_layers_own_output_is_fed_back(name, back):
    """positional_encoding's second sentence re-runs the layers with embeddings gathered afresh:
    its X is read by X_pos (an edge forward), not fed back from X_pos's own output (t+1)."""
    nodes = overview(name)
    assert len(edges(nodes, "back")) == back
    if name == "positional_encoding":
        assert ("X", "X_pos") in edges(nodes, "skip") | edges(nodes, "next")
        assert all(n.runs == 1 for n in nodes)


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
    page = overview_page(overview(name), "The whole network on one page", "en")
    nodes = page.nodes
    assert len(page.links) == len(links(nodes))
    frames = [m for m in page.get_family() if type(m).__name__ == "RoundedRectangle"]
    assert len(frames) == len(nodes)
    for i, a in enumerate(frames):
        for b in frames[i + 1:]:
            apart = (a.get_right()[0] <= b.get_left()[0] or b.get_right()[0] <= a.get_left()[0]
                     or a.get_top()[1] <= b.get_bottom()[1] or b.get_top()[1] <= a.get_bottom()[1])
            assert apart, "two boxes overlap"


def page_of(name):
    page = overview_page(overview(name), "The whole network on one page", "en")
    frames = [m for m in page.get_family() if type(m).__name__ == "RoundedRectangle"]   # one a node, in order
    return page.nodes, page, frames


def segments(edge) -> list:
    """The straight pieces an edge is drawn with (a straight arrow's line, a path's corners, a
    dashed path's dashes): its tip and its t+1 label left out."""
    out = []
    for part in edge.submobjects:
        if isinstance(part, Arrow):
            out.append((part.get_start()[:2], part.get_end()[:2]))
            continue
        for piece in part.get_family():
            if type(piece) is VMobject and piece.has_points():
                anchors = np.asarray(piece.get_anchors())[:, :2]
                out += list(zip(anchors[0::2], anchors[1::2]))
    return out


def through(segment, frame, inset=0.03) -> bool:
    """Whether ``segment`` passes inside ``frame`` (its border not counted)."""
    (x0, y0), (x1, y1) = frame.get_corner(DL)[:2] + inset, frame.get_corner(UR)[:2] - inset
    return any(x0 < x < x1 and y0 < y < y1 for x, y in np.linspace(*segment, 60))


def crosses(s, t) -> bool:
    """Whether two segments cross properly (each one's ends on either side of the other)."""
    def side(p, q, r):
        return np.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))
    (p, q), (r, u) = s, t
    return side(p, q, r) * side(p, q, u) < 0 and side(r, u, p) * side(r, u, q) < 0


@pytest.mark.parametrize("name", ["transformer_block", "gru", "lstm", "self_attention", "gradient_through_time"])
def test_no_edge_runs_through_a_box(name):
    nodes, page, frames = page_of(name)
    for (a, b, kind), edge in zip(links(nodes), page.links):
        hit = [nodes[k].name for k, f in enumerate(frames) if k not in (a, b)
               and any(through(s, f) for s in segments(edge))]
        assert not hit, f"{nodes[a].name} → {nodes[b].name} runs through {hit}"


def test_attentions_v_skips_to_the_heads_crossing_nothing():
    """V (under Q and K) feeds the heads two columns on: its edge ran up through the gap where Q's
    and K's edges go on to the weights, and over the row; it is routed clear of them."""
    nodes, page, frames = page_of("transformer_block")
    pairs = [(nodes[a].name, nodes[b].name) for a, b, _ in links(nodes)]
    v = page.links[pairs.index(("V", "head"))]
    mine = segments(v)
    crossed = [pairs[k] for k, edge in enumerate(page.links) if edge is not v
               and any(crosses(s, t) for s in mine for t in segments(edge))]
    assert not crossed, crossed


@pytest.mark.parametrize("name", ["gru", "lstm", "rnn", "transformer_block"])
def test_the_loss_sits_on_its_producers_row(name):
    """The GRU's loss wrapped alone onto a row of its own, far left, its edge from y back across the
    whole page: a network wraps no short tail onto a row, and the loss stays beside its producer."""
    nodes, page, frames = page_of(name)
    loss = next(k for k, n in enumerate(nodes) if n.name == "loss")
    producer = nodes[loss].inputs[0]
    assert abs(frames[loss].get_center()[1] - frames[producer].get_center()[1]) < frames[producer].height / 2
    assert 0 < frames[loss].get_left()[0] - frames[producer].get_right()[0] < 1.0


@pytest.mark.parametrize("name, timesteps", [("gru", "x₁…x₃"), ("lstm", "x₁…x₃"), ("rnn", "x₁…x₃"),
                                             ("gradient_through_time", "t1…t20")])
def test_a_box_for_every_timestep_names_them_all_on_its_axis_line(name, timesteps):
    """hx stands for x₁'s, x₂'s and x₃'s concat (×3): its axis line named only x₁."""
    nodes = overview(name)
    hx = next(n for n in nodes if n.runs > 1 and n.axes)
    assert hx.axes == timesteps
    assert all(n.axes in ("", timesteps) for n in nodes if n.runs > 1)
    assert next(n for n in nodes if n.name == "y").axes == timesteps.split("…")[1]   # y: the last one only


@pytest.mark.parametrize("name, least", [("gru", 12), ("lstm", 12), ("transformer_block", 14),
                                         ("gradient_through_time", 14)])
def test_names_are_legible_at_720p(name, least):
    """A box's name at 720p (its font size's units times the page's scale, 90 px a unit): the three
    networks gradient_through_time compares drew theirs 7 px tall."""
    nodes, page, _ = page_of(name)
    assert name_px(page.text_scale) >= least
    assert len(nodes) == len(overview(name)) or name == "gradient_through_time"   # only it needs its cells folded


def test_three_networks_compared_draw_each_cell_as_one_box():
    """gradient_through_time's RNN, LSTM and GRU: each cell one box ×20, named for the states it
    feeds back to itself (the LSTM's c and h: its cell state is the story)."""
    nodes, page, _ = page_of("gradient_through_time")
    assert [n.name for n in nodes] == ["X", "h", "y", "rnn.loss"] + ["X", "c, h", "y", "lstm.loss"] + ["X", "h", "y", "gru.loss"]
    cells = [k for k, n in enumerate(nodes) if n.cell]
    assert [nodes[k].runs for k in cells] == [20, 20, 20] and [nodes[k].via for k in cells] == [
        "Wh_h → … → h", "hx → … → h", "hx → … → h"]
    assert sorted((a, b) for a, b, kind in links(nodes) if kind == "back") == [(k, k) for k in cells]
    assert all(nodes[k].inputs == [k - 1] for k in cells)   # each reads its X


# Crossings routing alone cannot avoid (two edges into the next column that cross: the boxes of a
# column would have to be reordered), per example: a regression past these fails.
FORCED = {"gru": 3, "minilm": 5, "normalization": 1}


def tangles(name) -> tuple[int, int]:
    """The routed page's crossings and runs of one edge along another, from its geometry."""
    page = overview_page(overview(name), "The whole network on one page", "en")
    assert len(page.routes) == len(links(page.nodes))
    return crossings(page.routes), near_runs(page.routes)


@pytest.mark.parametrize("name", ["lstm", "transformer_block"])
def test_long_edges_cross_nothing_and_run_along_nothing(name):
    """lstm's output_gate → h ran right along h → hx (t+1) under the row; transformer_block's
    X → ln1 crossed X → V: routed in lanes, neither page has a crossing or a run along."""
    assert tangles(name) == (0, 0)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_overview_is_untangled_but_for_what_routing_cannot_help(name):
    cross, along = tangles(name)
    assert along == 0
    assert cross <= FORCED.get(name, 0)


def test_the_counters_see_a_crossing_and_a_run_along():
    """The counters the sweep relies on see a crossing and a run along (a test of the test)."""
    assert crossings([[(0, 0), (2, 2)], [(0, 2), (2, 0)]]) == 1
    assert near_runs([[(0, 0), (2, 0)], [(0.5, 0.05), (1.5, 0.05)]]) == 1
    assert near_runs([[(0, 0), (2, 0)], [(0.5, 0.3), (1.5, 0.3)]]) == 0



@pytest.mark.parametrize("name", ["gru", "lstm", "rnn"])
def test_no_edge_runs_through_a_count_and_no_t_plus_1_sits_on_an_edge(name):
    """gru: h → kept (t+1) ran right through kept's ×3, and two t+1 labels sat on the neighbouring
    t+1 edge: a count is in the way as a box is, and a label goes beside a run of its edge where
    nothing else is drawn."""
    nodes, page, frames = page_of(name)
    counts, labels = page.counts, [(e, e.label) for e in page.links if e.label is not None]
    assert counts and len(labels) == sum(kind == "back" for _, _, kind in links(nodes))
    for (a, b, kind), edge in zip(links(nodes), page.links):
        hit = [k for k, c in enumerate(counts) if any(through(s, c, inset=0.0) for s in segments(edge))]
        assert not hit, f"{nodes[a].name} → {nodes[b].name} runs through a ×N count"
    for owner, label in labels:
        for edge in page.links:
            if edge is not owner:
                assert not any(through(s, label, inset=0.0) for s in segments(edge)), "a t+1 label on another edge"
        assert not [f for f in frames + counts if not (
            label.get_right()[0] <= f.get_left()[0] or f.get_right()[0] <= label.get_left()[0]
            or label.get_top()[1] <= f.get_bottom()[1] or f.get_top()[1] <= label.get_bottom()[1])], "t+1 on a box"

"""The concat / heads player and the gradient players of element-wise ops, reductions and the
composite groups, rendered for real on small traces built by hand (480p, 2 frames a second, a few
steps): every number each grid shows is the trace's value rounded by the shared rule, each
gradient sits in the blue band of the grid its forward step drew, each block of a joined matrix
is framed in its part's colour, and the work lines are :func:`tracer.explain.explain`'s."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.players import BACKWARD, FORWARD, player_for  # noqa: E402
from scenes.players.concat import join_caption, part_color, part_labels, play_concat, play_concat_grad  # noqa: E402
from scenes.players.gradients import play_grad_flow  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from tracer.explain import explain, tensor_format  # noqa: E402
from tracer.display import fmt  # noqa: E402
from tracer.examples import run_example  # noqa: E402

FPS = 2


# ---- traces, by hand -------------------------------------------------------------------------
def two_heads() -> tracer.Trace:
    """Two 'heads' (2 features × 3 tokens each) joined along the features, then W_O, a loss and
    backward: concat forward and backward in a backprop walkthrough."""
    X = tracer.tensor([[1, 0, 2], [0, 1, 1]], name="X")
    Wa = tracer.param([[1, -1], [2, 0]], name="W_a")
    Wb = tracer.param([[0, 1], [-1, 1]], name="W_b")
    Wo = tracer.param([[1, 0, 1, 0], [0, 1, 0, -1]], name="W_O")
    with tracer.record(title="Two heads") as trace:
        with tracer.scope("head1"):
            za = tracer.linear(Wa, X, name="z")
        with tracer.scope("head2"):
            zb = tracer.linear(Wb, X, name="z")
        joined = tracer.concat([za, zb], axis=0, name="joined")
        out = tracer.linear(Wo, joined, name="out")
        tracer.sse(out, tracer.tensor([[1, 0, 1], [0, 2, 0]], name="T"), name="L").backward()
    return trace


def side_by_side() -> tracer.Trace:
    with tracer.record() as trace:
        a = tracer.tensor([[1.5, -2.0], [0.25, 3.0]], name="a")
        b = tracer.tensor([[7.0], [-1.0]], name="b")
        tracer.concat([a, b], axis=1, name="ab")
    return trace


def sigmoid_net() -> tracer.Trace:
    """Z = W·X + b, H = σ(Z), Y = tanh(V·H), mean squared error: sigmoid and tanh gradients."""
    W = tracer.param([[1, -1], [0.5, 2]], name="W")
    b = tracer.param([0, -1], name="b")
    V = tracer.param([[1, -2]], name="V")
    with tracer.record() as trace:
        X = tracer.tensor([[1, 0, 2], [0, 1, -1]], name="X")
        H = tracer.sigmoid(tracer.linear(W, X, b, name="Z"), name="H")
        Y = tracer.tanh(tracer.matmul(V, H, name="U"), name="Y")
        tracer.mse(Y, tracer.tensor([[1, 0, 1]], name="T"), name="L").backward()
    return trace


def normed() -> tracer.Trace:
    """A row-layout layer norm (2 tokens × 3 features, γ and β per feature) and a residual add."""
    g = tracer.param([1.0, 2.0, 0.5], name="gamma")
    beta = tracer.param([0.0, 1.0, -1.0], name="beta")
    W = tracer.param([[1, 0, 1], [0, 1, -1], [1, 1, 0]], name="W")
    with tracer.record() as trace:
        X = tracer.tensor([[1, 2, 4], [3, 0, 0]], name="X")
        R = tracer.add(tracer.matmul(X, W, name="XW"), X, name="R")
        N = tracer.layer_norm(R, g, beta, name="N")
        tracer.sse(N, tracer.tensor([[0, 1, 0], [1, 0, 0]], name="T"), name="L").backward()
    return trace


# ---- rendering and checking ------------------------------------------------------------------
def run(trace, tmp_path: Path, scene: str = "backprop", depth: int | None = None, video: bool = False,
        steps: str | None = None):
    plan = build_plan(trace, scene=scene, depth=depth, steps=steps)
    plan.hints["audit"] = True
    ext = "mp4" if video else "png"
    out = render_scene(plan, plan.window, tmp_path / f"{plan.kind}.{ext}", "l", FPS, still=not video)
    return plan, out.stage


def drew(stage, tid: str):
    """The slot that showed ``tid`` last (its grid may have left the canvas since, gone stale)."""
    found = stage.slots.get(tid)
    return found[-1] if found else None


def text_of(trace, tid: str, idx) -> str:
    record = trace.tensors[tid]
    return fmt(np.asarray(record.data)[idx], tensor_format(trace, tid), "−")   # the one rule every viewer reads


def assert_all_shown_are_the_trace(plan, stage) -> int:
    """Every number of every grid, at the end of every step, is its tensor's rounded value, shown."""
    checked = 0
    assert len(stage.audits) == len(plan.step_beats)
    for shown in stage.audits:
        for tid, lane, idx, text, alpha in shown:
            assert text == text_of(plan.trace, tid, idx), (plan.trace.tensors[tid].name, lane, idx)
            assert alpha > 0.99, (plan.trace.tensors[tid].name, lane, idx)
            checked += 1
    return checked


def step_named(trace, name: str):
    return next(s for s in trace.steps if s.name == name)


def band_holds(stage, trace, gid: str, grid) -> None:
    """Gradient ``gid`` is drawn in ``grid``'s blue band, every drawn cell its rounded value."""
    slot = drew(stage, gid)
    assert slot.grid is grid and slot.lane == "grad", trace.tensors[gid].name
    for idx in grid.shown():
        assert slot.entry(idx).text == text_of(trace, gid, idx)


# ---- concat / heads ------------------------------------------------------------------------
def test_the_registry_picks_the_new_players():
    trace = two_heads()
    concat = step_named(trace, "joined")
    assert player_for(trace, concat) is play_concat
    assert player_for(trace, step_named(trace, "joined.grad")) is play_concat_grad
    for family in ("elementwise", "reduction", "normalization", "layer", "structural"):
        assert BACKWARD[f"family:{family}"] is play_grad_flow, family
    assert BACKWARD["relu"].__name__ == "play_relu_grad"       # players of their own stay
    assert BACKWARD["linear"].__name__ == "play_linear_grad" and FORWARD["concat"] is play_concat


def test_a_joins_caption_counts_rows_from_1_as_a_reader_does():
    """The LSTM's hx = [h ; x]: x fills hx[2:4], which a caption calls rows 3–4 (it said 2–3)."""
    assert join_caption("en", 0, "x", (2, 4), "hx") == "x → rows 3–4 of hx"
    assert join_caption("en", 0, "h", (0, 1), "hx") == "h → row 1 of hx"
    assert join_caption("en", 1, "b", (3, 5), "ab") == "b → columns 4–5 of ab"
    assert join_caption("zh-Hant", 0, "x", (2, 4), "hx") == "x → hx 的第 3–4 列"
    assert join_caption("zh-Hans", 0, "x", (2, 4), "hx") == "x → hx 的第 3–4 行"


def test_concat_blocks_come_from_their_parts_in_their_colours(tmp_path):
    trace = two_heads()
    plan, stage = run(trace, tmp_path, depth=0)
    concat = step_named(trace, "joined")
    lay = stage.layouts[concat.id]
    gout, parts = lay["out"], lay["parts"]
    assert part_labels(stage, concat) == ["head1 · z", "head2 · z"]   # both are called z
    linear_outs = [stage.layouts[step_named(trace, f"head{k}.z").id]["out"] for k in (1, 2)]
    assert parts == linear_outs                     # small enough: the heads are reused where they are
    for k, (part, span) in enumerate(zip(parts, [(0, 2), (2, 4)])):
        assert part.record.id == concat.inputs[k]
        for (i, j) in gout.shown():
            if span[0] <= i < span[1]:   # the block of part k: its colour, its numbers
                assert gout.cell((i, j)).get_stroke_color().to_hex().lower() == part_color(k).lower()
                assert gout.entry((i, j)).text == part.entry((i - span[0], j)).text == text_of(trace, concat.outputs[0], (i, j))
        frame = lay["frames"][k][0]
        assert frame.get_stroke_color().to_hex().lower() == part_color(k).lower()
        assert frame.width > part.body.width
    assert assert_all_shown_are_the_trace(plan, stage) > 50


@pytest.mark.slow  # a render of its own
def test_concat_gradient_cuts_the_joined_band_back_into_the_parts(tmp_path):
    trace = two_heads()
    plan, stage = run(trace, tmp_path, depth=0, video=True)
    concat = step_named(trace, "joined")
    grad = step_named(trace, "joined.grad")
    lay = stage.layouts[concat.id]
    band_holds(stage, trace, grad.inputs[0], lay["out"])            # dJ under the joined matrix
    for part, x in zip(lay["parts"], concat.inputs):
        band_holds(stage, trace, grad.grad_map[x], part)            # each slice under its part
    first = explain(trace, grad, (0, 0), output=1, minus="−")   # head2 · dz[0, 0] is djoined[2, 0]
    assert first.formula == "djoined[2, 0]"
    assert f"head2 · z takes back its slice of djoined;  head2 · dz[0, 0] = {first.expression}" in stage.said
    assert_all_shown_are_the_trace(plan, stage)


@pytest.mark.slow  # a render of its own
def test_concat_gradient_shows_both_parts_when_one_is_data(tmp_path):
    """[h; x] split back (an RNN cell): h takes its slice; x is data, its slice is boxed in its
    colour and said to go nowhere, with x on screen (the beat showed dhx and h alone before)."""
    h = tracer.param([[0.5], [-1.0]], name="h")
    W = tracer.param([[1, 0, 2], [0, 1, -1]], name="W")
    with tracer.record() as trace:
        hx = tracer.concat([h, tracer.tensor([[2.0]], name="x")], axis=0, name="hx")
        tracer.sse(tracer.linear(W, hx, name="z"), tracer.tensor([[1.0], [0.0]], name="T"), name="L").backward()
    plan, stage = run(trace, tmp_path, depth=0, video=True)
    grad, concat = step_named(trace, "hx.grad"), step_named(trace, "hx")
    assert f"x is data: its slice of {trace.tensors[grad.inputs[0]].name} goes nowhere" in stage.said
    x_grid = stage.layouts[concat.id]["parts"][1]
    assert x_grid in stage.canvas.grids and stage.camera.in_view(x_grid)   # the part it names is on screen
    assert_all_shown_are_the_trace(plan, stage)


def test_concat_side_by_side_along_columns(tmp_path):
    trace = side_by_side()
    plan, stage = run(trace, tmp_path, scene="generic")
    gout = drew(stage, trace.steps[0].outputs[0]).grid
    colours = {j: gout.cell((0, j)).get_stroke_color().to_hex().lower() for j in range(3)}
    assert colours == {0: part_color(0).lower(), 1: part_color(0).lower(), 2: part_color(1).lower()}
    assert [gout.entry((1, j)).text for j in range(3)] == ["0.25", "3.00", "−1.00"]   # ab's own rounding
    assert_all_shown_are_the_trace(plan, stage)


# ---- gradients through element-wise ops -----------------------------------------------------
@pytest.mark.slow  # a render of its own
def test_sigmoid_and_tanh_gradients_go_into_the_forward_bands(tmp_path):
    trace = sigmoid_net()
    plan, stage = run(trace, tmp_path, depth=0, video=True)
    for name in ("H.grad", "Y.grad"):
        g = step_named(trace, name)
        fwd = trace.steps[g.grad_of]
        lay = stage.layouts[fwd.id]
        band_holds(stage, trace, g.outputs[0], lay["x"])             # dZ under Z, dU under U
        assert drew(stage, g.inputs[0]).grid is lay["out"]           # dH under H (it came from there)
        gname = trace.tensors[g.outputs[0]].name
        for idx in lay["x"].shown()[:3]:                            # the first cells, one by one
            cell = explain(trace, g, idx, minus="−")
            assert f"{gname} = {cell.expression}" in stage.said
    sig = explain(trace, step_named(trace, "H.grad"), (0, 0), minus="−")
    assert "×(1 − " in sig.expression                                # g·σ·(1 − σ), from the trace
    assert assert_all_shown_are_the_trace(plan, stage) > 100


def test_loss_children_gradients_at_depth_one(tmp_path):
    """sum / mean, pow and sub gradients: the incoming gradient shows under the forward output
    (a blue grid under a grid with no band), each result under its forward input."""
    trace = sigmoid_net()
    plan, stage = run(trace, tmp_path, depth=1)
    shown = {b.step.name for b in plan.step_beats}
    assert {"L.loss.grad", "L.squared.grad", "L.diff.grad"} <= shown
    for name in ("L.loss.grad", "L.squared.grad", "L.diff.grad"):
        g = step_named(trace, name)
        assert player_for(trace, g) is play_grad_flow
        fwd = trace.steps[g.grad_of]
        x = next(i for i, v in g.grad_map.items() if v == g.outputs[0])
        under = drew(stage, g.outputs[0])
        forward_grid = next(s.grid for s in stage.slots[x] if s.lane == "value")
        if forward_grid.has_grad:
            assert under.grid is forward_grid and under.lane == "grad"
        else:  # a blue grid of its own, right under the forward input, columns aligned
            assert under.grid.role == "grad" and under.grid.get_top()[1] < forward_grid.get_bottom()[1]
            assert abs(under.grid.body.get_left()[0] - forward_grid.body.get_left()[0]) < 1e-6
        assert drew(stage, g.inputs[0]) is not None, fwd.name        # where the gradient came from
    assert_all_shown_are_the_trace(plan, stage)


def test_layer_norm_group_at_depth_zero_draws_gamma_and_beta_with_their_gradients(tmp_path):
    trace = normed()
    plan, stage = run(trace, tmp_path, depth=0)
    g = step_named(trace, "N.grad")
    fwd = trace.steps[g.grad_of]
    X_grid = stage.layouts[fwd.id]["x"]
    band_holds(stage, trace, g.grad_map[fwd.inputs[0]], X_grid)     # dR under R
    for p in fwd.inputs[1:]:                                         # γ and β: drawn as rows
        grid = next(s.grid for s in stage.slots[p] if s.lane == "value")
        assert grid.as_row and grid.has_grad
        band_holds(stage, trace, g.grad_map[p], grid)
    add = step_named(trace, "R.grad")                                # the residual add's gradient
    assert player_for(trace, add) is play_grad_flow
    assert_all_shown_are_the_trace(plan, stage)


def test_paging_falls_back_to_the_generic_gradient_player(tmp_path):
    trace = sigmoid_net()
    plan, stage = run(trace, tmp_path, scene="generic", steps=f"{step_named(trace, 'H.grad').id}")
    g = step_named(trace, "H.grad")
    slot = drew(stage, g.outputs[0])
    assert slot.lane == "value" and slot.grid.role == "grad"         # a blue grid on its own page
    assert [slot.entry(i).text for i in slot.grid.shown()] == [text_of(trace, g.outputs[0], i) for i in slot.grid.shown()]


def test_a_tensor_used_twice_gets_both_shares(tmp_path):
    """``x·x`` (a layer norm's variance): the gradient step has one output per use."""
    W = tracer.param([[1.0, -2.0], [0.5, 1.0]], name="W")
    with tracer.record() as trace:
        Z = tracer.matmul(W, tracer.tensor([[1.0], [2.0]], name="X"), name="Z")
        tracer.sum(tracer.mul(Z, Z, name="Z2"), name="S").backward()
    plan, stage = run(trace, tmp_path, depth=0)
    g = step_named(trace, "Z2.grad")
    assert len(g.outputs) == 2
    for k in range(2):
        assert drew(stage, g.outputs[k]) is not None
    assert_all_shown_are_the_trace(plan, stage)


@pytest.mark.slow  # a render per example
@pytest.mark.parametrize("name", ["multi_head_attention", "transformer_block"])
def test_attention_examples_render_their_backward_pass(name, tmp_path):
    """The backprop walkthrough of the attention examples lays out every step, concat and the
    collapsed attention / layer norm gradients included, with the trace's numbers (a transpose is
    worked once, in the forward pass: the backward's are drawn where they are read)."""
    trace = run_example(name)
    plan, stage = run(trace, tmp_path, depth=0)
    ops = {b.step.op for b in plan.step_beats if b.step.phase == "backward"}
    assert {"concat", "attention"} <= ops and "transpose" not in ops
    assert assert_all_shown_are_the_trace(plan, stage) > 500


def test_the_generic_player_redraws_an_input_out_of_view_instead_of_reaching_for_it(tmp_path):
    """A long arrow from a grid off screen reads as nothing: an input in view is reused, one out
    of view gets a fresh copy (numbers only, no empty gradient band) next to the work."""
    from scenes.camera import View
    from scenes.players.generic import place_inputs

    plan, stage = run(sigmoid_net(), tmp_path, depth=0)
    drawn = {tid: s for tid, s in stage.slots.items() if s and s[-1].lane == "value"}
    inside = next(t for t, s in drawn.items() if stage.camera.in_view(s[-1].grid))
    stage.camera.view = View(stage.camera.view.centre + np.array([100.0, 0.0, 0.0]), stage.camera.view.scale)
    assert not stage.camera.in_view(drawn[inside][-1].grid)     # the camera is now far away from it
    slots, new = place_inputs(stage, [inside])
    assert new and slots[0].grid is new[0] and not new[0].has_grad
    assert [slots[0].entry(i).text for i in new[0].shown()] == [text_of(plan.trace, inside, i) for i in new[0].shown()]
    stage.camera.view = View(stage.camera.view.centre - np.array([100.0, 0.0, 0.0]), stage.camera.view.scale)
    assert place_inputs(stage, [t for t, s in drawn.items() if stage.camera.in_view(s[-1].grid)][:1])[1] == []


def test_a_generic_arrow_is_dropped_when_it_would_cross_another_grid(tmp_path):
    from scenes.players.generic import arrow_between, clear_path

    trace = sigmoid_net()
    plan, stage = run(trace, tmp_path, depth=0)
    tid = step_named(trace, "H").outputs[0]
    a, b, c = (stage.canvas.make_grid(tid) for _ in range(3))
    for k, g in enumerate((a, b, c)):  # side by side on one row, far from the walkthrough's grids
        g.move_to(np.array([100.0 + 4 * k, 50.0, 0.0]))
    stage.canvas.register(a, b, c)
    assert clear_path(stage, arrow_between(a, b), (a, b))
    assert not clear_path(stage, arrow_between(a, c), (a, c))     # it would run through b

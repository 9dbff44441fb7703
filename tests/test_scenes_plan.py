"""Plans: which walkthrough a trace gets (by structure, never by names), which steps it shows at a
depth, the chapters, and the step window of ``--steps``."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.curated import build_plan, recognise  # noqa: E402
from scenes.plan import parse_steps, visible_steps  # noqa: E402
from scenes.players import BACKWARD, FORWARD, UPDATE, player_for  # noqa: E402
from scenes.players.generic import play_generic, play_generic_grad  # noqa: E402
from tests import scene_traces as st  # noqa: E402
from tracer.errors import TracerError  # noqa: E402


def renamed(trace: tracer.Trace) -> tracer.Trace:
    """The same computation under meaningless names: recognition must not care."""
    for k, s in enumerate(trace.steps):
        s.name = f"s{k}"
    for k, r in enumerate(trace.tensors.values()):
        r.name = f"t{k}"
    trace._by_name = None
    return trace


@pytest.mark.parametrize("build, kind", [(st.autoencoder, "autoencoder"), (st.attention, "attention"),
                                         (st.mlp, "backprop"), (st.sparse_autoencoder, "sparse_autoencoder"),
                                         (st.matmul8, "generic")])
def test_recognised_by_structure_not_names(build, kind):
    assert recognise(build()) == kind
    assert recognise(renamed(build())) == kind


def test_a_meta_hint_wins():
    trace = st.mlp()
    trace.meta["scene"] = "generic"
    assert recognise(trace) == "generic"


def test_depth_collapses_and_expands_composites():
    trace = st.autoencoder(update=False)
    top = [s.op for s in visible_steps(trace, 0) if s.phase == "forward"]
    assert top[:5] == ["linear", "relu", "linear", "relu", "linear"] and "sse" in top
    opened = [s.op for s in visible_steps(trace, 1) if s.phase == "forward"]
    assert opened[:5] == ["matmul", "reshape", "add", "relu", "matmul"]
    assert "sse" not in opened and {"sub", "pow", "sum"} <= set(opened)


def test_attention_opens_the_attention_composite():
    plan = build_plan(st.attention())
    assert [b.step.name for b in plan.step_beats] == ["Q", "K", "V", "Z.K_T", "Z.scores", "Z.scaled",
                                                      "Z.weights", "Z.mix"]


def test_attention_shows_every_head_once_at_any_depth():
    """Two heads repeat each other's step names; without its story, the pass ends where the model
    runs again (the training loop after the preview pass), not at the second head."""
    from tracer.examples import run_example
    trace = run_example("multi_head_attention")
    for depth in (0, 1, 2):
        names = [b.step.name for b in build_plan(trace, depth=depth, story=False).step_beats]
        assert any(".head2." in n for n in names) and names[-1].startswith("attn.out"), depth
        assert not any(n.startswith("train.") for n in names)
    assert len(build_plan(trace, depth=1, story=False).step_beats) >= len(build_plan(trace, depth=0, story=False).step_beats)


def test_autoencoder_plan_is_forward_loss_backprop_one_update():
    plan = build_plan(st.autoencoder())
    phases = [b.step.phase for b in plan.step_beats]
    assert phases == ["forward"] * 9 + ["backward"] * 9 + ["update"] * 8
    assert plan.beats[0].step is None and plan.title == "Autoencoder, by hand"
    chapters = [b.chapter for b in plan.beats if b.chapter]
    assert chapters[:2] == ["Forward pass · encoder", "Forward pass · decoder"]
    assert "Loss" in chapters and "Backward pass · encoder" in chapters


def test_chapters_follow_the_language():
    plan = build_plan(st.mlp(), lang="zh-Hant")
    assert [b.chapter for b in plan.beats if b.chapter][0] == "前向傳播"


def test_steps_window():
    trace = st.autoencoder()
    assert parse_steps("3..7", trace) == (3, 7)
    assert parse_steps("5", trace) == (5, 5)
    assert parse_steps("50..", trace) == (50, 55)
    plan = build_plan(trace, steps="4..9")
    lo, hi = plan.window
    assert [b.step.id for b in plan.beats[lo:hi]] == [4, 5, 9]
    assert build_plan(trace, steps="0..4").window[0] == 0      # from the start: with the title card
    for bad in ("x..y", "9..3", "900"):
        with pytest.raises(TracerError, match="--steps"):
            parse_steps(bad, trace)
    with pytest.raises(TracerError, match="no step of that range"):
        build_plan(trace, steps="1..3")                         # children of a collapsed layer


def test_bad_scene_and_empty_trace():
    with pytest.raises(TracerError, match="unknown scene"):
        build_plan(st.mlp(), scene="cartoon")
    with tracer.record() as empty:
        pass
    with pytest.raises(TracerError, match="no steps"):
        build_plan(empty)


def test_players_come_from_the_registry():
    trace = st.autoencoder()
    by_op = {s.op + ":" + s.phase: player_for(trace, s) for s in trace.steps}
    assert by_op["linear:forward"] is FORWARD["linear"]
    assert by_op["relu:backward"] is BACKWARD["relu"]
    assert by_op["sgd:update"] is UPDATE["family:update"]      # by the op's declared family
    assert by_op["reshape:forward"] is play_generic            # no player of its own: generic
    assert by_op["reshape:backward"] is BACKWARD["family:structural"]
    from scenes.players import players_for
    from tracer.ops.spec import REGISTRY, family_of

    for op in ("matmul", "linear", "relu", "sigmoid", "tanh", "add", "div", "softmax", "transpose",
               "sum", "layer_norm", "sse", "mse", "l1", "l2_norm"):
        assert op in FORWARD or f"family:{family_of(op)}" in FORWARD, op    # by name or by family
    step = next(s for s in trace.steps if s.op == "relu")                   # a family player may decline:
    assert players_for(trace, step)[-1] is play_generic                     # the generic one is last
    assert REGISTRY["sigmoid"].family == "elementwise" and FORWARD["family:elementwise"].__name__ == "play_elementwise"


def test_captions_of_a_layer_without_bias_read_cleanly():
    from scenes.plan import caption_of

    with tracer.record() as trace:
        Z = tracer.linear(tracer.param([[1.0, 2.0]], name="W"), tracer.tensor([[1.0], [2.0]], name="X"), name="Z")
        tracer.l1(Z, name="pen").backward()
    top = [s for s in trace.steps if s.parent is None]
    assert caption_of(trace, top[0], "en") == ("Z = W · X", "A linear layer: multiply X by the weights W.")
    assert caption_of(trace, top[0], "zh-Hant")[1] == "線性層：把 X 乘上權重 W。"
    assert caption_of(trace, top[2], "en")[0] == "dZ = sign(Z)"      # a gradient names the forward tensors
    assert not any("{" in t for s in top for t in caption_of(trace, s, "vi"))


def test_a_caption_writes_a_worded_formula_in_the_videos_language():
    from scenes.plan import caption_of
    with tracer.record() as trace:
        x = tracer.param([1.0, -2.0], name="x")
        tracer.sum(x, name="s").backward()
    step = trace.step("s.grad")
    assert caption_of(trace, step, "en")[0] == "dx = ds copied to every entry"
    assert caption_of(trace, step, "zh-Hant")[0] == "dx = ds，複製到每個元素"
    assert caption_of(trace, step, "vi")[0] == "dx = ds, chép vào mọi phần tử"

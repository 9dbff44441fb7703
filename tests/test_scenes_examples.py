"""Every built-in example renders with ``--scene auto`` (as a still: the whole walkthrough is laid
out, every player runs; the videos are rendered in the other scene tests)."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.render import render  # noqa: E402
from tracer.examples import list_examples, run_example  # noqa: E402

EXPECTED = {"autoencoder": "autoencoder", "autoencoder_large": "autoencoder", "self_attention": "attention",
            "multi_head_attention": "attention", "mlp_backprop": "backprop",
            "sparse_autoencoder": "sparse_autoencoder"}


@pytest.mark.slow  # one render per example
@pytest.mark.parametrize("name", [n for n, _ in list_examples()])
def test_example_renders_with_scene_auto(name, tmp_path):
    if name == "minilm":  # 22M weights: drawn as attention heat maps by a scene of its own, not step by step
        pytest.skip("the real model's walkthrough is the attention heat map (tracer render --layer/--head)")
    trace = run_example(name)
    plan = build_plan(trace)
    if name in EXPECTED:
        assert plan.kind == EXPECTED[name]
    out = render(trace, fmt="png", output=tmp_path / f"{name}.png")
    assert out.read_bytes()[:4] == b"\x89PNG"

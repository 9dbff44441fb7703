"""The built-in examples, each run once per test session (they are deterministic), and the
numbers a test reads from a run: shared by the example tests and the scene tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tracer
from tracer.examples import run_example
from tracer.pretrained.minilm import INSTALL, weights_available

# every built-in example (tests/test_examples.py checks it is the whole list)
NAMES = ["anomaly_detection", "autoencoder", "autoencoder_large", "exploding_gradients", "gradient_through_time", "gru",
         "lstm", "masked_lm", "minilm", "mlp_backprop", "multi_head_attention", "next_char", "next_token",
         "normalization", "perceptron", "positional_encoding", "rnn", "rnn_vs_attention", "self_attention",
         "sparse_autoencoder",
         "transformer_block", "vanishing_gradients", "word_autoencoder"]

_cache: dict[str, tracer.Trace] = {}

# the examples whose every-line sweeps take the longest (hundreds of steps, or MiniLM's widths):
# such a sweep runs in CI's slow set for them (``make test-slow``) and in ``make test`` for the rest
LONG_SWEEPS = frozenset({"minilm", "vanishing_gradients", "gradient_through_time", "exploding_gradients",
                         "autoencoder_large"})


def swept(names: list[str]) -> list:
    """``names`` as parameters of an every-line sweep: those in :data:`LONG_SWEEPS` marked slow."""
    return [pytest.param(n, marks=pytest.mark.slow) if n in LONG_SWEEPS else n for n in names]


def run(name: str) -> tracer.Trace:
    """Each example runs once per test session (they are deterministic)."""
    if name == "minilm" and not weights_available():
        pytest.skip(f"the all-MiniLM-L6-v2 weights are not installed: {INSTALL}")
    if name not in _cache:
        _cache[name] = run_example(name)
    return _cache[name]


_stills: dict[str, tuple] = {}


def audited_still(name: str, folder) -> tuple:
    """``name``'s whole walkthrough laid out once per session (a still of its last beat: the
    players place the grids and move the camera as in the video) with the stage's audit on
    (``plan.hints["audit"]``: each step's framing, each working's view): (trace, plan, scene,
    headers), every chapter header shown as (text, step id, the camera's work area then, whether a
    camera move was still to play). Shared by the scene tests that read a layout (camera_close,
    chapters, operands, near), so each example is laid out once, not once a file or a test: read
    it, never change it (a test that changes the plan or the stage lays its own out)."""
    if name not in _stills:
        from scenes import camera as camera_module
        from scenes.camera import work_area
        from scenes.curated import build_plan
        from scenes.render import render_scene

        headers: list[tuple] = []
        real = camera_module.Camera.set_header

        def noted(self, text):
            step = getattr(self.scene.stage, "step", None) if self.scene.stage is not None else None
            headers.append((text, step.id if step is not None else None, work_area(self.view), self.moved_from is not None))
            return real(self, text)
        trace = run(name)
        plan = build_plan(trace)
        plan.hints["audit"] = True
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(camera_module.Camera, "set_header", noted)
            scene = render_scene(plan, plan.window, Path(folder) / f"{name}.png", "l", still=True)
        _stills[name] = trace, plan, scene, headers
    return _stills[name]


def out(trace: tracer.Trace, step: str, k: int = 0) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[k]].data)


def update_inputs(trace: tracer.Trace, step: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An update step's (old parameter, gradient, new parameter)."""
    s = trace.step(step)
    return (np.asarray(trace.tensors[s.inputs[0]].data), np.asarray(trace.tensors[s.inputs[1]].data),
            np.asarray(trace.tensors[s.outputs[0]].data))

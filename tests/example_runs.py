"""The built-in examples, each run once per test session (they are deterministic), and the
numbers a test reads from a run: shared by the example tests and the scene tests."""
from __future__ import annotations

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


def out(trace: tracer.Trace, step: str, k: int = 0) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[k]].data)


def update_inputs(trace: tracer.Trace, step: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An update step's (old parameter, gradient, new parameter)."""
    s = trace.step(step)
    return (np.asarray(trace.tensors[s.inputs[0]].data), np.asarray(trace.tensors[s.inputs[1]].data),
            np.asarray(trace.tensors[s.outputs[0]].data))

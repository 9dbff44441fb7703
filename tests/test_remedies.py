"""The remedies examples against plain NumPy: the same networks, from the weights the trace recorded,
written out by hand (forward, backward, every optimiser), give the numbers the examples report."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tracer.cli import main
from tracer.examples import run_example
from tracer.story import Story

_cache: dict[str, tracer.Trace] = {}


def run(name: str) -> tracer.Trace:
    if name not in _cache:
        _cache[name] = run_example(name)
    return _cache[name]


def arr(trace: tracer.Trace, step: str, k: int) -> np.ndarray:
    """Input ``k`` of ``step`` as recorded (the weights before any update)."""
    return np.array(trace.tensors[trace.step(step).inputs[k]].data, dtype=np.float64)


# ---- a deep network in NumPy -------------------------------------------------------------------
def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


ACT = {  # f(x) and f′(x)
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "swish": (lambda x: x * sigmoid(x), lambda x: sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x))),
}


class Deep:
    """The examples' MLP: Z = W·H + b, batch norm over the samples, activation, residual add."""

    def __init__(self, trace: tracer.Trace, v: dict, prefix: str, layers: int) -> None:
        self.v, self.L = v, layers
        self.p: dict[str, np.ndarray] = {}
        for k in range(1, layers + 1):
            self.p[f"W{k}"], self.p[f"b{k}"] = arr(trace, f"{prefix}.layer{k}.Z{k}", 0), arr(trace, f"{prefix}.layer{k}.Z{k}", 2)
            if k < layers and v["batch_norm"]:
                self.p[f"g{k}"], self.p[f"be{k}"] = arr(trace, f"{prefix}.layer{k}.N{k}", 1), arr(trace, f"{prefix}.layer{k}.N{k}", 2)
            if k < layers and v["activation"] == "prelu":
                self.p[f"a{k}"] = arr(trace, f"{prefix}.layer{k}.H{k}", 1)

    def loss_and_grads(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        p, H, cache = self.p, X, []
        for k in range(1, self.L + 1):
            Z = p[f"W{k}"] @ H + p[f"b{k}"][:, None]
            if k == self.L:
                cache.append((H, None, None))
                H = Z
                break
            bn = None
            if self.v["batch_norm"]:
                mu, var = Z.mean(1, keepdims=True), Z.var(1, keepdims=True)
                Zn = (Z - mu) / np.sqrt(var + 1e-5)
                bn, Z = (Zn, np.sqrt(var + 1e-5)), p[f"g{k}"] * Zn + p[f"be{k}"]
            if self.v["activation"] == "prelu":
                A = np.maximum(Z, 0) + p[f"a{k}"] * np.minimum(Z, 0)
            else:
                A = ACT[self.v["activation"]][0](Z)
            cache.append((H, Z, bn))
            H = H + A if self.v["residual"] and A.shape == H.shape else A
        loss = float(np.mean((H - Y) ** 2))
        g, grads = 2 * (H - Y) / H.size, {}
        for k in range(self.L, 0, -1):
            H_in, N, bn = cache[k - 1]
            dA = g
            if k < self.L:
                if self.v["activation"] == "prelu":
                    grads[f"a{k}"] = (g * np.minimum(N, 0)).sum(1, keepdims=True)
                    dN = g * np.where(N > 0, 1.0, p[f"a{k}"])
                else:
                    dN = g * ACT[self.v["activation"]][1](N)
                if bn is not None:
                    Zn, std = bn
                    grads[f"g{k}"], grads[f"be{k}"] = (dN * Zn).sum(1, keepdims=True), dN.sum(1, keepdims=True)
                    dZn, m = dN * p[f"g{k}"], Zn.shape[1]
                    dN = (m * dZn - dZn.sum(1, keepdims=True) - Zn * (dZn * Zn).sum(1, keepdims=True)) / (m * std)
                dA = dN
            grads[f"W{k}"], grads[f"b{k}"] = dA @ H_in.T, dA.sum(1)
            g = p[f"W{k}"].T @ dA + (g if k < self.L and self.v["residual"] and H_in.shape == g.shape else 0)
        return loss, grads


def variants(trace: tracer.Trace) -> list[dict]:
    return trace.meta["variants"]


# ---- vanishing gradients ------------------------------------------------------------------------
def test_vanishing_gradient_norms_and_training_match_numpy():
    trace = run("vanishing_gradients")
    meta, layers = trace.meta, 13
    X, Y = arr(trace, "sigmoid_xavier.layer1.Z1", 1), arr(trace, "sigmoid_xavier.loss", 1)
    for v in variants(trace):
        net = Deep(trace, v, v["name"], layers)
        _, grads = net.loss_and_grads(X, Y)
        norms = [np.linalg.norm(grads[f"W{k}"]) for k in range(1, layers + 1)]
        np.testing.assert_allclose(meta["grad_norms"][v["name"]], norms, rtol=1e-9, err_msg=v["name"])
        losses = []
        for _ in range(len(meta["loss_history"][v["name"]])):  # plain SGD on every parameter
            loss, grads = net.loss_and_grads(X, Y)
            losses.append(loss)
            net.p = {k: w - v["lr"] * grads[k] for k, w in net.p.items()}
        np.testing.assert_allclose(meta["loss_history"][v["name"]], losses, rtol=1e-7, err_msg=v["name"])


def test_vanishing_gradients_name_who_keeps_the_gradient():
    meta = run("vanishing_gradients").meta
    # sigmoid + Xavier: the gradient shrinks about 4× a layer (σ′ ≤ 0.25); 1% of the output layer's by layer 9
    sig = meta["grad_norms"]["sigmoid_xavier"]
    assert sig[0] < 1e-6 * sig[-1] and meta["lost_at"]["sigmoid_xavier"] == 9
    assert sig[8] < 0.01 * sig[-1] <= sig[9]
    assert meta["loses_gradient"] == ["sigmoid_xavier"]
    assert sorted(meta["keeps_gradient"]) == sorted(v["name"] for v in variants(run("vanishing_gradients"))
                                                    if v["name"] != "sigmoid_xavier")
    ops = {s.op for s in run("vanishing_gradients").steps}
    assert {"batch_norm", "swish", "leaky_relu", "prelu"} <= ops


# ---- exploding gradients ------------------------------------------------------------------------
def train_numpy(net: Deep, v: dict, X: np.ndarray, Y: np.ndarray, steps: int) -> tuple[list, list, int | None]:
    """Losses, gradient norms before clipping, and the step that overflowed, as the example runs it."""
    losses, norms, state = [], [], {k: (np.zeros_like(w), np.zeros_like(w)) for k, w in net.p.items()}
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            loss, g = net.loss_and_grads(X, Y)
            losses.append(loss)
            norm = np.sqrt(sum(np.sum(x ** 2) for x in g.values())) if np.isfinite(loss) else np.nan
            if not np.isfinite(norm):
                return losses, norms, t - 1
            norms.append(norm)
            if v["clip"] is not None:
                g = {k: x * min(1.0, v["clip"] / (norm + 1e-12)) for k, x in g.items()}
            if v["clip_value"] is not None:
                g = {k: np.clip(x, -v["clip_value"], v["clip_value"]) for k, x in g.items()}
            g = {k: x + v["weight_decay"] * net.p[k] for k, x in g.items()}
            for k, w in net.p.items():
                m, s = state[k]
                if v["optimizer"] == "adam":
                    m, s = 0.9 * m + 0.1 * g[k], 0.999 * s + 0.001 * g[k] ** 2
                    net.p[k] = w - v["lr"] * (m / (1 - 0.9 ** t)) / (np.sqrt(s / (1 - 0.999 ** t)) + 1e-8)
                elif v["optimizer"] == "rmsprop":
                    s = 0.99 * s + 0.01 * g[k] ** 2
                    net.p[k] = w - v["lr"] * g[k] / (np.sqrt(s) + 1e-8)
                else:
                    net.p[k] = w - v["lr"] * g[k]
                state[k] = (m, s)
    return losses, norms, None


def test_exploding_runs_match_numpy_optimisers_step_by_step():
    trace = run("exploding_gradients")
    meta = trace.meta
    X, Y = arr(trace, "sgd.layer1.Z1", 1), arr(trace, "sgd.loss", 1)
    for v in variants(trace):
        losses, norms, over = train_numpy(Deep(trace, v, v["name"], 11), v, X, Y, 60)
        assert meta["overflow_at"][v["name"]] == over, v["name"]
        n = len(norms)
        np.testing.assert_allclose(meta["grad_norm_history"][v["name"]][:n], norms, rtol=1e-6, err_msg=v["name"])
        kept = [x for x in losses if np.isfinite(x)]
        np.testing.assert_allclose(meta["loss_history"][v["name"]][:len(kept)], kept, rtol=1e-6, err_msg=v["name"])
    assert meta["overflow_at"]["sgd"] == 3 and meta["overflow_at"]["sgd_weight_decay"] == 3
    assert meta["survivors"] == ["sgd_clip_norm", "sgd_clip_value", "adam", "rmsprop", "sgd_he"]


def test_exploding_story_marks_the_overflow_on_the_monitoring_plot():
    trace = run("exploding_gradients")
    story = Story.from_meta(trace.meta)
    monitor = next(p for p in story.plots if "monitoring" in p.title["en"])
    assert monitor.log_y and [m["x"] for m in monitor.marks] == [3, 3]
    assert monitor.series["SGD"][:3] == pytest.approx(trace.meta["grad_norm_history"]["sgd"]) and monitor.series["SGD"][3] is None
    assert "overflows at step 3" in story.recap["en"] and "在第 3 步溢位" in story.recap["zh-Hant"]
    decay = [s for s in trace.steps if s.op == "weight_decay"]
    assert decay[0].name == "sgd_weight_decay.W1.decay" and decay[0].formula == "dW1 = dW1 + 0.1·W1"


# ---- gradient through time ----------------------------------------------------------------------
def cell_loss(trace: tracer.Trace, kind: str, nudge: tuple[int, str, np.ndarray] | None) -> complex:
    """The cell's loss in NumPy (complex numbers allowed), with ``nudge`` = (t, state, Δ) added to the
    state right after timestep t computes it."""
    X, Y = arr(trace, f"{kind}.t0.x", 0), arr(trace, f"{kind}.loss", 1)
    h = np.zeros((arr(trace, f"{kind}.y", 0).shape[1], 1), dtype=complex)
    c = h.copy()

    def add(t: int, state: str, value: np.ndarray) -> np.ndarray:
        return value + nudge[2] if nudge and nudge[:2] == (t, state) else value

    def gate(t: int, z: str, hx: np.ndarray) -> np.ndarray:
        return arr(trace, f"{kind}.t{t}.{z}", 0) @ hx + arr(trace, f"{kind}.t{t}.{z}", 2)[:, None]

    for t in range(X.shape[1]):
        x = X[:, t:t + 1]
        if kind == "rnn":
            h = np.tanh(arr(trace, "rnn.t0.Wh_h", 0) @ h + arr(trace, "rnn.t0.Wx_x_b", 0) @ x + arr(trace, "rnn.t0.Wx_x_b", 2)[:, None])
        elif kind == "lstm":
            hx = np.vstack([h, x])
            f, i = sigmoid(gate(t, "z_f", hx)), sigmoid(gate(t, "z_i", hx))
            g, o = np.tanh(gate(t, "z_g", hx)), sigmoid(gate(t, "z_o", hx))
            c = add(t, "cell", f * c + i * g)
            h = o * np.tanh(c)
        else:
            hx = np.vstack([h, x])
            r, u = sigmoid(gate(t, "z_r", hx)), sigmoid(gate(t, "z_u", hx))
            h = (1 - u) * h + u * np.tanh(gate(t, "z_h", np.vstack([r * h, x])))
        h = add(t, "hidden", h)
    y = arr(trace, f"{kind}.y", 0) @ h + arr(trace, f"{kind}.y", 2)[:, None]
    return np.mean((y - Y) ** 2)


def test_gradient_through_time_matches_complex_step_derivatives():
    """∂L/∂h_t by the complex step (L(h + iδ)·/δ: exact to rounding, however small the gradient)."""
    trace = run("gradient_through_time")
    sizes = trace.meta["grad_norm_per_timestep"]
    for kind, state in (("rnn", "hidden"), ("lstm", "hidden"), ("lstm", "cell"), ("gru", "hidden")):
        key = "lstm_cell" if state == "cell" else kind
        hidden = arr(trace, f"{kind}.y", 0).shape[1]
        want = []
        for t in range(20):
            grad = [cell_loss(trace, kind, (t, state, 1e-30j * np.eye(hidden)[:, j:j + 1])).imag / 1e-30 for j in range(hidden)]
            want.append(np.linalg.norm(grad))
        np.testing.assert_allclose(sizes[key], want, rtol=1e-7, err_msg=key)
    # the seed's claim, in numbers: the RNN's gradient fades, the LSTM's cell state carries it
    kept = trace.meta["kept_fraction"]
    assert kept["rnn"] < 1e-6 and kept["lstm_cell"] > 0.5 and trace.meta["carries_furthest"] == "lstm_cell"
    assert kept["rnn"] < kept["gru"] < kept["lstm"]


def test_gradient_through_time_story_and_labels():
    trace = run("gradient_through_time")
    story = Story.from_meta(trace.meta)
    # per cell: timesteps 2–20 and back through 19–1 (×19; the RNN's cut by the sum of W_h's
    # gradients worked in full, back into timestep 19 before it ×1); the LSTM's and the GRU's
    # gates that repeat a gate worked already (×3 forward, ×4 back through the LSTM's: W_o and
    # three gates)
    assert [c.repeat for c in story.chapters if c.play == "summary"] == [19, 1, 19, 3, 19, 4, 19, 3, 19, 19]
    plot = story.plots[0]
    assert plot.log_y and plot.x == list(range(1, 21)) and set(plot.series) == {"RNN ‖∂L/∂h‖", "LSTM ‖∂L/∂h‖", "LSTM ‖∂L/∂c‖", "GRU ‖∂L/∂h‖"}
    X = trace.tensors[trace.step("rnn.t0.x").inputs[0]]
    assert X.labels == (("f1", "f2"), tuple(f"t{t}" for t in range(1, 21)))


# ---- RNN against attention --------------------------------------------------------------------
def test_rnn_vs_attention_dependency_depth():
    meta = run("rnn_vs_attention").meta
    # RNN, per token: slice x_t ∥ W_h·h_{t−1} → + W_x·x_t + b → tanh: h_1 after 4 steps, then 3 more per token
    assert meta["depth_per_token"]["rnn"] == [4, 7, 10, 13]
    # attention: Q = W_Q·X → rows → attention (scores, softmax, mix) → columns, for all tokens at once
    assert meta["depth_per_token"]["attention"] == [4, 4, 4, 4]
    assert meta["steps"] == {"rnn": 20, "attention": 8}
    recap = Story.from_meta(meta).recap
    assert "13 steps" in recap["en"] and "蘋果 (apples) waits for 吃 (eat)" in recap["en"] and "「蘋果」要等「吃」" in recap["zh-Hant"]


def test_dependency_depth_of_a_small_trace():
    from tracer.systems.rnn_vs_attention import dependency_depth
    with tracer.record() as trace:
        a = tracer.exp(tracer.tensor([1.0], name="x"), name="a")     # 1
        b = tracer.softmax(tracer.tensor([1.0, 2.0]), name="b")      # 1 (a composite counts once)
        tracer.add(tracer.mul(a, 2.0, name="c"), b.sum(), name="d")  # c 2, sum 2, d 3
    depth = dependency_depth(trace)
    assert [depth[trace.step(n).id] for n in ("a", "b", "c", "d")] == [1, 1, 2, 3]


# ---- what tracer run prints -------------------------------------------------------------------
@pytest.mark.slow  # one example run per case through the CLI
@pytest.mark.parametrize("name, expected", [
    ("vanishing_gradients", "loses it: sigmoid_xavier (below 1% of the output layer's from layer 9 down)"),
    ("exploding_gradients", "overflows: sgd at step 3, sgd_weight_decay at step 3; survives: sgd_clip_norm"),
    ("gradient_through_time", "carries the gradient furthest: lstm_cell"),
    ("rnn_vs_attention", "dependency depth for 4 tokens: rnn 13 (3 more per token), attention 4"),
    ("self_attention", "蘋果 → 吃 0.94"),
])
def test_tracer_run_prints_what_the_example_found(tmp_path, name, expected):
    result = CliRunner().invoke(main, ["run", name, "-o", str(tmp_path / "t.trace")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"wrote {tmp_path / 't.trace'}") and 1 <= len(lines) - 1 <= 2
    assert expected in result.output


# ---- every story ------------------------------------------------------------------------------
STORIES = ["vanishing_gradients", "exploding_gradients", "gradient_through_time", "rnn_vs_attention", "self_attention",
           "rnn", "lstm", "gru"]


@pytest.mark.parametrize("name", STORIES)
def test_story_is_complete_in_four_languages(name):
    trace = run(name)
    story = Story.from_meta(trace.meta)
    texts = [story.title, story.question, story.recap] + [c.title for c in story.chapters] + [p.title for p in story.plots]
    for t in texts:
        assert set(t) == {"en", "zh-Hant", "zh-Hans", "vi"} and all(t.values()), t
        for lang in ("zh-Hant", "zh-Hans"):  # Chinese sentences use full-width punctuation
            assert not any(ch in t[lang] for ch in ",:;"), t[lang]
    last = -1
    for c in story.chapters:  # chapters follow the trace in order and never overlap
        assert last < c.steps[0] <= c.steps[1] < len(trace.steps), (c.title["en"], c.steps)
        last = c.steps[1]
    assert story.plots and all(p.series or p.values or p.tensor for p in story.plots)


@pytest.mark.parametrize("text, key, problem", [
    ("system: gradient_through_time\ncells: [rnn, cnn]\n", "cells[1]", "'cnn': expected a distinct one of rnn, lstm, gru"),
    ("system: gradient_through_time\ncells: []\n", "cells", "expected at least one"),
    ("system: rnn_vs_attention\nglosses: [I]\n", "glosses", "expected 4 glosses"),
    ("system: self_attention\nglosses: [I, love]\n", "glosses", "expected 4 glosses"),
    ("system: vanishing_gradients\nvariants:\n  - {name: a, activation: softsign}\n", "variants[0].activation", "'softsign' is not one of"),
    ("system: exploding_gradients\nvariants:\n  - {name: a, optimizer: lion}\n", "variants[0].optimizer", "'lion' is not one of"),
])
def test_bad_configurations_name_the_key(tmp_path, text, key, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tracer.ConfigError) as info:
        run_example(str(path))
    assert key in str(info.value) and problem in str(info.value), str(info.value)

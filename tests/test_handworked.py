"""Examples worked out on paper: every number below was computed by hand, not by the engine."""
from __future__ import annotations

import numpy as np

import tracer


def test_perceptron_goes_to_the_movie() -> None:
    # Seed 002: weather (weight 8) and price (weight 4) hold, company (weight 4) does not:
    # 8·1 + 4·1 + 4·0 = 12 > threshold 8, so the perceptron fires: go.
    with tracer.record() as trace:
        w = tracer.param([[8, 4, 4]], name="w")
        x = tracer.tensor([[1], [1], [0]], name="x")
        total = w @ x
        go = tracer.step(total, threshold=8, name="go")
    assert total.item() == 12
    assert go.item() == 1
    assert [s.op for s in trace.steps] == ["matmul", "step"]
    assert trace.steps[1].formula == "go = 1 if matmul > 8 else 0"


def test_two_two_two_sigmoid_network_one_sgd_step() -> None:
    # Matt Mazur's worked example: inputs .05 .10, targets .01 .99, learning rate 0.5,
    # E = ½Σ(t − o)² which is mean((o − t)²) over the two outputs; biases stay fixed.
    W1 = tracer.param([[0.15, 0.20], [0.25, 0.30]], name="W1")
    W2 = tracer.param([[0.40, 0.45], [0.50, 0.55]], name="W2")
    b1, b2 = tracer.tensor([[0.35], [0.35]], name="b1"), tracer.tensor([[0.60], [0.60]], name="b2")
    x, t = tracer.tensor([[0.05], [0.10]], name="x"), tracer.tensor([[0.01], [0.99]], name="t")
    opt = tracer.SGD([W1, W2], lr=0.5)
    with tracer.record() as trace:
        h = tracer.sigmoid(W1 @ x + b1, name="h")
        o = tracer.sigmoid(W2 @ h + b2, name="o")
        E = tracer.mse(o, t, name="E")
        E.backward()
        opt.step()
    np.testing.assert_allclose(h.numpy().ravel(), [0.593269992, 0.596884378], atol=1e-9)
    np.testing.assert_allclose(o.numpy().ravel(), [0.75136507, 0.772928465], atol=1e-8)
    assert abs(E.item() - 0.298371109) < 1e-9
    np.testing.assert_allclose(W2.numpy(), [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=1e-8)
    np.testing.assert_allclose(W1.numpy(), [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=1e-8)
    assert [s.formula for s in trace.phase("update")] == ["W1 ← W1 − 0.5·dW1", "W2 ← W2 − 0.5·dW2"]


def test_by_hand_autoencoder_4_3_2_3_4() -> None:
    x = np.array([[1], [2], [0], [1]])
    params = {
        "W1": [[1, 0, 1, 0], [0, 1, 0, 1], [1, -1, 0, 0]], "b1": [[0], [0], [1]],
        "W2": [[1, 1, 0], [0, 1, -1]], "b2": [[0], [0]],
        "W3": [[1, 0], [0, 1], [1, -1]], "b3": [[0], [0], [0]],
        "W4": [[0, 0, 1], [1, -1, 0], [0, 0, 0], [0, 1, -1]], "b4": [[0], [0], [0], [0]],
    }
    p = {k: tracer.param(v, name=k) for k, v in params.items()}
    with tracer.record() as trace:
        X = tracer.tensor(x, name="X")
        h = X
        for i in (1, 2, 3, 4):
            with tracer.scope(f"layer{i}"):
                z = tracer.linear(p[f"W{i}"], h, p[f"b{i}"], name=f"Z{i}")
                h = tracer.relu(z, name=f"H{i}") if i < 4 else z
        loss = tracer.sse(h, X, name="L")
        loss.backward()
        tracer.SGD(p.values(), lr=0.5).step()

    def value(name: str) -> list[int]:
        return trace.tensors[trace.step(name).outputs[0]].data.ravel().tolist()

    # z1 = W1·x + b1 = [1+0, 2+1, 1−2+1] = [1, 3, 0]; ReLU keeps it
    assert value("layer1.Z1") == [1, 3, 0] and value("layer1.H1") == [1, 3, 0]
    # z2 = [1+3, 3−0] = [4, 3];  z3 = [4, 3, 4−3] = [4, 3, 1]
    assert value("layer2.H2") == [4, 3] and value("layer3.H3") == [4, 3, 1]
    # y = [1, 4−3, 0, 3−1] = [1, 1, 0, 2];  Y − Y′ = [0, −1, 0, 1];  SSE = 2
    assert value("layer4.Z4") == [1, 1, 0, 2] and loss.item() == 2
    grads = {t.name: t.data.astype(int).tolist() for t in trace.tensors.values() if t.kind == "grad"}
    assert grads["dZ4"] == [[0], [-2], [0], [2]]                          # 2(Y − Y′)
    assert grads["dW4"] == [[0, 0, 0], [-8, -6, -2], [0, 0, 0], [8, 6, 2]]  # dY·H3ᵀ
    assert grads["dH3"] == [[-2], [4], [-2]]                              # W4ᵀ·dY
    assert grads["dW3"] == [[-8, -6], [16, 12], [-8, -6]]
    assert grads["dH2"] == [[-4], [6]]
    assert grads["dW2"] == [[-4, -12, 0], [6, 18, 0]]
    assert grads["dH1"] == [[-4], [2], [-6]]
    assert grads["dZ1"] == [[-4], [2], [0]]                               # ReLU blocks z = 0
    assert grads["dW1"] == [[-4, -8, 0, -4], [2, 4, 0, 2], [0, 0, 0, 0]]
    assert grads["db1"] == [[-4], [2], [0]]
    # W4 ← W4 − 0.5·dW4: row 2 is [1, −1, 0] + [4, 3, 1] = [5, 2, 1]
    assert p["W4"].numpy().tolist()[1] == [5, 2, 1]
    assert p["W1"].numpy().tolist()[0] == [3, 4, 1, 2]


def test_mlp_trained_with_adam_lowers_its_loss_and_records_every_iteration() -> None:
    tracer.seed(0)
    X = tracer.tensor(np.random.default_rng(1).normal(size=(2, 8)), name="X")
    Y = tracer.tensor(np.sin(X.numpy().sum(axis=0, keepdims=True)), name="Y")
    W1, W2 = tracer.xavier((6, 2), name="W1"), tracer.xavier((1, 6), name="W2")
    b1, b2 = tracer.param(np.zeros((6, 1)), name="b1"), tracer.param(np.zeros((1, 1)), name="b2")
    opt = tracer.Adam([W1, b1, W2, b2], lr=0.05)
    losses = []
    with tracer.record() as trace:
        for i in range(50):
            with tracer.scope(f"iter{i}"):
                h = tracer.tanh(tracer.linear(W1, X, b1), name="H")
                loss = tracer.mse(tracer.linear(W2, h, b2, name="Y_hat"), Y, name="loss")
                opt.zero_grad()
                loss.backward()
                opt.step()
            losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    for i in (0, 25, 49):
        phases = {s.phase for s in trace.steps if s.name.startswith(f"iter{i}.")}
        assert phases == {"forward", "backward", "update"}
    updates = trace.phase("update")
    assert len(updates) == 50 * 4 and all(s.op == "adam" for s in updates)
    assert trace.tensors[updates[-1].outputs[0]].kind == "param"
    assert trace.tensors[updates[-1].outputs[0]].version == 50

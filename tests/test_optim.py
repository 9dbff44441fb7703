"""Optimisers, clipping and initialisation: numbers worked out by hand; updates are steps."""
from __future__ import annotations

import numpy as np
import pytest

import tracer


def grad_of(values: list[float]) -> tracer.Tensor:
    """A parameter whose loss Σ w·g gives it exactly the gradient ``values``."""
    w = tracer.param(np.zeros(len(values)), name="w")
    (w * np.array(values)).sum().backward()
    return w


def test_sgd_with_momentum_by_hand() -> None:
    w = tracer.param([1.0], name="w")
    opt = tracer.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        (w * 2.0).sum().backward()  # dw = 2 each time
        opt.step()
    # v1 = 2, w = 1 − 0.2 = 0.8;  v2 = 0.9·2 + 2 = 3.8, w = 0.8 − 0.38 = 0.42
    np.testing.assert_allclose(w.numpy(), [0.42])


def test_adam_first_step_moves_each_weight_by_the_learning_rate() -> None:
    w = tracer.param([1.0, 1.0], name="w")
    (w * np.array([0.001, 50.0])).sum().backward()
    tracer.Adam([w], lr=0.1).step()
    # m̂ = g and v̂ = g² after one step, so the step is lr·g/|g| whatever the gradient's size
    np.testing.assert_allclose(w.numpy(), [0.9, 0.9], atol=1e-6)


def test_updates_are_recorded_with_new_parameter_versions() -> None:
    w = tracer.param([[1.0, 2.0]], name="W")
    opt = tracer.Adam([w], lr=0.1)
    with tracer.record() as trace:
        for _ in range(2):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
    ups = trace.phase("update")
    assert [s.name for s in ups] == ["W.update", "W.update_1"]
    first_w, dw = ups[0].inputs[:2]
    assert trace.tensors[dw].kind == "grad" and trace.tensors[dw].grad_of == first_w
    new = trace.tensors[ups[0].outputs[0]]
    assert (new.name, new.kind, new.version) == ("W", "param", 1)
    assert ups[1].inputs[0] == ups[0].outputs[0]  # the second update starts from the first's W
    assert trace.tensors[ups[1].inputs[2]].name == "m_W"


def test_clip_grad_norm_scales_to_the_limit_and_is_recorded() -> None:
    a, b = grad_of([3.0, 0.0]), grad_of([0.0, 4.0])
    with tracer.record() as trace:
        norm = tracer.clip_grad_norm([a, b], max_norm=1.0)
    assert norm == 5.0
    np.testing.assert_allclose(a.grad, [0.6, 0.0])
    np.testing.assert_allclose(b.grad, [0.0, 0.8])
    step = trace.steps[0]
    assert (step.op, step.phase, step.attrs["norm"]) == ("clip_grad_norm", "update", 5.0)
    assert "length 5" in step.narration


def test_clip_grad_value() -> None:
    a = grad_of([3.0, -0.5, -7.0])
    tracer.clip_grad_value([a], 1.0)
    np.testing.assert_array_equal(a.grad, [1.0, -0.5, -1.0])


def test_xavier_and_he_are_seeded_and_scaled() -> None:
    a, b = tracer.xavier((200, 300), seed=1), tracer.xavier((200, 300), seed=1)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    limit = np.sqrt(6 / 500)
    assert np.abs(a.numpy()).max() <= limit and np.abs(a.numpy()).max() > 0.95 * limit
    he = tracer.he((400, 500), seed=2).numpy()
    assert abs(he.std() - np.sqrt(2 / 500)) < 0.002
    tracer.seed(9)
    c = tracer.he((3, 3)).numpy()
    tracer.seed(9)
    np.testing.assert_array_equal(c, tracer.he((3, 3)).numpy())


def test_rmsprop_first_step_by_hand() -> None:
    w = tracer.param([1.0, 1.0], name="w")
    (w * np.array([0.5, -40.0])).sum().backward()
    with tracer.record() as trace:
        tracer.RMSprop([w], lr=0.01).step()
    # v = 0.01·g², so g / √v = 10·sign(g): the first step is 0.1 whatever the gradient's size
    np.testing.assert_allclose(w.numpy(), [0.9, 1.1], atol=1e-6)
    step = trace.steps[0]
    assert (step.op, step.phase, step.name) == ("rmsprop", "update", "w.update")
    np.testing.assert_allclose(trace.tensors[step.outputs[1]].data, [0.0025, 16.0])  # v_w = 0.01·g²


def test_weight_decay_is_its_own_update_step() -> None:
    w = tracer.param([2.0, -4.0], name="w")
    with tracer.record() as trace:
        (w * np.array([1.0, 1.0])).sum().backward()       # dw = (1, 1)
        tracer.SGD([w], lr=0.1, weight_decay=0.5).step()
    # dw + λw = (1 + 1, 1 − 2) = (2, −1);  w − 0.1·(2, −1) = (1.8, −3.9)
    np.testing.assert_allclose(w.numpy(), [1.8, -3.9])
    decay, update = trace.phase("update")
    assert (decay.op, decay.name, update.op) == ("weight_decay", "w.decay", "sgd")
    assert decay.formula == "dw = dw + 0.5·w" and update.inputs[1] == decay.outputs[0]
    np.testing.assert_allclose(trace.tensors[decay.outputs[0]].data, [2.0, -1.0])


@pytest.mark.parametrize("name", ["sgd", "sgd_decay", "adam", "adam_decay", "rmsprop", "rmsprop_decay", "sgd_momentum"])
def test_optimisers_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    kind, _, decay = name.partition("_")
    kw = {"weight_decay": 0.1} if decay == "decay" else {"momentum": 0.9} if decay == "momentum" else {}
    make = {"sgd": (tracer.SGD, torch.optim.SGD, 0.05), "adam": (tracer.Adam, torch.optim.Adam, 0.05),
            "rmsprop": (tracer.RMSprop, torch.optim.RMSprop, 0.01)}[kind]
    rng = np.random.default_rng(0)
    W0, X = rng.normal(size=(3, 4)), rng.normal(size=(4, 5))
    W, Wt = tracer.param(W0, name="W"), torch.tensor(W0, requires_grad=True)
    ours, theirs = make[0]([W], lr=make[2], **kw), make[1]([Wt], lr=make[2], **kw)
    for _ in range(4):  # a loss whose gradient changes with W: the optimisers' state matters
        ours.zero_grad()
        (np.tanh(W @ X) ** 2).sum().backward()
        ours.step()
        theirs.zero_grad()
        (torch.tanh(Wt @ torch.tensor(X)) ** 2).sum().backward()
        theirs.step()
    np.testing.assert_allclose(W.numpy(), Wt.detach().numpy(), rtol=1e-10, atol=1e-12)

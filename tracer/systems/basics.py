"""The perceptron and its learning rule, min-max normalisation, and an MLP trained by backprop."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import MLP, Perceptron, minmax_normalize

from . import system
from .common import (Axes, LabelledConfig, Trainer, Training, array, columns, dense, footprint, layer_labels, named,
                     one_of, plain, recorded_steps, set_labels, tensor)
from .schema import Where
from .stories import basics as stories


# ---- perceptron --------------------------------------------------------------------------------
WEEKS = [f"week {k}" for k in range(1, 8)]


@dataclass
class PerceptronConfig(LabelledConfig):
    features: list[str] = field(default_factory=lambda: ["weather", "price", "company"])
    labels: dict[str, Axes] = field(default_factory=lambda: {
        "W": Axes(rows=["go"]), "X": Axes(cols=["this weekend"]), "X_train": Axes(cols=WEEKS),
        "Y_train": Axes(rows=["go"], cols=WEEKS)})
    threshold: float = 8.0
    weights: dict[str, np.ndarray] = field(default_factory=lambda: {"W": array([8, 4, 4])})
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {
        "X": array([[1], [1], [0]]),
        "X_train": array([[1, 1, 0, 1, 1, 0, 0], [1, 0, 1, 1, 0, 0, 1], [0, 1, 1, 1, 0, 1, 0]])})
    targets: dict[str, np.ndarray] = field(default_factory=lambda: {"Y_train": array([[0, 1, 1, 1, 0, 1, 0]])})
    training: Training = field(default_factory=lambda: Training(loss="perceptron", optimizer="sgd", lr=1.0, steps=5))


@system("perceptron", PerceptronConfig, "weights, a threshold, a decision; the perceptron learning rule")
def perceptron(cfg: PerceptronConfig, where: Where) -> tracer.Trace:
    n = len(cfg.features)
    W = named(where, "weights", cfg.weights, {"W": (n,)})["W"]
    X = named(where, "inputs", cfg.inputs, {"X": (n, None), "X_train": (n, None)})
    Y = named(where, "targets", cfg.targets, {"Y_train": (1, X["X_train"].shape[1])})["Y_train"]
    one_of(where, "training.loss", cfg.training.loss, ["perceptron"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd"])
    model = Perceptron(W, cfg.threshold)
    X_now = tracer.tensor(X["X"], name="X", rows=cfg.features)
    X_train = tracer.tensor(X["X_train"], name="X_train", rows=cfg.features)
    Y_train = tensor(Y, "Y_train")
    model.W.labels = (None, tuple(cfg.features))
    set_labels(where, cfg.labels, {"W": model.W, "X": X_now, "X_train": X_train, "Y_train": Y_train})
    opt = tracer.SGD(model.parameters(), lr=cfg.training.lr)
    history: list[dict] = []
    with tracer.record() as trace:
        with tracer.scope("decide"):
            S, go = model.forward(X_now)
        before = {"S": S.numpy()[0].tolist(), "Y_hat": go.numpy()[0].tolist()}
        for epoch in range(cfg.training.steps):
            with tracer.scope(f"epoch{epoch + 1}"):
                L, E = model.criterion(X_train, Y_train)
                mistakes = int(np.abs(E.numpy()).sum())
                history.append({"W": model.W.numpy()[0].tolist(), "mistakes": mistakes})
                if mistakes == 0:  # every sample right: the rule would change nothing
                    break
                opt.zero_grad()
                L.backward()
                opt.step()
        with tracer.scope("decide_after"):
            S2, go2 = model.forward(X_now)
    trace.meta.update(plain({
        "features": cfg.features, "threshold": cfg.threshold, "decision": before,
        "decision_after": {"S": S2.numpy()[0].tolist(), "Y_hat": go2.numpy()[0].tolist()},
        "epochs": history, "weights_after": model.W.numpy()[0].tolist(),
        "recorded": "the decision, every epoch of the learning rule (W ← W + η·(Y − Ŷ)·Xᵀ), the decision after",
        "label_names": cfg.label_names,   # before the story: its recap names the features in each language
    }))
    stories.perceptron(trace)
    return trace


# ---- min-max normalisation ---------------------------------------------------------------------
@dataclass
class NormalizationConfig(LabelledConfig):
    students: list[str] = field(default_factory=lambda: ["Ana", "Bao", "Chen", "Dana", "Eli"])
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"scores": array([[90, 80, 70, 60, 50]])})


@system("normalization", NormalizationConfig, "min-max normalisation of a row of numbers")
def normalization(cfg: NormalizationConfig, where: Where) -> tracer.Trace:
    scores = named(where, "inputs", cfg.inputs, {"scores": (1, len(cfg.students))})["scores"]
    if scores.max() == scores.min():
        raise where.error("inputs.scores", "all values are equal: max − min would be 0")
    X = tracer.tensor(scores, name="scores", rows=["score"], cols=cfg.students)
    set_labels(where, cfg.labels, {"scores": X})
    with tracer.record() as trace:
        minmax_normalize(X, axis=1, name="minmax")
    trace.meta.update(plain({"students": cfg.students, "recorded": "the normalisation"}))
    stories.normalization(trace)
    return trace


# ---- MLP forward + backprop + gradient descent -------------------------------------------------
@dataclass
class MLPModel:
    sizes: list[int] = field(default_factory=lambda: [2, 3, 1])
    activation: str = field(default="relu", metadata={"choices": ("relu", "sigmoid", "tanh", "none")})
    output_activation: str = field(default="none", metadata={"choices": ("relu", "sigmoid", "tanh", "none")})


SAMPLES = ["s1", "s2", "s3", "s4"]


@dataclass
class MLPConfig(LabelledConfig):
    model: MLPModel = field(default_factory=MLPModel)
    labels: dict[str, Axes] = field(default_factory=lambda: {
        "X": Axes(rows=["x1", "x2"], cols=SAMPLES), "Y": Axes(rows=["y"], cols=SAMPLES),
        **layer_labels([["x1", "x2"], ["h1", "h2", "h3"], ["y"]])})
    weights: dict[str, np.ndarray] = field(default_factory=lambda: {
        "W1": array([[-1, 1], [1, -1], [0, 1]]), "b1": array([1, -1, -1]),
        "W2": array([[1, 1, 1]]), "b2": array([0])})
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"X": array([[1, 2, 0, 3], [2, 1, 1, 0]])})
    targets: dict[str, np.ndarray] = field(default_factory=lambda: {"Y": array([[3, 1, 2, 4]])})
    training: Training = field(default_factory=lambda: Training(loss="sse", optimizer="sgd", lr=0.01, steps=5))


def layer_shapes(sizes: list[int]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        shapes[f"W{k}"], shapes[f"b{k}"] = (n_out, n_in), (n_out,)
    return shapes


def check_sizes(where: Where, key: str, sizes: list[int], at_least: int = 2) -> None:
    if len(sizes) < at_least or any(s < 1 for s in sizes):
        raise where.error(key, f"expected at least {at_least} positive layer sizes, got {sizes}")


def loss_fn(kind: str):
    return {"sse": tracer.sse, "mse": tracer.mse}[kind]


def _mlp_memory(cfg: MLPConfig) -> tuple[str, int]:
    params, acts = dense(cfg.model.sizes, columns(cfg.inputs, "X"))
    return "model.sizes", footprint(params, acts, recorded_steps(cfg.training) + 1)


@system("mlp", MLPConfig, "a multi-layer perceptron: forward, backprop, gradient descent", _mlp_memory)
def mlp(cfg: MLPConfig, where: Where) -> tracer.Trace:
    sizes = cfg.model.sizes
    check_sizes(where, "model.sizes", sizes)
    W = named(where, "weights", cfg.weights, layer_shapes(sizes))
    X = named(where, "inputs", cfg.inputs, {"X": (sizes[0], None)})["X"]
    Y = named(where, "targets", cfg.targets, {"Y": (sizes[-1], X.shape[1])})["Y"]
    one_of(where, "training.loss", cfg.training.loss, ["sse", "mse"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])
    net = MLP([(W[f"W{k}"], W[f"b{k}"]) for k in range(1, len(sizes))], activation=cfg.model.activation,
              output_activation=cfg.model.output_activation)
    Xt, Yt = tensor(X, "X"), tensor(Y, "Y′")
    set_labels(where, cfg.labels, {"X": Xt, "Y": Yt, **net.named_parameters()})
    loss = loss_fn(cfg.training.loss)
    trainer = Trainer(cfg.training, net.parameters())
    step = lambda: loss(net(Xt), Yt, name="loss")  # noqa: E731
    trainer.run(step, trainer.silent)
    with tracer.record() as trace:
        trainer.run(step, trainer.recorded)
        with tracer.scope("after"):
            final = step()
    trace.meta.update(plain({"loss_history": trainer.history + [float(final)],
                             "recorded": trainer.describe() + ", then the loss after training"}))
    stories.mlp(trace, trainer.silent, trainer.recorded, cfg.training.lr)
    return trace

"""RNN, LSTM and GRU cells unrolled over a short sequence, every gate a named step, then one step of
backpropagation through time; and the gradient's size at every timestep, which gradient_through_time
compares across cells."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import GRUCell, LSTMCell, Recurrent, RNNCell
from tracer.trace import Trace

from . import system
from .common import ExampleConfig, Trainer, Training, array, footprint, named, one_of, plain, sequence
from .schema import Where
from .stories import recurrent as stories

CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}


def gradients(trace: Trace) -> dict[str, np.ndarray]:
    """Forward tensor id → the total gradient backward left on it.

    A tensor that fed several ops gets one gradient per use and then their sum: the sum is
    produced last, so the gradient of the latest producer is the total.

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     w = tracer.param([3.0], name="w")
    ...     tracer.sum(tracer.mul(w, w, name="h"), name="loss").backward()
    >>> gradients(trace)[trace.step("h").inputs[0]].tolist()      # d(w²)/dw = 2w, both uses added
    [6.0]
    """
    latest: dict[str, tuple[int, str]] = {}
    for tid, rec in trace.tensors.items():
        if rec.grad_of is not None:
            order = -1 if rec.producer is None else rec.producer
            if rec.grad_of not in latest or order > latest[rec.grad_of][0]:
                latest[rec.grad_of] = (order, tid)
    return {fwd: np.asarray(trace.tensors[tid].data) for fwd, (_, tid) in latest.items()}


def grad_through_time(trace: Trace, scope: str, state: str = "hidden") -> list[float]:
    """‖∂L/∂h_t‖ (or another per-timestep ``state``: ``cell``) at every timestep of the unrolled
    pass recorded under ``scope``, from the gradients backward left in ``trace``."""
    grads, steps = gradients(trace), {s.name: s for s in trace.steps}
    out: list[float] = []
    while f"{scope}.t{len(out)}.{state}" in steps:
        g = grads.get(steps[f"{scope}.t{len(out)}.{state}"].outputs[0])
        out.append(0.0 if g is None else float(np.linalg.norm(g)))
    return out


@dataclass
class RecurrentModel:
    cell: str = field(default="rnn", metadata={"choices": tuple(CELLS)})
    hidden: int = field(default=2, metadata={"min": 1})
    init: str = field(default="given", metadata={"choices": ("given", "xavier")})
    seed: int = 0


@dataclass
class RecurrentConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["x₁", "x₂", "x₃"])  # the columns of X: x₁ read at timestep 1
    model: RecurrentModel = field(default_factory=RecurrentModel)
    weights: dict[str, np.ndarray] = field(default_factory=lambda: {
        "W_x": array([[1, -1], [0.5, 1]]), "W_h": array([[0.5, 0], [-1, 0.5]]), "b": array([0, 0]),
        "W_y": array([[1, -1]]), "b_y": array([0])})
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"X": array([[1, 0, 1], [0, 1, 1]])})
    targets: dict[str, np.ndarray] = field(default_factory=lambda: {"Y": array([[0.5]])})
    training: Training = field(default_factory=lambda: Training(loss="mse", optimizer="sgd", lr=0.1, steps=1))


def cell_shapes(kind: str, d: int, h: int) -> dict[str, tuple[int, ...]]:
    if kind == "rnn":
        shapes: dict[str, tuple[int, ...]] = {"W_x": (h, d), "W_h": (h, h), "b": (h,)}
    else:
        shapes = {}
        for g in CELLS[kind].GATES:
            shapes.update({f"W_{g}": (h, h + d), f"b_{g}": (h,)})
    shapes.update({"W_y": (1, h), "b_y": (1,)})
    return shapes


def build_cell(kind: str, W: dict[str, np.ndarray]) -> RNNCell | LSTMCell | GRUCell:
    if kind == "rnn":
        return RNNCell(W["W_x"], W["W_h"], W["b"])
    cls = LSTMCell if kind == "lstm" else GRUCell
    return cls({g: W[f"W_{g}"] for g in cls.GATES}, {g: W[f"b_{g}"] for g in cls.GATES})


def _recurrent_memory(cfg: RecurrentConfig) -> tuple[str, int]:
    h, T = max(cfg.model.hidden, 0), len(cfg.tokens)
    d = cfg.inputs["X"].shape[0] if "X" in cfg.inputs and cfg.inputs["X"].ndim else 1
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cfg.model.cell]
    params = gates * h * (h + d + 1) + h + 1
    return "model.hidden", footprint(params, T * h * (3 * gates + 4), cfg.training.steps + 1)


@system("recurrent", RecurrentConfig, "an RNN, LSTM or GRU cell unrolled over a sequence", _recurrent_memory)
def recurrent(cfg: RecurrentConfig, where: Where) -> tracer.Trace:
    T = len(cfg.tokens)
    X = named(where, "inputs", cfg.inputs, {"X": (None, T)})["X"]
    d, h, kind = X.shape[0], cfg.model.hidden, cfg.model.cell
    if cfg.model.init == "given":
        W = named(where, "weights", cfg.weights, cell_shapes(kind, d, h))
        cell = build_cell(kind, W)
        head = (W["W_y"], W["b_y"])
    else:
        if where.given("weights"):
            raise where.error("weights", "weights are given but model.init is 'xavier' (use init: given)")
        cell = CELLS[kind].init(d, h, cfg.model.seed)
        head = (np.random.default_rng(cfg.model.seed).normal(0, 0.5, (1, h)), np.zeros(1))
    Y = named(where, "targets", cfg.targets, {"Y": (1, 1)})["Y"]
    one_of(where, "training.loss", cfg.training.loss, ["mse", "sse"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])
    net = Recurrent(cell, *head)
    Xt, Yt = sequence(X, cfg.tokens), tracer.tensor(Y, name="Y")
    loss = {"mse": tracer.mse, "sse": tracer.sse}[cfg.training.loss]
    trainer = Trainer(cfg.training, net.parameters())
    step = lambda: loss(net(Xt), Yt, name="loss")  # noqa: E731
    trainer.run(step, trainer.silent)
    with tracer.record() as trace:
        y, states = net.run(Xt)  # under the cell's own names (rnn.t0.hidden ...)
        trainer.run(step, trainer.recorded)
        if trainer.recorded:   # what the training did: the same pass once more, its y and loss after it
            with tracer.scope("after"):
                final = step()
    after = [float(final)] if trainer.recorded else []
    trace.meta.update(plain({
        "tokens": cfg.tokens, "cell": kind, "hidden_states": [s[0].numpy()[:, 0] for s in states],
        "output": y.numpy().item(), "loss_history": trainer.history + after,
        "recorded": "one forward pass unrolled over the sequence (rnn.t0.hidden, lstm.t1.forget_gate ...), then "
                    + trainer.describe() + " (backpropagation through time)"
                    + (", then the same pass once more (after.*): the loss after training" if after else ""),
    }))
    if trainer.recorded:
        sizes = {"‖∂L/∂h_t‖": grad_through_time(trace, f"train.{trainer.silent}.{kind}")}
        if kind == "lstm":
            sizes["‖∂L/∂c_t‖"] = grad_through_time(trace, f"train.{trainer.silent}.{kind}", "cell")
        trace.meta["gradient_per_timestep"] = plain(sizes)
        stories.recurrent(trace, kind, cfg.tokens, float(Y[0, 0]), trainer.silent, trainer.recorded)
    return trace

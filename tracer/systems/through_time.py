"""Gradient through time: a plain tanh RNN, an LSTM and a GRU read the same sequence; one step of
backpropagation through time from the last output; the gradient's size at every timestep, side by
side (seed 001: the RNN's gradient fades, the LSTM's cell state carries it)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import LSTMCell, Recurrent

from . import system
from .common import ExampleConfig, plain, sequence
from .recurrent import CELLS, grad_through_time
from .schema import Where
from .stories import recurrent as stories


@dataclass
class ThroughTimeModel:
    hidden: int = field(default=4, metadata={"min": 1, "max": 256})
    seed: int = 1
    forget_bias: float = 2.0   # the LSTM's forget gate starts at σ(2) ≈ 0.88: it keeps most of its cell


@dataclass
class SequenceData:
    steps: int = field(default=20, metadata={"min": 2, "max": 500})
    features: int = field(default=2, metadata={"min": 1, "max": 256})
    seed: int = 1
    target: float = 1.0


@dataclass
class ThroughTimeConfig(ExampleConfig):
    cells: list[str] = field(default_factory=lambda: ["rnn", "lstm", "gru"])
    model: ThroughTimeModel = field(default_factory=ThroughTimeModel)
    data: SequenceData = field(default_factory=SequenceData)


def _cells(where: Where, cells: list[str]) -> None:
    if not cells:
        raise where.error("cells", "expected at least one of rnn, lstm, gru")
    for i, kind in enumerate(cells):
        if kind not in CELLS or kind in cells[:i]:
            raise where.error(f"cells[{i}]", f"{kind!r}: expected a distinct one of {', '.join(CELLS)}")


def build(kind: str, d: int, m: ThroughTimeModel) -> Recurrent:
    """A seeded cell (Xavier weights) with a linear read-out ``y = W_y·h_T``, the same for every kind."""
    cell = LSTMCell.init(d, m.hidden, m.seed, m.forget_bias) if kind == "lstm" else CELLS[kind].init(d, m.hidden, m.seed)
    return Recurrent(cell, np.random.default_rng(m.seed).normal(0.0, 0.5, (1, m.hidden)), np.zeros(1))


@system("gradient_through_time", ThroughTimeConfig, "RNN, LSTM and GRU: the gradient's size at every timestep of backpropagation through time")
def gradient_through_time(cfg: ThroughTimeConfig, where: Where) -> tracer.Trace:
    _cells(where, cfg.cells)
    d, T = cfg.data.features, cfg.data.steps
    X = sequence(np.random.default_rng(cfg.data.seed).normal(0.0, 1.0, (d, T)), [f"t{t + 1}" for t in range(T)])
    Y = tracer.tensor([[cfg.data.target]], name="Y")
    nets = {kind: build(kind, d, cfg.model) for kind in cfg.cells}
    with tracer.record() as trace:
        for kind, net in nets.items():  # steps rnn.t0.hidden … lstm.t19.cell … gru.loss
            tracer.mse(net(X), Y, name=f"{kind}.loss").backward()
    sizes: dict[str, list[float]] = {}
    for kind in cfg.cells:
        sizes[kind] = grad_through_time(trace, kind)
        if kind == "lstm":  # the cell state: the path the forget gate keeps open
            sizes["lstm_cell"] = grad_through_time(trace, "lstm", "cell")
    kept = {k: s[0] / s[-1] if s[-1] else 0.0 for k, s in sizes.items()}  # no gradient at the end: none kept
    best = max(kept, key=kept.__getitem__)
    trace.meta.update(plain({
        "cells": cfg.cells, "steps": T, "grad_norm_per_timestep": sizes, "kept_fraction": kept, "carries_furthest": best,
        "grad_norms_note": "‖∂L/∂h_t‖ for t = 1 … T (lstm_cell: ‖∂L/∂c_t‖, the LSTM's cell state), the total gradient "
                           "backpropagation through time leaves on each; kept_fraction: the size at t = 1 over the size at t = T",
        "recorded": "for every cell: one forward pass unrolled over the sequence and backpropagation through time "
                    "from the loss on the last output (scope = the cell: rnn, lstm, gru)",
    }))
    stories.gradient_through_time(trace, cfg.cells, T)
    return trace

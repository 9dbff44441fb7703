"""Gradient through time: a plain tanh RNN, an LSTM and a GRU read the same sequence; one step of
backpropagation through time from the last output; the gradient's size at every timestep, side by
side (seed 001: the RNN's gradient fades, the LSTM's cell state carries it)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import LSTMCell, Recurrent
from tracer.story import Plot, Story
from tracer.trace import Trace

from . import system
from .common import ExampleConfig, plain, sequence
from .narrative import joined, langs, num, t4
from .recurrent import CELLS, NAMES, TIME, bptt_chapters, forward_chapters, grad_through_time
from .schema import Where


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
    kept = {k: s[0] / s[-1] if s[-1] else None for k, s in sizes.items()}
    best = max(kept, key=lambda k: kept[k] or 0.0)
    trace.meta.update(plain({
        "cells": cfg.cells, "steps": T, "grad_norm_per_timestep": sizes, "kept_fraction": kept, "carries_furthest": best,
        "grad_norms_note": "‖∂L/∂h_t‖ for t = 1 … T (lstm_cell: ‖∂L/∂c_t‖, the LSTM's cell state), the total gradient "
                           "backpropagation through time leaves on each; kept_fraction: the size at t = 1 over the size at t = T",
        "recorded": "for every cell: one forward pass unrolled over the sequence and backpropagation through time "
                    "from the loss on the last output (scope = the cell: rnn, lstm, gru)",
    }))
    _story(trace, cfg.cells, T)
    return trace


SERIES = {"rnn": "RNN ‖∂L/∂h‖", "lstm": "LSTM ‖∂L/∂h‖", "lstm_cell": "LSTM ‖∂L/∂c‖", "gru": "GRU ‖∂L/∂h‖"}


def _story(trace: Trace, cells: list[str], T: int) -> None:
    meta = trace.meta
    sizes, kept = meta["grad_norm_per_timestep"], meta["kept_fraction"]
    chapters = []
    for kind in cells:
        chapters += forward_chapters(trace, kind, NAMES[kind], T)
        chapters += bptt_chapters(trace, kind, NAMES[kind], T, f"{kind}.loss")
    def items(lang: str) -> str:
        zh = lang.startswith("zh")
        return ("；" if zh else "; ").join(f"{SERIES[k]} {num(s[-1])} → {num(s[0])}" + ("（×{}）" if zh else " (×{})").format(num(kept[k]))
                                            for k, s in sizes.items())
    recap = joined([
        t4("Backpropagation through {T} steps, from step {T} back to step 1: {items}.",
           "沿時間反向傳播 {T} 步，從第 {T} 步回到第 1 步：{items}。", "沿时间反向传播 {T} 步，从第 {T} 步回到第 1 步：{items}。",
           "Lan truyền ngược qua {T} bước, từ bước {T} về bước 1: {items}.",
           T=T, items=langs(items)),
        t4("{best} carries the gradient furthest.", "{best} 把梯度帶得最遠。", "{best} 把梯度带得最远。",
           "{best} mang gradient đi xa nhất.", best=SERIES[meta["carries_furthest"]])])
    story = Story(
        t4("The gradient through time: RNN, LSTM and GRU", "沿時間傳遞的梯度：RNN、LSTM 與 GRU", "沿时间传递的梯度：RNN、LSTM 与 GRU",
           "Gradient theo thời gian: RNN, LSTM và GRU"),
        t4("How much of the gradient reaches the first of {T} steps?", "梯度有多少能傳回 {T} 步中的第一步？",
           "梯度有多少能传回 {T} 步中的第一步？", "Bao nhiêu gradient về được bước đầu tiên trong {T} bước?", T=T),
        chapters,
        [Plot("lines", t4("Gradient size at every timestep", "每個時間步的梯度大小", "每个时间步的梯度大小", "Độ lớn gradient ở mỗi bước"),
              TIME, t4("‖∂L/∂·‖", "‖∂L/∂·‖", "‖∂L/∂·‖", "‖∂L/∂·‖"), list(range(1, T + 1)),
              {SERIES[k]: s for k, s in sizes.items()}, log_y=True)],
        recap)
    meta["story"] = story.to_meta()
    meta["summary"] = [
        f"‖∂L/∂h_t‖ from t = {T} back to t = 1: " + ", ".join(f"{k} {num(s[-1])} → {num(s[0])}" for k, s in sizes.items()),
        f"carries the gradient furthest: {meta['carries_furthest']} ({num(kept[meta['carries_furthest']])} of it reaches t = 1)",
    ]

"""RNN, LSTM and GRU cells unrolled over a short sequence, every gate a named step, then one step of
backpropagation through time; and what they share with gradient_through_time: the gradient's size
at every timestep, and the chapters of an unrolled pass."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import GRUCell, LSTMCell, Recurrent, RNNCell
from tracer.story import Chapter, Plot, Story
from tracer.trace import Trace

from . import system
from .common import ExampleConfig, Trainer, Training, array, named, one_of, plain, sequence
from .narrative import gradients, norm, num, phase_end, span, t4
from .schema import Where

CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}
NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
TIME = t4("timestep", "時間步", "时间步", "bước thời gian")


def grad_through_time(trace: Trace, scope: str, state: str = "hidden") -> list[float]:
    """‖∂L/∂h_t‖ (or another per-timestep ``state``: ``cell``) at every timestep of the unrolled
    pass recorded under ``scope``, from the gradients backward left in ``trace``."""
    grads, steps = gradients(trace), {s.name: s for s in trace.steps}
    out: list[float] = []
    while f"{scope}.t{len(out)}.{state}" in steps:
        out.append(norm(grads.get(steps[f"{scope}.t{len(out)}.{state}"].outputs[0])))
    return out


def forward_chapters(trace: Trace, scope: str, label: str, T: int, play: str = "full") -> list[Chapter]:
    """Timestep 1 of an unrolled pass worked in full (every gate), the other T − 1 summarised."""
    chapters = [Chapter(t4("{n}: timestep 1, worked in full", "{n}：第 1 個時間步，完整算一遍",
                           "{n}：第 1 个时间步，完整算一遍", "{n}: bước thời gian 1, tính đầy đủ", n=label),
                        span(trace, f"{scope}.t0", "forward"), play)]
    if T > 1:
        chapters.append(Chapter(t4("{n}: timesteps 2–{T}, the same cell", "{n}：第 2–{T} 個時間步，同一個單元",
                                   "{n}：第 2–{T} 个时间步，同一个单元", "{n}: bước 2–{T}, cùng một ô", n=label, T=T),
                                (span(trace, f"{scope}.t1", "forward")[0], span(trace, f"{scope}.t{T - 1}", "forward")[1]),
                                "summary", T - 1))
    return chapters


def bptt_chapters(trace: Trace, scope: str, label: str, T: int, loss: str, play: str = "full") -> list[Chapter]:
    """The output and the loss; backpropagation through time: back into the last timestep in full,
    then through the others summarised."""
    chapters = [Chapter(t4("{n}: the output and the loss", "{n}：輸出與損失", "{n}：输出与损失", "{n}: đầu ra và mất mát", n=label),
                        (span(trace, f"{scope}.y", "forward")[0], span(trace, loss, "forward")[1]), play)]
    start = span(trace, loss, "backward")[0]
    last, end = span(trace, f"{scope}.t{T - 1}", "backward")[1], phase_end(trace, start)
    chapters.append(Chapter(t4("{n}: the gradient back into timestep {T}", "{n}：梯度反向傳回第 {T} 個時間步",
                               "{n}：梯度反向传回第 {T} 个时间步", "{n}: gradient ngược về bước {T}", n=label, T=T),
                            (start, last), play))
    if T > 1:
        chapters.append(Chapter(t4("{n}: back through timesteps {k}–1", "{n}：反向傳過第 {k} 到第 1 個時間步",
                                   "{n}：反向传过第 {k} 到第 1 个时间步", "{n}: ngược qua bước {k}–1", n=label, k=T - 1),
                                (last + 1, end), "summary", T - 1))
    return chapters


@dataclass
class RecurrentModel:
    cell: str = field(default="rnn", metadata={"choices": tuple(CELLS)})
    hidden: int = field(default=2, metadata={"min": 1})
    init: str = field(default="given", metadata={"choices": ("given", "xavier")})
    seed: int = 0


@dataclass
class RecurrentConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["x1", "x2", "x3"])
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


@system("recurrent", RecurrentConfig, "an RNN, LSTM or GRU cell unrolled over a sequence")
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
    trace.meta.update(plain({
        "tokens": cfg.tokens, "cell": kind, "hidden_states": [s[0].numpy()[:, 0] for s in states],
        "output": y.numpy().item(), "loss_history": trainer.history,
        "recorded": "one forward pass unrolled over the sequence (rnn.t0.hidden, lstm.t1.forget_gate ...), then "
                    + trainer.describe() + " (backpropagation through time)",
    }))
    if trainer.recorded:
        _story(trace, kind, cfg.tokens, float(Y[0, 0]))
    return trace


def _story(trace: Trace, kind: str, tokens: list[str], target: float) -> None:
    """One timestep worked in full, the others fast; the hidden state over time; the gradient's size
    at every timestep in the recorded backpropagation through time."""
    T, name, meta = len(tokens), NAMES[kind], trace.meta
    train = "train.0"
    output = Chapter(t4("{n}: the output y", "{n}：輸出 y", "{n}：输出 y", "{n}: đầu ra y", n=name), span(trace, f"{kind}.y"))
    again = Chapter(t4("{n}: the same pass again, for training", "{n}：為了訓練再走一遍", "{n}：为了训练再走一遍",
                       "{n}: chạy lại lượt xuôi để huấn luyện", n=name),
                    (span(trace, f"{train}.{kind}.t0")[0], span(trace, f"{train}.{kind}.t{T - 1}", "forward")[1]), "skip")
    update = Chapter(t4("{n}: every weight updated, W ← W − η·dW", "{n}：更新每個權重，W ← W − η·dW",
                        "{n}：更新每个权重，W ← W − η·dW", "{n}: cập nhật mọi trọng số, W ← W − η·dW", n=name),
                     span(trace, train, "update"))
    chapters = [*forward_chapters(trace, kind, name, T), output, again,
                *bptt_chapters(trace, f"{train}.{kind}", name, T, f"{train}.loss"), update]
    h = grad_through_time(trace, f"{train}.{kind}")
    series = {"‖∂L/∂h_t‖": h}
    if kind == "lstm":
        series["‖∂L/∂c_t‖"] = grad_through_time(trace, f"{train}.{kind}", "cell")
    states = np.asarray(meta["hidden_states"])  # (T, hidden)
    plots = [Plot("lines", t4("Hidden state over time", "隱藏狀態隨時間的變化", "隐藏状态随时间的变化", "Trạng thái ẩn theo thời gian"),
                  TIME, t4("h", "h", "h", "h"), list(range(1, T + 1)), {f"h{i + 1}": states[:, i].tolist() for i in range(states.shape[1])},
                  after=2),
             Plot("lines", t4("Gradient size at every timestep", "每個時間步的梯度大小", "每个时间步的梯度大小", "Độ lớn gradient ở mỗi bước"),
                  TIME, t4("‖∂L/∂·‖", "‖∂L/∂·‖", "‖∂L/∂·‖", "‖∂L/∂·‖"), list(range(1, T + 1)), series, log_y=True)]
    recap = t4("The {n} reads {first} to {last} one step at a time and answers y = {y} (target {tgt}). Backpropagation "
               "through time carries ‖∂L/∂h‖ = {hT} at {last} back to {h1} at {first}.",
               "{n} 一步一步讀過 {first} 到 {last}，輸出 y = {y}（目標 {tgt}）。沿時間反向傳播把 {last} 的 ‖∂L/∂h‖ = {hT} "
               "傳回 {first}，剩下 {h1}。",
               "{n} 一步一步读过 {first} 到 {last}，输出 y = {y}（目标 {tgt}）。沿时间反向传播把 {last} 的 ‖∂L/∂h‖ = {hT} "
               "传回 {first}，剩下 {h1}。",
               "{n} đọc từ {first} đến {last} từng bước một và trả lời y = {y} (mục tiêu {tgt}). Lan truyền ngược theo "
               "thời gian đưa ‖∂L/∂h‖ = {hT} ở {last} về {first} còn {h1}.",
               n=name, first=tokens[0], last=tokens[-1], y=num(meta["output"]), tgt=num(target), hT=num(h[-1]), h1=num(h[0]))
    story = Story(t4("{n} unrolled over {T} steps", "{n} 沿 {T} 個時間步展開", "{n} 沿 {T} 个时间步展开", "{n} trải ra qua {T} bước",
                     n=name, T=T),
                  t4("How does the {n} carry what it read forward, and the gradient back?", "{n} 怎樣把讀過的內容往前帶，又怎樣把梯度傳回去？",
                     "{n} 怎样把读过的内容往前带，又怎样把梯度传回去？", "{n} mang điều đã đọc đi tiếp và đưa gradient ngược lại thế nào?",
                     n=name),
                  chapters, plots, recap)
    meta["story"] = story.to_meta()
    meta["gradient_per_timestep"] = plain(series)

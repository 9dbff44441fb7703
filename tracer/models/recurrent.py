"""RNN, LSTM and GRU cells, unrolled over a sequence whose time steps are the columns of ``X``.

Every gate is a named step under ``rnn.t0``, ``rnn.t1`` ...: ``forget_gate``, ``input_gate``,
``candidate``, ``output_gate``, ``cell`` and ``hidden`` for the LSTM; ``reset_gate``,
``update_gate``, ``candidate`` and ``hidden`` for the GRU. Gates read the stacked column
``[h ; x]`` (previous hidden state over the current input). The tensors a timestep reads and
leaves are named by it, as the equations name them: ``x₁``, ``h₁`` (and the LSTM's ``c₁``) at the
first, after ``h₀`` (``c₀``); the steps keep their names (``rnn.t0.hidden``).

>>> import numpy as np, tracer
>>> from tracer.models import RNNCell, Recurrent
>>> rnn = Recurrent(RNNCell([[1.0]], [[0.5]], [0.0]), W_y=[[1.0]], b_y=[0.0])
>>> with tracer.record() as trace:
...     y = rnn(tracer.tensor([[1.0, 0.0]], name="X"))
>>> [s.name for s in trace.steps if s.depth == 0 and s.name.endswith("hidden")]
['rnn.t0.hidden', 'rnn.t1.hidden']
>>> trace.step("rnn.t1.hidden").formula
'h₂ = tanh(z)'
"""
from __future__ import annotations

from typing import Any

import numpy as np

import tracer
from tracer.tensor import Tensor

from .base import SUBSCRIPTS, Module, as_param, init_weight

State = tuple[Tensor, ...]


def _bias(b: Any) -> np.ndarray:
    return np.asarray(b.numpy() if isinstance(b, Tensor) else b, dtype=np.float64).reshape(-1)


class RNNCell(Module):
    """``h_t = tanh(W_h·h_{t−1} + W_x·x_t + b)``."""

    kind = "rnn"

    def __init__(self, W_x: Any, W_h: Any, b: Any) -> None:
        self.W_x, self.W_h, self.b = as_param(W_x, "W_x"), as_param(W_h, "W_h"), as_param(_bias(b), "b")
        self.hidden_size = self.W_h.shape[0]

    @classmethod
    def init(cls, d: int, h: int, seed: int = 0) -> "RNNCell":
        return cls(init_weight((h, d), "xavier", "W_x", seed), init_weight((h, h), "xavier", "W_h", seed + 1),
                   np.zeros(h))

    def initial(self, batch: int = 1) -> State:
        return (tracer.tensor(np.zeros((self.hidden_size, batch)), name="h₀"),)

    def __call__(self, x: Tensor, state: State) -> State:
        (h,) = state
        recur = tracer.matmul(self.W_h, h, name="Wh_h")          # memory of the steps before
        inp = tracer.linear(self.W_x, x, self.b, name="Wx_x_b")  # the new input
        z = tracer.add(recur, inp, name="z", names_from=inp)  # the column: this step's input, not the last
        return (tracer.tanh(z, name="hidden"),)


def _gate(W: Tensor, b: Tensor, hx: Tensor, z: str, out: str, squash: Any) -> Tensor:
    return squash(tracer.linear(W, hx, b, name=z), name=out)


class _GatedCell(Module):
    """A cell with one ``W_k`` (reading ``[h ; x]``) and one ``b_k`` per gate ``k`` of ``GATES``."""

    GATES: tuple[str, ...] = ()

    def __init__(self, weights: dict[str, Any], biases: dict[str, Any]) -> None:
        for k in self.GATES:
            setattr(self, f"W_{k}", as_param(weights[k], f"W_{k}"))
            setattr(self, f"b_{k}", as_param(_bias(biases[k]), f"b_{k}"))
        self.hidden_size = getattr(self, f"W_{self.GATES[0]}").shape[0]

    @classmethod
    def _xavier(cls, d: int, h: int, seed: int) -> dict[str, np.ndarray]:
        return {k: init_weight((h, h + d), "xavier", f"W_{k}", seed + n) for n, k in enumerate(cls.GATES)}


class LSTMCell(_GatedCell):
    """Forget, input and output gates (sigmoids), a candidate (tanh), a cell state and a hidden state.

    ``c_t = f ⊙ c_{t−1} + i ⊙ g`` and ``h_t = o ⊙ tanh(c_t)``.
    """

    kind = "lstm"
    GATES = ("f", "i", "g", "o")

    @classmethod
    def init(cls, d: int, h: int, seed: int = 0, forget_bias: float = 1.0) -> "LSTMCell":
        """Xavier gate weights; the forget gate's bias ``forget_bias`` (σ(1) ≈ 0.73 keeps most of the cell)."""
        b = {k: np.full(h, forget_bias) if k == "f" else np.zeros(h) for k in cls.GATES}  # remember by default
        return cls(cls._xavier(d, h, seed), b)

    def initial(self, batch: int = 1) -> State:
        zeros = np.zeros((self.hidden_size, batch))
        return tracer.tensor(zeros, name="h₀"), tracer.tensor(zeros, name="c₀")

    def __call__(self, x: Tensor, state: State) -> State:
        h, c = state
        hx = tracer.concat([h, x], axis=0, name="hx", names_from=x)  # [h_{t−1} ; x_t], named by x_t
        f = _gate(self.W_f, self.b_f, hx, "z_f", "forget_gate", tracer.sigmoid)
        i = _gate(self.W_i, self.b_i, hx, "z_i", "input_gate", tracer.sigmoid)
        g = _gate(self.W_g, self.b_g, hx, "z_g", "candidate", tracer.tanh)
        o = _gate(self.W_o, self.b_o, hx, "z_o", "output_gate", tracer.sigmoid)
        kept = tracer.mul(f, c, name="kept")      # what the forget gate lets through
        written = tracer.mul(i, g, name="written")  # what the input gate adds
        c_new = tracer.add(kept, written, name="cell")
        h_new = tracer.mul(o, tracer.tanh(c_new, name="cell_tanh"), name="hidden")
        return h_new, c_new


class GRUCell(_GatedCell):
    """Reset and update gates; the update gate blends the old hidden state with a candidate.

    ``h̃ = tanh(W_h·[r ⊙ h ; x] + b_h)`` and ``h_t = (1 − u) ⊙ h_{t−1} + u ⊙ h̃``.
    """

    kind = "gru"
    GATES = ("r", "u", "h")

    @classmethod
    def init(cls, d: int, h: int, seed: int = 0) -> "GRUCell":
        return cls(cls._xavier(d, h, seed), {k: np.zeros(h) for k in cls.GATES})

    def initial(self, batch: int = 1) -> State:
        return (tracer.tensor(np.zeros((self.hidden_size, batch)), name="h₀"),)

    def __call__(self, x: Tensor, state: State) -> State:
        (h,) = state
        hx = tracer.concat([h, x], axis=0, name="hx", names_from=x)  # named by x_t, not h_{t−1}
        r = _gate(self.W_r, self.b_r, hx, "z_r", "reset_gate", tracer.sigmoid)
        u = _gate(self.W_u, self.b_u, hx, "z_u", "update_gate", tracer.sigmoid)
        rhx = tracer.concat([tracer.mul(r, h, name="reset_hidden"), x], axis=0, name="rhx", names_from=x)
        cand = _gate(self.W_h, self.b_h, rhx, "z_h", "candidate", tracer.tanh)
        kept = tracer.mul(tracer.sub(1.0, u, name="one_minus_update"), h, name="kept")
        written = tracer.mul(u, cand, name="written")
        return (tracer.add(kept, written, name="hidden"),)


class Recurrent(Module):
    """Unroll ``cell`` over the columns of ``X`` and read the last hidden state: ``y = W_y·h_T + b_y``."""

    def __init__(self, cell: RNNCell | LSTMCell | GRUCell, W_y: Any, b_y: Any, name: str | None = None) -> None:
        self.cell, self.name = cell, cell.kind if name is None else name
        self.W_y, self.b_y = as_param(W_y, "W_y"), as_param(_bias(b_y), "b_y")

    def __call__(self, X: Tensor) -> Tensor:
        return self.run(X)[0]

    def run(self, X: Tensor) -> tuple[Tensor, list[State]]:
        """The output and the state after every time step."""
        states: list[State] = []
        with self.scope():
            state = self.cell.initial()
            for t in range(X.shape[1]):
                sub = str(t + 1).translate(SUBSCRIPTS)  # timestep t + 1 of the equations: x₁, h₁
                with tracer.scope(f"t{t}"):
                    x = tracer.ops.getitem(X, (slice(None), slice(t, t + 1)), name="x").named(f"x{sub}")  # (d, 1)
                    state = self.cell(x, state)
                state = tuple(s.named(f"{n}{sub}") for s, n in zip(state, "hc"))  # h (and the LSTM's c)
                states.append(state)
            y = tracer.linear(self.W_y, state[0], self.b_y, name="y")
        return y, states

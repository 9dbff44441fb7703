"""What every example system shares: the header fields, the training section, and the checks of
named tensors (present, known, of the right shape) that name the YAML line of the problem.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

import tracer
from tracer.tensor import Tensor, axis_labels

from .schema import Where

Shape = tuple[int | None, ...]


@dataclass
class ExampleConfig:
    """The keys every example file has: which system runs it, how it is introduced, and how its
    labels read in the other languages (:mod:`tracer.label_names`)."""

    system: str = field(default="", metadata={"required": True})
    title: str = ""
    description: str = ""
    # the names of grids' rows and columns in the other languages: name -> {language: text}
    label_names: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Axes:
    """The names of a tensor's rows and of its columns (a vector's entries are its rows)."""

    rows: list[str] | None = None
    cols: list[str] | None = None


@dataclass
class LabelledConfig(ExampleConfig):
    """An example whose tensors may be given names along their axes: ``labels: {X: {cols: [...]}}``."""

    labels: dict[str, Axes] = field(default_factory=dict)


def layer_labels(units: Sequence[Sequence[str]]) -> dict[str, Axes]:
    """Labels of a stack of layers from the names of their units: ``W_k`` maps the units of layer
    ``k − 1`` (columns) to those of layer ``k`` (rows), and ``b_k`` has one entry per unit of ``k``.

    >>> layer_labels([["x1", "x2"], ["h1"]])["W1"]
    Axes(rows=['h1'], cols=['x1', 'x2'])
    """
    out: dict[str, Axes] = {}
    for k in range(1, len(units)):
        out[f"W{k}"] = Axes(rows=list(units[k]), cols=list(units[k - 1]))
        out[f"b{k}"] = Axes(rows=list(units[k]))
    return out


def set_labels(where: Where, given: dict[str, Axes], tensors: dict[str, Tensor], strict: bool | None = None) -> None:
    """Name the axes of ``tensors`` as ``given`` (a configuration's ``labels``).

    Labels the file gave must name a known tensor and fit its shape (``strict``, the default when
    the file has a ``labels`` section); a built-in default that no longer fits the data a file gave
    (four samples named, six given) is left out instead.
    """
    strict = where.given("labels") if strict is None else strict
    for name, axes in given.items():
        if name not in tensors:
            if strict:
                raise where.error(f"labels.{name}", f"unknown tensor (expected one of {', '.join(tensors)})")
            continue
        t = tensors[name]
        for axis, names in (("rows", axes.rows), ("cols", axes.cols)):
            if names is None:
                continue
            k = max(t.ndim - 2, 0) if axis == "rows" else t.ndim - 1
            if t.ndim == 0 or len(names) != t.shape[k]:
                if strict:
                    size = "a single number" if t.ndim == 0 else f"{t.shape[k]} {axis}"
                    raise where.error(f"labels.{name}.{axis}", f"{len(names)} names for {size} of {name} {tuple(t.shape)}")
                continue
            t.labels = axis_labels(t.shape, t.labels, **{axis: names}, name=name)


@dataclass
class Training:
    """How the example trains: loss, optimizer, learning rate, number of steps, what is recorded.

    ``record``: ``all`` records every training step; ``last`` trains the first ``steps − 1``
    silently and records the last; ``none`` records no training step (only what follows it).
    """

    loss: str = "sse"
    optimizer: str = "sgd"
    lr: float = field(default=0.01, metadata={"min": 0.0})
    steps: int = field(default=1, metadata={"min": 0, "max": 100_000})
    record: str = field(default="all", metadata={"choices": ("all", "last", "none")})


def array(values: Any) -> np.ndarray:
    """Default numbers of a configuration, as float64 (a fresh array per configuration)."""
    return np.array(values, dtype=np.float64)


def check_glosses(where: Where, tokens: list[str], glosses: list[str]) -> None:
    """Glosses (a token's meaning in English, for the English texts), when given, are one per token."""
    if glosses and len(glosses) != len(tokens):
        raise where.error("glosses", f"expected {len(tokens)} glosses (one per token), got {len(glosses)}")


def one_of(where: Where, key: str, value: Any, options: Sequence[Any]) -> Any:
    if value not in options:
        raise where.error(key, f"{value!r} is not one of {', '.join(map(str, options))}")
    return value


def named(where: Where, section: str, given: dict[str, np.ndarray], shapes: dict[str, Shape]) -> dict[str, np.ndarray]:
    """Check a mapping of named tensors: every name present, none unknown, each of its shape.

    A shape entry ``None`` accepts any size; a 1-D vector given for a ``(n, 1)`` column is
    accepted and reshaped (and a 2-D single column for an ``(n,)`` bias).
    """
    for name in given:
        if name not in shapes:
            raise where.error(f"{section}.{name}", f"unknown key (expected {', '.join(shapes)})")
    out: dict[str, np.ndarray] = {}
    for name, shape in shapes.items():
        key = f"{section}.{name}"
        if name not in given:
            raise where.error(section, f"missing field {name} (expected {', '.join(shapes)})")
        a = np.asarray(given[name], dtype=np.float64)
        if a.ndim == 1 and len(shape) == 2 and shape[1] == 1:
            a = a.reshape(-1, 1)
        elif a.ndim == 2 and len(shape) == 1 and a.shape[1] == 1:
            a = a.reshape(-1)
        elif a.ndim == 1 and len(shape) == 2 and shape[0] == 1:
            a = a.reshape(1, -1)
        if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")
            raise where.error(key, f"wrong shape: expected {want}, got {tuple(a.shape)}")
        out[name] = a
    return out


# ---- memory estimates (checked against tracer.budget before an example builds anything) --------
def footprint(params: int, activations: int, passes: int) -> int:
    """Bytes (float64) a run's tensors take at most: the parameters with their gradients and two
    optimiser moments, and for each recorded pass (plus one running unrecorded) its activations
    forward and backward, the gradients and the updated parameters."""
    return 8 * (4 * params + (passes + 1) * (4 * activations + 2 * params))


def dense(sizes: Sequence[int], batch: int) -> tuple[int, int]:
    """Parameters and activations (before and after the nonlinearity) of dense layers of ``sizes``."""
    sizes = [max(int(n), 0) for n in sizes]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:])), 2 * batch * sum(sizes)


def columns(arrays: dict[str, np.ndarray], name: str) -> int:
    """The number of columns (samples) of a given matrix, 1 when it is missing."""
    a = arrays.get(name)
    return int(a.shape[-1]) if a is not None and a.ndim else 1


def given_arrays(cfg: Any) -> tuple[str, int]:
    """A run over the numbers a configuration gives (weights, inputs): a few passes over them."""
    total = 0
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if isinstance(value, dict):
            total += sum(a.size for a in value.values() if isinstance(a, np.ndarray))
    steps = getattr(getattr(cfg, "training", None), "steps", 1)
    return "weights", footprint(total, total, steps + 1)


def tensor(values: np.ndarray, name: str) -> Tensor:
    return tracer.tensor(values, name=name)


def recorded_steps(cfg: Training) -> int:
    """How many training steps ``cfg.record`` records."""
    return {"all": cfg.steps, "last": min(1, cfg.steps), "none": 0}[cfg.record]


def sequence(X: np.ndarray, columns: list[str]) -> tracer.Tensor:
    """The input sequence: one column per timestep (token), one row per feature, both labelled."""
    return tracer.tensor(X, name="X", rows=[f"f{i + 1}" for i in range(X.shape[0])], cols=columns)


class Trainer:
    """Runs the training steps of a :class:`Training` section and keeps the loss history.

    The steps that ``record`` leaves out run first, before the example opens its trace
    (``trainer.silent``); the recorded ones run inside it (``trainer.recorded``), each under a scope
    ``train.k`` so repeated forward passes keep distinct step names.
    """

    def __init__(self, cfg: Training, params: Sequence[Tensor], clip: float | None = None) -> None:
        self.cfg, self.params, self.clip = cfg, list(params), clip
        self.opt = tracer.Adam(self.params, lr=cfg.lr) if cfg.optimizer == "adam" else tracer.SGD(self.params, lr=cfg.lr)
        self.history: list[float] = []
        self.recorded = recorded_steps(cfg)
        self.silent = cfg.steps - self.recorded

    def run(self, loss_fn: Callable[[], Tensor], n: int, scope: str = "train") -> list[float]:
        """``n`` steps: forward (``loss_fn()``), backward, optional clipping, update."""
        for _ in range(n):
            with tracer.scope(f"{scope}.{len(self.history)}"):
                loss = loss_fn()
                self.history.append(float(loss))
                self.opt.zero_grad()
                loss.backward()
                if self.clip is not None:
                    tracer.clip_grad_norm(self.params, self.clip)
                self.opt.step()
        return self.history

    def describe(self) -> str:
        """What was recorded, for the trace's meta."""
        c = self.cfg
        if c.steps == 0:
            return "no training steps"
        if self.recorded == c.steps:
            return f"all {c.steps} training steps recorded"
        if self.recorded:
            return f"{c.steps} training steps; the first {self.silent} ran unrecorded, the last is recorded"
        return f"{c.steps} training steps ran unrecorded"


def plain(value: Any) -> Any:
    """Meta values as JSON data: arrays to lists, non-finite numbers to None, floats rounded to 12
    significant digits (not decimal places: a vanishing gradient of 3.886e-08 keeps its digits)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return float(f"{v:.12g}") if np.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    if dataclasses.is_dataclass(value):
        return plain(dataclasses.asdict(value))
    return value

"""Vanishing and exploding gradients, and the remedies seed 001 lists for each.

Vanishing: ReLU and its variants (Leaky ReLU, PReLU, Swish), Xavier / He initialisation, residual
connections and batch normalisation, against a deep sigmoid network. Exploding: gradient clipping
(by norm, by value), adaptive optimisers (Adam, RMSprop) and L2 weight decay, against plain SGD,
with the loss and the gradient norm monitored at every step. The results (gradient norm per layer,
which remedy keeps the gradient, which optimiser survives, the step where plain SGD overflows) go
into the trace's meta; :mod:`.stories.gradients` tells them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import MLP, make_optimizer

from . import system
from .common import ExampleConfig, dense, footprint, plain
from .schema import Where
from .stories import gradients as stories

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "swish", "none")


@dataclass
class DeepModel:
    depth: int = field(default=12, metadata={"min": 1, "max": 100})
    width: int = field(default=8, metadata={"min": 1, "max": 512})
    seed: int = 0


@dataclass
class DeepData:
    samples: int = field(default=16, metadata={"min": 2, "max": 10_000})
    seed: int = 1


@dataclass
class Variant:
    """One network of the comparison: how it is built and how it trains."""

    name: str = field(default="", metadata={"required": True})
    label: str = ""                 # how plots and the recap call it (default: the name)
    labels: dict[str, str] = field(default_factory=dict)  # the label in zh-Hant, zh-Hans, vi (default: label)
    activation: str = field(default="sigmoid", metadata={"choices": ACTIVATIONS})
    init: str = field(default="xavier", metadata={"choices": ("xavier", "he", "normal")})
    scale: float = field(default=1.0, metadata={"min": 0.0})
    residual: bool = False
    batch_norm: bool = False
    optimizer: str = field(default="sgd", metadata={"choices": ("sgd", "adam", "rmsprop")})
    lr: float = field(default=0.1, metadata={"min": 0.0})
    clip: float | None = None       # clip the gradients' joint norm to this
    clip_value: float | None = None  # clip every gradient entry into ±this
    weight_decay: float = field(default=0.0, metadata={"min": 0.0})


@dataclass
class DeepTraining:
    """Unrecorded training after the recorded part; optimizer and learning rate are per variant."""

    loss: str = field(default="mse", metadata={"choices": ("mse", "sse")})
    steps: int = field(default=100, metadata={"min": 1, "max": 10_000})


def _deep(model: DeepModel, v: Variant, name: str) -> MLP:
    sizes = [model.width] * (model.depth + 1) + [1]
    return MLP.init(sizes, v.init, model.seed, v.scale, activation=v.activation, output_activation="none",
                    residual=v.residual, batch_norm=v.batch_norm, name=name)


def _data(model: DeepModel, data: DeepData) -> tuple[tracer.Tensor, tracer.Tensor]:
    rng = np.random.default_rng(data.seed)
    X = rng.normal(0.0, 1.0, (model.width, data.samples))
    Y = rng.normal(0.0, 1.0, (1, data.samples))
    samples = [f"s{j + 1}" for j in range(data.samples)]
    return (tracer.tensor(X, name="X", rows=[f"x{i + 1}" for i in range(model.width)], cols=samples),
            tracer.tensor(Y, name="Y", rows=["y"], cols=samples))


def layer_norms(net: MLP) -> list[float]:
    """‖dW_l‖ (Frobenius) for every layer, the first layer first."""
    return [float(np.linalg.norm(W.grad)) for W in net.weights()]


def lost_at(norms: list[float], fraction: float = 0.01) -> int | None:
    """The layer (1 = first) where, going back from the output, ‖dW‖ first falls below
    ``fraction`` of the output layer's; ``None`` when every layer keeps at least that much."""
    for layer in range(len(norms), 0, -1):
        if not norms[layer - 1] >= fraction * norms[-1]:
            return layer
    return None


def _names(where: Where, variants: list[Variant]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(variants):
        if not v.name.isidentifier() or v.name in seen:
            raise where.error(f"variants[{i}].name", f"{v.name!r}: expected a distinct name of letters, digits and _")
        seen.add(v.name)
        v.label = v.label or v.name
        unknown = sorted(set(v.labels) - {"zh-Hant", "zh-Hans", "vi"})
        if unknown:
            raise where.error(f"variants[{i}].labels", f"{unknown[0]!r}: expected zh-Hant, zh-Hans or vi "
                                                       "(label is the English one)")


class Run:
    """One variant's training: losses, the gradient norm before clipping, where it overflowed."""

    def __init__(self, net: MLP, v: Variant, loss: str) -> None:
        self.net, self.v, self.fn = net, v, {"mse": tracer.mse, "sse": tracer.sse}[loss]
        self.params = net.parameters()
        self.opt = make_optimizer(self.params, v.optimizer, v.lr, v.weight_decay)
        self.history: list[float] = []       # the loss before each update
        self.grad_norms: list[float] = []    # ‖all gradients‖ at each step, before clipping
        self.layer_norms: list[float] = []   # ‖dW_l‖ per layer at the latest step
        self.overflow_at: int | None = None  # the step whose loss or gradient was inf or NaN

    def steps(self, X: tracer.Tensor, Y: tracer.Tensor, n: int) -> None:
        with np.errstate(all="ignore"):  # an exploding run overflows on purpose
            for _ in range(n):
                if self.overflow_at is not None:
                    return
                self.opt.zero_grad()
                L = self.fn(self.net(X), Y, name="loss")
                self.history.append(float(L))
                if np.isfinite(self.history[-1]):
                    L.backward()
                    self.layer_norms = layer_norms(self.net)
                    self.grad_norms.append(float(np.sqrt(sum(np.sum(p.grad ** 2) for p in self.params))))
                if not (np.isfinite(self.history[-1]) and np.isfinite(self.grad_norms[-1])):
                    self.overflow_at = len(self.history) - 1
                    return
                self._clip()
                self.opt.step()

    def _clip(self) -> None:
        if self.v.clip is not None:
            tracer.clip_grad_norm(self.params, self.v.clip)
        if self.v.clip_value is not None:
            tracer.clip_grad_value(self.params, self.v.clip_value)


# ---- vanishing gradients -----------------------------------------------------------------------
@dataclass
class VanishingConfig(ExampleConfig):
    model: DeepModel = field(default_factory=lambda: DeepModel(depth=12, width=16, seed=1))
    variants: list[Variant] = field(default_factory=lambda: [
        Variant("sigmoid_xavier", "sigmoid + Xavier", "sigmoid", "xavier"),
        Variant("relu_he", "ReLU + He", "relu", "he", lr=0.01)])
    data: DeepData = field(default_factory=DeepData)
    training: DeepTraining = field(default_factory=DeepTraining)


def _deep_memory(cfg: VanishingConfig | ExplodingConfig) -> tuple[str, int]:
    m = cfg.model
    params, acts = dense([m.width] * (m.depth + 1) + [1], cfg.data.samples)
    nets = len(cfg.variants)
    return ("model.width" if params >= acts else "data.samples"), footprint(nets * params, nets * acts, 1)


@system("vanishing_gradients", VanishingConfig, "deep sigmoid vs ReLU variants, residual and batch norm: gradient norms "
        "layer by layer", _deep_memory)
def vanishing_gradients(cfg: VanishingConfig, where: Where) -> tracer.Trace:
    _names(where, cfg.variants)
    X, Y = _data(cfg.model, cfg.data)
    fn = {"mse": tracer.mse, "sse": tracer.sse}[cfg.training.loss]
    nets = {v.name: _deep(cfg.model, v, v.name) for v in cfg.variants}  # steps sigmoid_xavier.layer1.Z1 …
    norms: dict[str, list[float]] = {}
    with tracer.record() as trace:
        for v in cfg.variants:
            fn(nets[v.name](X), Y, name=f"{v.name}.loss").backward()
            norms[v.name] = layer_norms(nets[v.name])
    runs = {v.name: Run(nets[v.name], v, cfg.training.loss) for v in cfg.variants}
    for run in runs.values():
        run.steps(X, Y, cfg.training.steps)
    lost = {k: lost_at(n) for k, n in norms.items()}
    trace.meta.update(plain({
        "variants": cfg.variants, "grad_norms": norms, "loss_history": {k: r.history for k, r in runs.items()},
        "first_layer_norm": {k: n[0] for k, n in norms.items()},
        "grad_ratio_first_last": {k: n[0] / n[-1] if n[-1] else None for k, n in norms.items()},
        "lost_at": lost, "keeps_gradient": [k for k, at in lost.items() if at is None],
        "loses_gradient": [k for k, at in lost.items() if at is not None],
        "grad_norms_note": "‖dW_l‖ per layer at initialisation, first layer first; a network keeps the gradient "
                           "when every layer keeps at least 1% of the output layer's (lost_at: the first layer "
                           "below that, counting back from the output)",
        "recorded": "for every variant, at initialisation: one forward pass and backward pass (scope = variant "
                    f"name); then {cfg.training.steps} training steps per variant ran unrecorded (loss_history)",
    }))
    stories.vanishing(trace, cfg.variants, cfg.model.depth + 1)
    return trace


# ---- exploding gradients -----------------------------------------------------------------------
@dataclass
class ExplodingConfig(ExampleConfig):
    model: DeepModel = field(default_factory=lambda: DeepModel(depth=10, width=8, seed=0))
    variants: list[Variant] = field(default_factory=lambda: [
        Variant("sgd", "SGD", "relu", "normal", 0.8, lr=0.01),
        Variant("sgd_clip_norm", "SGD + clip", "relu", "normal", 0.8, lr=0.01, clip=1.0)])
    data: DeepData = field(default_factory=DeepData)
    training: DeepTraining = field(default_factory=lambda: DeepTraining(steps=60))


@system("exploding_gradients", ExplodingConfig, "large weights explode gradients; clipping, adaptive optimisers and "
        "weight decay against plain SGD", _deep_memory)
def exploding_gradients(cfg: ExplodingConfig, where: Where) -> tracer.Trace:
    _names(where, cfg.variants)
    X, Y = _data(cfg.model, cfg.data)
    runs = {v.name: Run(_deep(cfg.model, v, ""), v, cfg.training.loss) for v in cfg.variants}
    norms: dict[str, list[float]] = {}
    with tracer.record() as trace:
        for v in cfg.variants:  # the first training step of each variant, recorded
            with tracer.scope(v.name):
                runs[v.name].steps(X, Y, 1)
            norms[v.name] = runs[v.name].layer_norms
    for run in runs.values():
        run.steps(X, Y, cfg.training.steps - 1)
    overflow = {k: r.overflow_at for k, r in runs.items()}
    trace.meta.update(plain({
        "variants": cfg.variants, "grad_norms": norms, "loss_history": {k: r.history for k, r in runs.items()},
        "grad_norm_history": {k: r.grad_norms for k, r in runs.items()}, "overflow_at": overflow,
        "survivors": [k for k, r in runs.items() if r.overflow_at is None and r.history[-1] < r.history[0]],
        "grad_norms_note": "‖dW_l‖ per layer at the first step, before any clipping; grad_norm_history: the norm "
                           "of all gradients together at every step, before clipping (None once it overflowed)",
        "recorded": "the first training step of every variant (forward, backward, clipping or weight decay if any, "
                    f"update); the other {cfg.training.steps - 1} steps ran unrecorded (loss_history, "
                    "grad_norm_history; a run stops at the step whose loss or gradient overflowed: overflow_at)",
    }))
    stories.exploding(trace, cfg.variants, cfg.model.depth + 1)
    return trace

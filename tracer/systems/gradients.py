"""Vanishing and exploding gradients, and their remedies: ReLU, He / Xavier initialisation,
residual connections, gradient clipping and Adam. Gradient norms per layer go into the meta."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import MLP

from . import system
from .common import ExampleConfig, plain, tensor
from .schema import Where


@dataclass
class DeepModel:
    depth: int = field(default=12, metadata={"min": 1, "max": 100})
    width: int = field(default=8, metadata={"min": 1, "max": 512})
    seed: int = 0


@dataclass
class DeepData:
    samples: int = field(default=16, metadata={"min": 1, "max": 10_000})
    seed: int = 1


@dataclass
class Variant:
    name: str = field(default="", metadata={"required": True})
    activation: str = field(default="sigmoid", metadata={"choices": ("sigmoid", "tanh", "relu", "none")})
    init: str = field(default="xavier", metadata={"choices": ("xavier", "he", "normal")})
    scale: float = field(default=1.0, metadata={"min": 0.0})
    residual: bool = False
    optimizer: str = field(default="sgd", metadata={"choices": ("sgd", "adam")})
    lr: float = field(default=0.1, metadata={"min": 0.0})
    clip: float | None = None


@dataclass
class DeepTraining:
    """Unrecorded training after the recorded part; optimizer and learning rate are per variant."""

    loss: str = field(default="mse", metadata={"choices": ("mse", "sse")})
    steps: int = field(default=100, metadata={"min": 1, "max": 10_000})


def _deep(model: DeepModel, v: Variant, name: str) -> MLP:
    sizes = [model.width] * (model.depth + 1) + [1]
    return MLP.init(sizes, v.init, model.seed, v.scale, activation=v.activation, output_activation="none",
                    residual=v.residual, name=name)


def _data(model: DeepModel, data: DeepData) -> tuple[tracer.Tensor, tracer.Tensor]:
    rng = np.random.default_rng(data.seed)
    X = rng.normal(0.0, 1.0, (model.width, data.samples))
    Y = rng.normal(0.0, 1.0, (1, data.samples))
    return tensor(X, "X"), tensor(Y, "Y")


def _norms(net: MLP) -> list[float]:
    """‖dW_l‖ (Frobenius) for every layer, the first layer first."""
    return [float(np.linalg.norm(W.grad)) for W in net.weights()]


def _names(where: Where, variants: list[Variant]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(variants):
        if not v.name.isidentifier() or v.name in seen:
            raise where.error(f"variants[{i}].name", f"{v.name!r}: expected a distinct name of letters, digits and _")
        seen.add(v.name)


class _Run:
    """One variant's training: its optimiser, its loss history, the gradient norms before clipping."""

    def __init__(self, net: MLP, v: Variant, loss: str) -> None:
        self.net, self.v, self.fn = net, v, {"mse": tracer.mse, "sse": tracer.sse}[loss]
        self.params = net.parameters()
        self.opt = tracer.Adam(self.params, lr=v.lr) if v.optimizer == "adam" else tracer.SGD(self.params, lr=v.lr)
        self.history: list[float] = []
        self.norms: list[float] = []

    def steps(self, X: tracer.Tensor, Y: tracer.Tensor, n: int) -> None:
        with np.errstate(all="ignore"):  # an exploding run overflows on purpose
            for _ in range(n):
                if self.history and not np.isfinite(self.history[-1]):
                    return
                L = self.fn(self.net(X), Y, name="loss")
                self.history.append(float(L))
                if not np.isfinite(self.history[-1]):
                    return
                self.opt.zero_grad()
                L.backward()
                self.norms = _norms(self.net)
                if self.v.clip is not None:
                    tracer.clip_grad_norm(self.params, self.v.clip)
                self.opt.step()


@dataclass
class VanishingConfig(ExampleConfig):
    model: DeepModel = field(default_factory=lambda: DeepModel(depth=12, width=16, seed=1))
    variants: list[Variant] = field(default_factory=lambda: [
        Variant("sigmoid_xavier", "sigmoid", "xavier"), Variant("relu_xavier", "relu", "xavier", lr=0.01),
        Variant("relu_he", "relu", "he", lr=0.01),
        Variant("sigmoid_residual", "sigmoid", "xavier", residual=True, lr=0.01)])
    data: DeepData = field(default_factory=DeepData)
    training: DeepTraining = field(default_factory=DeepTraining)


@system("vanishing_gradients", VanishingConfig, "deep sigmoid vs ReLU vs residual: gradient norms layer by layer")
def vanishing_gradients(cfg: VanishingConfig, where: Where) -> tracer.Trace:
    _names(where, cfg.variants)
    X, Y = _data(cfg.model, cfg.data)
    fn = {"mse": tracer.mse, "sse": tracer.sse}[cfg.training.loss]
    nets = {v.name: _deep(cfg.model, v, v.name) for v in cfg.variants}  # steps sigmoid_xavier.layer1.Z1 …
    norms: dict[str, list[float]] = {}
    with tracer.record() as trace:
        for v in cfg.variants:
            fn(nets[v.name](X), Y, name=f"{v.name}.loss").backward()
            norms[v.name] = _norms(nets[v.name])
    histories = {}
    for v in cfg.variants:
        run = _Run(nets[v.name], v, cfg.training.loss)
        run.steps(X, Y, cfg.training.steps)
        histories[v.name] = run.history
    trace.meta.update(plain({
        "variants": cfg.variants, "grad_norms": norms, "loss_history": histories,
        "first_layer_norm": {k: n[0] for k, n in norms.items()},
        "grad_ratio_first_last": {k: n[0] / n[-1] if n[-1] else None for k, n in norms.items()},
        "recorded": "for every variant, at initialisation: one forward pass and backward pass (scope = variant "
                    f"name); then {cfg.training.steps} training steps per variant ran unrecorded (loss_history)",
    }))
    return trace


@dataclass
class ExplodingConfig(ExampleConfig):
    model: DeepModel = field(default_factory=lambda: DeepModel(depth=10, width=8, seed=0))
    variants: list[Variant] = field(default_factory=lambda: [
        Variant("sgd", "relu", "normal", 0.8, lr=0.01), Variant("sgd_clipped", "relu", "normal", 0.8, lr=0.01, clip=1.0),
        Variant("adam", "relu", "normal", 0.8, optimizer="adam", lr=0.01)])
    data: DeepData = field(default_factory=DeepData)
    training: DeepTraining = field(default_factory=lambda: DeepTraining(steps=60))


@system("exploding_gradients", ExplodingConfig, "large weights explode gradients; clipping and Adam tame them")
def exploding_gradients(cfg: ExplodingConfig, where: Where) -> tracer.Trace:
    _names(where, cfg.variants)
    X, Y = _data(cfg.model, cfg.data)
    runs = {v.name: _Run(_deep(cfg.model, v, ""), v, cfg.training.loss) for v in cfg.variants}
    norms: dict[str, list[float]] = {}
    with tracer.record() as trace:
        for v in cfg.variants:  # the first training step of each variant, recorded
            with tracer.scope(v.name):
                runs[v.name].steps(X, Y, 1)
            norms[v.name] = runs[v.name].norms
    for run in runs.values():
        run.steps(X, Y, cfg.training.steps - 1)
    histories = {k: run.history for k, run in runs.items()}
    diverged = {k: next((i for i, x in enumerate(h) if not np.isfinite(x) or x > 1e6), None)
                for k, h in histories.items()}
    trace.meta.update(plain({
        "variants": cfg.variants, "grad_norms": norms, "loss_history": histories, "diverged_at": diverged,
        "grad_norms_note": "‖dW_l‖ per layer at the first step, before any clipping",
        "recorded": "the first training step of every variant (forward, backward, clipping if any, update); the "
                    f"other {cfg.training.steps - 1} steps ran unrecorded (loss_history; None once it overflowed)",
    }))
    return trace

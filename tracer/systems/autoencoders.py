"""Autoencoders: by hand (4-3-2-3-4) and large (1000-500-10-500-1000), sparse, for anomaly
detection, and on words (self-supervision puts king next to queen, far from armadillo)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import Autoencoder, SparseAutoencoder, Vocabulary

from . import system
from .basics import check_sizes, layer_shapes
from .common import (Axes, LabelledConfig, Trainer, Training, array, columns, dense, footprint, layer_labels, named,
                     one_of, plain, recorded_steps, set_labels, tensor)
from .schema import Where
from .stories import autoencoders as stories

ACTS = ("relu", "sigmoid", "tanh", "none")


@dataclass
class AEModel:
    sizes: list[int] = field(default_factory=lambda: [4, 3, 2, 3, 4])
    activation: str = field(default="relu", metadata={"choices": ACTS})
    output_activation: str = field(default="relu", metadata={"choices": ACTS})
    init: str = field(default="given", metadata={"choices": ("given", "xavier", "he")})
    seed: int = 0


@dataclass
class AEData:
    source: str = field(default="given", metadata={"choices": ("given", "patterns")})
    samples: int = field(default=4, metadata={"min": 1, "max": 10_000})
    seed: int = 0


def by_hand_weights() -> dict[str, np.ndarray]:
    return {"W1": array([[0, -1, 1, 0], [1, -1, -1, 1], [-1, 1, 1, 1]]), "b1": array([-1, 1, -1]),
            "W2": array([[1, 1, -1], [0, -1, 1]]), "b2": array([0, 1]),
            "W3": array([[1, 1], [0, -1], [0, -1]]), "b3": array([0, 1, 1]),
            "W4": array([[-1, 1, -1], [1, 1, 0], [0, 1, 0], [1, 1, 1]]), "b4": array([1, 0, 1, -1])}


PIXELS = ["px1", "px2", "px3", "px4"]


def by_hand_labels() -> dict[str, Axes]:
    """Four tiny 4-pixel images X1..X4; hidden units e1..e3, the code c1 c2, then d1..d3."""
    return {"X": Axes(rows=PIXELS, cols=["X1", "X2", "X3", "X4"]),
            **layer_labels([PIXELS, ["e1", "e2", "e3"], ["c1", "c2"], ["d1", "d2", "d3"], PIXELS])}


@dataclass
class AutoencoderConfig(LabelledConfig):
    model: AEModel = field(default_factory=AEModel)
    labels: dict[str, Axes] = field(default_factory=by_hand_labels)
    weights: dict[str, np.ndarray] = field(default_factory=by_hand_weights)
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {
        "X": array([[1, 2, 0, 1], [0, 1, 2, 1], [2, 1, 1, 0], [1, 0, 1, 2]])})
    data: AEData = field(default_factory=AEData)
    training: Training = field(default_factory=lambda: Training(loss="sse", optimizer="sgd", lr=0.01, steps=5))


def patterns(n_features: int, samples: int, seed: int) -> np.ndarray:
    """Smooth 1-D "images": two bumps each at random places, values in [0, 1]. ``(features, samples)``."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.0, 1.0, n_features)[:, None]
    centers, widths = rng.uniform(0.1, 0.9, (2, samples)), rng.uniform(0.03, 0.1, (2, samples))
    bumps = sum(np.exp(-((grid - centers[k]) ** 2) / (2 * widths[k] ** 2)) for k in range(2))
    return np.clip(bumps, 0.0, 1.0)


def build_autoencoder(where: Where, model: AEModel, weights: dict[str, np.ndarray], section: str = "model") -> Autoencoder:
    sizes = model.sizes
    check_sizes(where, f"{section}.sizes", sizes, at_least=3)
    if sizes[-1] != sizes[0]:
        raise where.error(f"{section}.sizes", f"an autoencoder ends where it starts: {sizes[0]} ≠ {sizes[-1]}")
    kw = {"activation": model.activation, "output_activation": model.output_activation}
    if model.init == "given":
        W = named(where, "weights", weights, layer_shapes(sizes))
        return Autoencoder([(W[f"W{k}"], W[f"b{k}"]) for k in range(1, len(sizes))], **kw)
    if where.given("weights"):
        raise where.error("weights", f"weights are given but {section}.init is {model.init!r} (use init: given)")
    return Autoencoder.init(sizes, model.init, model.seed, **kw)


def _autoencoder_memory(cfg: AutoencoderConfig) -> tuple[str, int]:
    batch = cfg.data.samples if cfg.data.source == "patterns" else columns(cfg.inputs, "X")
    params, acts = dense(cfg.model.sizes, batch)
    return "model.sizes", footprint(params, acts, recorded_steps(cfg.training) + 1)


@system("autoencoder", AutoencoderConfig, "an autoencoder trained to rebuild its input (by hand or large)",
        _autoencoder_memory)
def autoencoder(cfg: AutoencoderConfig, where: Where) -> tracer.Trace:
    ae = build_autoencoder(where, cfg.model, cfg.weights)
    if cfg.data.source == "given":
        X = named(where, "inputs", cfg.inputs, {"X": (cfg.model.sizes[0], None)})["X"]
    else:
        X = patterns(cfg.model.sizes[0], cfg.data.samples, cfg.data.seed)
    one_of(where, "training.loss", cfg.training.loss, ["sse", "mse"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])
    Xt = tensor(X, "X")
    set_labels(where, cfg.labels, {"X": Xt, **ae.named_parameters()})
    trainer = Trainer(cfg.training, ae.parameters())
    step = lambda: ae.loss(Xt, cfg.training.loss)  # noqa: E731
    trainer.run(step, trainer.silent)
    with tracer.record() as trace:
        trainer.run(step, trainer.recorded)
        with tracer.scope("after"):
            final = step()
    trace.meta.update(plain({
        "sizes": cfg.model.sizes, "loss_history": trainer.history + [float(final)],
        "target": "Y′ = X (the input is its own target)",
        "recorded": trainer.describe() + ", then the loss after training",
        "elide": max(cfg.model.sizes) > 12,
    }))
    stories.autoencoder(trace, trainer.silent, trainer.recorded, cfg.training.optimizer)
    return trace


# ---- sparse autoencoder --------------------------------------------------------------------
@dataclass
class SAEModel:
    features: int = field(default=6, metadata={"min": 1})
    l1_coeff: float = field(default=1.0, metadata={"min": 0.0})
    weight_by_norm: bool = True


@dataclass
class SparseAutoencoderConfig(LabelledConfig):
    tokens: list[str] = field(default_factory=lambda: ["sea", "Alps", "Everest", "river", "sky"])
    feature_labels: list[str] = field(default_factory=lambda: ["water", "", "", "", "", "mountain"])
    model: SAEModel = field(default_factory=SAEModel)
    weights: dict[str, np.ndarray] = field(default_factory=lambda: {
        "W_enc": array([[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1], [-1, 1, 0], [0, 1, -1]]),
        "b_enc": array([-1, -2, -2, -1, -2, 0]),
        "W_dec": array([[1, 1, -2, 1, 0, 0], [0, 0, -2, 2, 1, 1], [0, 0, -1, 2, 0, 0]]),
        "b_dec": array([0, 0, 0])})
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {
        "X": array([[3, 0, 1, 2, 0], [0, 3, 3, 0, 1], [1, 1, 2, 0, 3]])})
    training: Training = field(default_factory=lambda: Training(loss="sse+l1", optimizer="sgd", lr=0.01, steps=1))


def _sparse_memory(cfg: SparseAutoencoderConfig) -> tuple[str, int]:
    m, T = max(cfg.model.features, 0), len(cfg.tokens)
    d = cfg.inputs["X"].shape[0] if "X" in cfg.inputs and cfg.inputs["X"].ndim else 1
    return "model.features", footprint(2 * m * d + m + d, 2 * T * (m + d), cfg.training.steps + 1)


@system("sparse_autoencoder", SparseAutoencoderConfig, "a sparse autoencoder: overcomplete ReLU features, L1 penalty",
        _sparse_memory)
def sparse_autoencoder(cfg: SparseAutoencoderConfig, where: Where) -> tracer.Trace:
    m, T = cfg.model.features, len(cfg.tokens)
    X = named(where, "inputs", cfg.inputs, {"X": (None, T)})["X"]
    d = X.shape[0]
    W = named(where, "weights", cfg.weights, {"W_enc": (m, d), "b_enc": (m,), "W_dec": (d, m), "b_dec": (d,)})
    if len(cfg.feature_labels) not in (0, m):
        raise where.error("feature_labels", f"expected {m} labels (one per feature), got {len(cfg.feature_labels)}")
    one_of(where, "training.loss", cfg.training.loss, ["sse+l1"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])
    sae = SparseAutoencoder(W["W_enc"], W["b_enc"], W["W_dec"], W["b_dec"], cfg.model.l1_coeff,
                            cfg.model.weight_by_norm)
    dims, feats = [f"d{i + 1}" for i in range(d)], [f"f{i + 1}" for i in range(m)]
    Xt = tracer.tensor(X, name="X", rows=dims, cols=cfg.tokens)
    params = sae.named_parameters()
    set_labels(where, {"W_enc": Axes(feats, dims), "b_enc": Axes(feats), "W_dec": Axes(dims, feats),
                       "b_dec": Axes(dims)}, params, strict=True)
    set_labels(where, cfg.labels, {"X": Xt, **params})
    trainer = Trainer(cfg.training, sae.parameters())
    with tracer.record() as trace:
        parts = sae.loss(Xt)  # the walkthrough: encoder.f, decoder.X_hat, sparsity.l1, loss
        f = parts["f"].numpy()
        trainer.run(lambda: sae.loss(Xt)["loss"], cfg.training.steps)
    fires = {f"f{i + 1}": [cfg.tokens[j] for j in range(T) if f[i, j] > 0] for i in range(m)}
    trace.meta.update(plain({
        "tokens": cfg.tokens, "feature_labels": cfg.feature_labels, "fires": fires,
        "decoder_norms": np.linalg.norm(W["W_dec"], axis=0), "loss_history": trainer.history,
        "recorded": "the forward pass with its losses, then " + trainer.describe(),
        "label_names": cfg.label_names,   # before the story: its recap names the features and tokens
    }))
    stories.sparse_autoencoder(trace)
    return trace


# ---- anomaly detection -----------------------------------------------------------------------
@dataclass
class AnomalyData:
    normal: int = field(default=32, metadata={"min": 2})
    test: int = field(default=6, metadata={"min": 1})
    odd: int = field(default=3, metadata={"min": 0})
    noise: float = field(default=0.05, metadata={"min": 0.0})
    seed: int = 0


@dataclass
class AnomalyConfig(LabelledConfig):
    features: list[str] = field(default_factory=lambda: ["temp", "pressure", "flow", "vibration", "current", "speed"])
    labels: dict[str, Axes] = field(default_factory=lambda: {"X": Axes(cols=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"])})
    model: AEModel = field(default_factory=lambda: AEModel([6, 4, 2, 4, 6], "tanh", "none", "xavier", 0))
    data: AnomalyData = field(default_factory=AnomalyData)
    threshold: float = field(default=5.0, metadata={"min": 0.0})
    training: Training = field(default_factory=lambda: Training(loss="mse", optimizer="adam", lr=0.02,
                                                                steps=400, record="none"))


def machine_readings(n_features: int, normal: int, test: int, odd: int, noise: float,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Normal readings lie near a plane (two hidden causes); the odd test sample does not."""
    rng = np.random.default_rng(seed)
    mix = rng.normal(0.0, 0.7, (n_features, 2))
    def sample(n: int) -> np.ndarray:
        return mix @ rng.uniform(-1.0, 1.0, (2, n)) + rng.normal(0.0, noise, (n_features, n))
    X_train, X_test = sample(normal), sample(test)
    away = rng.normal(0.0, 1.0, n_features)
    away -= mix @ np.linalg.lstsq(mix, away, rcond=None)[0]  # the part no mix of the causes explains
    X_test[:, odd] += 1.5 * away / np.linalg.norm(away)
    return X_train, X_test


def _anomaly_memory(cfg: AnomalyConfig) -> tuple[str, int]:
    params, acts = dense(cfg.model.sizes, max(cfg.data.normal, 0) + max(cfg.data.test, 0))
    key = "model.sizes" if params >= acts else "data.normal"
    return key, footprint(params, acts, recorded_steps(cfg.training) + 1)


@system("anomaly_detection", AnomalyConfig, "an autoencoder's reconstruction error flags the odd sample",
        _anomaly_memory)
def anomaly_detection(cfg: AnomalyConfig, where: Where) -> tracer.Trace:
    if cfg.model.sizes and cfg.model.sizes[0] != len(cfg.features):
        raise where.error("model.sizes", f"the first size must be the number of features ({len(cfg.features)})")
    if cfg.data.odd >= cfg.data.test:
        raise where.error("data.odd", f"the odd sample must be one of the {cfg.data.test} test samples (0..{cfg.data.test - 1})")
    one_of(where, "training.loss", cfg.training.loss, ["mse", "sse"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])
    ae = build_autoencoder(where, cfg.model, {})
    d = cfg.data
    X_train, X_test = machine_readings(len(cfg.features), d.normal, d.test, d.odd, d.noise, d.seed)
    Xt = tracer.tensor(X_train, name="X_train", rows=cfg.features)
    X_new = tracer.tensor(X_test, name="X", rows=cfg.features, cols=[f"s{j + 1}" for j in range(d.test)])
    set_labels(where, cfg.labels, {"X": X_new, "X_train": Xt, **ae.named_parameters()})
    trainer = Trainer(cfg.training, ae.parameters())
    trainer.run(lambda: ae.loss(Xt, cfg.training.loss), trainer.silent)
    train_errors = ae.reconstruction_errors(Xt).numpy()[0]
    limit = float(f"{cfg.threshold * float(train_errors.max()):.3g}")  # as the caption prints it
    with tracer.record() as trace:
        trainer.run(lambda: ae.loss(Xt, cfg.training.loss), trainer.recorded)
        errors = ae.reconstruction_errors(X_new)
        flags = tracer.step(errors, threshold=limit, name="anomaly.flags")
    flagged = [int(j) for j in np.flatnonzero(flags.numpy()[0])]
    trace.meta.update(plain({
        "features": cfg.features, "samples": X_new.labels[1],
        "errors": errors.numpy()[0], "threshold": limit, "flagged": flagged, "odd": d.odd,
        "largest_training_error": float(train_errors.max()), "loss_history": trainer.history,
        "recorded": trainer.describe() + "; then the reconstruction errors of the test samples and the flags "
                    f"(error > {cfg.threshold} × the largest training error)",
        "label_names": cfg.label_names,   # before the story: its recap names the days in each language
    }))
    stories.anomaly_detection(trace)
    return trace


# ---- word autoencoder --------------------------------------------------------------------------
@dataclass
class WordModel:
    code_size: int = field(default=2, metadata={"min": 1})
    activation: str = field(default="tanh", metadata={"choices": ACTS})
    seed: int = 0


@dataclass
class WordAutoencoderConfig(LabelledConfig):
    corpus: list[str] = field(default_factory=lambda: [
        "the king sat on the throne", "the queen sat on the throne", "the king wore a crown",
        "the queen wore a crown", "the armadillo dug a burrow", "the armadillo ate ants"])
    compare: list[str] = field(default_factory=lambda: ["king", "queen", "armadillo"])
    model: WordModel = field(default_factory=WordModel)
    training: Training = field(default_factory=lambda: Training(loss="cross_entropy", optimizer="adam", lr=0.05,
                                                                steps=300, record="last"))


def context_targets(vocab: Vocabulary, corpus: list[str]) -> np.ndarray:
    """Column ``w``: how often each word shares a sentence with ``w`` (itself included), normalised."""
    counts = np.zeros((len(vocab), len(vocab)))
    for sentence in corpus:
        ids = vocab.encode(sentence)
        for w in ids:
            for c in ids:
                counts[c, w] += 1
    return counts / counts.sum(axis=0, keepdims=True)


def _word_memory(cfg: WordAutoencoderConfig) -> tuple[str, int]:
    V, k = len(Vocabulary.from_texts(cfg.corpus)), max(cfg.model.code_size, 0)
    params, acts = dense([V, k, V], V)
    key = "corpus" if V >= k else "model.code_size"
    return key, footprint(params, acts + 2 * V * V, recorded_steps(cfg.training) + 1)  # + one-hots, targets


@system("word_autoencoder", WordAutoencoderConfig, "one-hot words → small code → words, self-supervised",
        _word_memory)
def word_autoencoder(cfg: WordAutoencoderConfig, where: Where) -> tracer.Trace:
    if not cfg.corpus:
        raise where.error("corpus", "expected at least one sentence")
    vocab = Vocabulary.from_texts(cfg.corpus)
    for i, w in enumerate(cfg.compare):
        if w not in vocab.index:
            raise where.error(f"compare[{i}]", f"{w!r} is not in the corpus")
    one_of(where, "training.loss", cfg.training.loss, ["cross_entropy"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])
    V, k = len(vocab), cfg.model.code_size
    ae = Autoencoder.init([V, k, V], "xavier", cfg.model.seed, activation=cfg.model.activation,
                          output_activation="none")
    words, code = vocab.tokens, [f"c{i + 1}" for i in range(k)]
    X = tracer.tensor(np.eye(V), name="X", rows=words, cols=words)  # one column per word: its one-hot vector
    T = tracer.tensor(context_targets(vocab, cfg.corpus), name="T", rows=words, cols=words)
    params = ae.named_parameters()
    set_labels(where, layer_labels([words, code, words]), params, strict=True)
    set_labels(where, cfg.labels, {"X": X, "T": T, **params})
    def loss() -> tracer.Tensor:
        return tracer.cross_entropy(ae(X), T, axis=0, name="loss")
    trainer = Trainer(cfg.training, ae.parameters())
    trainer.run(loss, trainer.silent)
    with tracer.record() as trace:
        trainer.run(loss, trainer.recorded)
        with tracer.scope("codes"):
            codes = ae.encode(X).numpy()
    dist = {f"{a}-{b}": float(np.linalg.norm(codes[:, vocab.index[a]] - codes[:, vocab.index[b]]))
            for i, a in enumerate(cfg.compare) for b in cfg.compare[i + 1:]}
    trace.meta.update(plain({
        "vocabulary": vocab.tokens, "tokens": vocab.tokens,
        "codes": {w: codes[:, i] for i, w in enumerate(vocab.tokens)}, "distances": dist,
        "loss_history": trainer.history,
        "target": "each word's column of T: the words it shares sentences with (itself included)",
        "recorded": trainer.describe() + ", then the codes of every word",
    }))
    stories.word_autoencoder(trace, trainer.silent, trainer.recorded, cfg.compare)
    return trace



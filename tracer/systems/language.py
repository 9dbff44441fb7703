"""Next-token prediction (words and characters) and masked-token prediction, trained in the project.

A tiny transformer learns a few sentences; training runs unrecorded (it takes about a second), and
the trace records what the walkthrough explains: the model completing its prompts one token at a
time (greedy or sampled, with a temperature), its attention weights included.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

import tracer
from tracer.models import MASK, LanguageModel, Vocabulary, tokenize

from . import system
from .common import ExampleConfig, Trainer, Training, one_of, plain
from .schema import Where
from .stories import language as stories


@dataclass
class LMModel:
    d: int = field(default=16, metadata={"min": 2})
    d_ff: int = field(default=32, metadata={"min": 1})
    heads: int = field(default=1, metadata={"min": 1, "max": 8})
    blocks: int = field(default=1, metadata={"min": 1, "max": 4})
    seed: int = 0


@dataclass
class Generation:
    new_tokens: int = field(default=1, metadata={"min": 1, "max": 50})
    strategy: str = field(default="greedy", metadata={"choices": ("greedy", "sample")})
    temperature: float = field(default=1.0, metadata={"min": 1e-3})
    seed: int = 0


@dataclass
class NextTokenConfig(ExampleConfig):
    tokenize: str = field(default="words", metadata={"choices": ("words", "chars")})
    corpus: list[str] = field(default_factory=lambda: [
        "once upon a time there was a queen", "the queen sat on the throne",
        "the king sat on the throne", "the cat sat on the mat"])
    prompts: list[str] = field(default_factory=lambda: ["once upon a", "the queen sat on the"])
    model: LMModel = field(default_factory=LMModel)
    generation: Generation = field(default_factory=Generation)
    training: Training = field(default_factory=lambda: Training(loss="cross_entropy", optimizer="adam", lr=0.02,
                                                                steps=200, record="none"))


def _check(cfg: NextTokenConfig | "MaskedConfig", where: Where) -> None:
    if not cfg.corpus:
        raise where.error("corpus", "expected at least one sentence")
    if cfg.model.d % cfg.model.heads:
        raise where.error("model.heads", f"d = {cfg.model.d} does not split into {cfg.model.heads} heads")
    one_of(where, "training.loss", cfg.training.loss, ["cross_entropy"])
    one_of(where, "training.optimizer", cfg.training.optimizer, ["sgd", "adam"])


def _encode(vocab: Vocabulary, text: str, where: Where, key: str) -> list[int]:
    try:
        ids = vocab.encode(text)
    except tracer.TracerError as e:
        raise where.error(key, str(e)) from None
    if not ids:
        raise where.error(key, "expected at least one token")
    return ids


@lru_cache(maxsize=8)
def _trained(corpus: tuple[str, ...], how: str, causal: bool, model: tuple, training: tuple) -> tuple:
    """Train once per configuration (examples and tests share it); returns (model, vocab, history)."""
    d, d_ff, heads, blocks, seed = model
    lr, steps, optimizer = training
    extra = () if causal else (MASK,)
    vocab = Vocabulary.from_texts(corpus, how=how, extra=extra)
    seqs = [vocab.encode(s) for s in corpus]
    lm = LanguageModel.init(len(vocab), d, d_ff, heads, blocks, causal=causal, seed=seed, words=vocab.tokens)
    cfg = Training(loss="cross_entropy", optimizer=optimizer, lr=lr, steps=steps, record="none")
    trainer = Trainer(cfg, lm.parameters())
    if causal:
        trainer.run(lambda: lm.loss(seqs), steps)
    else:
        trainer.run(lambda: lm.masked_loss(seqs, vocab.index[MASK]), steps)
    return lm, vocab, seqs, trainer.history


def trained_model(cfg: NextTokenConfig | "MaskedConfig", causal: bool, how: str) -> tuple:
    m, t = cfg.model, cfg.training
    return _trained(tuple(cfg.corpus), how, causal, (m.d, m.d_ff, m.heads, m.blocks, m.seed),
                    (t.lr, t.steps, t.optimizer))


def _thinned(history: list[float], every: int = 10) -> dict[str, list]:
    """Every 10th loss of the training and the last, with the steps they were taken at."""
    steps = sorted(set(range(0, len(history), every)) | {len(history) - 1}) if history else []
    return {"loss_history": [history[k] for k in steps], "loss_steps": steps}


def _top(vocab: Vocabulary, p: np.ndarray, k: int = 5) -> list[list]:
    order = np.argsort(-p, kind="stable")[:k]
    return [[vocab.tokens[i], float(p[i])] for i in order]


@system("next_token", NextTokenConfig, "a tiny transformer completes prompts one token at a time")
def next_token(cfg: NextTokenConfig, where: Where) -> tracer.Trace:
    _check(cfg, where)
    one_of(where, "training.record", cfg.training.record, ["none"])
    lm, vocab, seqs, history = trained_model(cfg, causal=True, how=cfg.tokenize)
    prompts = [_encode(vocab, p, where, f"prompts[{i}]") for i, p in enumerate(cfg.prompts)]
    g = cfg.generation
    completions = []
    with tracer.record() as trace:
        for i, ids in enumerate(prompts):
            with tracer.scope(f"prompt{i}"):
                out = lm.generate(ids, g.new_tokens, g.temperature, g.strategy == "greedy", g.seed + i)
            completions.append({"prompt": cfg.prompts[i], "tokens": vocab.decode([t for t, _ in out]),
                                "probabilities": [p for _, p in out]})
    joiner = "" if cfg.tokenize == "chars" else " "
    for c in completions:
        c["text"] = joiner.join(tokenize(c["prompt"], cfg.tokenize) + c["tokens"])
    trace.meta.update(plain({
        "vocabulary": vocab.tokens, "completions": completions, **_thinned(history),
        "prompt_tokens": [vocab.decode(p) for p in prompts], "generation": g, "tokenize": cfg.tokenize,
        "recorded": f"{len(prompts)} prompt(s), {g.new_tokens} generated token(s) each: every forward pass "
                    "(scope promptK.generate.N) and the pick of the next token; the training "
                    f"({cfg.training.steps} {cfg.training.optimizer} steps) ran unrecorded",
    }))
    stories.next_token(trace)
    return trace


@dataclass
class MaskedConfig(ExampleConfig):
    corpus: list[str] = field(default_factory=lambda: [
        "the king sat on the throne", "the queen sat on the throne", "the cat sat on the mat",
        "the armadillo dug a burrow"])
    query: str = "The [MASK] sat on the throne."
    model: LMModel = field(default_factory=LMModel)
    training: Training = field(default_factory=lambda: Training(loss="cross_entropy", optimizer="adam", lr=0.02,
                                                                steps=300, record="none"))


@system("masked_lm", MaskedConfig, "masked-token prediction: fill in [MASK] from both sides")
def masked_lm(cfg: MaskedConfig, where: Where) -> tracer.Trace:
    _check(cfg, where)
    one_of(where, "training.record", cfg.training.record, ["none"])
    lm, vocab, seqs, history = trained_model(cfg, causal=False, how="words")
    ids = _encode(vocab, cfg.query, where, "query")
    if ids.count(vocab.index[MASK]) != 1:
        raise where.error("query", f"expected exactly one {MASK} in the query")
    at = ids.index(vocab.index[MASK])
    with tracer.record() as trace:
        probs = lm.probabilities(ids, position=at)
    p = probs.numpy()[:, 0]
    trace.meta.update(plain({
        "vocabulary": vocab.tokens, "query": cfg.query, "tokens": vocab.decode(ids), "mask_position": at,
        "predictions": _top(vocab, p), **_thinned(history),
        "recorded": "one bidirectional forward pass over the query and the probabilities at [MASK]; "
                    f"the training ({cfg.training.steps} {cfg.training.optimizer} steps, each word masked in turn) ran unrecorded",
    }))
    stories.masked_lm(trace)
    return trace

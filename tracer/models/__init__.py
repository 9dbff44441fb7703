"""Model building blocks written only from the engine's ops: no gradient code of their own.

Everything uses the AI-by-Hand column layout (samples and tokens are columns, a layer is
``W·X + b``), keeps its weights as ``tracer.param`` tensors (``model.parameters()``), and records
its steps under module paths such as ``encoder.layer1.Z1`` or ``blocks.0.attn.weights``.
"""
from __future__ import annotations

from .attention import MultiHeadAttention, PositionalEncoding, SelfAttention, TransformerBlock, positional_table
from .autoencoder import Autoencoder, SparseAutoencoder
from .base import Module, init_weight, make_optimizer, train
from .classic import Perceptron, minmax_normalize
from .language import MASK, LanguageModel, Vocabulary, pack, tokenize
from .layers import MLP, Embedding, FeedForward, LayerNorm, Linear, activate
from .recurrent import GRUCell, LSTMCell, Recurrent, RNNCell

__all__ = [
    "MASK", "MLP", "Autoencoder", "Embedding", "FeedForward", "GRUCell", "LSTMCell", "LanguageModel",
    "LayerNorm", "Linear", "Module", "MultiHeadAttention", "Perceptron", "PositionalEncoding",
    "RNNCell", "Recurrent", "SelfAttention", "SparseAutoencoder", "TransformerBlock", "Vocabulary",
    "activate", "init_weight", "make_optimizer", "minmax_normalize", "pack", "positional_table",
    "tokenize", "train",
]

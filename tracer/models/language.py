"""Token embedding, next-token prediction and masked-token prediction with a tiny transformer.

Tokens are columns: the embedding table ``W_E`` is ``(d, vocabulary)``, the logits ``(vocabulary, T)``
and the probabilities a softmax down each column. Several short sentences train in one pass:
they are laid side by side and an attention mask keeps each sentence to itself.

>>> from tracer.models import Vocabulary
>>> vocab = Vocabulary.from_texts(["once upon a time"], how="words")
>>> vocab.encode("upon a"), vocab.decode([3])
([1, 2], ['time'])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

import tracer
from tracer.tensor import Tensor, axis_labels

from .attention import PositionalEncoding, TransformerBlock
from .base import Module, as_param, init_weight
from .layers import Embedding

MASK = "[MASK]"


def tokenize(text: str, how: str) -> list[str]:
    """``words``: lower-case words without punctuation (``[MASK]`` kept); ``chars``: characters."""
    if how == "chars":
        return [c for c in text if not c.isspace()]
    out = []
    for w in text.split():
        out.append(w if w == MASK else w.lower().strip(".,!?;:\"'"))
    return [w for w in out if w]


class Vocabulary:
    """Tokens in order of first appearance; ``encode`` / ``decode`` between text and ids."""

    def __init__(self, tokens: Sequence[str], how: str = "words") -> None:
        self.tokens, self.how = list(tokens), how
        self.index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def from_texts(cls, texts: Sequence[str], how: str = "words",
                   extra: Sequence[str] = ()) -> "Vocabulary":
        seen: dict[str, None] = {}
        for text in texts:
            for tok in tokenize(text, how):
                seen.setdefault(tok, None)
        for tok in extra:
            seen.setdefault(tok, None)
        return cls(list(seen), how)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str | Sequence[str]) -> list[int]:
        toks = tokenize(text, self.how) if isinstance(text, str) else list(text)
        unknown = [t for t in toks if t not in self.index]
        if unknown:
            raise tracer.TracerError(f"{unknown[0]!r} is not in the vocabulary ({' '.join(self.tokens)})")
        return [self.index[t] for t in toks]

    def decode(self, ids: Sequence[int]) -> list[str]:
        return [self.tokens[int(i)] for i in ids]


@dataclass
class Packed:
    """Sentences laid side by side as one sequence of columns, each attending only to itself."""

    ids: list[int]
    positions: np.ndarray
    mask: np.ndarray  # (N, N): query i may look at key j
    starts: list[int]


def pack(sequences: Sequence[Sequence[int]], causal: bool) -> Packed:
    """Join ``sequences``; the mask is block-diagonal (and lower-triangular when ``causal``).

    >>> pack([[5, 6], [7]], causal=True).mask.astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    """
    ids = [int(t) for seq in sequences for t in seq]
    segment = np.concatenate([np.full(len(s), k) for k, s in enumerate(sequences)])
    positions = np.concatenate([np.arange(len(s)) for s in sequences])
    mask = segment[:, None] == segment[None, :]
    if causal:
        mask &= np.tril(np.ones((len(ids), len(ids)), dtype=bool))
    starts = list(np.cumsum([0] + [len(s) for s in sequences[:-1]]))
    return Packed(ids, positions, mask, [int(s) for s in starts])


class LanguageModel(Module):
    """Embedding + positions → transformer blocks → unembedding ``W_U`` → logits over the vocabulary.

    ``causal=True`` gives a next-token (generative) model, ``causal=False`` a masked-token one.
    """

    def __init__(self, embed: Embedding, pos: PositionalEncoding, blocks: Sequence[TransformerBlock],
                 W_U: Any, b_U: Any, causal: bool = True, name: str = "") -> None:
        self.name, self.causal = name, causal
        self.embed, self.pos, self.blocks = embed, pos, list(blocks)
        self.W_U = as_param(W_U, "W_U")  # (vocabulary, d)
        self.b_U = as_param(np.asarray(b_U.numpy() if isinstance(b_U, Tensor) else b_U).reshape(-1), "b_U")

    @classmethod
    def init(cls, vocab_size: int, d: int = 16, d_ff: int = 32, n_heads: int = 1, n_blocks: int = 1,
             causal: bool = True, seed: int = 0, words: Sequence[str] | None = None) -> "LanguageModel":
        """Seeded weights; ``words`` names the vocabulary (the columns of ``W_E``, the rows of ``W_U``)."""
        blocks = [TransformerBlock.init(d, d_ff, n_heads, seed=seed + 100 * (k + 1), causal=causal,
                                        name=f"blocks.{k}") for k in range(n_blocks)]
        lm = cls(Embedding.init(vocab_size, d, seed), PositionalEncoding(d), blocks,
                 init_weight((vocab_size, d), "xavier", "W_U", seed + 1), np.zeros(vocab_size), causal)
        if words is not None:  # the tokens looked up take their words along, the logits are named by word
            lm.embed.W_E.labels = axis_labels(lm.embed.W_E.shape, cols=words, name="W_E")
            lm.W_U.labels = axis_labels(lm.W_U.shape, rows=words, name="W_U")
            lm.b_U.labels = axis_labels(lm.b_U.shape, rows=words, name="b_U")
        return lm

    def logits(self, ids: Sequence[int], positions: np.ndarray | None = None,
               mask: np.ndarray | None = None) -> Tensor:
        """``(vocabulary, T)``: one column of scores per position."""
        with self.scope():
            X = self.pos(self.embed(ids), positions)  # (d, T)
            if mask is None and self.causal:
                mask = tracer.causal_mask(len(ids))
            for block in self.blocks:
                X = block(X, mask)
            return tracer.linear(self.W_U, X, self.b_U, name="logits")

    def loss(self, sequences: Sequence[Sequence[int]]) -> Tensor:
        """Cross-entropy of every next token of every sequence (teacher forcing), one pass."""
        packed = pack([s[:-1] for s in sequences], causal=True)
        targets = [t for s in sequences for t in s[1:]]
        logits = self.logits(packed.ids, packed.positions, packed.mask)
        return tracer.cross_entropy(logits, tracer.tensor(targets, name="next"), axis=0, name="loss")

    def masked_loss(self, sequences: Sequence[Sequence[int]], mask_id: int) -> Tensor:
        """Cross-entropy of every token when it alone is replaced by ``[MASK]`` (bidirectional)."""
        variants, targets = [], []
        for seq in sequences:
            for p, tok in enumerate(seq):
                variants.append([mask_id if q == p else t for q, t in enumerate(seq)])
                targets.append(tok)
        packed = pack(variants, causal=False)
        where = [start + p for start, seq in zip(packed.starts, variants) for p, t in enumerate(seq) if t == mask_id]
        logits = self.logits(packed.ids, packed.positions, packed.mask)
        picked = tracer.gather(logits, where, axis=1, name="masked_logits")
        return tracer.cross_entropy(picked, tracer.tensor(targets, name="masked"), axis=0, name="loss")

    def probabilities(self, ids: Sequence[int], position: int = -1, temperature: float = 1.0) -> Tensor:
        """The probabilities ``(vocabulary, 1)`` of the token at ``position`` (default: the next one)."""
        logits = self.logits(ids)
        p = position % len(ids)
        col = tracer.ops.getitem(logits, (slice(None), slice(p, p + 1)), name="last" if p == len(ids) - 1 else "at_mask")
        if temperature != 1.0:  # τ < 1 sharpens the distribution, τ > 1 flattens it
            col = tracer.div(col, temperature, name="tempered")
        return tracer.softmax(col, axis=0, name="probs")

    def generate(self, ids: Sequence[int], n: int, temperature: float = 1.0, greedy: bool = True,
                 seed: int = 0) -> list[tuple[int, float]]:
        """Append ``n`` tokens one at a time; each is a scope ``generate.k`` ending in a ``pick`` step.

        Greedy takes the most probable token; sampling draws from the probabilities with a seeded
        generator. Returns ``(token id, probability)`` per generated token.
        """
        rng = np.random.default_rng(seed)
        context, out = list(ids), []
        for k in range(n):
            with tracer.scope(f"generate.{k}"):
                probs = self.probabilities(context, temperature=temperature)
                p = probs.numpy()[:, 0]
                tok = int(np.argmax(p)) if greedy else int(rng.choice(len(p), p=p / p.sum()))
                # the chosen token and its probability; its id named, so the formula reads probs[next_id]
                next_id = Tensor(np.asarray([tok], dtype=np.int64), name="next_id", kind="const")
                tracer.gather(probs, next_id, axis=0, name="pick")
            out.append((tok, float(p[tok])))
            context.append(tok)
        return out

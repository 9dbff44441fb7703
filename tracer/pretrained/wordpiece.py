"""BERT's WordPiece tokenizer for a ``vocab.txt``: the text a model reads, as its token ids.

Like the reference (Hugging Face ``BertTokenizerFast`` of an uncased model): control characters
go, white space becomes spaces, each CJK character stands alone, accents are stripped (NFD, then
the combining marks dropped), everything is lower-cased; words split at white space and around
each punctuation mark; each word becomes the longest pieces the vocabulary has, left to right,
later pieces spelled ``##…`` (a word it cannot spell, or longer than 100 characters, is
``[UNK]``); the sentence is framed by ``[CLS]`` and ``[SEP]``.

>>> tok = WordPiece({"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "the": 4, "queen": 5, "un": 6,
...                  "##believ": 7, "##able": 8, "!": 9, "女": 10})
>>> tok.tokenize("The Quéen, unbelievable!女王")
['the', 'queen', '[UNK]', 'un', '##believ', '##able', '!', '女', '[UNK]']
>>> tok.encode("the queen")
[2, 4, 5, 3]
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import TracerError

# the CJK Unified Ideographs blocks and their extensions (not Japanese kana or Korean hangul)
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
        (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_cjk(c: str) -> bool:
    cp = ord(c)
    return any(lo <= cp <= hi for lo, hi in _CJK)


def _is_punctuation(c: str) -> bool:
    """Unicode punctuation, and every ASCII symbol that is not a letter, digit or space ($, +, ^ …)."""
    cp = ord(c)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or \
        unicodedata.category(c).startswith("P")


def normalize(text: str, lowercase: bool = True) -> str:
    """Clean, space out CJK characters, strip accents and lower-case, as BERT's normaliser does."""
    out = []
    for c in text:
        if c in "\t\n\r" or unicodedata.category(c) == "Zs":
            out.append(" ")
        elif c == "\0" or c == "\ufffd" or unicodedata.category(c).startswith("C"):
            continue
        elif _is_cjk(c):
            out.append(f" {c} ")
        else:
            out.append(c)
    text = "".join(out)
    if lowercase:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()
    return text


def split_words(text: str) -> list[str]:
    """Words at white space, each punctuation mark a word of its own."""
    words: list[str] = []
    for chunk in text.split():
        start = 0
        for i, c in enumerate(chunk):
            if _is_punctuation(c):
                words += [chunk[start:i], c] if i > start else [c]
                start = i + 1
        if start < len(chunk):
            words.append(chunk[start:])
    return words


class WordPiece:
    """A WordPiece vocabulary: ``tokenize`` gives the pieces, ``encode`` their ids with the frame.

    Parameters
    ----------
    vocab : mapping of str to int
        Piece to id, as the lines of a ``vocab.txt`` (line ``k`` is id ``k``).
    max_length : int
        Longer sentences are cut to this many tokens, ``[CLS]`` and ``[SEP]`` included.
    """

    def __init__(self, vocab: dict[str, int], lowercase: bool = True, max_length: int = 512,
                 max_word: int = 100) -> None:
        missing = [t for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]") if t not in vocab]
        if missing:
            raise TracerError(f"the vocabulary has no {', '.join(missing)}")
        self.vocab, self.lowercase, self.max_length, self.max_word = dict(vocab), lowercase, max_length, max_word
        self.pieces = {i: t for t, i in self.vocab.items()}

    @classmethod
    def from_file(cls, path: str | Path, **kw: object) -> "WordPiece":
        """Read a ``vocab.txt``: one piece a line."""
        try:
            lines = Path(path).read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError) as e:
            raise TracerError(f"{path}: cannot read the vocabulary ({e})") from None
        if lines and lines[-1] == "":
            lines.pop()
        return cls({t: i for i, t in enumerate(lines)}, **kw)  # type: ignore[arg-type]

    def word_pieces(self, word: str) -> list[str]:
        """The longest known pieces of ``word``, left to right; ``[UNK]`` if it cannot be spelled."""
        if len(word) > self.max_word:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            else:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """The pieces of ``text``, without the frame."""
        return [p for w in split_words(normalize(text, self.lowercase)) for p in self.word_pieces(w)]

    def encode(self, text: str) -> list[int]:
        """``[CLS]`` pieces ``[SEP]`` as ids, cut to ``max_length``."""
        pieces = self.tokenize(text)[: self.max_length - 2]
        return [self.vocab[p] for p in ("[CLS]", *pieces, "[SEP]")]

    def tokens(self, ids: Sequence[int]) -> list[str]:
        """The pieces of some ids (``[CLS]``, ``the``, ``##ers`` …)."""
        return [self.pieces[int(i)] for i in ids]

    def batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Ids ``(sentences, T)`` padded with ``[PAD]``, and the mask: 1 for a token, 0 for padding."""
        rows = [self.encode(t) for t in texts]
        T = max(len(r) for r in rows)
        ids = np.full((len(rows), T), self.vocab["[PAD]"], dtype=np.int64)
        mask = np.zeros((len(rows), T), dtype=np.int64)
        for k, r in enumerate(rows):
            ids[k, :len(r)], mask[k, :len(r)] = r, 1
        return ids, mask

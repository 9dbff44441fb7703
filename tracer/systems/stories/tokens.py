"""Words of the data inside a story's sentences, written as each language sets them: a sentence of
tokens run together in Chinese and spaced where a Latin word or a number meets another word; a
token named inside a Chinese sentence set off in 「」, so it reads without a space around it.

Chinese typesetting puts no space between two Chinese characters and a space between Chinese and
a Latin word or a number (``一步 SGD 之後``, ``第 3 步``); a space inside Chinese reads as a
break in the wrong place (``蘋果 要等 吃``). Simplified Chinese uses 「」 here too, not “”: the
stories already quote so in both scripts, and the corner brackets are full-width CJK characters
that every renderer (the sheet's fonts chosen by code point, the scenes', the browser's) draws in
the CJK face, where “” are shared with Latin text and come out narrow in a Latin font.

>>> joined(["我", "愛", "吃", "蘋果"]), joined(["the", "cat"]), joined(["我", "愛", "GPT2"])
('我愛吃蘋果', 'the cat', '我愛 GPT2')
>>> before_chinese("我愛吃蘋果") + "的", before_chinese("the cat sat") + "的"
('我愛吃蘋果的', 'the cat sat 的')
>>> "是" + after_chinese("批次正規化"), "是" + after_chinese("sigmoid")
('是批次正規化', '是 sigmoid')
>>> quoted("蘋果", "zh-Hant") + "要等" + quoted("吃", "zh-Hant"), quoted("cat", "en")
('「蘋果」要等「吃」', 'cat')
"""
from __future__ import annotations

from typing import Sequence


def cjk(char: str) -> bool:
    """Whether ``char`` is a CJK character or CJK punctuation (``蘋``, ``、``, ``「``, ``：``)."""
    return bool(char) and ord(char) >= 0x2E80


def joined(words: Sequence[str]) -> str:
    """The words as written: CJK side by side, a space where a Latin word or a number meets
    another word (``我愛 GPT2``, ``the cat``)."""
    out = words[0] if words else ""
    for w in words[1:]:
        out += ("" if cjk(out[-1:]) and cjk(w[:1]) else " ") + w
    return out


def before_chinese(text: str) -> str:
    """``text`` as it stands before a Chinese word: side by side when it ends on a CJK character
    (``我愛吃蘋果的``), a space after a Latin letter or a digit (``the cat sat 的``)."""
    return text + ("" if not text or cjk(text[-1]) else " ")


def after_chinese(text: str) -> str:
    """``text`` as it stands after a Chinese word: side by side when it starts on a CJK character
    (``是批次正規化``), a space before a Latin letter or a digit (``是 sigmoid``)."""
    return ("" if not text or cjk(text[0]) else " ") + text


def quoted(word: str, lang: str) -> str:
    """``word`` as a sentence of ``lang`` names it: in 「」 in Chinese (``「蘋果」最關注「吃」``),
    as it is in the other languages (their sentences space it already)."""
    return f"「{word}」" if lang.startswith("zh") else word

"""Subtitles for a walkthrough video: each caption it shows, timed to when it is on screen.

The renderer notes the time each caption comes on screen (:func:`scenes.caption.on_screen`);
a caption stays until the next one comes, the last until the video ends. The same cues are
written as SubRip (``.srt``) and WebVTT (``.vtt``) beside the video, in the render's language.

A cue is what a viewer reads at a glance, the broadcast convention: at most :data:`LINES` lines of
at most :data:`COLUMNS` columns (a CJK character takes two). A longer caption is cut into several
cues, one after the other, that share its time on screen in proportion to their length; its lines
break between words (between CJK characters, but no line starts with ``，`` or ends with ``「``),
never inside a number or a formula's token (``1.63e−04``, ``W·x``):

>>> layer = "Z1 = W1·X + b1\\nA linear layer: multiply X by the weights W1, then add the bias b1."
>>> cues = cues_of([(0.0, "Autoencoder"), (2.2, layer), (4.0, layer)], end=6.5)
>>> print(srt(cues))
1
00:00:00,000 --> 00:00:02,200
Autoencoder
<BLANKLINE>
2
00:00:02,200 --> 00:00:03,200
Z1 = W1·X + b1
<BLANKLINE>
3
00:00:03,200 --> 00:00:06,500
A linear layer: multiply X by the
weights W1, then add the bias b1.
<BLANKLINE>
>>> print(vtt(cues).splitlines()[2])
00:00:00.000 --> 00:00:02.200
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write
from ..line_breaks import filled, wide
from ..notation import superscripted, true_minus
from ..textview import width_of as columns   # a CJK character two columns, a combining mark none

SUFFIXES = (".srt", ".vtt")
LINES = 2            # lines of a cue
COLUMNS = 42         # columns of a line (a CJK character is two)
CJK_COLUMNS = 40     # of a line with CJK in it: at most 20 characters, as CJK subtitles are set
SHORTEST = 1.0       # seconds a cue cut from a longer caption stays, when the caption's time allows


@dataclass(frozen=True)
class Cue:
    """A caption (or a part of a longer one) and the seconds of the video it is on screen."""

    start: float
    end: float
    text: str


def wrapped(paragraph: str) -> list[str]:
    """``paragraph`` in as few lines of at most :data:`COLUMNS` columns as it takes, as even as
    they go (two lines of 30, not 42 and 18), broken by the walkthrough's one line breaker
    (:func:`tracer.line_breaks.filled`, measured in columns; by Chinese rules when it has a CJK
    character in it).

    >>> wrapped("Softmax turns the scores scaled into probabilities along axis −1: exponentiate, add up, divide.")
    ['Softmax turns the scores scaled', 'into probabilities along axis −1:', 'exponentiate, add up, divide.']
    >>> wrapped("一步 SGD 把「蘋果」→「吃」的權重從 0.94 變成 0.99。")
    ['一步 SGD 把「蘋果」→「吃」', '的權重從 0.94 變成 0.99。']
    """
    paragraph = " ".join(paragraph.split())   # one space between workings run together, as between words
    chinese = any(wide(ch) for ch in paragraph)
    widest = CJK_COLUMNS if chinese else COLUMNS
    return filled(paragraph, widest, columns, "zh" if chinese else "en", even=True)


def _blocks(text: str) -> list[str]:
    """A caption's text as the texts of its cues, in order: each paragraph (a formula, a
    sentence) wrapped, its lines taken two at a time; a paragraph starts a cue of its own unless
    the cue before has room for the whole of it (or its odd line out)."""
    blocks: list[list[str]] = []
    for paragraph in text.split("\n"):
        lines = wrapped(paragraph)
        if blocks and len(blocks[-1]) + len(lines) <= LINES or blocks and len(blocks[-1]) < LINES and len(lines) % 2:
            room = LINES - len(blocks[-1])
            blocks[-1] += lines[:room]
            lines = lines[room:]
        blocks += [lines[k:k + LINES] for k in range(0, len(lines), LINES)]
    return ["\n".join(b) for b in blocks if b]


def _shares(weights: list[int], span: float) -> list[float]:
    """``span`` seconds shared in proportion to ``weights``, each share at least :data:`SHORTEST`
    (or an even share when the span is too short for that)."""
    least = min(SHORTEST, span / len(weights))
    floor: set[int] = set()
    while True:
        rest = span - least * len(floor)
        total = sum(w for k, w in enumerate(weights) if k not in floor)
        shares = [least if k in floor else rest * w / total for k, w in enumerate(weights)]
        short = {k for k, s in enumerate(shares) if s < least and k not in floor}
        if not short:
            return shares
        floor |= short


def _clean(text: str) -> str:
    """One cue's text: no blank line (it would end the cue), no arrow that reads as a timing, a
    power as a superscript (the video raises it: 10000²ⁱᐟᵈ, not 10000^(2i/d)) and a number's sign
    the video's − (its text keeps the trace's ASCII in an attribute: axis -1)."""
    lines = [true_minus(superscripted(line.strip().replace("-->", "→"))) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def cues_of(shown: list[tuple[float, str]], end: float) -> list[Cue]:
    """Cues from the times captions came on screen: each lasts until the next, the last until ``end``.

    A caption shown again unchanged continues its cue; an empty caption only ends the one before.
    A caption longer than a cue is cut into cues that share its time (:func:`_blocks`).
    """
    shown_for: list[Cue] = []
    events = sorted(((max(0.0, t), _clean(s)) for t, s in shown), key=lambda e: e[0])
    for k, (start, words) in enumerate(events):
        stop = events[k + 1][0] if k + 1 < len(events) else end
        stop = min(stop, end)
        if shown_for and shown_for[-1].text == words and shown_for[-1].end >= start:
            shown_for[-1] = Cue(shown_for[-1].start, max(shown_for[-1].end, stop), words)
        elif words and stop > start:
            shown_for.append(Cue(start, stop, words))
    return [cue for caption in shown_for for cue in _cut(caption)]


def _cut(caption: Cue) -> list[Cue]:
    """One caption's cues: its blocks, one after the other over its time on screen."""
    blocks = _blocks(caption.text)
    if (caption.end - caption.start) / len(blocks) < 0.01:   # no time to read them apart
        return [caption]
    shares = _shares([columns(b.replace("\n", " ")) for b in blocks], caption.end - caption.start)
    cues, start = [], caption.start
    for k, (block, share) in enumerate(zip(blocks, shares)):
        stop = caption.end if k == len(blocks) - 1 else start + share
        cues.append(Cue(start, stop, block))
        start = stop
    return cues


def first_sentences(text: str, enough: int = 40) -> str:
    """The opening of ``text``: its first sentence, and the ones after while those before are
    shorter than ``enough`` columns (a recap's gist, not every number it gives).

    >>> first_sentences("8·1 = 8: go. After 4 updates company matters most. Then 7 ≤ 8: stay home.")
    '8·1 = 8: go. After 4 updates company matters most.'
    >>> first_sentences("最低分變成 0，最高分變成 1。Ana 90 → 1.00、Bao 80 → 0.75。", 20)
    '最低分變成 0，最高分變成 1。'
    """
    text = text.strip()
    for m in re.finditer(r"(?<=[.!?])(?=\s+\S)|(?<=[。！？])(?=.)", text):
        if columns(text[:m.start()]) >= enough:
            return text[:m.start()]
    return text
def shifted(cues: list[Cue], by: float) -> list[Cue]:
    """The cues of a part of a video that starts ``by`` seconds into the whole."""
    return [Cue(c.start + by, c.end + by, c.text) for c in cues]


def _clock(seconds: float, dot: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{dot}{ms:03d}"


def srt(cues: list[Cue]) -> str:
    """The cues as a SubRip file."""
    return "".join(f"{k}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n\n"
                   for k, c in enumerate(cues, 1))


def vtt(cues: list[Cue]) -> str:
    """The cues as a WebVTT file (``&``, ``<`` and ``>`` escaped: a formula ``a < b`` is not a tag)."""
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "WEBVTT\n\n" + "".join(f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{escape(c.text)}\n\n"
                                  for c in cues)


def subtitle_paths(video: str | os.PathLike[str]) -> list[Path]:
    """Where the subtitles of ``video`` go: ``X.srt`` and ``X.vtt`` beside ``X.mp4``."""
    return [Path(video).with_suffix(s) for s in SUFFIXES]


def write_subtitles(video: str | os.PathLike[str], cues: list[Cue]) -> list[Path]:
    """Write ``X.srt`` and ``X.vtt`` beside ``video`` (each atomically) and return their paths."""
    paths = subtitle_paths(video)
    for path, text in zip(paths, (srt(cues), vtt(cues))):
        data = text.encode("utf-8")
        atomic_write(path, lambda fh, data=data: fh.write(data))
    return paths

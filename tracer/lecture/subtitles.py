"""Subtitles for a walkthrough video: each caption it shows, timed to when it is on screen.

The renderer notes the time each caption comes on screen (:func:`scenes.caption.on_screen`);
a caption stays until the next one comes, the last until the video ends. The same cues are
written as SubRip (``.srt``) and WebVTT (``.vtt``) beside the video, in the render's language.

>>> layer = "Z1 = W1·X + b1\\nA linear layer."
>>> cues = cues_of([(0.0, "Autoencoder"), (2.2, layer), (4.0, layer)], end=5.5)
>>> print(srt(cues))
1
00:00:00,000 --> 00:00:02,200
Autoencoder
<BLANKLINE>
2
00:00:02,200 --> 00:00:05,500
Z1 = W1·X + b1
A linear layer.
<BLANKLINE>
>>> print(vtt(cues).splitlines()[2])
00:00:00.000 --> 00:00:02.200
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write
from ..notation import superscripted, true_minus

SUFFIXES = (".srt", ".vtt")


@dataclass(frozen=True)
class Cue:
    """A caption and the seconds of the video it is on screen."""

    start: float
    end: float
    text: str


def _clean(text: str) -> str:
    """One cue's text: no blank line (it would end the cue), no arrow that reads as a timing, a
    power as a superscript (the video raises it: 10000²ⁱᐟᵈ, not 10000^(2i/d)) and a number's sign
    the video's − (its text keeps the trace's ASCII in an attribute: axis -1)."""
    lines = [true_minus(superscripted(line.strip().replace("-->", "→"))) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def cues_of(shown: list[tuple[float, str]], end: float) -> list[Cue]:
    """Cues from the times captions came on screen: each lasts until the next, the last until ``end``.

    A caption shown again unchanged continues its cue; an empty caption only ends the one before.
    """
    cues: list[Cue] = []
    events = sorted(((max(0.0, t), _clean(s)) for t, s in shown), key=lambda e: e[0])
    for k, (start, words) in enumerate(events):
        stop = events[k + 1][0] if k + 1 < len(events) else end
        stop = min(stop, end)
        if cues and cues[-1].text == words and cues[-1].end >= start:
            cues[-1] = Cue(cues[-1].start, max(cues[-1].end, stop), words)
        elif words and stop > start:
            cues.append(Cue(start, stop, words))
    return cues


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

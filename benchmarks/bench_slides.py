"""Building lecture slides for the by-hand autoencoder (``tracer slides``): the deck's words and
workings alone, its stills (all taken in one pass of the walkthrough, 480p and 720p), and writing it as
an HTML deck, a PPTX and a PDF handout.

Run with ``make bench`` (or ``python -m benchmarks slides``). Files go to a temporary folder.
"""
from __future__ import annotations

import os
import tempfile
import time

from tracer.examples import run_example


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    from tracer.cli_slides import render_stills
    from tracer.lecture.slides import build_deck, writer

    trace = run_example("autoencoder")
    with tempfile.TemporaryDirectory() as tmp:
        words, deck = timed(lambda: build_deck(trace, "en"))
        print(f"autoencoder deck, words and workings: {words:5.2f} s for {len(deck.slides)} slides")
        for quality in ("l", "m"):
            took, _ = timed(lambda: render_stills(trace, deck, os.path.join(tmp, "deck.html"), quality=quality))
            drawn = sum(s.still is not None for s in deck.slides)
            print(f"stills -q {quality}:                       {took:5.1f} s for {drawn} stills "
                  f"({took / max(drawn, 1):.1f} s each)")
        for fmt in ("html", "pptx", "pdf"):
            path = os.path.join(tmp, f"deck.{fmt}")
            took, _ = timed(lambda: writer(fmt)(deck, path))
            print(f"write {fmt:4}:                          {took:5.2f} s, {os.path.getsize(path) / 1e6:.2f} MB")

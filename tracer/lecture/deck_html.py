"""A deck as one self-contained HTML file that plays offline.

Everything is inside the file: the stills as ``data:`` URIs, the player's CSS and JavaScript
(:file:`player/deck.css`, :file:`player/deck.js`, shipped with the package) inline, system fonts
only. Nothing is fetched when it opens: a lecture room may have no network. (manim-slides would
need reveal.js, which its HTML export loads from a CDN or downloads when converting, and scenes
that call ``next_slide()``; our own small player needs neither.)

Without JavaScript the slides read one after the other; with it, one slide is on screen, arrow
keys and clicks move, ``L`` opens the slide list and ``N`` the speaker notes.

>>> from tracer.trace import Step
>>> step = Step(0, "forward", "relu", "H", [], [])
>>> deck = Deck("Demo <1>", "en", [Slide("ReLU", 0, 0, step, "H = max(0, Z)", "Keep the positives.")])
>>> page = html_of(deck)
>>> page.count('<section class="slide"'), "Demo &lt;1&gt;" in page, "http" in page
(1, True, False)
"""
from __future__ import annotations

import base64
import html
import os
from importlib import resources

from ..files import atomic_write
from .words import word
from .slides import Deck, Slide


def _asset(name: str) -> str:
    return resources.files("tracer.lecture").joinpath("player", name).read_text(encoding="utf-8")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _still(deck: Deck, slide: Slide) -> str:
    if slide.still is None and not deck.stills:
        return ""
    if slide.still is None:
        return f'<div class="still none">{_e(word("no_still", deck.lang))}</div>'
    data = base64.b64encode(slide.still).decode("ascii")
    if slide.clip is not None:  # the chapter played, stopping on the still
        movie = base64.b64encode(slide.clip).decode("ascii")
        return (f'<div class="still"><video src="data:video/mp4;base64,{movie}" poster="data:image/png;base64,{data}" '
                f'controls muted playsinline preload="none" title="{_e(slide.title)}"></video></div>')
    return f'<div class="still"><img src="data:image/png;base64,{data}" alt="{_e(slide.title)}"></div>'


def _slide(deck: Deck, slide: Slide, k: int) -> str:
    lang, last = deck.lang, k == len(deck.slides) - 1
    parts = [f'<section class="slide" id="s{k + 1}" data-first="{slide.first}" data-last="{slide.last}">',
             _still(deck, slide), '<div class="caption">']
    if k == 0 and deck.question:
        parts.append(f'<p class="question">{_e(deck.question)}</p>')
    parts += [f"<h2>{_e(slide.title)}</h2>", f'<p class="span">{_e(slide.span(lang))}</p>']
    if slide.still is None:  # a still carries the formula and narration on its caption band
        if slide.formula:
            parts.append(f'<p class="formula">{_e(slide.formula)}</p>')
        parts.append(f'<p class="narration">{_e(slide.narration)}</p>')
    if last and deck.recap:
        parts.append(f'<p class="recap"><b>{_e(word("recap", lang))}</b> {_e(deck.recap)}</p>')
    parts += ["</div>", f'<aside class="notes"><h3>{_e(word("notes", lang))}</h3>'
              f"<pre>{_e(slide.notes(lang))}</pre></aside>", "</section>"]
    return "\n".join(parts)


def html_of(deck: Deck) -> str:
    """The deck as one HTML page (a string)."""
    lang = deck.lang
    items = "\n".join(f'<li><a href="#{k + 1}">{_e(s.title)}</a></li>' for k, s in enumerate(deck.slides))
    slides = "\n".join(_slide(deck, s, k) for k, s in enumerate(deck.slides))
    return f"""<!DOCTYPE html>
<html lang="{_e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tracer slides">
<title>{_e(deck.title)}</title>
<style>
{_asset("deck.css")}
</style>
</head>
<body lang="{_e(lang)}" data-counter="{_e(word("slide", lang, n="{n}", total="{total}"))}">
<header class="bar">
<button id="list-toggle" title="{_e(word("contents", lang))}">☰</button>
<h1>{_e(deck.title)}</h1>
<span id="counter"></span>
<button id="prev" title="{_e(word("previous", lang))}">◀</button>
<button id="next" title="{_e(word("next", lang))}">▶</button>
<button id="notes-toggle" title="{_e(word("notes", lang))}">✎</button>
</header>
<div class="body">
<nav id="list" hidden>
<h2>{_e(word("contents", lang))}</h2>
<ol>
{items}
</ol>
</nav>
<main id="deck">
{slides}
</main>
</div>
<footer class="keys">{_e(word("keys", lang))}</footer>
<script>
{_asset("deck.js")}
</script>
</body>
</html>
"""


def write(deck: Deck, path: str | os.PathLike[str]) -> None:
    """Write ``deck`` to ``path`` as one HTML file (atomically: a failed write leaves no file)."""
    page = html_of(deck).encode("utf-8")
    atomic_write(path, lambda fh: fh.write(page))

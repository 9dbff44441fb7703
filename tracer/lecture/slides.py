"""A trace as a deck: one slide per pause point of its walkthrough, with the step's words and working.

A pause point is the end of a chapter of the trace's story (``trace.meta["story"]``, see
:mod:`tracer.story`); a trace without a story pauses after every top-level step. Each slide carries
the step at its pause point (the top-level step the chapter ends in): its formula, narration and
the working of its first output cell, from :func:`tracer.explain.explain` (no number is formatted
here). A negative number is signed ``−`` throughout, as the video signs it: the working is written
so, the trace's own texts (``reshape(b, [-1, 1])``, ``eps 1e-05``) are turned by
:func:`tracer.notation.true_minus`. Stills are PNG bytes the renderer made (``tracer slides`` fills them in); the writers
(:mod:`.deck_html`, :mod:`.deck_pptx`, :mod:`.handout`) only lay out what a :class:`Deck` holds.

>>> import tracer
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")
...     s = tracer.sum(h, name="s")
>>> deck = build_deck(trace, lang="en")
>>> [(s.title, s.first, s.last) for s in deck.slides]
[('Forward pass · H', 0, 0), ('Forward pass · s', 1, 1)]
>>> deck.slides[1].working
('1 + 0 = 1',)
>>> print(deck.slides[0].notes("en"))
Step 0
H = max(0, Z)
ReLU keeps the positive entries of Z and turns the negative ones into 0.
Working of H[0, 0]:
  1 > 0 → keep it
  max(0, 1) = 1
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import TracerError
from ..explain import explain
from ..i18n import check_language, phrase
from ..label_names import in_language
from ..notation import true_minus
from ..safetext import ascii_int
from ..story import Story, text
from ..trace import Step, Trace
from .words import step_formula, step_words, trace_title, word

SUFFIXES = (".html", ".pptx", ".pdf")
MINUS = "−"          # the minus sign shown on slides (the renderer's)
CHAPTER_FORMULAS = 12  # a full chapter's notes list at most this many of its steps' formulas


@dataclass
class Slide:
    """One pause point: the chapter (or step) it ends, and the step whose still and words it shows."""

    title: str
    first: int                  # the first and last step ids it stands for, inclusive
    last: int
    step: Step
    formula: str
    narration: str
    cell: str = ""              # the cell whose working the notes give, e.g. "H4[0, 0]"
    working: tuple[str, ...] = ()
    repeat: int = 1             # a summarised chapter stands for this many repetitions
    fast: bool = False
    chapter: tuple[str, ...] = ()   # the formulas of the chapter's top-level steps (full chapters)
    still: bytes | None = None      # a PNG
    clip: bytes | None = None       # an MP4 of the chapter (on request)

    def span(self, lang: str) -> str:
        """'Steps 0–19' (or 'Step 4'), with '(fast-forwarded, ×4)' for a summarised chapter."""
        label = word("one_step", lang, a=self.first) if self.first == self.last else \
            word("steps", lang, a=self.first, b=self.last)
        if not self.fast:
            return label
        return word("fast", lang, span=label, n=self.repeat) if self.repeat > 1 else word("fast_once", lang, span=label)

    def notes(self, lang: str) -> str:
        """The speaker notes: the span, the step's formula and narration, then its working."""
        lines = [self.span(lang), self.formula, self.narration]
        if self.working:
            lines.append(word("working_of", lang, cell=self.cell))
            lines += [f"  {line}" for line in self.working]
        else:
            lines.append(word("no_working", lang))
        if len(self.chapter) > 1:
            lines.append("")
            lines += [f"· {f}" for f in self.chapter]
        return "\n".join(line for line in lines if line is not None)


@dataclass
class Deck:
    """The slides of a trace in one language, with the story's title, question and recap."""

    title: str
    lang: str
    slides: list[Slide]
    question: str = ""
    recap: str = ""
    stills: bool = False       # stills were rendered: a slide without one says why


def parse_range(spec: str | None, trace: Trace) -> tuple[int, int] | None:
    """``"3..7"``, ``"3.."``, ``"..7"`` or ``"5"`` as an inclusive range of step ids (``None``: all)."""
    if spec is None or str(spec).strip() == "":
        return None
    last = len(trace.steps) - 1
    try:
        if ".." in spec:
            a, b = spec.split("..", 1)
            lo = ascii_int(a) if a.strip() else 0
            hi = ascii_int(b) if b.strip() else last
        else:
            lo = hi = ascii_int(spec)
    except ValueError:
        raise TracerError(f"--steps {spec!r}: expected A..B with step ids, e.g. 0..12") from None
    if lo < 0 or hi < lo or lo > last:
        raise TracerError(f"--steps {spec!r}: the trace has steps 0..{last}")
    return lo, min(hi, last)


def top_of(trace: Trace, step_id: int) -> Step:
    """The top-level step that ``step_id`` belongs to (itself when it has no parent)."""
    step = trace.steps[step_id]
    while step.parent is not None:
        step = trace.steps[step.parent]
    return step


def _last_inside(trace: Trace, step: Step) -> int:
    """The id of the last step nested in ``step`` (children follow their parent)."""
    end = step.id
    while end + 1 < len(trace.steps) and trace.steps[end + 1].depth > step.depth:
        end += 1
    return end


def _working(trace: Trace, step: Step, lang: str) -> tuple[str, tuple[str, ...]]:
    """The first output cell's name and working (none when the step has no output or no working)."""
    if not step.outputs:
        return "", ()
    record = trace.tensors[step.outputs[0]]
    index = (0,) * len(record.shape)
    if record.size == 0:
        return "", ()
    try:
        w = explain(trace, step, index, minus=MINUS, lang=lang)
    except TracerError:
        return "", ()
    cell = f"{record.name}[{', '.join(str(i) for i in index)}]" if index else record.name
    return cell, w.lines


def _slide(trace: Trace, title: str, first: int, last: int, lang: str, repeat: int = 1,
           fast: bool = False) -> Slide:
    step = top_of(trace, last)
    cell, lines = _working(trace, step, lang)
    tops = [step_formula(trace, s, lang) for s in trace.steps[first:last + 1] if s.parent is None and s.formula]
    formula, narration = step_words(trace, step, lang)
    return Slide(true_minus(title), first, last, step, formula, narration, cell, lines, repeat, fast,
                 tuple(tops[:CHAPTER_FORMULAS]) if not fast else ())


def build_deck(trace: Trace, lang: str = "en", steps: str | None = None) -> Deck:
    """The slides of ``trace`` in ``lang``: its story's pause points, or one per top-level step.

    ``steps`` (``"A..B"``) keeps the pause points whose chapter ends inside that range.

    Raises
    ------
    TracerError
        An empty trace, a range with no pause point, a story whose chapters lie outside the trace.
    """
    lang = check_language(lang)
    trace = in_language(trace, lang)   # the rows and columns the workings name, in lang
    if not trace.steps:
        raise TracerError("the trace has no steps to put on slides")
    window = parse_range(steps, trace)
    story = Story.from_meta(trace.meta)
    slides: list[Slide] = []
    last_id = len(trace.steps) - 1
    if story is not None and story.chapters:
        for k, chapter in enumerate(story.chapters):
            first, last = chapter.steps
            if first > last_id:
                raise TracerError(f"the trace's story: story.chapters[{k}].steps start after the last step {last_id}")
            if not chapter.pause or chapter.play == "skip":
                continue
            last = min(last, last_id)
            if window is None or window[0] <= last <= window[1]:
                slides.append(_slide(trace, text(chapter.title, lang), first, last, lang, chapter.repeat,
                                     chapter.play == "summary"))
    else:
        for step in trace.steps:
            if step.parent is None and (window is None or window[0] <= step.id <= window[1]):
                title = f"{phrase(step.phase, lang)} · {step.name}"
                slides.append(_slide(trace, title, step.id, _last_inside(trace, step), lang))
    if not slides:
        raise TracerError(f"--steps {steps!r}: no pause point (chapter end) lies in that range")
    title = trace_title(trace, story, lang) or (Path(trace.origin).stem if trace.origin else "tracer")
    return Deck(title, lang, slides, true_minus(text(story.question, lang)) if story else "",
                true_minus(text(story.recap, lang)) if story else "")


def check_deck_output(path: str | os.PathLike[str]) -> str:
    """The format ``path``'s suffix chooses (``html``, ``pptx`` or ``pdf``), or a one-line error."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise TracerError(f"-o {os.fspath(path)}: choose a .html, .pptx or .pdf file "
                          f"(the suffix picks the format), not {suffix or 'no suffix'}")
    return suffix[1:]


def writer(fmt: str) -> Callable[[Deck, str | os.PathLike[str]], None]:
    """The function that writes a deck as ``fmt``; a missing optional library is a one-line error."""
    try:
        if fmt == "html":
            from .deck_html import write
        elif fmt == "pptx":
            from .deck_pptx import write
        else:
            from .handout import write
    except ImportError as e:
        raise TracerError(f"{e.name or 'a library'} is not installed: pip install 'tracer[lecture]'") from None
    return write

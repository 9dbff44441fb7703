"""A story (:mod:`tracer.story`) as the beats of a walkthrough.

The title card asks the story's question; the whole network on one page follows (and comes back
before the recap, :mod:`scenes.overview`); each chapter worked in full is a beat per shown step
under the chapter's title; a summarised chapter is one card that fast-forwards it (its values
fill in without their workings, tagged "×N" for the repetitions it stands for); a skipped one
(bookkeeping only) is not shown; a full chapter that starts inside a step's parts (the chapter
before told the step) works those parts; the story's plots follow the chapter they belong to; the
recap card ends the video, its words beside the story's result (its closing plot, drawn again). A
chapter's end is a pause point (a slide, in the lecture tools).

A transpose is worked once (its numbers fly to their new cells); a later one, forward or backward
(the gradient of a transpose is transposed back), is bookkeeping and not a beat of its own, its
result drawn where the next step reads it (at the slow pace every one is shown).

>>> import tracer
>>> from tracer.story import Chapter, Plot, Story
>>> with tracer.record() as trace:
...     x = tracer.tensor([[1.0, -2.0]], name="x")
...     y = tracer.relu(x, name="y")
...     z = tracer.exp(y, name="z")
>>> story = Story({"en": "ReLU, then e^x"}, {"en": "What is left?"},
...               [Chapter({"en": "ReLU"}, (0, 0)), Chapter({"en": "e^x, fast"}, (1, 1), "summary", 3)],
...               [Plot("bars", {"en": "z"}, labels=["a", "b"], values=[2.7, 1.0])], {"en": "All positive."})
>>> [(b.card if b.step is None else b.step.name, b.pause) for b in story_beats(trace, story, trace.steps, "en")]
[('title', False), ('overview', False), ('y', True), ('summary', True), ('plot', True), ('overview', False), ('recap', True)]
"""
from __future__ import annotations

from tracer.story import Chapter, Plot, Story, text
from tracer.trace import Step, Trace

from .overview import network
from .plan import Beat
from .words import word


def story_beats(trace: Trace, story: Story, shown: list[Step], lang: str, every: bool = False) -> list[Beat]:
    """The beats of ``story``: ``shown`` are the steps a full chapter may show (at the chosen depth);
    ``every``: each transpose too, not only the first."""
    beats = [Beat("title", None, None, text(story.title, lang), text(story.question, lang), card="title")]
    whole = network(trace, shown) if story.overview else []
    if whole:   # the whole network first (and again before the recap)
        beats.append(Beat("overview", None, None, title=word("overview", lang), card="overview", data=whole))
    last = len(story.chapters) - 1
    plots: dict[int, list[Plot]] = {}
    for p in story.plots:
        after = p.after if p.after is not None and p.after <= last else last
        plots.setdefault(after, []).append(p)
    moved: set[str] = set()   # a transpose was worked
    for k, chapter in enumerate(story.chapters):
        title = text(chapter.title, lang)
        lo, hi = chapter.steps
        mine = [s for s in shown if lo <= s.id <= hi]
        if chapter.play == "full":
            mine = [s for s in begun(trace, chapter, mine) if every or not moved_again(s, moved)]
        if chapter.play == "full" and mine:
            beats += [Beat(f"{s.id}:{s.name}", s, title if j == 0 else None) for j, s in enumerate(mine)]
        elif chapter.play == "summary":
            beats.append(Beat(f"chapter{k}:summary", None, title, title=title, card="summary",
                              data=Fast(chapter, mine)))
        if chapter.pause and chapter.play != "skip" and beats[-1].name != "title":   # nothing shown, no slide
            beats[-1].pause = True
        for j, p in enumerate(plots.get(k, [])):
            beats.append(Beat(f"chapter{k}:plot{j}", None, None, title=text(p.title, lang), card="plot",
                              data=p, pause=True))
    if whole:
        beats.append(Beat("overview:again", None, None, title=word("overview", lang), card="overview", data=whole))
    beats.append(Beat("recap", None, None, title=word("recap", lang), subtitle=text(story.recap, lang),
                      card="recap", data=story.result(), pause=True))   # the result beside its words
    return beats


def begun(trace: Trace, chapter: Chapter, mine: list[Step]) -> list[Step]:
    """The steps a full chapter shows: ``mine``, and the parts it holds of a step begun in the
    chapter before (a chapter that cuts one part out of a linear layer's gradient, the sum where a
    residual's two gradients meet, works that part; told by itself it would show nothing)."""
    lo, hi = chapter.steps
    parts = [s for s in trace.steps[lo:hi + 1] if s.parent is not None and s.parent < lo]
    return sorted({s.id: s for s in [*mine, *parts]}.values(), key=lambda s: s.id)


def moved_again(step: Step, moved: set[str]) -> bool:
    """Whether ``step`` is a transpose after the first (noting the first in ``moved``)."""
    if step.op != "transpose":
        return False
    again = bool(moved)
    moved.add(step.op)
    return again


class Fast:
    """A summarised chapter: the chapter and the steps it fast-forwards (those a full play would show)."""

    def __init__(self, chapter: Chapter, steps: list[Step]) -> None:
        self.chapter, self.steps = chapter, steps

    def losses(self, trace: Trace) -> list[str]:
        """The tensor ids of the loss the chapter minimised, one per repetition, in order: always
        the same quantity (where a loss adds up terms, e.g. reconstruction + l1, their total)."""
        from tracer.ops.spec import family_of

        scalar = [s for s in self.steps if s.phase == "forward" and s.outputs and trace.tensors[s.outputs[0]].size == 1]
        totals = []
        for s in scalar:
            if family_of(s.op) == "loss":
                t = s.outputs[0]
                for later in scalar:   # a sum of losses is the loss
                    if t in later.inputs:
                        t = later.outputs[0]
                totals.append(t)
        return sorted(set(totals), key=totals.index)

    def result(self, trace: Trace) -> str | None:
        """The tensor the chapter ends on: the last forward output it computed (else its last output)."""
        forward = [s for s in self.steps if s.outputs and s.phase == "forward"]
        pool = forward or [s for s in self.steps if s.outputs]
        return pool[-1].outputs[0] if pool else None

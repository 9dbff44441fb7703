"""From a trace to a plan: the beats of a walkthrough (a title card, then one beat per step shown),
their chapters, the layout mode and the pacing.

Which steps are shown follows the depth option: a composite step (softmax, a linear layer, a loss)
deeper than ``depth`` is never shown; one *at* ``depth`` is shown collapsed (its own player); one
shallower is expanded (its children are shown instead). A curated walkthrough may always expand
some composites (the attention walkthrough opens ``attention`` to show scores, scale, softmax).

>>> import tracer
>>> from scenes.plan import visible_steps
>>> with tracer.record() as trace:
...     p = tracer.softmax(tracer.tensor([[1.0, 2.0]], name="s"), name="p")
>>> [s.name for s in visible_steps(trace, 0)], [s.name for s in visible_steps(trace, 1)]
(['p'], ['p.max', 'p.shifted', 'p.exp', 'p.sum', 'p.probs'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from tracer.errors import TracerError
from tracer.i18n import formula, narrate, phrase
from tracer.ops.spec import family_of
from tracer.safetext import ascii_int
from tracer.trace import Step, Trace

from .pace import Pace


@dataclass
class Beat:
    """One section of the video: a card (``step`` None: the title, a fast-forwarded chapter, a
    plot, the recap; ``card`` says which) or one trace step."""

    name: str
    step: Step | None = None
    chapter: str | None = None     # header shown from this beat on
    title: str = ""
    subtitle: str = ""
    card: str = "title"            # title, summary, plot or recap (for a beat without a step)
    data: object = None            # what the card shows (a story's Chapter or Plot)
    pause: bool = False            # a pause point follows this beat (a chapter's end: a slide)


@dataclass
class Plan:
    trace: Trace
    kind: str
    title: str
    subtitle: str
    beats: list[Beat]
    mode: str = "canvas"          # canvas (camera follows one layout) or paging (a page per step)
    pace: Pace = field(default_factory=Pace)
    lang: str = "en"
    window: tuple[int, int] = (0, 0)   # the beats animated; those before are laid out silently
    hints: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.window == (0, 0):
            self.window = (0, len(self.beats))

    @property
    def step_beats(self) -> list[Beat]:
        return [b for b in self.beats if b.step is not None]


def visible_steps(trace: Trace, depth: int, expand: Iterable[str] = ()) -> list[Step]:
    """The steps a walkthrough shows at ``depth`` (composites in ``expand`` always open)."""
    expand = set(expand)
    has_children = {s.parent for s in trace.steps if s.parent is not None}

    def is_open(s: Step) -> bool:
        return s.id in has_children and (s.depth < depth or s.op in expand)

    shown = []
    for s in trace.steps:
        p, ok = s.parent, True
        while p is not None:
            if not is_open(trace.steps[p]):
                ok = False
                break
            p = trace.steps[p].parent
        if ok and not is_open(s):
            shown.append(s)
    return shown


def parse_steps(spec: str | tuple[int, int] | None, trace: Trace) -> tuple[int, int] | None:
    """``"3..7"``, ``"3.."``, ``"..7"`` or ``"5"`` → an inclusive range of step ids."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, tuple):
        lo, hi = spec
    else:
        text = str(spec).strip()
        try:
            if ".." in text:
                a, b = text.split("..", 1)
                lo = ascii_int(a) if a.strip() else 0
                hi = ascii_int(b) if b.strip() else len(trace.steps) - 1
            else:
                lo = hi = ascii_int(text)
        except ValueError:
            raise TracerError(f"--steps {spec!r}: expected A..B with step ids, e.g. 0..12") from None
    last = len(trace.steps) - 1
    if lo < 0 or hi < lo or lo > last:
        raise TracerError(f"--steps {spec!r}: the trace has steps 0..{last}")
    return lo, min(hi, last)


def chapter_of(step: Step, lang: str) -> str:
    """The header of a step: its phase (or 'Loss'), then its scope (``encoder.layer1``)."""
    key = "loss" if step.phase == "forward" and family_of(step.op) == "loss" else step.phase
    scope = step.name.rsplit(".", 1)[0] if "." in step.name else ""
    scope = scope.replace(".grad", "")
    head = phrase(key, lang)
    return f"{head} · {scope}" if scope else head


def make_beats(trace: Trace, steps: list[Step], lang: str, title: str, subtitle: str,
               chapters: dict[int, str] | None = None) -> list[Beat]:
    beats = [Beat("title", None, None, title, subtitle)]
    last = None
    for s in steps:
        head = (chapters or {}).get(s.id) or chapter_of(s, lang)
        beats.append(Beat(f"{s.id}:{s.name}", s, head if head != last else None))
        last = head
    return beats


def caption_of(trace: Trace, step: Step, lang: str) -> tuple[str, str]:
    """A step's formula and its narration in ``lang`` (a formula with words in it, ``copied to
    every entry``, written in ``lang`` too: :func:`tracer.i18n.formula`)."""
    return formula(trace, step, lang), narrate(trace, step, lang)

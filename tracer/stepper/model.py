"""Where the stepper is and where it can go: the step order, composite steps folded or unfolded,
the jump between a forward step and its gradient, and search. Plain Python, no terminal.

>>> import tracer
>>> from tracer.stepper.model import Navigator
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, 2.0]], name="W")
...     y = tracer.softmax(W, name="p")
...     loss = y.sum(name="loss")
...     loss.backward()
>>> nav = Navigator(trace)
>>> [trace.steps[i].name for i in nav.walk()][:3]   # softmax is folded: its children are skipped
['p', 'loss', 'loss.grad']
>>> nav.flip(nav.find("loss.grad")) == nav.find("loss")
True
>>> [trace.steps[i].name for i in nav.matches("P.SUM")]
['p.sum', 'p.sum.grad']
>>> trace.steps[nav.search("p.sum", delta=-1)].name   # from step 0 back, wrapping round
'p.sum.grad'
>>> with tracer.record() as twice:
...     h = tracer.relu(W, name="h")                  # a pass without backward
...     with tracer.scope("train"):
...         tracer.relu(W, name="h").sum(name="loss").backward()
>>> nav = Navigator(twice)
>>> nav.flip(0), twice.steps[nav.twin(0)].name
(None, 'train.h')
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..trace import Trace

if TYPE_CHECKING:
    from .practice import Practice


class Navigator:
    """The stepper's position in a trace and the composite steps the user has unfolded."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.expanded: set[int] = set()
        self.current = 0
        self._kids: dict[int, int] = {}
        for s in trace.steps:
            if s.parent is not None:
                self._kids[s.parent] = self._kids.get(s.parent, 0) + 1
        self._backward_of: dict[int, int] | None = None
        self.came_from: int | None = None  # where ``b`` jumped from, to jump back

    # ---- structure ---------------------------------------------------------------------------
    def is_composite(self, sid: int) -> bool:
        return sid in self._kids

    def ancestors(self, sid: int) -> list[int]:
        """The composite steps holding ``sid``, outermost first."""
        chain = []
        p = self.trace.steps[sid].parent
        while p is not None:
            chain.append(p)
            p = self.trace.steps[p].parent
        return chain[::-1]

    def visible(self, sid: int) -> bool:
        """Shown by next / previous: every composite step holding it is unfolded."""
        return all(a in self.expanded for a in self.ancestors(sid))

    def reveal(self, sid: int) -> None:
        """Unfold what holds ``sid`` so that it can be shown."""
        self.expanded.update(self.ancestors(sid))

    # ---- moving ------------------------------------------------------------------------------
    def walk(self) -> list[int]:
        """Every step next / previous visit, in order."""
        return [s.id for s in self.trace.steps if self.visible(s.id)]

    def step_by(self, delta: int) -> int | None:
        """The visible step ``delta`` (+1 / −1) away from the current one, if there is one."""
        sid = self.current + delta
        while 0 <= sid < len(self.trace.steps):
            if self.visible(sid):
                return sid
            sid += delta
        return None

    def go(self, sid: int) -> int:
        """Make ``sid`` current, unfolding what holds it."""
        self.reveal(sid)
        self.current = sid
        return sid

    def find(self, key: str) -> int:
        """A step by id or name (raises :class:`~tracer.errors.TracerError` naming the problem)."""
        return self.trace.step(key.strip()).id

    def matches(self, text: str) -> list[int]:
        """Every step whose name contains ``text``, ignoring case, in order."""
        needle = text.strip().lower()
        if not needle:
            return []
        return [s.id for s in self.trace.steps if needle in s.name.lower()]

    def search(self, text: str, after: int | None = None, delta: int = 1) -> int | None:
        """The next (``delta`` 1) or previous (−1) step, wrapping round, whose name contains
        ``text``, ignoring case."""
        hits = self.matches(text)
        if not hits:
            return None
        start = self.current if after is None else after
        later = [h for h in hits if (h - start) * delta > 0]
        return (later[0] if delta > 0 else later[-1]) if later else (hits[0] if delta > 0 else hits[-1])

    def flip(self, sid: int) -> int | None:
        """Forward ⇄ backward: a gradient step's forward step; a forward step's gradient step (the
        one we came from, else the first); an update's gradient."""
        step = self.trace.steps[sid]
        if step.grad_of is not None:
            return step.grad_of
        if step.phase == "update" and len(step.inputs) > 1:
            return self.trace.tensors[step.inputs[1]].producer
        if self.came_from is not None and self.trace.steps[self.came_from].grad_of == sid:
            return self.came_from
        return self._gradients().get(sid)

    def _gradients(self) -> dict[int, int]:
        """Forward step id → the first backward step that differentiates it."""
        if self._backward_of is None:
            self._backward_of = {}
            for s in self.trace.steps:
                if s.grad_of is not None:
                    self._backward_of.setdefault(s.grad_of, s.id)
        return self._backward_of

    def twin(self, sid: int) -> int | None:
        """A forward step without a gradient may have a twin that has one: the same op recorded
        again in a pass that ran backward (``attn.Q`` and ``train.0.attn.Q``). The twin whose name
        shares the longest dotted ending with ``sid``'s."""
        step, grads = self.trace.steps[sid], self._gradients()
        parts = step.name.split(".")
        for k in range(len(parts)):
            tail = ".".join(parts[k:])
            for other in grads:
                o = self.trace.steps[other]
                if other != sid and o.op == step.op and (o.name == tail or o.name.endswith("." + tail)):
                    return other
        return None


class StepperState:
    """The app's state that its key mixins (:class:`~tracer.stepper.actions.Actions`,
    :class:`~tracer.stepper.prompt.PromptLine`) read and change; set in ``StepperApp.__init__``."""

    trace: Trace
    lang: str
    nav: Navigator
    quiz: Practice | None
    cell: tuple[int, ...] | None
    output: int

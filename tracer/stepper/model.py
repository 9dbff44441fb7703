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
>>> [(sec.phase, len(sec.groups)) for sec in nav.sections()]
[('forward', 1), ('backward', 1)]
"""
from __future__ import annotations

from typing import NamedTuple

from ..trace import Step, Trace


class Section(NamedTuple):
    """A run of top-level steps of one phase: its shared scope prefix and its runs of one scope."""

    phase: str
    prefix: str
    groups: list[tuple[str, list[int]]]


def _common_prefix(scopes: list[str]) -> str:
    """The dotted prefix every scope shares: ``train.0`` for ``train.0.encoder`` and ``train.0.loss``."""
    parts = [s.split(".") if s else [] for s in scopes]
    shared: list[str] = []
    for column in zip(*parts) if parts else ():
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return ".".join(shared)


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
        self._by_name = {s.name: s.id for s in trace.steps}
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

    def scope_of(self, step: Step) -> str:
        """The scope a top-level step was recorded in (``layer1`` for ``layer1.H``); a gradient
        step belongs to the scope of its forward step."""
        if step.grad_of is not None:
            return self.scope_of(self.trace.steps[step.grad_of])
        head = step.name.rpartition(".")[0]
        owner = self._by_name.get(head)
        if owner is not None and owner != step.id:
            return self.scope_of(self.trace.steps[owner])
        return head

    def sections(self) -> list[Section]:
        """The step list's outline: runs of consecutive top-level steps of one phase, in order
        (a training loop reads forward, backward, update, forward ...), each split into runs of
        one scope. Labels drop the prefix the whole section shares."""
        runs: list[tuple[str, list[int]]] = []
        for s in self.trace.steps:
            if s.parent is not None:
                continue
            if runs and runs[-1][0] == s.phase:
                runs[-1][1].append(s.id)
            else:
                runs.append((s.phase, [s.id]))
        out = []
        for phase, ids in runs:
            steps = [self.trace.steps[i] for i in ids]
            if phase == "update":  # "train.0.W1.update": one group, under the shared prefix
                scopes = [s.name.rpartition(".")[0] for s in steps]
                common = _common_prefix(scopes)
                out.append(Section(phase, common, [(common, ids)]))
                continue
            groups: list[tuple[str, list[int]]] = []
            for s in steps:
                scope = self.scope_of(s)
                if groups and groups[-1][0] == scope:
                    groups[-1][1].append(s.id)
                else:
                    groups.append((scope, [s.id]))
            out.append(Section(phase, _common_prefix([g for g, _ in groups]), groups))
        return out

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

    def search(self, text: str, after: int | None = None) -> int | None:
        """The next step (wrapping round) whose name contains ``text``, ignoring case."""
        needle = text.strip().lower()
        if not needle or not self.trace.steps:
            return None
        n = len(self.trace.steps)
        start = self.current if after is None else after
        for k in range(1, n + 1):
            sid = (start + k) % n
            if needle in self.trace.steps[sid].name.lower():
                return sid
        return None

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
        if self._backward_of is None:
            self._backward_of = {}
            for s in self.trace.steps:
                if s.grad_of is not None:
                    self._backward_of.setdefault(s.grad_of, s.id)
        return self._backward_of.get(sid)

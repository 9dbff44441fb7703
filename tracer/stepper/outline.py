"""The step list's outline: top-level steps grouped by what they belong to, read off their names.

A scope ``train.2`` is the third training iteration and ``prompt0.generate.1`` the second forward
pass of a generation: repetitions become groups named by what they are ("iteration 3 of 5",
"pass 2 of 3"); inside one, a run of one phase is a group ("forward pass"), and inside that the
scopes nest (``encoder`` ▸ ``layer1``). A number never stands alone as a group: ``blocks.0`` stays
one name. The outline is language-free; the stepper words it.

>>> import tracer
>>> from tracer.stepper.outline import outline
>>> W = tracer.param([[1.0, -1.0]], name="W")
>>> with tracer.record() as trace:
...     for k in range(2):
...         with tracer.scope(f"train.{k}"):
...             loss = tracer.relu(W, name="h").sum(name="loss")
...             W.zero_grad()   # gradients add up over backward() calls until zero_grad()
...             loss.backward()
>>> [(g.kind, g.name, g.index, g.total) for g in outline(trace)]
[('repeat', 'iteration', 0, 2), ('repeat', 'iteration', 1, 2)]
>>> [(g.kind, g.name, g.steps) for g in outline(trace)[0].items]
[('phase', 'forward', 2), ('phase', 'backward', 2)]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..trace import Step, Trace

# scope words that mark a repetition in time, and what one repetition is called
REPEATS = {"train": "iteration", "generate": "pass", "epoch": "epoch", "iter": "iteration"}

Token = tuple[str, str, int]  # (kind, name, index): ("scope", "encoder", 0), ("repeat", "iteration", 2)


@dataclass(eq=False)
class Group:
    """A node of the outline: a repetition (``kind`` "repeat": ``name`` is what one is called,
    ``index`` which one, ``total`` how many the trace holds when it holds them all), a run of one
    phase ("phase": ``name`` is the phase) or a scope ("scope": ``name`` is its text). ``items``
    are groups and top-level step ids in order; ``nth`` counts earlier siblings of the same name
    and ``twins`` all of them (a scope entered twice, a second forward pass); ``steps`` is how many
    top-level steps it holds."""

    kind: str
    name: str
    index: int = 0
    total: int | None = None
    nth: int = 0
    twins: int = 1
    items: list[Union["Group", int]] = field(default_factory=list)
    steps: int = 0
    merged: list["Group"] = field(default_factory=list)  # single-child groups folded into this one

    @property
    def token(self) -> Token:
        return (self.kind, self.name, self.index)

    def groups(self) -> list["Group"]:
        return [g for g in self.items if isinstance(g, Group)]


def _tokens(scope: str) -> list[Token]:
    """``prompt0.generate.1.blocks.0.attn`` → prompt0, pass 1 (counted from 0), blocks.0, attn;
    ``epoch2`` → epoch 1 (a number glued to its word counts from 1)."""
    out: list[Token] = []
    for part in scope.split(".") if scope else []:
        word = part.rstrip("0123456789")
        if word in REPEATS and word != part:  # epoch1, epoch2: numbered from 1 as written
            out.append(("repeat", REPEATS[word], max(int(part[len(word):]) - 1, 0)))
            continue
        if not part.isdigit():
            out.append(("scope", part, 0))
            continue
        word = out.pop()[1] if out and out[-1][0] == "scope" else ""
        if word in REPEATS or not word:
            out.append(("repeat", REPEATS.get(word, "pass"), int(part)))
        else:
            out.append(("scope", f"{word}.{part}", 0))
    return out


class Scopes:
    """Which scope each top-level step was recorded in."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._by_name = {s.name: s.id for s in trace.steps}

    def of(self, step: Step) -> str:
        """The scope of ``step`` (``layer1`` for ``layer1.H``): a gradient step belongs to the scope
        of its forward step, an accumulate step to that of the gradient it adds, an update
        ``train.0.W1.update`` to ``train.0``."""
        if step.grad_of is not None:
            return self.of(self.trace.steps[step.grad_of])
        if step.op == "accumulate" and step.inputs:
            producer = self.trace.tensors[step.inputs[-1]].producer
            if producer is not None and producer != step.id:
                return self.of(self.trace.steps[producer])
        head = step.name.rpartition(".")[0]
        if step.phase == "update" and step.outputs:
            param = self.trace.tensors[step.outputs[0]].name
            if step.name.endswith(f".{param}.update"):
                return step.name[: -len(f".{param}.update")]
            if step.name == f"{param}.update":
                return ""
        owner = self._by_name.get(head)
        if owner is not None and owner != step.id:
            return self.of(self.trace.steps[owner])
        return head


def _runs(trace: Trace, scopes: Scopes) -> list[tuple[str, list[tuple[int, list[Token]]]]]:
    """Consecutive top-level steps of one phase within one repetition."""
    runs: list[tuple[str, list[Token], list[tuple[int, list[Token]]]]] = []
    for s in trace.steps:
        if s.parent is not None:
            continue
        tokens = _tokens(scopes.of(s))
        last = max((k for k, t in enumerate(tokens) if t[0] == "repeat"), default=-1)
        head = tokens[:last + 1]
        if runs and runs[-1][0] == s.phase and runs[-1][1] == head:
            runs[-1][2].append((s.id, tokens))
        else:
            runs.append((s.phase, head, [(s.id, tokens)]))
    return [(phase, members) for phase, _, members in runs]


def _common(paths: list[list[Token]]) -> list[Token]:
    shared: list[Token] = []
    for column in zip(*paths):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return shared


def _insert(root: Group, path: list[Token], sid: int) -> None:
    node = root
    for kind, name, index in path:
        node.steps += 1
        last = node.items[-1] if node.items else None
        if not (isinstance(last, Group) and last.token == (kind, name, index)):
            last = Group(kind, name, index)
            node.items.append(last)
        node = last
    node.steps += 1
    node.items.append(sid)


def _finish(node: Group, totals: dict[tuple[str, int], int | None]) -> None:
    """Number siblings of the same name, set the repetition counts, fold single-child chains."""
    seen: dict[Token, list[Group]] = {}
    for g in node.groups():
        twins = seen.setdefault(g.token, [])
        g.nth = len(twins)
        twins.append(g)
        for twin in twins:
            twin.twins = len(twins)
        if g.kind == "repeat":
            g.total = totals.get((g.name, id(node)))
        _finish(g, totals)
        while len(g.items) == 1 and isinstance(g.items[0], Group):
            inner = g.items[0]
            g.merged += [inner] + inner.merged
            g.items = inner.items


def _count(node: Group, totals: dict[tuple[str, int], int | None]) -> None:
    """How many repetitions of each kind a group holds, when they are all there (0 … n−1)."""
    found: dict[str, set[int]] = {}
    for g in node.groups():
        if g.kind == "repeat":
            found.setdefault(g.name, set()).add(g.index)
        _count(g, totals)
    for name, indices in found.items():
        totals[(name, id(node))] = len(indices) if indices == set(range(len(indices))) else None


def outline(trace: Trace, scopes: Scopes | None = None) -> list[Group]:
    """The top-level groups of the step list (see the module docstring)."""
    scopes = scopes or Scopes(trace)
    root = Group("root", "")
    for phase, members in _runs(trace, scopes):
        shared = _common([tokens for _, tokens in members])
        for sid, tokens in members:
            _insert(root, shared + [("phase", phase, 0)] + tokens[len(shared):], sid)
    totals: dict[tuple[str, int], int | None] = {}
    _count(root, totals)
    _finish(root, totals)
    return root.groups()  # every path starts with a phase or a scope: no step sits at the root

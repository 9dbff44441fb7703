"""The step list: the outline of the trace (:mod:`.outline`) as a tree, repetitions after the
first folded, composite steps' children added when first unfolded, every label worded in the
stepper's language."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ..i18n import phrase
from ..trace import Step, Trace
from .model import Navigator
from .outline import Group, Scopes, outline
from .widgets import PHASE_STYLE, STEP_KEYS


def relative(name: str, prefix: str) -> str:
    """``name`` without ``prefix.`` in front of it (``layer1.H`` under ``layer1`` is ``H``)."""
    return name[len(prefix) + 1:] if prefix and name.startswith(prefix + ".") else name


def group_label(group: Group, lang: str) -> Text:
    """``iteration 3 of 5 · Forward pass (9)``: a group and the single-child groups folded into it."""
    label = Text()
    for k, g in enumerate([group] + group.merged):
        if k:
            label.append(" · ", style="dim")
        if g.kind == "phase":
            label.append(phrase(g.name, lang), style=f"bold {PHASE_STYLE.get(g.name, '')}")
        elif g.kind == "repeat":
            key = f"repeat.{g.name}" + (".of" if g.total and g.total > 1 else "")
            label.append(phrase(key, lang).format(k=g.index + 1, n=g.total), style="bold")
        else:
            label.append(g.name, style="bold")
        if g.twins > 1:
            label.append(f" #{g.nth + 1}", style="bold")
    label.append(f" ({group.steps})", style="dim")
    return label


def step_label(step: Step, scope: str, digits: int = 3) -> Text:
    """`` 29 Z4.grad  linear``: id, the name inside its group, the op."""
    label = Text.assemble((f"{step.id:>{digits}} ", "dim"), (relative(step.name, scope), PHASE_STYLE.get(step.phase, "")),
                          (f"  {step.op}", "dim"))
    if step.nonfinite:
        label.append(" ⚠", "bold red")
    return label


class StepTree(Tree[Any]):
    """The step list; ← and → (space, backspace) step through the trace instead of scrolling.
    ``nodes`` holds the tree node of every step added so far, ``holders`` the groups around each
    top-level step."""

    BINDINGS = STEP_KEYS

    def __init__(self, trace: Trace, nav: Navigator, lang: str, id: str | None = None) -> None:
        super().__init__("steps", id=id)
        self.trace, self.nav, self.lang = trace, nav, lang
        self.scopes = Scopes(trace)
        self.nodes: dict[int, TreeNode[Any]] = {}
        self.holders: dict[int, list[TreeNode[Any]]] = {}  # top-level step -> the groups holding it
        self.show_root = False
        self.guide_depth = 2  # deep outlines still leave room for the step names at 80 columns
        self.auto_expand = False  # enter folds here, in action_select_cursor

    def action_select_cursor(self) -> None:
        # Fold / unfold now rather than in a later message, so that a key typed right after
        # enter ("⏎→") already steps into the unfolded composite.
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.toggle()
        super().action_select_cursor()

    def build(self) -> None:
        for group in outline(self.trace, self.scopes):
            self._add_group(self.root, group, [])

    def _add_group(self, parent: TreeNode[Any], group: Group, holders: list[TreeNode[Any]]) -> None:
        """A group and what it holds; repetitions after the first start folded."""
        later = group.kind == "repeat" and any(
            isinstance(c.data, Group) and c.data.kind == "repeat" and c.data.name == group.name
            and c.data.index < group.index for c in parent.children)
        node = parent.add(group_label(group, self.lang), data=group, expand=not later)
        chain = holders + [node]
        for item in group.items:
            if isinstance(item, Group):
                self._add_group(node, item, chain)
            else:
                self._add_step(node, item)
                self.holders[item] = chain

    def _add_step(self, holder: TreeNode[Any], sid: int) -> TreeNode[Any]:
        step = self.trace.steps[sid]
        if step.parent is not None:  # a child reads relative to its composite: "matmul", "bias.grad"
            scope = self.trace.steps[step.parent].name.removesuffix(".grad")
        else:
            scope = self.scopes.of(step)
        label = step_label(step, scope, len(str(len(self.trace.steps) - 1)))
        if self.nav.is_composite(sid):
            node = holder.add(label, data=sid, expand=False, allow_expand=True)
        else:
            node = holder.add_leaf(label, data=sid)
        self.nodes[sid] = node
        return node

    def _fill(self, node: TreeNode[Any]) -> None:
        """Add a composite step's children to the tree (once)."""
        if node.children or not isinstance(node.data, int):
            return
        for kid in self.trace.children(node.data):
            self._add_step(node, kid.id)

    def node(self, sid: int) -> TreeNode[Any]:
        """The tree node of ``sid``, unfolding the composite steps and groups that hold it."""
        chain = self.nav.ancestors(sid)
        for holder in self.holders.get(chain[0] if chain else sid, []):
            holder.expand()
        for a in chain:
            self._fill(self.nodes[a])
            self.nodes[a].expand()
        return self.nodes[sid]

    def on_tree_node_expanded(self, event: Any) -> None:
        if isinstance(event.node.data, int):
            self.nav.expanded.add(event.node.data)
            self._fill(event.node)

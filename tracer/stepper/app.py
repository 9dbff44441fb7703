"""The terminal stepper: a Textual app with the steps as a tree on the left and the current step on
the right (formula, narration, source line, coloured grids, the working of one output cell).

It only reads the trace: a step's arrays are read when the step is shown, composite steps' children
join the tree when first unfolded, and large tensors are elided, so a trace of thousands of steps
or of a gigabyte opens at once.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from .. import textview
from ..errors import TracerError
from ..trace import Step, Trace
from .model import Navigator

PHASE_STYLE = {"forward": "green", "backward": "blue", "update": "magenta"}
PHASE_TITLE = {"forward": "forward pass", "backward": "backward pass", "update": "update"}

HELP = """\
[b]tracer step[/b]: keys

  → or n        next step              ← or p      previous step
  ↑ ↓           move in the step list  enter       fold / unfold a composite step
  g             go to a step (id or name)
  /             search step names (enter again: the next match)
  b             forward ⇄ backward: a gradient step and the step it differentiates
  h j k l       move the selected output cell (its working is shown below the grids)
  ?             this help              q           quit

The mouse works too: click a step, click ▶ to unfold, click an output cell, scroll.
Press any key to close."""


def _relative(name: str, prefix: str) -> str:
    """``name`` without ``prefix.`` in front of it (``layer1.H`` under ``layer1`` is ``H``)."""
    return name[len(prefix) + 1:] if prefix and name.startswith(prefix + ".") else name


class StepTree(Tree[Any]):
    """The step list; ← and → step through the trace instead of scrolling sideways."""

    BINDINGS = [Binding("right", "app.next_step", "Next", show=False),
                Binding("left", "app.prev_step", "Previous", show=False)]

    def action_select_cursor(self) -> None:
        # Fold / unfold now rather than in a later message, so that a key typed right after
        # enter ("⏎n") already steps into the unfolded composite.
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.toggle()
        super().action_select_cursor()


class Panel(VerticalScroll, can_focus=False):
    """The current step, scrolled with the mouse wheel; the keyboard stays with the step list."""


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = "HelpScreen { align: center middle; } #help { width: 92; height: auto; border: round $accent; padding: 1 2; background: $surface; }"

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help")

    def on_key(self, event: Any) -> None:
        event.stop()
        self.dismiss()

    def on_click(self) -> None:
        self.dismiss()


class StepperApp(App[None]):
    """Step through ``trace`` forward and back."""

    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #status { height: 1; background: $boost; padding: 0 1; }
    #steps { width: 42; border-right: solid $primary-darken-2; }
    #panel { padding: 0 1; }
    #prompt { display: none; height: 1; background: $accent 30%; padding: 0 1; }
    #prompt.open { display: block; }
    """
    BINDINGS = [
        Binding("n", "next_step", "Next"), Binding("p", "prev_step", "Prev"),
        # priority: handled the moment the key arrives, so the keys typed after it go to the prompt
        Binding("g", "prompt('goto')", "Go to", priority=True),
        Binding("slash", "prompt('search')", "Search", priority=True),
        Binding("b", "flip", "Fwd⇄Bwd"),
        Binding("h", "move_cell(0, -1)", "Cell", show=False), Binding("l", "move_cell(0, 1)", show=False),
        Binding("k", "move_cell(-1, 0)", show=False), Binding("j", "move_cell(1, 0)", show=False),
        Binding("question_mark", "help", "Help"), Binding("q", "quit", "Quit"),
    ]

    def __init__(self, trace: Trace, title: str = "", lang: str = "en") -> None:
        super().__init__()
        self.trace, self.lang = trace, lang
        self.title = title or "tracer"
        self.nav = Navigator(trace)
        self.nodes: dict[int, TreeNode[Any]] = {}
        self.holders: dict[int, list[TreeNode[Any]]] = {}  # top-level step -> its phase and scope nodes
        self.cell: tuple[int, ...] | None = None
        self.mode = ""  # "goto" or "search" while the prompt line is open
        self.typed = ""
        self.last_search = ""
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal():
            yield StepTree("steps", id="steps")
            with Panel(id="panel"):
                yield Static(id="view")
        yield Static(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one(StepTree)
        tree.show_root = False
        tree.auto_expand = False  # StepTree folds on enter itself
        self._build_tree(tree)
        tree.focus()
        if self.trace.steps:
            self.show_step(0)
            self.call_after_refresh(tree.scroll_home, animate=False)  # the first section's title too
        else:
            self.query_one("#view", Static).update("this trace has no steps")
            self._status()

    # ---- the tree ------------------------------------------------------------------------------
    def _build_tree(self, tree: StepTree) -> None:
        """Sections (a run of one phase), runs of one scope, top-level steps; composite children
        join the tree when first unfolded."""
        for section in self.nav.sections():
            count = sum(len(ids) for _, ids in section.groups)
            title = Text.assemble((PHASE_TITLE[section.phase], f"bold {PHASE_STYLE[section.phase]}"))
            if section.prefix:
                title.append(f" · {section.prefix}", style="bold")
            title.append(f" ({count})", style="dim")
            pnode = tree.root.add(title, data=None, expand=True)
            for scope, ids in section.groups:
                holder = pnode
                if len(section.groups) > 1 and scope != section.prefix:
                    holder = pnode.add(Text(_relative(scope, section.prefix), style="bold"), data=None, expand=True)
                for sid in ids:
                    self._add_step(holder, sid, scope or section.prefix)
                    self.holders[sid] = [pnode] + ([holder] if holder is not pnode else [])

    def _label(self, step: Step, scope: str) -> Text:
        if step.parent is not None:  # a child reads relative to its composite: "matmul", "bias.grad"
            scope = self.trace.steps[step.parent].name.removesuffix(".grad")
        label = Text.assemble((f"{step.id:>4} ", "dim"), (_relative(step.name, scope), PHASE_STYLE.get(step.phase, "")),
                              (f"  {step.op}", "dim"))
        if step.nonfinite:
            label.append(" ⚠", "bold red")
        return label

    def _add_step(self, holder: TreeNode[Any], sid: int, scope: str = "") -> TreeNode[Any]:
        step = self.trace.steps[sid]
        if self.nav.is_composite(sid):
            node = holder.add(self._label(step, scope), data=sid, expand=False, allow_expand=True)
        else:
            node = holder.add_leaf(self._label(step, scope), data=sid)
        self.nodes[sid] = node
        return node

    def _fill(self, node: TreeNode[Any]) -> None:
        """Add a composite step's children to the tree (once)."""
        if node.children or not isinstance(node.data, int):
            return
        for kid in self.trace.children(node.data):
            self._add_step(node, kid.id)

    def _node(self, sid: int) -> TreeNode[Any]:
        """The tree node of ``sid``, unfolding the composite steps and groups that hold it."""
        chain = self.nav.ancestors(sid)
        top = chain[0] if chain else sid
        for holder in self.holders.get(top, []):
            holder.expand()
        for a in chain:
            self._fill(self.nodes[a])
            self.nodes[a].expand()
        return self.nodes[sid]

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Any]) -> None:
        if isinstance(event.node.data, int):
            self.nav.expanded.add(event.node.data)
            self._fill(event.node)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[Any]) -> None:
        sid = event.node.data
        if isinstance(sid, int):
            self.nav.expanded.discard(sid)
            if sid in self.nav.ancestors(self.nav.current):
                self.show_step(sid)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        sid = event.node.data
        if isinstance(sid, int) and sid != self.nav.current:
            self.show_step(sid, move_cursor=False)

    # ---- showing a step -------------------------------------------------------------------------
    def show_step(self, sid: int, move_cursor: bool = True) -> None:
        previous = self.nav.current
        self.nav.go(sid)
        step = self.trace.steps[sid]
        if sid != previous or self.cell is None:
            self.cell = self._fit_cell(step, self.cell)
        self._render_step()
        if move_cursor:
            node = self._node(sid)
            tree = self.query_one(StepTree)
            tree.get_node_at_line(0)  # brings line numbers up to date after unfolding: no wait
            tree.move_cursor(node)

    def _fit_cell(self, step: Step, cell: tuple[int, ...] | None) -> tuple[int, ...] | None:
        """Keep the selected cell when the new step's output has it, else its first cell."""
        first = textview.default_cell(self.trace, step)
        if first is None or cell is None or len(cell) != len(first):
            return first
        shape = self.trace.tensors[step.outputs[0]].shape
        return tuple(min(i, n - 1) for i, n in zip(cell, shape))

    def _render_step(self) -> None:
        step = self.trace.steps[self.nav.current]
        try:
            lines = textview.step_view(self.trace, step, cell=self.cell, lang=self.lang,
                                       link=lambda index: f"app.select_cell({tuple(index)!r})")
            content: Any = textview.to_rich(lines)
        except (TracerError, OSError) as e:
            content = Text(f"error: {e}", style="bold red")
        self.query_one("#view", Static).update(content)
        self._status()

    def _status(self, message: str = "") -> None:
        self.message = message
        n = len(self.trace.steps)
        if not n:
            text = Text(f"{self.title} · no steps")
        else:
            step = self.trace.steps[self.nav.current]
            text = Text.assemble((self.title, "bold"), f" · step {step.id}/{n - 1} · ",
                                 (step.phase, PHASE_STYLE.get(step.phase, "")), f" · {step.name}")
        if message:
            text.append(f"   {message}", style="bold yellow")
        self.query_one("#status", Static).update(text)

    # ---- actions ----------------------------------------------------------------------------------
    def action_next_step(self) -> None:
        self._move(+1)

    def action_prev_step(self) -> None:
        self._move(-1)

    def _sync_folds(self) -> None:
        """Read which composite steps are unfolded off the tree itself (its events come later)."""
        self.nav.expanded = {sid for sid, node in self.nodes.items()
                             if node.is_expanded and self.nav.is_composite(sid)}

    def _move(self, delta: int) -> None:
        self._sync_folds()
        sid = self.nav.step_by(delta)
        if sid is None:
            self._status("last step" if delta > 0 else "first step")
        else:
            self.show_step(sid)

    def action_flip(self) -> None:
        here = self.nav.current
        target = self.nav.flip(here) if self.trace.steps else None
        if target is None:
            self._status(f"step {here} has no forward or backward partner")
            return
        self.nav.came_from = here if self.trace.steps[here].phase == "backward" else None
        self.show_step(target)

    def action_move_cell(self, di: int, dj: int) -> None:
        if self.cell is None or not self.cell:
            return
        shape = self.trace.tensors[self.trace.steps[self.nav.current].outputs[0]].shape
        cell = list(self.cell)
        if len(cell) == 1:
            cell[0] = min(max(cell[0] + dj + di, 0), shape[0] - 1)
        else:
            cell[-2] = min(max(cell[-2] + di, 0), shape[-2] - 1)
            cell[-1] = min(max(cell[-1] + dj, 0), shape[-1] - 1)
        self.cell = tuple(cell)
        self._render_step()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "prompt" and isinstance(self.screen, HelpScreen))

    def action_select_cell(self, index: tuple[int, ...]) -> None:
        """A click on an output cell selects it (its working is shown below the grids)."""
        if self.cell is not None and len(index) == len(self.cell):
            self.cell = tuple(int(i) for i in index)
            self._render_step()

    def action_prompt(self, mode: str) -> None:
        """Open the prompt line: ``g`` go to a step, ``/`` search names (the last search again)."""
        self.mode = mode
        self.typed = self.last_search if mode == "search" else ""
        self.query_one("#prompt", Static).add_class("open")
        self._draw_prompt()

    def _draw_prompt(self) -> None:
        label = "go to step (id or name): " if self.mode == "goto" else "search step names: "
        self.query_one("#prompt", Static).update(Text.assemble((label, "bold"), self.typed, ("▏", "blink")))

    async def on_event(self, event: events.Event) -> None:
        # While the prompt is open every key is typed into it, in the order it arrives: handled
        # here, before any widget, so nothing typed ahead ("g15⏎n") goes astray.
        if self.mode and isinstance(event, events.Key) and not event.is_forwarded:
            self._prompt_key(event)
            return
        await super().on_event(event)

    def _prompt_key(self, event: events.Key) -> None:
        if event.key == "escape":
            self._close_prompt()
        elif event.key == "enter":
            mode, text = self.mode, self.typed
            self._close_prompt()
            self._submit(mode, text)
        elif event.key in ("backspace", "ctrl+h"):
            self.typed = self.typed[:-1]
            self._draw_prompt()
        elif event.is_printable and event.character:
            self.typed += event.character
            self._draw_prompt()

    def _close_prompt(self) -> None:
        self.mode = ""
        self.query_one("#prompt", Static).remove_class("open")

    def _submit(self, mode: str, text: str) -> None:
        if mode == "goto":
            try:
                self.show_step(self.nav.find(text))
            except TracerError as e:
                self._status(str(e))
            return
        self.last_search = text
        sid = self.nav.search(text)
        if sid is None:
            self._status(f"no step name contains {text!r}")
        else:
            self.show_step(sid)
            self._status(f"found {text!r}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


def run_stepper(trace: Trace, title: str = "", lang: str = "en") -> None:
    """Open the stepper on ``trace`` in the terminal (returns when the user quits)."""
    StepperApp(trace, title=title, lang=lang).run()

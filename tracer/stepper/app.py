"""The terminal stepper: a Textual app with the steps as a tree on the left and the current step on
the right (formula, narration, source line, coloured grids side by side when they fit, the
working of one output cell, and on request where a gradient came from).

It only reads the trace: a step's arrays are read when the step is shown, composite steps'
children join the tree when first unfolded, and large tensors are elided, so a trace of thousands
of steps or of a gigabyte opens at once. In practice mode the selected output cell is hidden
until the learner types its value. The keys are :mod:`tracer.stepper.actions` and
:mod:`tracer.stepper.prompt`.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from .. import stepview, textview
from ..errors import TracerError
from ..i18n import phrase
from ..label_names import in_language
from ..trace import Trace
from .actions import Actions
from .chain import chain_lines, incoming
from .model import Navigator
from .practice import Practice
from .prompt import PromptLine
from .steplist import StepTree
from .widgets import PHASE_STYLE, Panel


class StepperApp(PromptLine, Actions, App[str | None]):
    """Step through ``trace`` forward and back; with ``practice``, answer each cell first.

    What its keys do is :class:`~tracer.stepper.actions.Actions`, the prompt line (go to, search,
    answer) :class:`~tracer.stepper.prompt.PromptLine`; this class lays out the panes and draws the
    current step and the status lines.
    """

    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #status { height: 1; background: $boost; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    #steps { width: 40%; min-width: 26; max-width: 56; border-right: solid $primary-darken-2; overflow-x: hidden; }
    #panel { padding: 0 1; }
    #panel:focus { background: $boost; }
    #chain { text-wrap: nowrap; text-overflow: ellipsis; }  /* a long formula must not break the tree */
    #bottom { height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    #bottom.prompt { background: $accent 30%; }
    """
    BINDINGS = [
        # priority: handled the moment the key arrives, so the keys typed after it go to the prompt
        Binding("g", "prompt('goto')", priority=True), Binding("slash", "prompt('search')", priority=True),
        Binding("n", "next_match(1)"), Binding("N", "next_match(-1)"),
        Binding("b", "flip"), Binding("w", "chain"), Binding("o", "next_output"),
        Binding("h", "move_cell(0, -1)"), Binding("l", "move_cell(0, 1)"),
        Binding("k", "move_cell(-1, 0)"), Binding("j", "move_cell(1, 0)"),
        Binding("question_mark", "help"), Binding("q", "quit_stepper"),
    ]

    def __init__(self, trace: Trace, title: str = "", lang: str = "en", practice: bool = False) -> None:
        super().__init__()
        trace = in_language(trace, lang)   # once: every grid the app draws names its rows in lang
        self.trace, self.lang = trace, lang
        self.title = title or "tracer"
        self.nav = Navigator(trace)
        self.quiz = Practice(trace) if practice else None
        self.cell: tuple[int, ...] | None = None
        self.output = 0  # which output of the step the selected cell is in (o: the next one)
        self.mode = ""  # "goto", "search" or "answer" while the prompt line is open
        self.typed = ""
        self.query_text = ""  # the last search, for n / N
        self.message = ""
        self.chain_shown = False

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal():
            yield StepTree(self.trace, self.nav, self.lang, id="steps")
            with Panel(id="panel"):
                yield Static(id="view")
                yield Static(id="working")
                yield Static(id="chain")
        yield Static(id="bottom")

    def on_mount(self) -> None:
        tree = self.query_one(StepTree)
        tree.build()
        tree.focus()
        if self.trace.steps:
            self.show_step(0)
            self.call_after_refresh(tree.scroll_home, animate=False)  # the first group's title too
        else:
            self.query_one("#view", Static).update(phrase("no_steps", self.lang))
            self._status()

    # ---- the tree ------------------------------------------------------------------------------
    def on_tree_node_collapsed(self, event: Any) -> None:
        sid = event.node.data
        if isinstance(sid, int):
            self.nav.expanded.discard(sid)
            if sid in self.nav.ancestors(self.nav.current):
                self.show_step(sid)

    def on_tree_node_highlighted(self, event: Any) -> None:
        sid = event.node.data
        if isinstance(sid, int) and sid != self.nav.current:
            self.show_step(sid, move_cursor=False)

    # ---- showing a step -------------------------------------------------------------------------
    def show_step(self, sid: int, move_cursor: bool = True) -> None:
        previous = self.nav.current
        self.nav.go(sid)
        if sid != previous or self.cell is None:
            if self.output >= len(self.trace.steps[sid].outputs):
                self.output = 0
            self.cell = self._fit_cell(self.cell)
        self.chain_shown = self.chain_shown and bool(incoming(self.trace, self.trace.steps[sid]))
        self._render_step()
        if move_cursor:
            tree = self.query_one(StepTree)
            node = tree.node(sid)
            tree.get_node_at_line(0)  # brings line numbers up to date after unfolding: no wait
            tree.move_cursor(node)
        self.query_one(Panel).scroll_home(animate=False)

    def _fit_cell(self, cell: tuple[int, ...] | None) -> tuple[int, ...] | None:
        """Keep the selected cell when the new step's output has it, else its first cell."""
        step = self.trace.steps[self.nav.current]
        first = stepview.default_cell(self.trace, step, self.output)
        if first is None or cell is None or len(cell) != len(first):
            return first
        shape = self.trace.tensors[step.outputs[self.output]].shape
        return tuple(min(i, n - 1) for i, n in zip(cell, shape))

    def _hidden(self) -> bool:
        return self.quiz is not None and self.quiz.hidden(self.nav.current, self.cell, self.output)

    def _cell_name(self) -> str:
        step = self.trace.steps[self.nav.current]
        name = self.trace.tensors[step.outputs[self.output]].name if step.outputs else ""
        return f"{name}[{', '.join(map(str, self.cell))}]" if self.cell else name

    def _render_step(self) -> None:
        step = self.trace.steps[self.nav.current]
        panel = self.query_one(Panel)
        width = max(panel.scrollable_content_region.width, 20)
        try:
            head, grids, working = stepview.step_parts(
                self.trace, step, cell=self.cell, lang=self.lang, width=width, hide=self._hidden(), output=self.output,
                link=lambda index: f"app.select_cell({tuple(index)!r})")
            view: Any = textview.to_rich(head + grids)
            working = self._practice_lines(working)
            chain = chain_lines(self.trace, step, self.lang) if self.chain_shown else []
        except (TracerError, OSError) as e:
            view, working, chain = Text(f"error: {e}", style="bold red"), [], []
        self.query_one("#view", Static).update(view)
        self.query_one("#working", Static).update(textview.to_rich(working))
        self.query_one("#chain", Static).update(textview.to_rich([[]] + chain if chain else []))
        self._status()

    def _practice_lines(self, working: list[textview.Line]) -> list[textview.Line]:
        """In practice mode: the question instead of the working, or the verdict above it."""
        if self.quiz is None or self.cell is None:
            return working
        if self._hidden():
            return [[], [(phrase("practice_ask", self.lang).format(cell=self._cell_name()), "bold yellow")]]
        verdict = self.quiz.verdict(self.nav.current, self.cell, self.output)
        if verdict is None:
            return working
        key = "practice_right" if verdict.right else "practice_wrong"
        text = phrase(key, self.lang).format(cell=self._cell_name(), value=verdict.value, typed=verdict.typed)
        return [[], [(text, "bold green" if verdict.right else "bold red")]] + working

    def _status(self, message: str = "") -> None:
        """The top line (trace, step k of N, phase, name, score) and the bottom line (a message,
        the prompt, or the keys of the pane that has the focus)."""
        self.message = message
        text = Text()
        if self.quiz is not None:
            right, tried = self.quiz.score
            text.append(phrase("score", self.lang).format(right=right, tried=tried) + " · ", "bold")
        text.append(self.title, "bold")
        if not self.trace.steps:
            text.append(f" · {phrase('no_steps', self.lang)}")
        else:
            step = self.trace.steps[self.nav.current]
            where = phrase("step_of", self.lang).format(id=step.id, k=step.id + 1, n=len(self.trace.steps))
            text.append(f" · {where} · ")
            text.append(phrase(step.phase, self.lang), PHASE_STYLE.get(step.phase, ""))
            room = self.size.width - 2 - textview.width_of(text.plain) - 3
            name = step.name if len(step.name) <= room else "…" + step.name[len(step.name) - max(room, 2) + 1:]
            text.append(f" · {name}")
        self.query_one("#status", Static).update(text)
        self._bottom()

    def _bottom(self) -> None:
        bottom = self.query_one("#bottom", Static)
        bottom.set_class(bool(self.mode), "prompt")
        if self.mode:
            label = {"goto": phrase("prompt_goto", self.lang), "search": phrase("prompt_search", self.lang),
                     "answer": f"{self._cell_name()} = "}[self.mode]
            text = Text.assemble((label, "bold"), self.typed, ("▏", "blink"))
        elif self.message:
            text = Text(self.message, style="bold yellow")
        elif self._hidden():
            text = Text(phrase("keys_practice", self.lang).format(cell=self._cell_name()), style="dim")
        else:
            key = "keys_panel" if isinstance(self.focused, Panel) else "keys_tree"
            text = Text(phrase(key, self.lang), style="dim")
        bottom.update(text)

    def on_descendant_focus(self) -> None:
        self._bottom()

    def on_resize(self) -> None:
        if self.trace.steps:
            self.call_after_refresh(self._render_step)  # grids side by side as the width allows


def run_stepper(trace: Trace, title: str = "", lang: str = "en", practice: bool = False) -> str | None:
    """Open the stepper on ``trace`` in the terminal; returns the practice score line, if any,
    when the user quits."""
    return StepperApp(trace, title=title, lang=lang, practice=practice).run()

"""The terminal stepper: a Textual app with the steps as a tree on the left and the current step on
the right (formula, narration, source line, coloured grids side by side when they fit, the
working of one output cell, and on request where a gradient came from).

It only reads the trace: a step's arrays are read when the step is shown, composite steps'
children join the tree when first unfolded, and large tensors are elided, so a trace of thousands
of steps or of a gigabyte opens at once. In practice mode the selected output cell is hidden
until the learner types its value.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from .. import stepview, textview
from ..errors import TracerError
from ..i18n import phrase
from ..trace import Trace
from .chain import chain_lines, incoming
from .model import Navigator
from .practice import Practice
from .steplist import StepTree
from .widgets import PHASE_STYLE, HelpScreen, Panel, ScoreScreen

ANSWER_KEYS = set("0123456789-.−")
QUOTE = 24  # columns of a typed text quoted back in a message


def _quote(text: str) -> str:
    return repr(text if len(text) <= QUOTE else text[:QUOTE - 1] + "…")


class StepperApp(App[str | None]):
    """Step through ``trace`` forward and back; with ``practice``, answer each cell first."""

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

    # ---- actions ----------------------------------------------------------------------------------
    def action_next_step(self) -> None:
        self._move(+1)

    def action_prev_step(self) -> None:
        self._move(-1)

    def _sync_folds(self) -> None:
        """Read which composite steps are unfolded off the tree itself (its events come later)."""
        self.nav.expanded = {sid for sid, node in self.query_one(StepTree).nodes.items()
                             if node.is_expanded and self.nav.is_composite(sid)}

    def _move(self, delta: int) -> None:
        self._sync_folds()
        sid = self.nav.step_by(delta) if self.trace.steps else None
        if sid is not None:
            self.show_step(sid)
            return
        message = phrase("last_step" if delta > 0 else "first_step", self.lang)
        if self.quiz is not None and delta > 0:
            right, tried = self.quiz.score
            message += " · " + phrase("practice_done", self.lang).format(right=right, tried=tried)
        self._status(message)

    def action_flip(self) -> None:
        here = self.nav.current
        target = self.nav.flip(here) if self.trace.steps else None
        if target is None:
            twin = self.nav.twin(here) if self.trace.steps else None
            key = "no_partner" if twin is None else "no_partner_twin"
            self._status(phrase(key, self.lang).format(id=here, twin=twin))
            return
        self.nav.came_from = here if self.trace.steps[here].phase == "backward" else None
        self.show_step(target)

    def action_chain(self) -> None:
        """Show (or hide) where the current step's gradients came from, scrolled into view."""
        if not self.trace.steps or not incoming(self.trace, self.trace.steps[self.nav.current]):
            self._status(phrase("no_chain", self.lang).format(id=self.nav.current))
            return
        self.chain_shown = not self.chain_shown
        self._render_step()
        if self.chain_shown:
            chain = self.query_one("#chain", Static)
            self.call_after_refresh(lambda: self.query_one(Panel).scroll_to_widget(chain, animate=False, top=True))

    def action_move_cell(self, di: int, dj: int) -> None:
        if not self.cell:
            return
        shape = self.trace.tensors[self.trace.steps[self.nav.current].outputs[self.output]].shape
        cell = list(self.cell)
        if len(cell) == 1:
            cell[0] = min(max(cell[0] + dj + di, 0), shape[0] - 1)
        else:
            cell[-2] = min(max(cell[-2] + di, 0), shape[-2] - 1)
            cell[-1] = min(max(cell[-1] + dj, 0), shape[-1] - 1)
        self.select_cell(tuple(cell))

    def action_next_output(self) -> None:
        """Explain the step's next output (a split, a backward step with a gradient per input)."""
        if not self.trace.steps:
            return
        step = self.trace.steps[self.nav.current]
        if len(step.outputs) < 2:
            self._status(phrase("one_output", self.lang).format(id=step.id))
            return
        self.output = (self.output + 1) % len(step.outputs)
        self.cell = self._fit_cell(None)
        if self.cell is not None:
            self.select_cell(self.cell)
        else:
            self._render_step()
        name = self.trace.tensors[step.outputs[self.output]].name
        self._status(phrase("output_of", self.lang).format(k=self.output + 1, n=len(step.outputs), name=name))

    def action_select_cell(self, index: tuple[int, ...]) -> None:
        """A click on an output cell selects it (its working is shown below the grids)."""
        if self.cell is not None and len(index) == len(self.cell):
            self.select_cell(tuple(int(i) for i in index))

    def select_cell(self, cell: tuple[int, ...]) -> None:
        """Select ``cell`` and scroll its working into view."""
        self.cell = cell
        self._render_step()
        working = self.query_one("#working", Static)
        self.call_after_refresh(lambda: self.query_one(Panel).scroll_to_widget(working, animate=False))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "prompt" and isinstance(self.screen, HelpScreen))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(phrase("help", self.lang)))

    def action_quit_stepper(self) -> None:
        """Quit; in practice mode show the score first (and hand it back to the command line)."""
        if self.quiz is None or not self.quiz.score[1]:
            self.exit()
            return
        right, tried = self.quiz.score
        done = phrase("practice_done", self.lang).format(right=right, tried=tried)
        self.push_screen(ScoreScreen(f"[b]{done}[/b]\n\n{phrase('any_key_quit', self.lang)}"),
                         lambda _: self.exit(done))

    # ---- the prompt line: go to, search, answer ---------------------------------------------------
    def action_prompt(self, mode: str) -> None:
        """Open the prompt line, empty: ``g`` go to a step, ``/`` search names."""
        self.mode, self.typed = mode, ""
        self._bottom()

    def action_next_match(self, delta: int) -> None:
        if not self.query_text:
            self._status(phrase("no_search", self.lang))
            return
        self._search(self.query_text, delta)

    def _search(self, text: str, delta: int = 1) -> None:
        sid = self.nav.search(text, delta=delta)
        if sid is None:
            self._status(phrase("no_match", self.lang).format(text=_quote(text)))
            return
        hits = self.nav.matches(text)
        self.show_step(sid)
        self._status(phrase("match", self.lang).format(k=hits.index(sid) + 1, n=len(hits), text=_quote(text)))

    async def on_event(self, event: events.Event) -> None:
        # While the prompt is open every key is typed into it, in the order it arrives: handled
        # here, before any widget, so nothing typed ahead ("g15⏎→") goes astray. In practice
        # mode a digit, a minus or a point starts an answer.
        if isinstance(event, events.Key) and not event.is_forwarded and not isinstance(self.screen, HelpScreen):
            if not self.mode and self.quiz is not None and event.character in ANSWER_KEYS:
                self._start_answer(event)
                return
            if self.mode:
                self._prompt_key(event)
                return
        await super().on_event(event)

    def _start_answer(self, event: events.Key) -> None:
        event.stop()
        if self.cell is None:
            self._status(phrase("practice_none", self.lang))
        elif not self._hidden():
            self._status(phrase("practice_answered", self.lang).format(cell=self._cell_name()))
        else:
            self.mode, self.typed = "answer", event.character or ""
            self._bottom()

    def _prompt_key(self, event: events.Key) -> None:
        event.stop()
        if event.key == "escape":
            self.mode = ""
            self._bottom()
        elif event.key == "enter":
            mode, text = self.mode, self.typed
            self.mode = ""
            self._submit(mode, text)
        elif event.key in ("backspace", "ctrl+h"):
            self.typed = self.typed[:-1]
            self._bottom()
        elif event.is_printable and event.character:
            self.typed += event.character
            self._bottom()

    def _submit(self, mode: str, text: str) -> None:
        if mode == "goto":
            try:
                self.show_step(self.nav.find(text))
            except TracerError:
                self._status(phrase("no_step", self.lang).format(key=_quote(text.strip()), last=len(self.trace.steps) - 1))
        elif mode == "search":
            if text.strip():
                self.query_text = text
                self._search(text)
            else:
                self._status()
        else:
            self._answer(text)

    def _answer(self, text: str) -> None:
        assert self.quiz is not None and self.cell is not None
        try:
            self.quiz.answer(self.nav.current, self.cell, text, self.output)
        except TracerError:
            self._status(phrase("practice_nan", self.lang).format(typed=_quote(text)))
            return
        self.select_cell(self.cell)  # the verdict and the working, scrolled into view


def run_stepper(trace: Trace, title: str = "", lang: str = "en", practice: bool = False) -> str | None:
    """Open the stepper on ``trace`` in the terminal; returns the practice score line, if any,
    when the user quits."""
    return StepperApp(trace, title=title, lang=lang, practice=practice).run()

"""What the stepper's keys and clicks do, apart from the prompt line: step forward and back, flip
between a step and its gradient (``b``), show where a gradient came from (``w``), move the selected
cell (``h j k l``, a click), take the next output (``o``), help (``?``) and quit (``q``).

:class:`Actions` is a part of :class:`~tracer.stepper.app.StepperApp` (a mixin): it changes the
app's state and lets the app draw it (``show_step``, ``_render_step``, ``_status``).
"""
from __future__ import annotations

from textual.widgets import Static

from ..i18n import phrase
from .chain import incoming
from .model import StepperState
from .steplist import StepTree
from .widgets import HelpScreen, Panel, ScoreScreen


class Actions(StepperState):
    """The stepper's actions: ``action_<name>`` runs for a key bound to ``<name>``."""

    # its own state (set in StepperApp.__init__)
    chain_shown: bool

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

"""The stepper's prompt line: ``g`` goes to a step by id or name, ``/`` searches step names
(``n`` / ``N`` the next and previous match), and in practice mode a digit, a minus or a point
starts an answer for the hidden cell.

While the prompt is open every key is typed into it, in the order it arrives, before any widget
sees it. :class:`PromptLine` is a part of :class:`~tracer.stepper.app.StepperApp` (a mixin).

>>> _quote("a" * 30)
"'aaaaaaaaaaaaaaaaaaaaaaa…'"
"""
from __future__ import annotations

from textual import events

from ..errors import TracerError
from ..i18n import phrase
from .model import StepperState
from .widgets import HelpScreen

ANSWER_KEYS = set("0123456789-.−")
QUOTE = 24  # columns of a typed text quoted back in a message


def _quote(text: str) -> str:
    return repr(text if len(text) <= QUOTE else text[:QUOTE - 1] + "…")


class PromptLine(StepperState):
    """The prompt line's state (``mode``: ``"goto"``, ``"search"`` or ``"answer"`` while it is open,
    ``typed`` so far) and the keys that open, fill and submit it."""

    # its own state (set in StepperApp.__init__)
    mode: str
    typed: str

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

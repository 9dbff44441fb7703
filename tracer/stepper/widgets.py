"""The stepper's detail pane and its help and score boxes, and the keys every pane shares."""
from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


PHASE_STYLE = {"forward": "green", "backward": "blue", "update": "magenta"}
STEP_KEYS = [Binding("right", "app.next_step", show=False), Binding("left", "app.prev_step", show=False),
             Binding("space", "app.next_step", show=False), Binding("backspace", "app.prev_step", show=False)]


class Panel(VerticalScroll, can_focus=True):
    """The detail pane: Tab gives it the keyboard, then ↑ ↓ PgUp PgDn Home End scroll it."""

    BINDINGS = STEP_KEYS


class HelpScreen(ModalScreen[None]):
    """The keys, in the stepper's language; any key or a click closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll { width: 80; max-width: 100%; height: auto; max-height: 100%;
                                border: round $accent; background: $surface; }
    #help { width: auto; padding: 0 1; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text, id="help")

    def on_key(self, event: Any) -> None:
        event.stop()
        self.dismiss()

    def on_click(self) -> None:
        self.dismiss()


class ScoreScreen(HelpScreen):
    """Practice over: the score, then any key quits."""


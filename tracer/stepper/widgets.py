"""The stepper's widgets: the step list (a tree built from :mod:`.outline`), the detail pane, and
the help and score boxes. Every word on them comes from :func:`tracer.i18n.phrase`."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, Tree

from ..i18n import phrase
from ..trace import Step
from .outline import Group

PHASE_STYLE = {"forward": "green", "backward": "blue", "update": "magenta"}
STEP_KEYS = [Binding("right", "app.next_step", show=False), Binding("left", "app.prev_step", show=False),
             Binding("space", "app.next_step", show=False), Binding("backspace", "app.prev_step", show=False)]


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
    """The step list; ← and → (space, backspace) step through the trace instead of scrolling."""

    BINDINGS = STEP_KEYS

    def action_select_cursor(self) -> None:
        # Fold / unfold now rather than in a later message, so that a key typed right after
        # enter ("⏎→") already steps into the unfolded composite.
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.toggle()
        super().action_select_cursor()


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


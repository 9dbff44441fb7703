"""The ``tracer`` command: a thin click layer over the library.

Every command imports what it needs inside its body, so ``tracer --help`` stays fast and never
imports manim, textual or rich. Every error a user can cause (a missing or corrupt file, a bad
option, a malformed example) ends as one line ``error: <message>`` and exit code 2, in one place:
:meth:`TracerGroup.main`. Everything printed goes through :mod:`tracer.safetext`, so a hostile
trace's names cannot drive the terminal; an output (``-o``) never replaces an input
(:func:`tracer.files.check_output`); SIGTERM and SIGHUP clean up like Ctrl-C.

``tracer show`` is in :mod:`tracer.cli_show`, the commands of :data:`LAZY_COMMANDS` in their own
modules, and the option types the commands share in :mod:`tracer.cli_options`.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from . import __version__
from .cli_options import LANG
from .cli_show import show
from .errors import TracerError
from .files import check_output, signals_raise
from .safetext import counted, echo, printable, printable_trace

# Commands that live in other modules, imported only when run: name -> (module, attribute, help)
LAZY_COMMANDS = {
    "render": ("tracer.cli_render", "render", "Render a trace as a video or stills (Manim)."),
    "slides": ("tracer.cli_slides", "slides", "Write a trace as slides: offline HTML, PPTX or a PDF handout."),
    "sheet": ("tracer.lecture.cli", "sheet", "Write an exercise sheet and its answer key (PDF)."),
}


class TracerGroup(click.Group):
    """A click group with one error policy and lazily imported commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [n for n, (mod, _, _) in LAZY_COMMANDS.items() if n not in self.commands and _exists(mod)]
        return sorted(list(self.commands) + lazy)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in LAZY_COMMANDS and _exists(LAZY_COMMANDS[name][0]):
            module, attr, _ = LAZY_COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name)
            text = cmd.get_short_help_str(formatter.width - 20) if cmd else LAZY_COMMANDS[name][2]
            rows.append((name, text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            with signals_raise():
                rv = super().main(args, prog_name or "tracer", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:  # bare `tracer`: the command list, no error
            echo(e.ctx.get_help())
            sys.exit(0)
        except click.exceptions.Abort:
            echo("error: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as e:
            hint = ""
            if isinstance(e, click.UsageError) and e.ctx is not None:
                hint = f" (see '{e.ctx.command_path} --help')"
            _fail(e.format_message() + hint)
        except (TracerError, OSError) as e:
            _fail(str(e) or type(e).__name__)
        except MemoryError:
            _fail("out of memory (see TRACER_MEMORY_BUDGET in 'tracer run --help')")
        sys.exit(rv if isinstance(rv, int) else 0)


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _fail(message: str) -> None:
    echo(f"error: {printable(message.strip()) or 'failed'}", err=True)  # one line, whatever it holds
    sys.exit(2)


@click.group("tracer", cls=TracerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tracer")
def main() -> None:
    """Record a neural network computing on real numbers, then step through it.

    \b
    Examples:
      tracer examples                      list the built-in examples
      tracer run autoencoder               run one, save autoencoder.trace
      tracer show autoencoder.trace        a table of its steps
      tracer show autoencoder.trace --step 3   one step: formula, narration, matrices
      tracer step autoencoder.trace        the interactive terminal stepper
      tracer export autoencoder.trace --perfetto autoencoder.json
    """


# ---- run and examples -----------------------------------------------------------------------------
def default_output(source: str) -> str:
    """``<name>.trace`` in the current folder, for a YAML path or a built-in name."""
    name = os.path.basename(source.rstrip("/\\"))
    for ext in (".yaml", ".yml"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return f"{name or 'trace'}.trace"


def _examples_module() -> Any:
    try:
        return importlib.import_module("tracer.examples")
    except ImportError as e:
        raise TracerError(f"the built-in examples are not available ({e})") from None


@main.command()
@click.argument("source", metavar="CONFIG.yaml|NAME")
@click.option("-o", "--output", metavar="OUT.trace", help="Where to save the trace (default: NAME.trace here).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override one setting of the example; repeat for more.")
@click.option("--text", metavar="TEXT", help="The sentence an example reads (minilm): --set text=TEXT, quoted for you.")
def run(source: str, output: str | None, overrides: tuple[str, ...], text: str | None) -> None:
    """Run an example and save its trace.

    CONFIG.yaml is an example file of your own; NAME a built-in example (see 'tracer examples').
    Each --set KEY=VALUE overrides one setting; dotted keys reach nested sections.
    An example whose tensors would take more than the memory budget (half of this machine's
    memory; TRACER_MEMORY_BUDGET=4G or =25% sets another) is refused before it starts.

    \b
    Examples:
      tracer run autoencoder                       writes autoencoder.trace
      tracer run autoencoder -o ae.trace --set training.lr=0.05 --set training.steps=3
      tracer run my_model.yaml -o out/my_model.trace
      tracer run minilm --text "The queen sat on the throne."    a real transformer
    """
    for item in overrides:
        key, eq, _ = item.partition("=")
        if not eq or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--set")
    if text is not None:
        import json

        overrides = (*overrides, "text=" + json.dumps(text, ensure_ascii=False))  # a YAML double-quoted string
    examples = _examples_module()
    out = check_output(output or default_output(source), inputs=[examples.resolve(source)])
    trace = examples.run_example(source, list(overrides))
    trace.save(out)  # atomic: a failure leaves any previous file as it was
    echo(f"wrote {out}: {counted(len(trace.steps), 'step')}, {counted(len(trace.tensors), 'tensor')}")
    for line in trace.meta.get("summary", []):  # what the example found, in a line or two
        echo(line)


@main.command()
def examples() -> None:
    """List the built-in examples, one line each.

    \b
    Examples:
      tracer examples
      tracer run "$(tracer examples | head -1 | cut -d' ' -f1)"
    """
    items = list(_examples_module().list_examples())
    width = max((len(name) for name, _ in items), default=0)
    for name, description in items:
        echo(f"{name:<{width}}  {description}")


# ---- show (in tracer/cli_show.py) -----------------------------------------------------------------
main.add_command(show)


# ---- step and export ------------------------------------------------------------------------------
@main.command()
@click.argument("trace_path", metavar="TRACE")
@click.option("--lang", type=LANG, default="en", show_default=True, help="Narration language.")
@click.option("--practice", is_flag=True, help="Hide each selected output cell until you type its value; score at the end.")
def step(trace_path: str, lang: str, practice: bool) -> None:
    """Step through a trace in a full-screen terminal app.

    \b
    Keys: → or space next, ← or backspace previous, Tab step list ⇄ detail pane,
          g go to step, / search names (n / N next / previous match), enter fold/unfold,
          b forward ⇄ backward, w where a gradient came from, h j k l move the cell,
          o the next output (a step with several), ? help, q quit. The mouse works too (click a step, ▶ to unfold, an output cell).
    \b
    Examples:
      tracer step mlp.trace
      tracer step mlp.trace --lang vi
      tracer step mlp.trace --practice      type each cell's value before you see it
    """
    from . import io

    trace = printable_trace(io.load(trace_path))  # the app draws names in many places: all made safe here
    try:
        from .stepper import run_stepper
    except ImportError as e:
        raise TracerError(f"the stepper needs textual: pip install 'tracer[tui]' ({e})") from None
    score = run_stepper(trace, title=printable(os.path.basename(trace_path)), lang=lang, practice=practice)
    if score:
        echo(score)


@main.command()
@click.argument("trace_path", metavar="TRACE")
@click.option("--perfetto", "perfetto", metavar="OUT.json", help="Write the step timeline for ui.perfetto.dev.")
def export(trace_path: str, perfetto: str | None) -> None:
    """Export a trace to another tool's format.

    \b
    Examples:
      tracer export mlp.trace --perfetto mlp.json    (open it at https://ui.perfetto.dev)
    """
    from . import io

    if perfetto is None:
        raise click.UsageError("nothing to export: give --perfetto OUT.json")
    check_output(perfetto, inputs=[trace_path], option="--perfetto")
    trace = io.load(trace_path)
    io.export_perfetto(trace, perfetto)
    echo(f"wrote {perfetto}: {counted(len(trace.steps), 'step')}")


if __name__ == "__main__":  # pragma: no cover
    main()

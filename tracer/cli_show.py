"""``tracer show``: a trace's steps as a table, or one step with its matrices, its narration and the
working of one output cell (or the same as JSON lines, for scripts). The views themselves are
:mod:`tracer.stepview`; this module checks the options against the trace and prints.
"""
from __future__ import annotations

import sys
from typing import Any

import click

from .cli_options import LANG, Whole
from .errors import TracerError
from .label_names import in_language
from .safetext import ascii_int, echo, json_line, printable, printable_trace


def _parse_cell(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(ascii_int(p) for p in text.replace(" ", "").split(",") if p != "")
    except ValueError:
        raise click.BadParameter(f"expected numbers like 1,2, got {text!r}", param_hint="--cell") from None


def _emit(lines: list, color: bool) -> None:
    from . import textview

    lines = [[(printable(seg[0]), *seg[1:]) for seg in line] for line in lines]  # names from the file
    if color:
        try:
            from rich.console import Console
        except ImportError:
            color = False
        else:
            Console(highlight=False, force_terminal=True).print(textview.to_rich(lines), soft_wrap=True)
            return
    echo(textview.plain(lines))



@click.command()
@click.argument("trace_path", metavar="TRACE")
@click.option("--step", "step_key", metavar="N|NAME", help="Show one step (an id or a name).")
@click.option("--phase", type=click.Choice(["forward", "backward", "update"]), help="Only the steps of one phase (the step table).")
@click.option("--depth", type=Whole(min=0), metavar="K", help="Hide steps nested deeper than K (0: top level; the step table).")
@click.option("--cell", metavar="I,J", help="With --step: the output cell whose working to show (default: the first).")
@click.option("--output", "output", type=Whole(min=0), metavar="K",
              help="With --step: which output the cell is in, for a step with several (default: 0, the first).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per step, for scripts.")
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the narration and headings.")
@click.option("--color/--no-color", default=None, help="Colour the grids (default: when writing to a terminal).")
def show(trace_path: str, step_key: str | None, phase: str | None, depth: int | None, cell: str | None,
         output: int | None, as_json: bool, lang: str, color: bool | None) -> None:
    """Print a trace's steps, or one step with its matrices and the working of one cell.

    \b
    Examples:
      tracer run mlp_backprop
      tracer show mlp_backprop.trace
      tracer show mlp_backprop.trace --phase backward --depth 0
      tracer show mlp_backprop.trace --step 4 --lang zh-Hant
      tracer show mlp_backprop.trace --step train.0.layer1.Z1.matmul --cell 1,0
      tracer show mlp_backprop.trace --step train.0.layer2.Z2.grad --output 1 --cell 0,1
      tracer show mlp_backprop.trace --json | head -1
    """
    from . import io, stepview

    index = _parse_cell(cell)
    if step_key is None and index is not None:
        raise click.UsageError("--cell needs --step: the cell of which step's output?")
    if step_key is None and output is not None:
        raise click.UsageError("--output needs --step: the output of which step?")
    if step_key is not None and (phase is not None or depth is not None):
        raise click.UsageError("--phase and --depth filter the step table: leave them out with --step")
    trace = in_language(io.load(trace_path), lang)   # the grids' rows and columns named in lang
    if not as_json:  # names escaped before the views measure them (JSON keeps them exact)
        trace = printable_trace(trace)
    if color is None:
        color = sys.stdout.isatty()
    if step_key is not None:
        step = trace.step(step_key)
        k = _check_output(step, output or 0)
        if index is not None:
            _check_cell(trace, step, index, k)
        if as_json:
            data = stepview.step_json(trace, step, values=True, lang=lang, output=k,
                                      cell=index if index is not None else stepview.default_cell(trace, step, k))
            echo(json_line(data))
            return
        _emit(stepview.step_view(trace, step, cell=index, color=color, lang=lang, output=k), color)
        return
    steps = [s for s in trace.steps if (phase is None or s.phase == phase) and (depth is None or s.depth <= depth)]
    if as_json:
        for s in steps:
            echo(json_line(stepview.step_json(trace, s, lang=lang)))
        return
    _emit(stepview.step_table(trace, steps, lang=lang), color)


def _check_output(step: Any, k: int) -> int:
    if k and k >= len(step.outputs):
        names = len(step.outputs)
        raise click.BadParameter(f"step {step.id} {step.name} has {names} output(s): give 0"
                                 + (f" to {names - 1}" if names > 1 else ""), param_hint="--output")
    return k


def _check_cell(trace: Any, step: Any, index: tuple[int, ...], k: int = 0) -> None:
    if not step.outputs:
        raise TracerError(f"step {step.id} {step.name} has no output cell to explain")
    out = trace.tensors[step.outputs[k]]
    shape = tuple(out.shape)
    given = ",".join(map(str, index))
    if not shape:
        raise click.BadParameter(f"{out.name} is a single number: leave --cell out", param_hint="--cell")
    if len(index) != len(shape):
        raise click.BadParameter(f"{out.name} has shape {shape}: a cell needs {len(shape)} number(s) like "
                                 f"{','.join('0' * len(shape))}, got {given}", param_hint="--cell")
    if any(not 0 <= i < n for i, n in zip(index, shape)):
        raise click.BadParameter(f"cell {given} is outside {out.name} of shape {shape}", param_hint="--cell")

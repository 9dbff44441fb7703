"""``tracer sheet``: an exercise sheet and its answer key as a printable PDF.

A thin click layer over :func:`tracer.lecture.sheet.write_sheet`; the group's error policy
(:meth:`tracer.cli.TracerGroup.main`) turns any TracerError into one line and exit code 2.
"""
from __future__ import annotations

import click

from ..cli_options import LANGUAGES, Whole
from ..errors import TracerError
from ..safetext import counted, echo, printable


@click.command("sheet", epilog="""\b
Examples:
  tracer sheet autoencoder.trace -o sheet.pdf               the story's first chapter, 30% blanks
  tracer sheet autoencoder.trace --steps 0..9 --blanks 0.5 --seed 7 -o sheet.pdf
  tracer sheet autoencoder.trace --lang zh-Hant -o 練習單.pdf""")
@click.argument("trace_file", metavar="TRACE", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, metavar="SHEET.pdf", help="The PDF to write (A4).")
@click.option("--steps", metavar="A..B", default=None,
              help="Step ids or names to work by hand (default: the story's first full chapter).")
@click.option("--blanks", type=float, default=0.3, show_default=True,
              help="Share of each step's computed cells left empty, 0..1.")
@click.option("--seed", type=Whole(min=0), default=0, show_default=True,
              help="Chooses the blanks: the same seed gives the same sheet.")
@click.option("--lang", type=click.Choice(LANGUAGES, case_sensitive=False), default="en", show_default=True,
              help="Language of the headings, narration and hints.")
def sheet(trace_file: str, output: str, steps: str | None, blanks: float, seed: int, lang: str) -> None:
    """Write an exercise sheet of TRACE: grids to fill in by hand, then the answer key."""
    from .. import io
    from .sheet import write_sheet

    if not 0.0 <= blanks <= 1.0:  # NaN fails this too
        raise TracerError(f"--blanks {blanks}: give a share of the computed cells between 0 and 1")
    from ..files import check_output

    check_output(output, inputs=[trace_file])
    trace = io.load(trace_file)
    plan = write_sheet(trace, output, steps=steps, blanks=blanks, seed=seed, lang=lang)
    n = sum(len(e.blanks) for e in plan.exercises)
    echo(f"wrote {printable(output)}: {counted(len(plan.exercises), 'step')}, {counted(n, 'blank')}, seed {seed}")

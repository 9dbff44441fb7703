"""``tracer slides``: a trace as lecture slides, an offline HTML deck, a PowerPoint file or a PDF handout.

A thin click layer over :mod:`tracer.lecture.slides`. The stills are rendered by the walkthrough's
renderer (:mod:`scenes`), imported inside the command only, so ``tracer --help`` stays fast.
"""
from __future__ import annotations

import os
import sys
from typing import Callable

import click

from .cli_options import LANGUAGES, Whole
from .cli_render import SCENES, close_progress
from .errors import TracerError
from .files import check_output, scratch_dir
from .safetext import echo, printable


@click.command("slides", epilog="""\b
Examples:
  tracer slides autoencoder.trace -o deck.html           one file, plays offline in a browser
  tracer slides autoencoder.trace -o deck.pptx --lang zh-Hant
  tracer slides autoencoder.trace -o handout.pdf --steps 0..55
  tracer slides my.trace -o quick.html --no-stills        words and workings only, no Manim""")
@click.argument("trace_file", metavar="TRACE", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="deck.html, deck.pptx or handout.pdf: the suffix picks the format.")
@click.option("--lang", type=click.Choice(LANGUAGES, case_sensitive=False), default="en", show_default=True,
              help="Language of the titles, narration and notes.")
@click.option("--steps", metavar="A..B", default=None, help="Only the pause points (chapter ends) in these step ids.")
@click.option("--scene", type=click.Choice(SCENES), default="auto", show_default=True,
              help="Which walkthrough draws the stills.")
@click.option("--depth", type=Whole(min=0), default=None, help="Open composite ops down to this depth in the stills.")
@click.option("-q", "--quality", type=click.Choice(("l", "m", "h")), default="m", show_default=True,
              help="Size of the stills: l 854×480, m 1280×720, h 1920×1080.")
@click.option("--stills/--no-stills", default=True, show_default=True,
              help="Render a still per slide (Manim); without, the slides carry the words only.")
@click.option("--clips", is_flag=True, help="Also a clip per slide, its chapter played (HTML and PPTX; slow).")
@click.option("--fps", type=Whole(min=1, max=60), default=None, hidden=True)
@click.pass_context
def slides(ctx: click.Context, trace_file: str, output: str, lang: str, steps: str | None, scene: str,
           depth: int | None, quality: str, stills: bool, clips: bool, fps: int | None) -> None:
    """Write TRACE as slides: one per pause point, with its still, narration and working."""
    bar = None
    try:
        import tracer
        from .lecture.slides import build_deck, check_deck_output, writer

        check_output(output, inputs=[trace_file])
        write = writer(check_deck_output(output))
        trace = tracer.load(trace_file)
        deck = build_deck(trace, lang=lang, steps=steps)
        if stills or clips:
            bar = click.progressbar(length=len(deck.slides), label="rendering clips" if clips else "rendering stills",
                                    file=sys.stderr, show_pos=True, width=30)
            bar.__enter__()
            render_stills(trace, deck, output, scene=scene, depth=depth, quality=quality,
                          progress=lambda k: bar.update(1), clips=clips, fps=fps)
        write(deck, output)
    except TracerError as e:
        close_progress(bar)
        echo(f"error: {printable(str(e).strip())}", err=True)
        ctx.exit(2)
    except KeyboardInterrupt:
        close_progress(bar)
        echo("error: interrupted", err=True)
        ctx.exit(130)
    close_progress(bar)
    echo(str(output))


def render_stills(trace, deck, output: str | os.PathLike[str], scene: str = "auto", depth: int | None = None,
                  quality: str = "m", progress: Callable[[int], None] | None = None, clips: bool = False,
                  fps: int | None = None) -> None:
    """Fill in each slide's still: the walkthrough's last frame at the slide's pause point (and,
    with ``clips``, its clip: the walkthrough from the chapter's first step to its pause point).

    A slide whose steps the walkthrough does not draw (a chapter the chosen scene leaves out)
    keeps no still; the writers say so on the slide.
    """
    try:
        from scenes.curated import build_plan
        from scenes.render import render_plan
        from scenes.stills import render_stills as take_stills
    except ImportError:
        raise TracerError("Manim is not installed: pip install 'tracer[render]', or use --no-stills") from None

    whole = build_plan(trace, scene=scene, depth=depth, lang=deck.lang)
    deck.stills = True
    windows = [_window(whole.beats, slide.first, slide.last) for slide in deck.slides]
    drawn = [k for k, w in enumerate(windows) if w is not None]
    told = [0]

    def took(done: int, total: int) -> None:
        while progress and not clips and told[0] < done:   # with clips, the bar counts the clips
            progress(drawn[told[0]])
            told[0] += 1
    images = take_stills(whole, [windows[k][1] - 1 for k in drawn], quality=quality, fps=fps, progress=took)
    for k, image in zip(drawn, images):
        deck.slides[k].still = image
    if not clips:
        for k in sorted(set(range(len(windows))) - set(drawn)):
            if progress:
                progress(k)
        return
    folder = os.path.dirname(os.path.abspath(output))
    with scratch_dir(folder, ".tracer-slides-") as tmp:
        for k, window in enumerate(windows):
            if window is not None:
                whole.window = window
                deck.slides[k].clip = render_plan(whole, quality=quality, fmt="mp4", output=tmp / f"{k}.mp4",
                                                  fps=fps).read_bytes()
            if progress:
                progress(k)


def _window(beats: list, first: int, last: int) -> tuple[int, int] | None:
    """The beats a slide for steps ``first..last`` shows: its steps worked, or the card that
    fast-forwards them (a summarised chapter), ending on the last of them; None if none is drawn."""
    def mine(beat) -> bool:
        if beat.step is not None:
            return first <= beat.step.id <= last
        chapter = getattr(beat.data, "chapter", None)   # a summary card: the story's chapter
        return chapter is not None and first <= chapter.steps[0] and chapter.steps[1] <= last

    shown = [k for k, beat in enumerate(beats) if mine(beat)]
    if not shown:
        return None
    return (0 if shown[0] == 1 else shown[0], shown[-1] + 1)   # the title card opens a deck's first slide


"""``tracer render``: a trace as an AI-by-Hand walkthrough video (Manim), a GIF, or a still.

A thin click layer over :func:`scenes.render.render`. Manim and the scenes are imported inside the
command, never when this module is imported, so ``tracer --help`` stays fast.
"""
from __future__ import annotations

import os
import sys

import click

from .cli_options import LANGUAGES, Whole
from .errors import TracerError
from .files import check_output
from .lecture.subtitles import subtitle_paths, write_subtitles
from .safetext import echo, printable

SCENES = ("auto", "autoencoder", "attention", "backprop", "sparse_autoencoder", "generic")
QUALITIES = ("l", "m", "h", "k")
FORMATS = ("mp4", "gif", "webm", "png")
VIDEOS = ("mp4", "webm")   # written with subtitles beside them
PACES = ("slow", "normal", "fast")


@click.command("render", epilog="""\b
Examples:
  tracer render autoencoder.trace                       the walkthrough, autoencoder.mp4 (480p)
  tracer render autoencoder.trace -q h --jobs 2 -o ae.mp4
  tracer render autoencoder.trace --steps 0..4 --format png -o first_layer.png
  tracer render autoencoder.trace --steps 0..55 --format png -o stills/   one PNG per pause point
  tracer render attention.trace --lang zh-Hant --format gif
  tracer render my.trace --scene generic --depth 1      every step, composites opened once
  tracer render minilm.trace --layer 0 --head 2 --format png   one head's attention as a heat map
  tracer render next_token.trace --pace slow           every cell of a small product worked
  tracer render mlp.trace --no-story                   one training round, not the whole story""")
@click.argument("trace_file", metavar="TRACE", type=click.Path(dir_okay=False))
@click.option("--scene", type=click.Choice(SCENES), default="auto", show_default=True,
              help="Which walkthrough; auto recognises the model from the trace's structure.")
@click.option("--steps", metavar="A..B", default=None,
              help="Only these step ids (the steps before are laid out, not drawn).")
@click.option("--depth", type=Whole(min=0), default=None,
              help="Open composite ops (softmax, linear, losses) down to this depth.")
@click.option("-q", "--quality", type=click.Choice(QUALITIES), default="l", show_default=True,
              help="l 480p15, m 720p30, h 1080p30, k 2160p60 (h at 30 fps, not Manim's 60: half the "
                   "frames to draw, and the numbers move no faster than they are read).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="mp4", show_default=True,
              help="png saves the last frame: a still (with -o DIR/, one per pause point).")
@click.option("--jobs", type=Whole(min=1), default=None,
              help="Render chunks of steps in parallel processes and join them (default: the machine's cores).")
@click.option("--lang", type=click.Choice(LANGUAGES, case_sensitive=False), default="en", show_default=True,
              help="Narration language.")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Output file (default: <walkthrough>.<format> here); a folder for stills.")
@click.option("--layer", type=Whole(min=0), default=None,
              help="With --head: one attention head's pattern as a heat map, one cell worked out.")
@click.option("--head", type=Whole(min=0), default=None, help="The head of --layer (both count from 0).")
@click.option("--pace", type=click.Choice(PACES), default="normal", show_default=True,
              help="How long each working stays and how many cells are worked.")
@click.option("--story/--no-story", default=True, show_default=True,
              help="Play the story the trace tells (chapters, plots, recap) when it has one.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the parts an earlier render of the same trace and options drew (kept in "
                   "$XDG_CACHE_HOME/tracer, ~/.cache/tracer by default).")
@click.option("--fps", type=Whole(min=1, max=120), default=None, hidden=True)
@click.pass_context
def render(ctx: click.Context, trace_file: str, scene: str, steps: str | None, depth: int | None,
           quality: str, fmt: str, jobs: int | None, lang: str, output: str | None, layer: int | None,
           head: int | None, pace: str, story: bool, cache: bool, fps: int | None) -> None:
    """Render TRACE as a step-by-step walkthrough: the numbers, the arithmetic, the captions.

    A video (mp4, webm) comes with its subtitles beside it, X.srt and X.vtt: each caption, in the
    render's --lang, timed to when it is on screen."""
    bar = None
    stills = fmt == "png" and output is not None and (output.endswith(("/", os.sep)) or os.path.isdir(output))
    try:
        if output is not None and not stills:  # before Manim is imported: a wrong -o fails at once
            check_output(output, inputs=[trace_file])
            if fmt in VIDEOS:
                for path in subtitle_paths(output):
                    check_output(path, inputs=[trace_file], option="subtitles")
        import tracer
        from scenes.render import render as render_trace

        trace = tracer.load(trace_file)
        state = {"shown": 0}

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="rendering", file=sys.stderr,
                                        show_pos=True, width=30)
                bar.__enter__()
            bar.update(done - state["shown"])
            state["shown"] = done

        if layer is not None or head is not None:
            path = _one_head(trace, layer, head, steps, scene, depth, quality=quality, fmt=fmt, output=output,
                             lang=lang, progress=progress, fps=fps)
        elif stills:
            from .lecture.stills import write_stills

            paths = write_stills(trace, output, scene=scene, steps=steps, depth=depth, quality=quality,
                                 lang=lang, progress=progress)
            path = "\n".join(map(str, paths))
        else:
            cues: list | None = [] if fmt in VIDEOS else None
            path = render_trace(trace, scene=scene, steps=steps, depth=depth, quality=quality, fmt=fmt,
                                jobs=jobs or cores(), output=output, lang=lang, progress=progress, fps=fps,
                                captions=cues, pace=pace, story=story, cache=cache)
            if cues is not None:  # X.srt and X.vtt beside X.mp4, in the render's language
                write_subtitles(path, cues)
    except TracerError as e:
        close_progress(bar)
        echo(f"error: {printable(str(e).strip())}", err=True)
        ctx.exit(2)
    except KeyboardInterrupt:
        close_progress(bar)
        echo("error: interrupted", err=True)
        ctx.exit(130)
    close_progress(bar)
    echo(str(path))


def _one_head(trace, layer: int | None, head: int | None, steps: str | None, scene: str, depth: int | None,
              **options):
    """``--layer L --head H``: the heat map of one head (scenes.attention_map), not the walkthrough."""
    from scenes.attention_map import render_head

    if layer is None or head is None:
        raise TracerError(f"--{'head' if layer is None else 'layer'} needs --{'layer' if layer is None else 'head'} too: "
                          "--layer L --head H picks one attention head")
    if steps is not None or depth is not None or scene != "auto":
        raise TracerError("--layer/--head draw one head's heat map: --steps, --depth and --scene do not apply")
    return render_head(trace, layer, head, **options)


def cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # macOS, Windows
        return os.cpu_count() or 1


def close_progress(bar) -> None:
    if bar is not None:
        bar.__exit__(None, None, None)

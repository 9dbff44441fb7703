"""Render a trace: the library entry point behind ``tracer render``.

>>> from scenes.render import QUALITIES, FORMATS
>>> sorted(QUALITIES), FORMATS
(['h', 'k', 'l', 'm'], ('mp4', 'gif', 'webm', 'png'))

The walkthrough is cut into chunks of beats (each beat a trace step, a Manim section). With
``jobs > 1`` the chunks render in parallel processes, each one laying out the beats before its
chunk in skipped sections, and ffmpeg joins the parts without re-encoding. A part an earlier
render of the same trace and options drew is taken from the cache (:mod:`scenes.cache`).
Everything is written in a locked temporary directory beside the output and renamed into place at
the end: a failed or interrupted render (Ctrl-C, SIGTERM) leaves no half-written file and never
clobbers an existing one; the folder a SIGKILL leaves behind is removed by the next render there. The output may not be
the trace the render reads, nor a device or a folder.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

from tracer.errors import TracerError
from tracer.files import check_output, scratch_dir
from tracer.i18n import check_language
from tracer.trace import Trace

QUALITIES = {"l": "low_quality", "m": "medium_quality", "h": "high_quality", "k": "fourk_quality"}
# -q h at 30 fps, not Manim's 60: a profiled section spent its time drawing and encoding frames,
# twice as many at 60 fps, for numbers that move no faster than the eye reads them.
FRAME_RATES = {"h": 30}
# x264's fastest preset: at its default (medium) encoding took as long as drawing; flat colours and
# text lose nothing to it, the file is about three times larger (~0.12 MB per second at 1080p30).
ENCODER = {"preset": "ultrafast"}
FORMATS = ("mp4", "gif", "webm", "png")
Progress = Callable[[int, int], None]


def render(trace: Trace, scene: str = "auto", steps: str | tuple[int, int] | None = None,
           depth: int | None = None, quality: str = "l", fmt: str = "mp4", jobs: int = 1,
           output: str | os.PathLike[str] | None = None, lang: str = "en",
           progress: Progress | None = None, fps: int | None = None, pace: str = "normal",
           story: bool = True, captions: list | None = None, cache: bool = True) -> Path:
    """Render ``trace`` as a walkthrough video (or a still) and return the file written.

    Parameters
    ----------
    trace : Trace
    scene : str
        ``auto`` (recognise the model), ``autoencoder``, ``attention``, ``backprop``,
        ``sparse_autoencoder`` or ``generic``.
    steps : str or (int, int), optional
        Only these step ids, e.g. ``"4..9"`` (the steps before are laid out but not drawn).
    depth : int, optional
        Composite ops deeper than this are collapsed (default: the walkthrough's own).
    quality : str
        ``l`` (480p15), ``m`` (720p30), ``h`` (1080p30) or ``k`` (2160p60).
    fmt : str
        ``mp4``, ``gif``, ``webm`` or ``png`` (the last frame, a still).
    jobs : int
        Parallel processes, each rendering a chunk of steps.
    output : path, optional
        Default: ``<kind>.<fmt>`` in the current directory.
    lang : str
        Narration language: ``en``, ``zh-Hant``, ``zh-Hans`` or ``vi``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each beat is rendered.
    fps : int, optional
        Override the frame rate of the quality (tests use a small one).
    pace : str
        ``slow``, ``normal`` or ``fast``: how many cells are worked and how long a finished
        working stays (at least 2 s at ``normal``, longer for long captions).
    story : bool
        Play the story the trace tells (``trace.meta["story"]``: every chapter, its plots, the
        recap), when it tells one; otherwise one pass of it.
    captions : list, optional
        Filled with the video's captions as :class:`~tracer.lecture.subtitles.Cue` objects (when
        each is on screen), for its subtitles.
    cache : bool
        Reuse the parts an earlier render of the same trace and options left in the cache (and
        keep this render's there): see :mod:`scenes.cache`.
    """
    from .curated import build_plan

    if quality not in QUALITIES:
        raise TracerError(f"unknown quality {quality!r}: choose one of {', '.join(QUALITIES)}")
    if fmt not in FORMATS:
        raise TracerError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if jobs < 1:
        raise TracerError(f"--jobs must be at least 1, not {jobs}")
    lang = check_language(lang)   # zh-hant is zh-Hant: the plots' and cards' words, the fonts
    plan = build_plan(trace, scene=scene, depth=depth, steps=steps, lang=lang, pace=pace, story=story)
    return render_plan(plan, quality=quality, fmt=fmt, jobs=jobs, output=output, progress=progress, fps=fps,
                       captions=captions, cache=cache)


def render_plan(plan, quality: str = "l", fmt: str = "mp4", jobs: int = 1,
                output: str | os.PathLike[str] | None = None, progress: Progress | None = None,
                fps: int | None = None, captions: list | None = None, cache: bool = True) -> Path:
    """Render a :class:`~scenes.plan.Plan` (see :func:`render` for the parameters)."""
    out = Path(output) if output is not None else Path(f"{plan.kind}.{fmt}")
    check_output(out, inputs=[plan.trace.origin] if plan.trace.origin else [])
    if fmt != "png" and shutil.which("ffmpeg") is None and (jobs > 1 or fmt != "mp4"):
        raise TracerError("ffmpeg is not installed: it is needed to join parts and to write gif / webm")
    window = plan.window
    total = window[1] - window[0]
    with scratch_dir(out.parent, ".tracer-render-") as tmpdir:
        if fmt == "png":
            final = _render_chunk(plan, window, tmpdir / "still.png", quality, fps, still=True)
            if progress:
                progress(total, total)
        else:
            chunks = split(plan, window, jobs)
            parts = _render_parts(plan, chunks, tmpdir, quality, fps, progress, total, cache)
            if captions is not None:
                captions.extend(_joined_captions(parts))
            movie = parts[0] if len(parts) == 1 else _concat(parts, tmpdir / "joined.mp4")
            final = movie if fmt == "mp4" else _convert(movie, tmpdir / f"final.{fmt}", fmt)
        if not final.exists() or final.stat().st_size == 0:
            raise TracerError("the render produced no output (nothing to show in the chosen steps?)")
        os.replace(final, out)
    return out


def split(plan, window: tuple[int, int], jobs: int) -> list[tuple[int, int]]:
    """Cut the beats ``window`` into at most ``jobs`` chunks of about equal work.

    A beat's work is estimated from the cells it fills (its outputs' sizes, capped the way the
    pacing caps them), plus a constant for captions and camera moves.
    """
    lo, hi = window
    weights = [beat_weight(plan, plan.beats[k]) for k in range(lo, hi)]
    jobs = max(1, min(jobs, hi - lo))
    total = sum(weights)
    cuts, acc, target = [lo], 0.0, total / jobs
    for k, w in zip(range(lo, hi), weights):
        if len(cuts) < jobs and acc >= target * len(cuts) and k > cuts[-1]:
            cuts.append(k)
        acc += w
    cuts.append(hi)
    return list(zip(cuts[:-1], cuts[1:]))


def beat_weight(plan, beat) -> float:
    if beat.step is None:
        return 2.5
    cells = sum(min(plan.trace.tensors[t].size, 24) for t in beat.step.outputs)
    return 2.0 + 0.25 * cells


def _render_parts(plan, chunks, tmpdir: Path, quality: str, fps: int | None,
                  progress: Progress | None, total: int, cache: bool) -> list[Path]:
    """Render each chunk to a part (the cached ones copied, the others drawn in parallel)."""
    from .cache import fetch, part_key, store

    paths = [tmpdir / f"part{k:03d}.mp4" for k in range(len(chunks))]
    keys = [part_key(plan, c, quality, fps) if cache else None for c in chunks]
    todo = [k for k in range(len(chunks)) if keys[k] is None or not fetch(keys[k], paths[k])]
    done = [total - sum(chunks[k][1] - chunks[k][0] for k in todo)]

    def tick(_: int = 0) -> None:
        done[0] += 1
        if progress:
            progress(done[0], total)
    if progress and done[0]:   # the cached parts' beats are done already
        progress(done[0], total)
    if len(todo) == 1:
        _render_chunk(plan, chunks[todo[0]], paths[todo[0]], quality, fps, on_beat=tick)
    elif todo:
        _render_workers(plan, [chunks[k] for k in todo], [paths[k] for k in todo], quality, fps, tick)
    for k in todo:
        if keys[k] is not None:
            store(keys[k], paths[k])
    return paths


def _render_workers(plan, chunks, paths: list[Path], quality: str, fps: int | None, tick) -> None:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(plan, c, p, quality, fps, queue), daemon=True)
             for c, p in zip(chunks, paths)]
    for p in procs:
        p.start()
    try:
        _collect(procs, queue, tick)
    finally:  # interrupted: stop the workers before their folder is removed
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join()


def _collect(procs, queue, tick: Callable[[], None]) -> None:
    """Wait for the render workers, passing on their progress; raise the first error one reports."""
    failed = None
    alive = set(range(len(procs)))
    while alive:
        try:
            kind, value = queue.get(timeout=0.2)
            if kind == "beat":
                tick()
            elif kind == "error":
                failed = failed or value
        except Exception:  # queue.Empty: look at who is still running
            pass
        for k in list(alive):
            if not procs[k].is_alive():
                procs[k].join()
                alive.discard(k)
                if procs[k].exitcode != 0 and failed is None:
                    failed = f"render worker {k} stopped with code {procs[k].exitcode}"
    while not queue.empty():
        kind, value = queue.get()
        if kind == "error":
            failed = failed or value
    if failed:
        raise TracerError(failed)


def _worker(plan, chunk, path: Path, quality: str, fps: int | None, queue) -> None:
    try:
        _render_chunk(plan, chunk, path, quality, fps, on_beat=lambda k: queue.put(("beat", k)))
    except TracerError as e:
        queue.put(("error", str(e)))
        raise SystemExit(2)
    except Exception as e:  # report one line to the parent, never a traceback
        queue.put(("error", f"render failed: {type(e).__name__}: {e}".split("\n")[0]))
        raise SystemExit(2)


def _render_chunk(plan, chunk: tuple[int, int], path: Path, quality: str, fps: int | None,
                  still: bool = False, on_beat=None) -> Path:
    scene = render_scene(plan, chunk, path, quality, fps, still, on_beat)
    if not still:  # the captions it showed, on its own clock, for the subtitles (a worker's too)
        from .manim_adapter import video_time
        shown = {"shown": scene.captions_shown, "end": video_time(scene)}
        path.with_suffix(".captions.json").write_text(json.dumps(shown), encoding="utf-8")
    return path


def _joined_captions(parts: list[Path]) -> list:
    """The cues of the parts, each part's shifted by the length of the parts before it."""
    from tracer.lecture.subtitles import cues_of, shifted

    cues, start = [], 0.0
    for part in parts:
        noted = json.loads(part.with_suffix(".captions.json").read_text(encoding="utf-8"))
        cues += shifted(cues_of([(t, text) for t, text in noted["shown"]], noted["end"]), start)
        start += noted["end"]
    return cues


def manim_settings(path: Path, media: Path, quality: str, fps: int | None, still: bool) -> dict:
    """Manim's configuration for writing ``path`` (a png when ``still``), its scratch in ``media``."""
    from . import style

    settings = {
        "quality": QUALITIES[quality], "media_dir": str(media), "output_file": str(path),
        "verbosity": "ERROR", "progress_bar": "none", "disable_caching": True,
        "background_color": style.PAPER, "write_to_movie": not still, "save_last_frame": still,
        "format": "png" if still else "mp4",
    }
    if fps or quality in FRAME_RATES:
        settings["frame_rate"] = fps or FRAME_RATES[quality]
    if not still:
        settings["video_encoder_options"] = ENCODER
    return settings


def render_scene(plan, chunk: tuple[int, int], path: Path, quality: str = "l", fps: int | None = None,
                 still: bool = False, on_beat=None, stills: tuple[int, ...] = ()):
    """Render beats ``chunk`` of ``plan`` to ``path`` (an mp4, or a png when ``still``) and
    return the :class:`~scenes.walkthrough.Walkthrough` scene (its stage tells what was drawn;
    with ``stills``, its ``frames`` hold the frame after each of those beats)."""
    from manim import tempconfig

    from .walkthrough import Walkthrough

    path = Path(path)
    media = path.parent / f"media-{path.stem}"
    with tempconfig(manim_settings(path, media, quality, fps, still)):
        scene = Walkthrough(plan, start=chunk[0], stop=chunk[1], on_beat=on_beat, stills=stills)
        scene.render()
    if not path.exists():
        found = sorted(media.rglob(f"*{path.suffix}"), key=lambda p: p.stat().st_mtime)
        if found:
            shutil.move(str(found[-1]), path)
    shutil.rmtree(media, ignore_errors=True)
    return scene


def _ffmpeg(args: list[str]) -> None:
    result = subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise TracerError(f"ffmpeg failed: {(result.stderr or 'no message').strip().splitlines()[-1]}")


def _concat(parts: list[Path], out: Path) -> Path:
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
    _ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out)])
    return out


def _convert(movie: Path, out: Path, fmt: str) -> Path:
    if fmt == "gif":
        _ffmpeg(["-i", str(movie), "-vf", "fps=12,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse",
                 str(out)])
    else:
        _ffmpeg(["-i", str(movie), "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "36", "-row-mt", "1",
                 "-deadline", "realtime", "-cpu-used", "8", str(out)])
    return out


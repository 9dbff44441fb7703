"""Rendering each built-in example's whole story (``-ql``: 480p15, normal pace): seconds of render
per second of video, example by example, beside the budget issue 9 keeps them within.

Run with ``python -m benchmarks examples`` (every example but MiniLM) or
``python -m benchmarks.bench_examples [--minilm] [--keep DIR] [NAME ...]``;
``TRACER_BENCH_EXAMPLES=next_token,mlp_backprop`` limits the first form to those examples. Every
chapter is played, so all of them take a while. Videos go to a temporary folder unless ``--keep``.

The budget is on CPU seconds (this process and its children, the ffmpeg calls included): on a
shared machine the wall clock also counts other people's work, so it is printed beside, with the
load average, but not held to the budget.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

# CPU seconds of render per second of video. Measured on 2 December 2026 (docs/performance.md):
# 0.19 to 0.28 per example, 0.23 over all of them; the budget leaves about 1.8 times the slowest.
BUDGET = 0.5


def duration(path: str | os.PathLike[str]) -> float:
    """The length of the video at ``path`` in seconds (ffprobe)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench(names: list[str], folder: Path) -> None:
    """Render each example's default story into ``folder`` and print one row per example."""
    from benchmarks import GOALS
    from scenes.render import render
    from tracer.examples import run_example

    print(f"budget: {BUDGET:.1f} CPU s of render per s of video (-ql, normal pace)")
    print(f"{'example':22} {'wall s':>7} {'CPU s':>7} {'video s':>8} {'CPU/video':>9} "
          f"{'wall/video':>10} {'load':>5}  budget")
    for name in names:
        trace = run_example(name)
        out = folder / f"{name}.mp4"
        cpu, wall = cpu_seconds(), time.perf_counter()
        render(trace, quality="l", output=out)
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
        video = duration(out)
        ratio = cpu / video
        GOALS.append((f"render CPU s per video s, {name} (-ql)", ratio, BUDGET))
        print(f"{name:22} {wall:7.1f} {cpu:7.1f} {video:8.1f} {ratio:9.2f} {wall / video:10.2f} "
              f"{os.getloadavg()[0]:5.1f}  {'met' if ratio <= BUDGET else 'NOT met'}", flush=True)


def main(argv: list[str] | None = None) -> None:
    from tracer.examples import list_examples

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_examples")
    parser.add_argument("names", nargs="*", help="examples to render (default: all but minilm)")
    parser.add_argument("--minilm", action="store_true", help="render MiniLM too (long)")
    parser.add_argument("--keep", type=Path, help="write the videos to this folder and keep them")
    args = parser.parse_args(argv or [])
    known = [n for n, _ in list_examples()]
    chosen = os.environ.get("TRACER_BENCH_EXAMPLES")
    names = args.names or (chosen.split(",") if chosen else [n for n in known if n != "minilm" or args.minilm])
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"no example {unknown[0]!r}; there are: {', '.join(known)}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        bench(names, args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench(names, Path(tmp))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

"""Rendering walkthroughs (Manim, no LaTeX). The lecturer's figure: the by-hand autoencoder's whole
walkthrough at 1080p (``-q h``) with ``--jobs 2``, its render time against the length of the video
it makes (goal: half of it); ``--jobs 1`` against ``--jobs 2``; a second render of the same trace
and options, served from the cache of rendered parts. Then an 8×8 by 8×8 product worked cell by
cell at 480p15 against its 5 s target (a naive Manim version took 27 s).

Time on the wall: a render is several processes and encoder threads. The machine may be shared, so
the load average is printed beside each figure. Run with ``make bench`` (or ``python -m benchmarks
render``). Videos and the cache go to a temporary folder.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time

import numpy as np

import tracer
from benchmarks import goal


def matmul8() -> tracer.Trace:
    rng = np.random.default_rng(8)
    with tracer.record(title="8×8 by 8×8") as trace:
        tracer.matmul(tracer.tensor(rng.integers(-4, 5, (8, 8)), name="A"),
                      tracer.tensor(rng.integers(-4, 5, (8, 8)), name="B"), name="C")
    return trace


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children waited for (the render
    workers, ffmpeg): what the render costs whatever else the machine is doing."""
    return sum(sum(resource.getrusage(who)[:2]) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def seconds_of_video(path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def main() -> None:
    from scenes.curated import build_plan
    from scenes.render import render, render_plan
    from scenes.pace import Pace
    from tracer.examples import run_example

    with tempfile.TemporaryDirectory() as tmp:
        before = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")   # an empty cache, not the user's
        try:
            trace = run_example("autoencoder")
            print(f"before: {load()}")
            cpu = cpu_seconds()
            two, movie = timed(lambda: render(trace, quality="h", jobs=2, output=os.path.join(tmp, "ae2.mp4")))
            cpu2, cpu = cpu_seconds() - cpu, cpu_seconds()
            length = seconds_of_video(movie)
            print(f"autoencoder walkthrough -q h --jobs 2: {two:6.1f} s on the wall for {length:.1f} s of video, "
                  f"{cpu2:.1f} s of CPU, {os.path.getsize(movie) / 1e6:.1f} MB ({load()})")
            goal("autoencoder -q h --jobs 2, render time / video length", two / length, 0.5)
            print(f"  the same in CPU time ÷ 2 cores (the wall time of an idle 2-core machine, at best): "
                  f"{cpu2 / 2 / length:.2f}")
            one, _ = timed(lambda: render(trace, quality="h", jobs=1, cache=False,
                                          output=os.path.join(tmp, "ae1.mp4")))
            cpu1 = cpu_seconds() - cpu
            print(f"same with --jobs 1:                    {one:6.1f} s on the wall, {cpu1:.1f} s of CPU, "
                  f"{one / length:.2f}× the video; --jobs 2 is {one / two:.2f}× faster ({load()})")
            again, _ = timed(lambda: render(trace, quality="h", jobs=2, output=os.path.join(tmp, "again.mp4")))
            print(f"second render, same trace and options: {again:6.1f} s (its parts from the cache; {load()})")
        finally:
            if before is None:
                del os.environ["XDG_CACHE_HOME"]
            else:
                os.environ["XDG_CACHE_HOME"] = before

        plan8 = build_plan(matmul8())
        plan8.pace = Pace(detailed=1, single=64, cell_time=0.3)     # every cell on its own
        plan8.window = (1, len(plan8.beats))                          # the product alone, no title card
        cells, _ = timed(lambda: render_plan(plan8, output=os.path.join(tmp, "mm8.mp4"), cache=False))
        print(f"8×8 by 8×8 product, every cell worked, -q l: {cells:5.1f} s; target < 5 s: "
              f"{5 / cells:.2f}× under; naive Manim 27 s: {27 / cells:.1f}× faster ({load()})")


if __name__ == "__main__":
    main()

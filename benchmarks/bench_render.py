"""Rendering walkthroughs (Manim, 480p15, no LaTeX): the by-hand autoencoder's forward and
backward passes against their 60 s target, an 8×8 by 8×8 product worked cell by cell against its
5 s target (a naive Manim version took 27 s), and ``--jobs 2`` against ``--jobs 1``.

Run with ``make bench`` (or ``python -m benchmarks render``). Videos go to a temporary folder.
"""
from __future__ import annotations

import os
import tempfile
import time

import numpy as np

import tracer


def autoencoder_window() -> tuple[tracer.Trace, str]:
    """The by-hand autoencoder example and the step range of its forward and backward passes."""
    from tracer.examples import run_example

    trace = run_example("autoencoder")
    from scenes.curated import build_plan

    plan = build_plan(trace)
    last_backward = max(b.step.id for b in plan.step_beats if b.step.phase == "backward")
    return trace, f"0..{last_backward}"


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


def main() -> None:
    from scenes.curated import build_plan
    from scenes.render import render, render_plan
    from scenes.pace import Pace

    with tempfile.TemporaryDirectory() as tmp:
        trace, window = autoencoder_window()
        plan = build_plan(trace, steps=window)
        steps = plan.window[1] - plan.window[0] - (1 if plan.window[0] == 0 else 0)
        one, _ = timed(lambda: render(trace, steps=window, output=os.path.join(tmp, "ae1.mp4")))
        print(f"autoencoder forward+backward, -ql: {one:5.1f} s for {steps} steps "
              f"({one / steps:.2f} s per step); target < 60 s: {60 / one:.2f}× under")
        two, _ = timed(lambda: render(trace, steps=window, jobs=2, output=os.path.join(tmp, "ae2.mp4")))
        print(f"same with --jobs 2:                 {two:5.1f} s; speed-up {one / two:.2f}× (target ≥ 1.6)")

        plan8 = build_plan(matmul8())
        plan8.pace = Pace(detailed=1, single=64, cell_time=0.3)     # every cell on its own
        plan8.window = (1, len(plan8.beats))                          # the product alone, no title card
        cells, _ = timed(lambda: render_plan(plan8, output=os.path.join(tmp, "mm8.mp4")))
        print(f"8×8 by 8×8 product, every cell worked: {cells:5.1f} s; target < 5 s: "
              f"{5 / cells:.2f}× under; naive Manim 27 s: {27 / cells:.1f}× faster")


if __name__ == "__main__":
    main()

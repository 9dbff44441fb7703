"""Lecture material: the exercise sheet of the by-hand autoencoder (the story's forward pass, 8
steps, 30% blanks) and of its whole first training step (forward, loss, backward, updates), each
planned (workings from tracer.explain) and written as a PDF with embedded font subsets.

Run with ``make bench`` (or ``python -m benchmarks lecture``). Sheets go to a temporary folder.
"""
from __future__ import annotations

import os
import tempfile
import time

from tracer.examples import run_example
from tracer.lecture import plan_sheet, write_sheet


def main() -> None:
    trace = run_example("autoencoder")
    with tempfile.TemporaryDirectory() as folder:
        for label, steps in (("forward pass (default)", None), ("first training step", "0..55")):
            out = os.path.join(folder, "sheet.pdf")
            times = []
            for _ in range(3):
                start = time.perf_counter()
                plan = write_sheet(trace, out, steps=steps, blanks=0.3, seed=0)
                times.append(time.perf_counter() - start)
            start = time.perf_counter()
            plan_sheet(trace, steps, 0.3, 0)
            planned = time.perf_counter() - start
            blanks = sum(len(e.blanks) for e in plan.exercises)
            print(f"autoencoder sheet, {label}: {len(plan.exercises)} steps, {blanks} blanks, "
                  f"{os.path.getsize(out) / 1024:.0f} KiB: best of 3 {min(times):.2f} s "
                  f"(planning alone {planned:.2f} s)")


if __name__ == "__main__":
    main()

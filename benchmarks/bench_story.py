"""Rendering each example's whole story (480p15, normal pace): seconds of render per second of
video, example by example (issue 9 keeps it within the budget per minute of video).

Run with ``python -m benchmarks story``; ``TRACER_BENCH_EXAMPLES=next_token,mlp_backprop`` limits
it to those examples (all of them take a while: every chapter is played). Videos go to a
temporary folder.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time


def duration(path: str) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", path],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


def main() -> None:
    from scenes.render import render
    from tracer.examples import list_examples, run_example

    chosen = os.environ.get("TRACER_BENCH_EXAMPLES")
    names = chosen.split(",") if chosen else [n for n, _ in list_examples() if n != "minilm"]
    print(f"{'example':24} {'render s':>9} {'video s':>8} {'render s / video s':>19}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            trace = run_example(name)
            out = os.path.join(tmp, f"{name}.mp4")
            start = time.perf_counter()
            render(trace, output=out)
            spent = time.perf_counter() - start
            video = duration(out)
            print(f"{name:24} {spent:9.1f} {video:8.1f} {spent / video:19.2f}", flush=True)


if __name__ == "__main__":
    main()

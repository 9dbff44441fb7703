"""Trace files and the CLI: saving a 1 GB trace against plain ``np.save`` of the same arrays, the
time from opening that trace to its first screen, and ``tracer --help`` start-up.

Run with ``make bench`` (or ``python -m benchmarks io``). The trace is built in a temporary folder
and removed at the end. Times are best of a few repeats; the file is in the page cache when it is
opened (a cold disk adds its read time for the few pages the first screen shows).
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

import tracer
from benchmarks import best_of
from tracer import stepview, textview

SIDE = 4096  # a (4096, 4096) float64 tensor is 128 MiB; eight of them make the 1 GiB trace



def big_trace() -> tracer.Trace:
    """Eight 128 MiB tensors from cheap elementwise steps (a matmul this size would take long)."""
    A = np.random.default_rng(0).normal(size=(SIDE, SIDE))
    with tracer.record(title="1 GB") as trace:
        X = tracer.tensor(A, name="X")
        Y = tracer.mul(X, 2.0, name="Y")
        Z = tracer.add(Y, X, name="Z")
        H = tracer.relu(Z, name="H")
        T = tracer.tanh(H, name="T")
        S = tracer.sub(T, X, name="S")
        R = tracer.abs(S, name="R")
        tracer.neg(R, name="N")
    return trace


def np_save_all(arrays: list[np.ndarray], folder: str, fsync: bool) -> None:
    for k, a in enumerate(arrays):
        with open(os.path.join(folder, f"{k}.npy"), "wb") as fh:
            np.save(fh, a, allow_pickle=False)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())


def first_screen(path: str) -> str:
    """What ``tracer show TRACE --step 0`` prints: open the file, render step 0."""
    trace = tracer.load(path)
    return textview.plain(stepview.step_view(trace, trace.steps[0], color=False))


def stepper_first_screen(path: str) -> float:
    """Open the file and let the Textual stepper draw its first screen (headless)."""
    from tracer.stepper import StepperApp

    async def main() -> None:
        app = StepperApp(tracer.load(path), title="big.trace")
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()

    start = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - start


def cli_startup() -> tuple[float, float]:
    """``tracer --help`` against a bare ``python -c pass``, best of five, in fresh processes."""
    def timed(args: list[str]) -> float:
        return best_of(lambda: subprocess.run(args, check=True, capture_output=True), repeat=5)

    return timed([sys.executable, "-m", "tracer.cli", "--help"]), timed([sys.executable, "-c", "pass"])


def save_speed(path: str, folder: str) -> None:
    """trace.save against np.save of the same arrays, with and without fsync, interleaved."""
    trace = big_trace()
    arrays = [np.asarray(r.data) for r in trace.tensors.values()]
    gib = sum(a.nbytes for a in arrays) / 2**30
    runs: dict[str, list[float]] = {"ours": [], "plain": [], "synced": []}
    for _ in range(3):  # interleaved: the disk's good and bad moments fall on every side
        runs["ours"].append(best_of(lambda: trace.save(path), repeat=1))
        runs["plain"].append(best_of(lambda: np_save_all(arrays, folder, fsync=False), repeat=1))
        runs["synced"].append(best_of(lambda: np_save_all(arrays, folder, fsync=True), repeat=1))
    ours, plain, synced = (min(runs[k]) for k in ("ours", "plain", "synced"))
    print(f"save {gib:.2f} GiB: trace.save {ours:.2f} s ({gib / ours:.2f} GiB/s, atomic, fsync)")
    print(f"  np.save {plain:.2f} s: speed ratio {plain / ours:.2f} (target >= 0.8)")
    print(f"  np.save + fsync {synced:.2f} s: speed ratio {synced / ours:.2f}")


def main() -> None:
    folder = tempfile.mkdtemp(prefix="tracer-bench-io-")
    try:
        path = os.path.join(folder, "big.trace")
        save_speed(path, folder)
        size = os.path.getsize(path) / 2**30
        opened = best_of(lambda: tracer.load(path))
        shown = best_of(lambda: first_screen(path))
        print(f"open a {size:.2f} GiB trace: load {opened * 1000:.1f} ms; to the first screen of "
              f"'tracer show --step 0' {shown * 1000:.1f} ms (target < 1000 ms)")
        command = best_of(lambda: subprocess.run([sys.executable, "-m", "tracer.cli", "show", path, "--step", "0"],
                                                 check=True, capture_output=True), repeat=3)
        print(f"  the whole command 'tracer show big.trace --step 0' in a fresh process {command * 1000:.0f} ms")
        try:
            app = min(stepper_first_screen(path) for _ in range(2))
            print(f"  stepper (Textual, headless) to its first screen {app * 1000:.0f} ms")
        except ImportError:
            print("  stepper skipped: textual is not installed")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    helped, bare = cli_startup()
    print(f"tracer --help {helped * 1000:.0f} ms (python alone {bare * 1000:.0f} ms; target <= 300 ms)")


if __name__ == "__main__":
    main()

"""Benchmarks: speed goes here, never in tests. ``make bench`` runs every ``bench_*.py``."""
from __future__ import annotations

import time
from typing import Callable


# Every figure with a goal, as measured in this run: python -m benchmarks prints them again at the end.
GOALS: list[tuple[str, float, float]] = []


def goal(label: str, value: float, at_most: float) -> None:
    """Print a measured ratio beside its goal (met when ``value <= at_most``) and keep it for the summary."""
    GOALS.append((label, value, at_most))
    verdict = "met" if value <= at_most else "NOT met"
    print(f"  {label:58s} {value:6.2f}   goal <= {at_most:.2f}   {verdict}", flush=True)


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds: the least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def side_by_side(fns: dict[str, Callable[[], object]], repeat: int = 40,
                 clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """The fastest run of each of ``fns``, their runs interleaved: a busy spell of the machine (or
    a BLAS thread warming up) then slows every side alike instead of whichever ran at that moment.

    ``clock=time.process_time`` counts the CPU time this process spent (every thread of it) instead
    of the time on the wall: on a shared machine other processes' work then does not count.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = clock()
            fn()
            times[name].append(clock() - start)
    return {name: min(t) for name, t in times.items()}

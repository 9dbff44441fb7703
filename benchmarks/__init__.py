"""Benchmarks: speed goes here, never in tests. ``make bench`` runs every ``bench_*.py``."""
from __future__ import annotations

import time
from typing import Callable


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds: the least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def side_by_side(fns: dict[str, Callable[[], object]], repeat: int = 40) -> dict[str, float]:
    """The fastest run of each of ``fns``, their runs interleaved: a busy spell of the machine (or
    a BLAS thread warming up) then slows every side alike instead of whichever ran at that moment."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}

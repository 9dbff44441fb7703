"""One seeded source of randomness, so the same program gives the same trace.

>>> import tracer
>>> tracer.seed(3); a = tracer.rng.generator().integers(100)
>>> tracer.seed(3); b = tracer.rng.generator().integers(100)
>>> int(a) == int(b)
True
"""
from __future__ import annotations

import numpy as np

_state = {"gen": np.random.default_rng(0)}


def seed(n: int) -> None:
    """Reset tracer's random generator (initialisation, dropout, sampling) to seed ``n``."""
    _state["gen"] = np.random.default_rng(n)


def generator(seed: int | None = None) -> np.random.Generator:
    """A generator for ``seed``, or the shared one when ``seed`` is None."""
    return _state["gen"] if seed is None else np.random.default_rng(seed)


def next_seed() -> int:
    """A fresh seed drawn from the shared generator, recorded so a step can be replayed."""
    return int(_state["gen"].integers(2**31 - 1))

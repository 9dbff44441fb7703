"""Counts of what the hostile corpus and the fuzzers tried, printed in pytest's summary."""
from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()


def tally(kind: str, n: int = 1) -> None:
    TRIED[kind] += n

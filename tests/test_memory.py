"""The memory a hostile trace file can make tracer use: under the bound docs/security.md states
(200 MB beyond the arrays a command shows), measured as the peak resident size of a fresh process
that opens the file."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest

from tests import hostile_traces as ht
from tracer import io as trace_io

BOUND = 200 << 20

PEAK = """
import sys, tracer
def peak():
    return int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) << 10
before = peak()
try:
    trace = tracer.load(sys.argv[1])
    outcome = f"loaded {len(trace.steps)} steps"
except tracer.TracerError as e:
    outcome = f"refused: {e}"
print(peak() - before)
print(outcome)
"""


def peak_of_opening(path) -> tuple[int, str]:
    out = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True)
    grown, outcome = out.stdout.splitlines()
    return int(grown), outcome


def manifest_at_the_cap(filler: str) -> bytes:
    """The largest manifest a trace may have, its meta a list of the most expensive small values."""
    parts = ht.members(ht.good_bytes())
    doc = json.loads(parts["manifest.json"])
    room = trace_io.MAX_MANIFEST - len(json.dumps(doc, ensure_ascii=False).encode()) - 64
    doc["meta"]["x"] = json.loads("[" + ", ".join([filler] * (room // (len(filler.encode()) + 2))) + "]")
    raw = json.dumps(doc, ensure_ascii=False).encode()
    assert trace_io.MAX_MANIFEST - 1024 < len(raw) <= trace_io.MAX_MANIFEST
    return ht.zipped({**parts, "manifest.json": raw})


def directory_at_the_cap() -> bytes:
    """As many members as a trace may have, each an empty file with a name of eight characters."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in ht.members(ht.good_bytes()).items():
            zf.writestr(name, data)
        for k in range(trace_io.MAX_MEMBERS - 40):
            zf.writestr(f"x/{k:06x}", b"")
    return buf.getvalue()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak from /proc")
@pytest.mark.slow  # a file at the cap per case, about 10 s each
@pytest.mark.parametrize("case", ["short strings", "CJK characters", "emoji", "floats", "small objects",
                                  "zip bomb", "directory at the cap"])
def test_a_hostile_file_at_every_cap_stays_under_the_memory_bound(case, tmp_path):
    data = {"short strings": lambda: manifest_at_the_cap('"ab"'),
            "CJK characters": lambda: manifest_at_the_cap('"二"'),
            "emoji": lambda: manifest_at_the_cap('"\U0001F600"'),
            "floats": lambda: manifest_at_the_cap("0.5"),
            "small objects": lambda: manifest_at_the_cap('{"a": 0, "bb": 1, "c": 2}'),
            "zip bomb": lambda: ht.deflate_bomb(trace_io.MAX_MANIFEST),
            "directory at the cap": directory_at_the_cap}[case]()
    path = tmp_path / "hostile.trace"
    path.write_bytes(data)
    grown, outcome = peak_of_opening(path)
    assert grown < BOUND, f"{case}: {grown >> 20} MiB ({outcome})"
    # the manifests are well formed (their meta is free-form): they load, and still stay under the bound
    assert outcome.startswith("loaded" if case not in ("zip bomb",) else "refused"), outcome

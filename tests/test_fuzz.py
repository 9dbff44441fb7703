"""Bounded fuzzing of the two readers anyone can feed: the trace reader and the YAML reader.

A fuzzed trace either loads, and then every viewer reads every step of it without an error (the
table, each step with its matrices and cell working, JSON with values, narration in every
language, the Perfetto export), or it is refused with a TraceFileError. A fuzzed example file or
``--set`` either reads, or is refused with a TracerError. Nothing else may escape.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracer
import tracer.examples
from tests import hostile_traces as ht
from tests.tally import tally
from tracer import stepview, textview
from tracer.errors import TraceFileError, TracerError
from tracer.i18n import LANGUAGES, narrate
from tracer.safetext import json_line

DEEP = int(os.environ.get("TRACER_FUZZ_EXAMPLES", "0"))  # a longer, random run: TRACER_FUZZ_EXAMPLES=5000
FUZZ = settings(max_examples=DEEP or 120, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=not DEEP, database=None)
SCRATCH = Path(tempfile.mkdtemp(prefix="tracer-fuzz-"))


def exercise(trace: tracer.Trace) -> None:
    """Everything ``show``, ``show --json`` and ``export`` read, for every step."""
    textview.plain(stepview.step_table(trace, trace.steps))
    for step in trace.steps:
        textview.plain(stepview.step_view(trace, step, color=True))
        json_line(stepview.step_json(trace, step, values=True))
        for lang in LANGUAGES:
            narrate(trace, step, lang)
    tracer.io.export_perfetto(trace, SCRATCH / "fuzz.json")


def load_or_refuse(data: bytes) -> None:
    path = SCRATCH / "fuzz.trace"
    path.write_bytes(data)
    try:
        trace = tracer.load(path)
    except TraceFileError as e:
        assert "\n" not in str(e) and str(e).startswith(f"{path}: ")
        return
    tally("fuzzed traces that loaded (every step shown)")
    exercise(trace)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) |
    st.text(st.characters(codec="utf-8") | st.sampled_from(["\x1b", "\x9b", "\x07", "\ud800", "{", "}"]), max_size=8) |
    st.sampled_from(["{out}", "{0}", "{x:.4g}", "t0", "t1", "matmul", "forward"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in the manifest a value sits (objects by key, lists by index)."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for k, v in enumerate(doc[:40]):
            out += _paths(v, prefix + (k,))
    return out


GOOD = json.loads(ht.members(ht.good_bytes())["manifest.json"])
PLACES = [p for p in _paths(GOOD) if p]


@FUZZ
@given(place=st.sampled_from(PLACES), value=JSON)
def test_a_manifest_with_any_field_replaced_loads_whole_or_is_refused(place, value):
    doc = json.loads(json.dumps(GOOD))
    target = doc
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    tally("fuzzed manifests")
    load_or_refuse(ht.zipped({**ht.members(ht.good_bytes()), "manifest.json": json.dumps(doc).encode()}))


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255), st.sampled_from("flip cut add".split())),
                      min_size=1, max_size=4))
def test_a_trace_file_with_bytes_flipped_cut_or_added_loads_whole_or_is_refused(edits):
    data = bytearray(ht.good_bytes())
    for where, byte, how in edits:
        at = where % max(len(data), 1)
        if how == "flip":
            data[at] ^= byte or 1
        elif how == "cut":
            del data[at:at + byte]
        else:
            data[at:at] = bytes([byte]) * 3
    tally("fuzzed trace files")
    load_or_refuse(bytes(data))


NUMERIC = ["<f2", "<f4", "<f8", ">f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u8", "|b1"]


@pytest.mark.slow  # 120 fuzzed tensors shown
@FUZZ
@given(tensor=st.integers(0, len(GOOD["tensors"]) - 1), dtype=st.sampled_from(NUMERIC), data=st.data())
def test_any_numbers_of_any_numeric_type_are_shown(tensor, dtype, data):
    """A well-formed file may hold NaN, infinities, extremes, integers or booleans anywhere."""
    from hypothesis.extra.numpy import arrays

    entry = GOOD["tensors"][tensor]
    values = data.draw(arrays(dtype, tuple(entry["shape"])))
    doc = json.loads(json.dumps(GOOD))
    doc["tensors"][tensor]["dtype"] = values.dtype.str
    doc["tensors"][tensor].pop("stats", None)
    parts = {**ht.members(ht.good_bytes()), "manifest.json": json.dumps(doc).encode(), entry["file"]: ht.npy(values)}
    tally("fuzzed tensor values")
    load_or_refuse(ht.zipped(parts))


# ---- the YAML reader ---------------------------------------------------------------------------------
EXAMPLES = sorted(tracer.examples.EXAMPLES_DIR.glob("*.yaml"))
SCALARS = st.sampled_from(["1", "-1", "0", "1e9", "1000000000000", ".nan", "~", "[]", "{}", "[1, [2]]", "'x'",
                           "!!python/name:os.system", "*a", "&a 1", "|", ">", "- 1", "{a: 1", "\t", "\x1b", "二"])


@pytest.fixture(scope="module", autouse=True)
def small_budget():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACER_MEMORY_BUDGET", "256M")
        yield


def run_reader(text: str, overrides: list[str]) -> None:
    """Read (and estimate) an example: it reads, or a TracerError refuses it; nothing else escapes."""
    path = SCRATCH / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))  # a lone surrogate makes it not UTF-8
    try:
        name, cfg, where = tracer.examples.load_config(str(path), overrides)
        tracer.examples.check_memory(name, cfg, where)
    except TracerError:
        pass


@FUZZ
@given(example=st.sampled_from(EXAMPLES), line=st.integers(0, 200), value=SCALARS | st.text(max_size=10),
       keep_key=st.booleans())
def test_an_example_with_a_line_changed_reads_or_is_refused(example, line, value, keep_key):
    lines = example.read_text(encoding="utf-8").splitlines()
    k = line % len(lines)
    key, colon, _ = lines[k].partition(":")
    lines[k] = f"{key}: {value}" if keep_key and colon else value
    tally("fuzzed example files")
    run_reader("\n".join(lines) + "\n", [])


@FUZZ
@given(example=st.sampled_from(EXAMPLES),
       overrides=st.lists(st.tuples(st.sampled_from(["model.sizes.1", "training.steps", "training.lr", "weights.W1.0.0",
                                                      "model.d", "tokens.0", "system", "x.y.z", "training", "²", ""]),
                                    SCALARS | st.text(max_size=6)).map(lambda kv: f"{kv[0]}={kv[1]}"), max_size=3))
def test_any_set_reads_or_is_refused(example, overrides):
    tally("fuzzed --set lists")
    run_reader(example.read_text(encoding="utf-8"), overrides)

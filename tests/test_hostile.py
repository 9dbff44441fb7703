"""The hostile corpus: every bad file and argument of tests/hostile_traces.py and
tests/hostile_inputs.py gives its one line and exit code, no traceback, no memory blow-up, and
leaves every input as it was and no temporary file behind."""
from __future__ import annotations

import hashlib
import os
import pickle
import tracemalloc

import pytest
from click.testing import CliRunner

from tests import hostile_traces as ht
from tests.hostile_inputs import CASES, make
import tracer
from tests.tally import tally
from tracer.cli import main
from tracer.errors import TraceFileError

PEAK = 64 << 20  # bytes any of these small hostile inputs may make tracer allocate


def fingerprint(folder) -> dict[str, str]:
    """Every entry of the folder and what it holds (a pipe or a device by its kind only)."""
    out = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.islink(path):
            out[name] = "-> " + os.readlink(path)
        elif os.path.isfile(path):
            out[name] = hashlib.sha256(open(path, "rb").read()).hexdigest()
        else:
            out[name] = "special"
    return out


def invoke(args: list[str], folder, monkeypatch, env=None, traced=True):
    monkeypatch.chdir(folder)
    monkeypatch.setattr(main, "commands", dict(main.commands))  # a lazily added command stays this test's
    monkeypatch.setenv("TRACER_MEMORY_BUDGET", "1G")
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    before = fingerprint(folder)
    if traced:
        tracemalloc.start()
    try:
        result = CliRunner().invoke(main, args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert fingerprint(folder) == before  # no input changed, no output written, no temporary file left
    assert peak < PEAK, f"{peak >> 20} MiB"
    assert not (folder / "pwned.txt").exists()
    return result


@pytest.mark.parametrize("case", sorted(ht.cases()))
def test_a_hostile_trace_file_gives_its_one_line(case, tmp_path, monkeypatch):
    data, message = ht.cases()[case]
    (tmp_path / "x.trace").write_bytes(data)
    for args in (["show", "x.trace"], ["show", "x.trace", "--step", "2", "--json"],
                 ["export", "x.trace", "--perfetto", "x.json"], ["sheet", "x.trace", "-o", "x.pdf"]):
        result = invoke(args, tmp_path, monkeypatch)
        tally("hostile inputs")
        assert (result.exit_code, result.stderr, result.stdout) == (2, f"error: {message.replace('{f}', 'x.trace')}\n", "")


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_argument_or_example_gives_its_one_line(case, tmp_path, monkeypatch):
    c = CASES[case]
    (tmp_path / "good.trace").write_bytes(ht.good_bytes())
    make(tmp_path, c.files)
    result = invoke(c.args, tmp_path, monkeypatch, c.env, c.traced)
    tally("hostile inputs")
    message = c.message.replace("{d}", str(tmp_path))
    assert (result.exit_code, result.stderr, result.stdout) == (c.code, f"error: {message}\n", "")


def test_no_pickle_is_ever_loaded(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("unpickling attempted")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    for data, _ in ht.cases().values():
        (tmp_path / "x.trace").write_bytes(data)
        with pytest.raises(TraceFileError):
            tracer.load(tmp_path / "x.trace")


def test_the_corpus_is_large_enough():
    assert len(ht.cases()) + len(CASES) >= 80


def test_a_render_to_its_default_name_never_replaces_the_trace_it_reads(tmp_path, monkeypatch):
    import importlib

    from tests.trace_samples import mlp_trace

    render = importlib.import_module("scenes.render")  # the module (scenes.render is also a function)
    monkeypatch.setattr(render, "_render_chunk", lambda plan, chunk, path, *a, **kw: path.write_bytes(b"x") and path)
    monkeypatch.chdir(tmp_path)
    mlp_trace().save(tmp_path / "backprop.png")  # a trace whose file name is the render's default output
    before = (tmp_path / "backprop.png").read_bytes()
    trace = tracer.load("backprop.png")
    with pytest.raises(tracer.TracerError, match=r"^-o backprop.png: is the input .*backprop.png: refusing to overwrite it$"):
        render.render(trace, scene="backprop", fmt="png")
    assert (tmp_path / "backprop.png").read_bytes() == before and os.listdir(tmp_path) == ["backprop.png"]

"""Trace files: exact round trip, lazy arrays, atomic saves, Perfetto export (hostile files: test_hostile.py)."""
from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

import tracer
from tests.trace_samples import chain_trace, mixed_trace, mlp_trace
from tracer import io as trace_io
from tracer.errors import TraceFileError


def assert_same(a: tracer.Trace, b: tracer.Trace) -> None:
    assert b.meta == a.meta
    assert b.steps == a.steps  # every field: names, phases, parents, src, attrs, grad links
    assert list(b.tensors) == list(a.tensors)
    for tid, ra in a.tensors.items():
        rb = b.tensors[tid]
        assert (rb.name, rb.shape, rb.dtype, rb.kind, rb.producer, rb.grad_of, rb.version) == \
               (ra.name, ra.shape, ra.dtype, ra.kind, ra.producer, ra.grad_of, ra.version)
        assert rb.data.dtype == ra.data.dtype and rb.data.shape == ra.data.shape
        np.testing.assert_array_equal(rb.data, ra.data)


def test_round_trip_of_forward_backward_update_and_composite_steps(tmp_path):
    trace = mlp_trace()
    path = tmp_path / "mlp.trace"
    trace.save(path)
    again = tracer.load(path)
    assert_same(trace, again)
    phases = {s.phase for s in again.steps}
    assert phases == {"forward", "backward", "update"}
    linear = again.step("layer1.Z")
    assert [c.name for c in again.children(linear)] == ["layer1.Z.matmul", "layer1.Z.bias"]
    grad = again.step("layer2.P.grad")
    assert grad.grad_of == again.step("layer2.P").id
    W2 = again.step("layer2.P").inputs[0]
    assert again.tensors[grad.grad_map[W2]].data.tolist() == [[-16.0, -40.0, 0.0]]  # 2·(−4)·Hᵀ
    assert float(again.tensors[again.step("loss").outputs[0]].data) == 16.0
    assert again.step("W1.update").attrs == {"lr": 0.1}
    # the line each step points at travels with the trace, named from the project's folder, once
    src = again.step("layer2.P").src
    assert (src.file, src.code) == ("tests/trace_samples.py", 'P = tracer.matmul(W2, H, name="P")')
    with zipfile.ZipFile(path) as zf:
        sources = json.loads(zf.read("manifest.json"))["sources"]
    assert len(sources) == len({tuple(x) for x in sources}) == len({s.src for s in trace.steps})
    assert [src.file, src.line, src.code] in sources


def test_round_trip_of_every_dtype_and_memory_layout(tmp_path):
    trace = mixed_trace()
    trace.save(tmp_path / "mixed.trace")
    again = tracer.load(tmp_path / "mixed.trace")
    assert_same(trace, again)
    dtypes = {r.dtype for r in again.tensors.values()}
    assert {"|b1", "<f4", "<f8", "<i8"} <= dtypes
    assert again.meta == {"title": "mixed", "tags": ["a", "b"], "nested": {"k": 1.5}}


def test_a_saved_trace_is_an_ordinary_file_not_a_private_temp_file(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    mlp_trace().save(tmp_path / "a.trace")
    assert (tmp_path / "a.trace").stat().st_mode & 0o777 == 0o666 & ~umask
    os.chmod(tmp_path / "a.trace", 0o640)
    mlp_trace().save(tmp_path / "a.trace")  # replacing a file keeps its mode
    assert (tmp_path / "a.trace").stat().st_mode & 0o777 == 0o640


def test_saving_a_loaded_trace_again_gives_the_same_bytes(tmp_path):
    trace = mlp_trace()
    trace.save(tmp_path / "a.trace")
    tracer.load(tmp_path / "a.trace").save(tmp_path / "b.trace")
    assert (tmp_path / "a.trace").read_bytes() == (tmp_path / "b.trace").read_bytes()


def test_loading_reads_no_array_until_one_is_asked_for(tmp_path):
    trace = chain_trace(3)
    trace.save(tmp_path / "c.trace")
    again = tracer.load(tmp_path / "c.trace")
    assert all(callable(r._data) for r in again.tensors.values())
    first = again.steps[0].inputs[0]
    assert again.tensors[first].data.tolist() == [[0.5, -0.5], [0.25, 1.0]]
    loaded = [tid for tid, r in again.tensors.items() if not callable(r._data)]
    assert loaded == [first]


def test_large_arrays_are_memory_mapped_read_only(tmp_path):
    with tracer.record() as trace:
        big = tracer.tensor(np.arange(100_000, dtype=np.float64).reshape(1000, 100), name="big")
        (big * 2.0).sum(name="total")
    trace.save(tmp_path / "big.trace")
    data = tracer.load(tmp_path / "big.trace").tensors["t0"].data
    assert not data.flags.owndata and not data.flags.writeable
    assert isinstance(data.base, np.memmap)
    assert data[999, 99] == 99_999.0


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "keep.trace"
    mlp_trace().save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(trace_io.StoredZipWriter, "add", broken)
    with pytest.raises(TraceFileError, match="keep.trace: cannot save: No space left on device"):
        mixed_trace().save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.trace"]  # no temporary file left behind


def test_a_save_interrupted_by_an_exception_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(trace_io.StoredZipWriter, "add", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        mlp_trace().save(tmp_path / "new.trace")
    assert os.listdir(tmp_path) == []


def test_saving_into_a_missing_folder_is_a_one_line_error(tmp_path):
    with pytest.raises(TraceFileError, match="cannot write here"):
        mlp_trace().save(tmp_path / "no" / "such" / "x.trace")


def test_a_file_changed_after_opening_is_detected(tmp_path):
    path = tmp_path / "c.trace"
    chain_trace(2).save(path)
    again = tracer.load(path)
    mlp_trace().save(path)
    with pytest.raises(TraceFileError, match="changed on disk"):
        again.tensors["t0"].data


# ---- what cannot be saved ---------------------------------------------------------------------------
def test_saving_an_object_array_is_refused(tmp_path):
    trace = mlp_trace()
    trace.tensors["t0"]._data = np.array([None, 1], dtype=object)
    with pytest.raises(TraceFileError, match="not numeric"):
        trace.save(tmp_path / "x.trace")
    assert not (tmp_path / "x.trace").exists()


# ---- Perfetto ---------------------------------------------------------------------------------------
def test_perfetto_export_has_two_tracks_and_an_arrow_per_gradient_step(tmp_path):
    trace = mlp_trace()
    out = tmp_path / "mlp.json"
    trace_io.export_perfetto(trace, out)
    events = json.loads(out.read_text())["traceEvents"]
    slices = [e for e in events if e["ph"] == "X"]
    assert [e["name"] for e in slices] == [s.name for s in trace.steps]
    tracks = {e["cat"]: e["tid"] for e in slices}
    assert tracks["forward"] != tracks["backward"]
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {"forward", "backward"} <= names
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    ends = {e["id"]: e for e in events if e["ph"] == "f"}
    grads = [s for s in trace.steps if s.grad_of is not None]
    assert sorted(starts) == sorted(ends) == sorted(s.id for s in grads)
    by_ts = {(e["tid"], e["ts"]): e["name"] for e in slices}
    for s in grads:
        assert by_ts[(starts[s.id]["tid"], starts[s.id]["ts"])] == s.name
        assert by_ts[(ends[s.id]["tid"], ends[s.id]["ts"])] == trace.steps[s.grad_of].name
    linear = next(e for e in slices if e["name"] == "layer1.Z")
    matmul = next(e for e in slices if e["name"] == "layer1.Z.matmul")
    assert linear["ts"] <= matmul["ts"] and matmul["ts"] + matmul["dur"] <= linear["ts"] + linear["dur"]
    assert matmul["args"]["outputs"] == ["matmul (3, 1)"]
    assert "values" not in out.read_text()


# ---- the archive itself -------------------------------------------------------------------------------
def test_a_trace_is_an_ordinary_zip_of_npy_files_with_valid_checksums(tmp_path):
    with tracer.record() as trace:
        big = tracer.tensor(np.arange(300_000, dtype=np.float64).reshape(600, 500), name="big")  # CRC in a thread
        tracer.relu(big - 1000.0, name="H")
    path = tmp_path / "t.trace"
    trace.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        assert zf.namelist()[0] == "manifest.json"
        with zf.open("arrays/t0.npy") as fh:
            np.testing.assert_array_equal(np.load(fh, allow_pickle=False), trace.tensors["t0"].data)


def test_zip64_records_when_sizes_and_offsets_need_them(tmp_path, monkeypatch):
    from tracer import zipstore

    monkeypatch.setattr(zipstore, "ZIP64_LIMIT", 64)  # every member and offset past it: all ZIP64 paths
    trace = mlp_trace()
    path = tmp_path / "z64.trace"
    trace.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert all(i.file_size < 64 or i.extra for i in zf.infolist())
    assert_same(trace, tracer.load(path))


def test_axis_labels_and_composite_parts_survive_a_round_trip(tmp_path):
    with tracer.record() as trace:
        X = tracer.tensor([[1.0, 2.0], [3.0, 4.0]], name="X", rows=["f1", "f2"], cols=["Alps", "cat"])
        tracer.softmax(X, axis=0, name="P")
    trace.save(tmp_path / "l.trace")
    back = tracer.load(tmp_path / "l.trace")
    x = next(r for r in back.tensors.values() if r.name == "X")
    assert x.labels == (("f1", "f2"), ("Alps", "cat"))
    assert [s.part for s in back.steps] == [s.part for s in trace.steps]
    assert sorted(back.parts(back.step("P"))) == ["exp", "max", "probs", "shifted", "sum"]


def test_a_trace_too_large_for_a_file_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(trace_io, "MAX_MANIFEST", 4096)
    trace = chain_trace(20)
    with pytest.raises(TraceFileError, match=r"big.trace: cannot save: the manifest of 184 steps would take "
                                             r"\d+\.\d KiB, more than the 4.0 KiB a trace file may hold"):
        trace.save(tmp_path / "big.trace")
    assert list(tmp_path.iterdir()) == []

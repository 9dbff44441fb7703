"""Trace files: one ``.trace`` file holding a JSON manifest and one ``.npy`` per tensor.

The file is a zip archive stored uncompressed, so each array can be memory-mapped where it lies:
opening a trace reads the manifest and the arrays' headers only, and an array is read the first
time a viewer asks for it. Reading is safe by construction: nothing is ever unpickled, member
names may not escape the archive, every array's header must match the shape and dtype the manifest
declares, and every read is bounded by the file's own size. Writing is atomic: a temporary file in
the same folder, flushed to disk, then renamed over the target.

>>> import os, tempfile, tracer
>>> with tracer.record(title="tiny") as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")
>>> path = os.path.join(tempfile.mkdtemp(), "tiny.trace")
>>> trace.save(path)
>>> again = tracer.load(path)
>>> again.meta["title"], again.steps[0].name, again.tensors["t1"].data.tolist()
('tiny', 'H', [[1.0, 0.0]])
"""
from __future__ import annotations

import io
import json
import os
import struct
import tempfile
import threading
import zipfile
from typing import Any, Callable

import numpy as np

from .errors import TraceFileError
from .trace import PHASES, Source, Step, TensorRecord, Trace
from .zipstore import StoredZipWriter

SCHEMA = 1
FORMAT = "tracer-trace"
MANIFEST = "manifest.json"
MAX_MANIFEST = 256 << 20  # bytes: a manifest of a million steps fits; a zip bomb does not
MAX_NPY_HEADER = 1 << 16
MAX_SOURCE = 1 << 20  # a user's source file travels with the trace up to this size
SMALL_ARRAY = 1 << 16  # bytes: read smaller arrays outright, memory-map larger ones
DTYPE_KINDS = "biufc"  # bool, integers, floats, complex: never objects, never structured records


# ---- writing -------------------------------------------------------------------------------------
def save(trace: Trace, path: str | os.PathLike[str]) -> None:
    """Write ``trace`` to ``path`` atomically: a failed save leaves any previous file intact.

    The source files the steps point at are read now and travel in the file (``trace.sources``).
    """
    path = os.fspath(path)
    trace.sources = _collect_sources(trace)
    manifest = _manifest(trace)

    arrays = [(f"arrays/{r.id}.npy", _npy_parts(r.id, np.asarray(r.data))) for r in trace.tensors.values()]
    head = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    reserve = len(head) + sum(sum(memoryview(p).nbytes for p in parts) + 160 for _, parts in arrays)

    def write(fh: Any) -> None:
        with StoredZipWriter(fh, reserve=reserve) as zw:
            zw.add(MANIFEST, [head])
            for name, parts in arrays:
                zw.add(name, parts)

    atomic_write(path, write)


def atomic_write(path: str, write: Callable[[Any], None]) -> None:
    """Call ``write(fh)`` on a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise TraceFileError(f"{path}: cannot write here: {e.strerror or e}") from None
    try:
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private; a trace is an ordinary file
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        previous = _hold(path)
        os.replace(tmp, path)
        if previous is not None:  # freeing a replaced gigabyte takes a while: not on the caller's time
            threading.Thread(target=previous.close, daemon=True).start()
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and not isinstance(e, TraceFileError):
            raise TraceFileError(f"{path}: cannot save: {e.strerror or e}") from None
        raise


def _file_mode(path: str) -> int:
    """The mode of the file being replaced, else what ``open()`` would give a new one."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        pass
    try:  # Linux tells the umask without changing it
        with open("/proc/self/status", encoding="ascii") as fh:
            umask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def _hold(path: str) -> Any:
    """The file about to be replaced, kept open so that its space is released when it is closed."""
    if os.name != "posix":
        return None
    try:
        return open(path, "rb")
    except OSError:
        return None


def _npy_parts(tid: str, a: np.ndarray) -> list[Any]:
    """A ``.npy`` file as two buffers, its header and the array's own memory (no pickling, no copy)."""
    if a.dtype.kind not in DTYPE_KINDS or a.dtype.hasobject:
        raise TraceFileError(f"cannot save tensor {tid}: dtype {a.dtype} is not numeric")
    if not (a.flags.c_contiguous or a.flags.f_contiguous):
        a = np.ascontiguousarray(a)
    header = io.BytesIO()
    meta = np.lib.format.header_data_from_array_1_0(a)
    try:
        np.lib.format.write_array_header_1_0(header, meta)
    except ValueError:  # a header longer than 64 KiB needs format 2.0
        header = io.BytesIO()
        np.lib.format.write_array_header_2_0(header, meta)
    body = a.T if meta["fortran_order"] else a  # C-contiguous either way
    return [header.getvalue(), memoryview(np.ascontiguousarray(body).reshape(-1).view(np.uint8))]


def _collect_sources(trace: Trace) -> dict[str, str]:
    """The text of each source file the steps point at; texts already in the trace are kept."""
    sources = dict(trace.sources)
    for file in dict.fromkeys(s.src.file for s in trace.steps if s.src is not None):
        if file in sources or not os.path.isfile(file):
            continue
        try:
            if os.path.getsize(file) <= MAX_SOURCE:
                with open(file, encoding="utf-8", errors="replace") as fh:
                    sources[file] = fh.read()
        except OSError:
            pass  # the trace is still useful without its source text
    return sources


def _manifest(trace: Trace) -> dict[str, Any]:
    from . import __version__
    from .ops.core import plain

    tensors = []
    for r in trace.tensors.values():
        entry = {"id": r.id, "name": r.name, "shape": list(r.shape), "dtype": np.dtype(r.dtype).str,
                 "kind": r.kind, "producer": r.producer, "grad_of": r.grad_of, "version": r.version,
                 "file": f"arrays/{r.id}.npy"}
        if r._stats is not None:
            entry["stats"] = r._stats
        if r.labels is not None:
            entry["labels"] = [None if n is None else list(n) for n in r.labels]
        tensors.append(entry)
    steps = [{"id": s.id, "phase": s.phase, "op": s.op, "name": s.name, "inputs": s.inputs,
              "outputs": s.outputs, "attrs": s.attrs, "parent": s.parent, "depth": s.depth,
              "src": None if s.src is None else {"file": s.src.file, "line": s.src.line, "code": s.src.code},
              "formula": s.formula, "narration": s.narration, "grad_of": s.grad_of,
              "grad_map": s.grad_map, "nonfinite": s.nonfinite, "part": s.part} for s in trace.steps]
    return {"format": FORMAT, "schema": SCHEMA, "tracer": __version__, "meta": plain(trace.meta),
            "tensors": tensors, "steps": steps, "sources": trace.sources}


# ---- reading -------------------------------------------------------------------------------------
def load(path: str | os.PathLike[str]) -> Trace:
    """Open a ``.trace`` file: the manifest now, each array on first access.

    Raises
    ------
    TraceFileError
        The file is missing, not a trace, truncated, hostile or of an unknown schema version.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            try:
                with zipfile.ZipFile(fh) as zf:
                    return _read(path, fh, zf, stat)
            except zipfile.BadZipFile:
                raise TraceFileError(f"{path}: not a trace file (not a zip archive, or truncated)") from None
            except (EOFError, struct.error, ValueError, OverflowError, NotImplementedError) as e:
                raise TraceFileError(f"{path}: corrupt trace file ({e})") from None
    except FileNotFoundError:
        raise TraceFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TraceFileError(f"{path}: is a directory, not a trace file") from None
    except TraceFileError:
        raise
    except OSError as e:
        raise TraceFileError(f"{path}: cannot read: {e.strerror or e}") from None


def _read(path: str, fh: Any, zf: zipfile.ZipFile, stat: os.stat_result) -> Trace:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if not _safe_name(info.filename):
            raise TraceFileError(f"{path}: member name {info.filename!r} escapes the archive")
        if info.filename in members:
            raise TraceFileError(f"{path}: member {info.filename!r} appears twice")
        if info.flag_bits & 1:
            raise TraceFileError(f"{path}: member {info.filename!r} is encrypted")
        members[info.filename] = info
    if MANIFEST not in members:
        raise TraceFileError(f"{path}: not a trace file (no {MANIFEST})")
    if members[MANIFEST].file_size > MAX_MANIFEST:
        raise TraceFileError(f"{path}: {MANIFEST} is larger than {MAX_MANIFEST >> 20} MiB")
    with zf.open(MANIFEST) as m:
        raw = m.read(MAX_MANIFEST + 1)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise TraceFileError(f"{path}: {MANIFEST} is not valid JSON ({str(e).splitlines()[0]})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise TraceFileError(f"{path}: not a trace file ({MANIFEST} is not a tracer manifest)")
    if doc.get("schema") != SCHEMA:
        raise TraceFileError(f"{path}: schema version {doc.get('schema')!r} is not supported "
                             f"(this tracer reads version {SCHEMA})")
    try:
        return _build(path, fh, members, doc, stat)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        detail = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise TraceFileError(f"{path}: malformed manifest: {detail}") from None


def _safe_name(name: str) -> bool:
    """A member name that stays inside the archive: relative, no ``..``, no backslash, no drive."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name or ":" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.rstrip("/").split("/"))


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


def _is_int(v: Any) -> bool:
    return type(v) is int


def _build(path: str, fh: Any, members: dict[str, zipfile.ZipInfo], doc: dict, stat: os.stat_result) -> Trace:
    trace = Trace(doc["meta"])
    _check(isinstance(doc["meta"], dict), "meta is not an object")
    sources = doc["sources"]
    _check(isinstance(sources, dict) and all(isinstance(v, str) for v in sources.values()),
           "sources is not an object of texts")
    trace.sources = dict(sources)
    for t in doc["tensors"]:
        rec = _tensor(path, fh, members, t, stat)
        _check(rec.id not in trace.tensors, f"tensor {rec.id} appears twice")
        trace.tensors[rec.id] = rec
    n_steps = len(doc["steps"])
    for k, s in enumerate(doc["steps"]):
        trace.steps.append(_step(s, k, n_steps, trace.tensors))
    for rec in trace.tensors.values():
        _check(rec.producer is None or rec.producer < n_steps, f"tensor {rec.id}: no producer step {rec.producer}")
        _check(rec.grad_of is None or rec.grad_of in trace.tensors, f"tensor {rec.id}: grad_of {rec.grad_of!r} is unknown")
    return trace


def _tensor(path: str, fh: Any, members: dict[str, zipfile.ZipInfo], t: dict, stat: os.stat_result) -> TensorRecord:
    tid = t["id"]
    _check(isinstance(tid, str) and isinstance(t["name"], str) and isinstance(t["kind"], str),
           f"tensor {tid!r}: id, name and kind must be text")
    shape = t["shape"]
    _check(isinstance(shape, list) and all(_is_int(n) and n >= 0 for n in shape), f"tensor {tid}: bad shape")
    try:
        dtype = np.dtype(t["dtype"]) if isinstance(t["dtype"], str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in DTYPE_KINDS or dtype.hasobject:
        raise TraceFileError(f"{path}: tensor {tid}: dtype {t['dtype']!r} is not allowed "
                             "(numeric arrays only; nothing is unpickled)")
    _check(t["producer"] is None or (_is_int(t["producer"]) and t["producer"] >= 0), f"tensor {tid}: bad producer")
    _check(t["grad_of"] is None or isinstance(t["grad_of"], str), f"tensor {tid}: bad grad_of")
    _check(_is_int(t["version"]), f"tensor {tid}: bad version")
    name = t["file"]
    if not isinstance(name, str) or name not in members:
        raise TraceFileError(f"{path}: tensor {tid}: its array {name!r} is missing")
    offset = _locate_array(path, fh, members[name], tid, tuple(shape), dtype, stat.st_size)
    labels = t.get("labels")
    _check(labels is None or (isinstance(labels, list) and len(labels) == len(shape) and all(
        n is None or (isinstance(n, list) and len(n) == size and all(isinstance(x, str) for x in n))
        for n, size in zip(labels, shape))), f"tensor {tid}: bad labels")
    rec = TensorRecord(tid, t["name"], tuple(shape), dtype.str, t["kind"], t["producer"], t["grad_of"],
                       t["version"], None if labels is None else tuple(None if n is None else tuple(n) for n in labels),
                       _loader(path, stat, offset, tuple(shape), dtype, name))
    stats = t.get("stats")
    if isinstance(stats, dict) and all(isinstance(v, (int, float)) for v in stats.values()):
        rec._stats = dict(stats)
    return rec


def _locate_array(path: str, fh: Any, info: zipfile.ZipInfo, tid: str, shape: tuple[int, ...],
                  dtype: np.dtype, file_size: int) -> tuple[int, bool]:
    """Check a member's ``.npy`` header against the manifest; return (data offset, fortran order)."""
    where = f"{path}: tensor {tid} ({info.filename})"
    if info.compress_type != zipfile.ZIP_STORED:
        raise TraceFileError(f"{where}: array is compressed (trace arrays are stored uncompressed)")
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise TraceFileError(f"{where}: corrupt local header")
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    start = info.header_offset + 30 + n_name + n_extra
    if start + info.file_size > file_size:
        raise TraceFileError(f"{where}: the file is truncated")
    fh.seek(start)
    try:
        version = np.lib.format.read_magic(fh)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        stored_shape, fortran, stored_dtype = reader(fh, max_header_size=MAX_NPY_HEADER)
    except (ValueError, SyntaxError, EOFError) as e:
        raise TraceFileError(f"{where}: not a valid .npy array ({str(e).splitlines()[0]})") from None
    if stored_dtype.hasobject or stored_dtype.kind not in DTYPE_KINDS:
        raise TraceFileError(f"{where}: holds an array of dtype {stored_dtype} (refused: only numeric "
                             "arrays are read, nothing is unpickled)")
    if tuple(stored_shape) != shape or stored_dtype != dtype:
        raise TraceFileError(f"{where}: the manifest declares {shape} {dtype} but the array is "
                             f"{tuple(stored_shape)} {stored_dtype}")
    data_start = fh.tell()
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if data_start - start + nbytes != info.file_size:
        raise TraceFileError(f"{where}: holds {info.file_size - (data_start - start)} bytes of data, "
                             f"the declared shape {shape} needs {nbytes}")
    return data_start, bool(fortran)


def _loader(path: str, stat: os.stat_result, where: tuple[int, bool], shape: tuple[int, ...],
            dtype: np.dtype, member: str) -> Callable[[], np.ndarray]:
    """A zero-argument function reading one array on first access (bounded, never unpickling)."""
    full = os.path.abspath(path)
    offset, fortran = where
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    order = "F" if fortran else "C"

    def read() -> np.ndarray:
        try:
            now = os.stat(full)
        except OSError as e:
            raise TraceFileError(f"{path}: cannot read {member}: {e.strerror or e}") from None
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (stat.st_ino, stat.st_size, stat.st_mtime_ns):
            raise TraceFileError(f"{path}: the file changed on disk since it was opened")
        if nbytes == 0:
            return np.empty(shape, dtype, order=order)
        if nbytes > SMALL_ARRAY:
            return np.asarray(np.memmap(full, dtype=dtype, mode="r", offset=offset, shape=shape, order=order))
        with open(full, "rb") as fh:
            fh.seek(offset)
            buf = fh.read(nbytes)
        if len(buf) != nbytes:
            raise TraceFileError(f"{path}: {member} is truncated")
        return np.frombuffer(buf, dtype=dtype).reshape(shape, order=order)

    return read


def _step(s: dict, k: int, n_steps: int, tensors: dict[str, TensorRecord]) -> Step:
    _check(s["id"] == k and _is_int(s["id"]), f"step {k}: id {s['id']!r} is out of order")
    _check(s["phase"] in PHASES, f"step {k}: unknown phase {s['phase']!r}")
    for key in ("op", "name", "formula", "narration"):
        _check(isinstance(s[key], str), f"step {k}: {key} is not text")
    for key in ("inputs", "outputs"):
        _check(isinstance(s[key], list) and all(isinstance(t, str) and t in tensors for t in s[key]),
               f"step {k}: {key} name unknown tensors")
    _check(isinstance(s["attrs"], dict), f"step {k}: attrs is not an object")
    _check(s["parent"] is None or (_is_int(s["parent"]) and 0 <= s["parent"] < k), f"step {k}: bad parent")
    _check(_is_int(s["depth"]) and s["depth"] >= 0, f"step {k}: bad depth")
    _check(s["grad_of"] is None or (_is_int(s["grad_of"]) and 0 <= s["grad_of"] < n_steps), f"step {k}: bad grad_of")
    grad_map = s["grad_map"]
    _check(isinstance(grad_map, dict) and all(a in tensors and isinstance(b, str) and b in tensors
                                              for a, b in grad_map.items()), f"step {k}: bad grad_map")
    _check(_is_int(s["nonfinite"]), f"step {k}: bad nonfinite")
    part = s.get("part")
    _check(part is None or isinstance(part, str), f"step {k}: bad part")
    src = s["src"]
    if src is not None:
        _check(isinstance(src, dict) and isinstance(src["file"], str) and _is_int(src["line"])
               and isinstance(src["code"], str), f"step {k}: bad src")
        src = Source(src["file"], src["line"], src["code"])
    return Step(k, s["phase"], s["op"], s["name"], list(s["inputs"]), list(s["outputs"]), s["attrs"],
                s["parent"], s["depth"], src, s["formula"], s["narration"], s["grad_of"], dict(grad_map),
                s["nonfinite"], part)


# ---- other formats ------------------------------------------------------------------------------
def export_perfetto(trace: Trace, path: str | os.PathLike[str]) -> None:
    """Write the step timeline as Chrome trace-event JSON for https://ui.perfetto.dev (see
    :mod:`tracer.perfetto`)."""
    from .perfetto import export

    export(trace, path)

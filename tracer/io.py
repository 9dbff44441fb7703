"""Trace files: one ``.trace`` file holding a JSON manifest and one ``.npy`` per tensor.

The file is a zip archive stored uncompressed, so each array can be memory-mapped where it lies:
opening a trace reads the manifest and the arrays' headers, and an array is read the first time a
viewer asks for it. Writing is atomic (:func:`tracer.files.atomic_write`), and the same trace
always gives the same bytes.

Reading assumes the file is hostile. It opens a regular file only; refuses an archive directory
of more than 32 768 members or 4 MiB, and a manifest of more than 8 MiB or denser in objects
and lists than any trace writes, before reading either; reads every member up to the size the
directory declares and no further; checks every field of the manifest (:mod:`tracer.manifest`);
checks every array's ``.npy`` header against the shape and dtype the manifest declares and its
bytes against the archive's CRC-32 (all arrays at once when they total at most 256 MiB, else each
on first access), so a flipped byte is reported with the tensor's name. Members may not overlap
or escape the archive, and nothing is ever unpickled. See docs/security.md for the bounds.

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
import lzma
import os
import re
import struct
import zipfile
import zlib
from typing import Any, Callable, NamedTuple

import numpy as np

from .budget import human
from .errors import ManifestError, TraceFileError, TracerError
from .files import atomic_write, open_regular
from .manifest import array_member, build, check_manifest, to_manifest
from .trace import TensorRecord, Trace
from .zipstore import StoredZipWriter

MANIFEST = "manifest.json"
# A hostile file within these bounds makes tracer use at most about 200 MB besides the arrays a
# command shows (JSON becomes up to ~16 times its size as Python objects): docs/security.md.
MAX_MANIFEST = 8 << 20    # bytes: about 14 000 steps
MAX_MEMBERS = 32_768      # tensors, each one member of the archive
MAX_DIRECTORY = 4 << 20   # bytes of the archive's central directory
BYTES_PER_CONTAINER = 24  # a trace's manifest has one object or list per ~70 bytes; a JSON bomb one per 2
MAX_NPY_HEADER = 1 << 16
SMALL_ARRAY = 1 << 16     # bytes: read smaller arrays outright, memory-map larger ones
EAGER_CHECK = 256 << 20   # bytes of arrays checksummed when the file is opened (more: on first access)
CHUNK = 1 << 20
_CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error, ValueError, OverflowError,
            NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError, OSError)


# ---- writing -------------------------------------------------------------------------------------
def save(trace: Trace, path: str | os.PathLike[str]) -> None:
    """Write ``trace`` to ``path`` atomically: a failed save leaves any previous file intact."""
    path = os.fspath(path)
    head = json.dumps(to_manifest(trace), ensure_ascii=False).encode("utf-8")
    if len(head) > MAX_MANIFEST:
        raise TraceFileError(f"{path}: cannot save: the manifest of {len(trace.steps)} steps would take "
                             f"{human(len(head))}, more than the {human(MAX_MANIFEST)} a trace file may hold "
                             "(record fewer steps)")
    if len(trace.tensors) > MAX_MEMBERS:
        raise TraceFileError(f"{path}: cannot save: {len(trace.tensors)} tensors, more than the "
                             f"{MAX_MEMBERS} a trace file may hold (record fewer steps)")
    arrays = [(array_member(r.id), _npy_parts(r.id, np.asarray(r.data))) for r in trace.tensors.values()]
    reserve = len(head) + sum(sum(memoryview(p).nbytes for p in parts) + 160 for _, parts in arrays)

    def write(fh: Any) -> None:
        with StoredZipWriter(fh, reserve=reserve) as zw:
            zw.add(MANIFEST, [head])
            for name, parts in arrays:
                zw.add(name, parts)

    atomic_write(path, write)


def _npy_parts(tid: str, a: np.ndarray) -> list[Any]:
    """A ``.npy`` file as two buffers, its header and the array's own memory (no pickling, no copy)."""
    if a.dtype.kind not in "biuf" or a.dtype.hasobject:
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


# ---- reading -------------------------------------------------------------------------------------
def load(path: str | os.PathLike[str]) -> Trace:
    """Open a ``.trace`` file: the manifest now, each array on first access.

    Raises
    ------
    TraceFileError
        The file is missing, not a trace, truncated, corrupt, hostile or of an unknown schema
        version: one line naming the file, and the step, tensor and field at fault.
    """
    path = os.fspath(path)
    with open_regular(path, TraceFileError) as fh:
        stat = os.fstat(fh.fileno())
        try:
            _check_directory(path, fh)
            with zipfile.ZipFile(fh) as zf:
                return _read(path, fh, zf, stat)
        except ManifestError as e:
            raise TraceFileError(f"{path}: {e}") from None
        except TracerError:
            raise
        except zipfile.BadZipFile:
            raise TraceFileError(f"{path}: not a trace file (not a zip archive, or truncated)") from None
        except _CORRUPT as e:
            raise TraceFileError(f"{path}: corrupt trace file ({_first_line(e)})") from None


def _check_directory(path: str, fh: Any) -> None:
    """Refuse an archive whose directory is too large before :mod:`zipfile` reads it."""
    end = zipfile._EndRecData(fh)  # the very end record ZipFile reads next
    if end is None:
        raise zipfile.BadZipFile
    count, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if count > MAX_MEMBERS or size > MAX_DIRECTORY:
        raise TraceFileError(f"{path}: the archive lists {count} members in {size} bytes, more than a "
                             f"trace file may ({MAX_MEMBERS} members, {MAX_DIRECTORY >> 20} MiB)")


class Member(NamedTuple):
    """One archive member: its directory entry and where its bytes start in the file."""

    info: zipfile.ZipInfo
    start: int


def _read(path: str, fh: Any, zf: zipfile.ZipFile, stat: os.stat_result) -> Trace:
    members = _members(path, fh, zf, stat.st_size)
    if MANIFEST not in members:
        raise TraceFileError(f"{path}: not a trace file (no {MANIFEST})")
    meta, entries, steps, _ = check_manifest(_manifest(path, zf, members[MANIFEST].info))
    arrays: dict[str, Member] = {}
    for t in entries:
        member = members.get(array_member(t["id"]))
        if member is None:
            raise TraceFileError(f"{path}: tensor {t['id']}: its array {array_member(t['id'])!r} is missing")
        arrays[t["id"]] = member
    checked = sum(m.info.file_size for m in arrays.values()) <= EAGER_CHECK
    records = []
    for t in entries:
        member = arrays[t["id"]]
        if member.info.compress_type != zipfile.ZIP_STORED or member.info.compress_size != member.info.file_size:
            raise TraceFileError(f"{path}: tensor {t['id']} ({member.info.filename}): array is compressed "
                                 "(trace arrays are stored uncompressed)")
        if checked:  # before the header: a damaged header reads as damage, not as a strange header
            _check_crc(path, fh, member, t["id"])
        layout = _check_header(path, fh, member, t)
        records.append(TensorRecord(t["id"], t["name"], t["shape"], t["dtype"].str, t["kind"], t["producer"],
                                    t["grad_of"], t["version"], t["labels"],
                                    _loader(path, stat, layout, t, member, checked), t["stats"]))
    trace = build(meta, steps, records)
    trace.origin = os.path.abspath(path)
    return trace


def _members(path: str, fh: Any, zf: zipfile.ZipFile, file_size: int) -> dict[str, Member]:
    """The archive's members by name: inside the archive, listed once, not encrypted, each within
    the file and clear of the next (overlapping members would let one byte count many times)."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if not _safe_name(info.filename):
            raise TraceFileError(f"{path}: member name {info.filename!r} escapes the archive")
        if info.filename in infos:
            raise TraceFileError(f"{path}: member {info.filename!r} appears twice")
        if info.flag_bits & 1:
            raise TraceFileError(f"{path}: member {info.filename!r} is encrypted")
        infos[info.filename] = info
    if len(infos) > MAX_MEMBERS:
        raise TraceFileError(f"{path}: the archive lists more than {MAX_MEMBERS} members")
    ordered = sorted(infos.values(), key=lambda i: i.header_offset)
    members = {}
    for info, after in zip(ordered, ordered[1:] + [None]):
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise TraceFileError(f"{path}: member {info.filename!r}: corrupt local header")
        n_name, n_extra = struct.unpack("<HH", head[26:30])
        start = info.header_offset + 30 + n_name + n_extra
        if start + info.compress_size > (file_size if after is None else after.header_offset):
            raise TraceFileError(f"{path}: member {info.filename!r} overlaps "
                                 + ("the end of the file" if after is None else f"member {after.filename!r}"))
        members[info.filename] = Member(info, start)
    return members


def _manifest(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    """The manifest's JSON, read up to its declared size and no further."""
    if info.file_size > MAX_MANIFEST:
        raise TraceFileError(f"{path}: {MANIFEST} is larger than {MAX_MANIFEST >> 20} MiB")
    chunks, left = [], info.file_size
    try:
        with zf.open(info) as m:
            while left > 0:
                chunk = m.read(min(left, 1 << 16))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
    except zipfile.BadZipFile as e:
        raise TraceFileError(f"{path}: {MANIFEST} is corrupt ({e})") from None
    if left:
        raise TraceFileError(f"{path}: {MANIFEST} is truncated")
    raw = b"".join(chunks)
    del chunks
    containers = raw.count(b"{") + raw.count(b"[")
    if containers > 64 + len(raw) // BYTES_PER_CONTAINER:
        raise TraceFileError(f"{path}: {MANIFEST} is not a trace's manifest ({containers} objects and "
                             f"lists in {len(raw)} bytes)")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise TraceFileError(f"{path}: {MANIFEST} is not valid JSON ({str(e).splitlines()[0]})") from None


def _safe_name(name: str) -> bool:
    """A member name that stays inside the archive: relative, no ``..``, no backslash, no drive."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name or ":" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.rstrip("/").split("/"))


def _check_header(path: str, fh: Any, member: Member, t: dict) -> tuple[int, bool]:
    """Check a member's ``.npy`` header against the manifest; return (data offset, fortran order)."""
    info, start = member
    shape, dtype = t["shape"], t["dtype"]
    where = f"{path}: tensor {t['id']} ({info.filename})"
    fh.seek(start)
    try:
        version = np.lib.format.read_magic(fh)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        stored_shape, fortran, stored_dtype = reader(fh, max_header_size=MAX_NPY_HEADER)
    except Exception as e:  # NumPy's header parser on bytes anyone wrote: any failure is a bad header
        reason = re.sub(r"<ast\.(\w+) object at 0x[0-9a-f]+>", r"a Python \1", _first_line(e))  # no addresses
        raise TraceFileError(f"{where}: not a valid .npy array ({reason})") from None
    if stored_dtype.hasobject or stored_dtype.kind not in "biuf":
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


def _first_line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e).strip() else type(e).__name__


def _check_crc(path: str, fh: Any, member: Member, tid: str) -> None:
    """The member's bytes against the CRC-32 the archive's directory records for them."""
    info, start = member
    fh.seek(start)
    crc, left = 0, info.file_size
    while left > 0:
        chunk = fh.read(min(left, CHUNK))
        if not chunk:
            break
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    if left or crc != info.CRC:
        raise TraceFileError(f"{path}: tensor {tid} ({info.filename}): the array's bytes do not match their "
                             "checksum (the file is corrupt)")


def _loader(path: str, stat: os.stat_result, layout: tuple[int, bool], t: dict, member: Member,
            checked: bool) -> Callable[[], np.ndarray]:
    """A zero-argument function reading one array on first access (bounded, never unpickling)."""
    full = os.path.abspath(path)
    offset, fortran = layout
    shape, dtype = t["shape"], t["dtype"]
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    order = "F" if fortran else "C"

    def read() -> np.ndarray:
        with open_regular(full, TraceFileError) as fh:
            now = os.fstat(fh.fileno())
            if (now.st_ino, now.st_size, now.st_mtime_ns) != (stat.st_ino, stat.st_size, stat.st_mtime_ns):
                raise TraceFileError(f"{path}: the file changed on disk since it was opened")
            if not checked:
                _check_crc(path, fh, member, t["id"])
            if nbytes == 0:
                return np.empty(shape, dtype, order=order)
            if nbytes > SMALL_ARRAY:
                return np.asarray(np.memmap(fh, dtype=dtype, mode="r", offset=offset, shape=shape, order=order))
            fh.seek(offset)
            buf = fh.read(nbytes)
        if len(buf) != nbytes:
            raise TraceFileError(f"{path}: {member.info.filename} is truncated")
        return np.frombuffer(buf, dtype=dtype).reshape(shape, order=order)

    return read


# ---- other formats ------------------------------------------------------------------------------
def export_perfetto(trace: Trace, path: str | os.PathLike[str]) -> None:
    """Write the step timeline as Chrome trace-event JSON for https://ui.perfetto.dev (see
    :mod:`tracer.perfetto`)."""
    from .perfetto import export

    export(trace, path)

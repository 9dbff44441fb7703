"""Hostile and broken trace files, made at test time from one good trace: each with the exact line
``tracer show`` must print (after ``error: ``) and exit with code 2.

``{f}`` in a message is the file's name as given on the command line. The cases are of three
kinds: what a file system can hand over instead of a file, archives that lie (sizes, offsets,
checksums, names), and manifests whose fields were tampered with, one field at a time.
"""
from __future__ import annotations

import functools
import io
import json
import os
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np

import tracer


class Evil:
    """Unpickling this would run a shell command: the loader must never get that far."""

    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def good_trace() -> tracer.Trace:
    """26 steps: a composite (linear), relu, step, softmax (with children), sum, reshape, a slice,
    mse, the backward pass and an SGD update; attributes of every common kind."""
    with tracer.record(title="corpus") as trace:
        W = tracer.param([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]], name="W")
        X = tracer.tensor([[3.0], [1.0]], name="X", rows=["a", "b"])
        H = tracer.relu(tracer.linear(W, X, name="Z"), name="H")
        tracer.step(H, threshold=1.0, name="S")
        tracer.sum(tracer.softmax(H, axis=0, name="P"), axis=0, keepdims=True, name="T")
        R = tracer.reshape(H, shape=[1, 3], name="R")
        R[:, 1:]  # noqa: B018 (a slice step)
        tracer.mse(R, tracer.tensor([[1.0, 2.0, 3.0]], name="Y"), name="L").backward()
        tracer.SGD([W], lr=0.1).step()
    trace.steps  # noqa: B018 (formulas filled in)
    return trace


@functools.lru_cache(maxsize=1)
def good_bytes() -> bytes:
    """The good trace as saved."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "good.trace"
        good_trace().save(path)
        return path.read_bytes()


@functools.lru_cache(maxsize=1)
def cases() -> dict[str, tuple[bytes, str]]:
    """Every hostile trace file: name -> (bytes, the message after ``error: ``)."""
    return {**archive_cases(good_bytes()), **manifest_cases(good_bytes())}


# ---- archive surgery ----------------------------------------------------------------------------
def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def zipped(parts: dict[str, bytes], deflate: frozenset[str] = frozenset()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data, zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED)
    return buf.getvalue()


def manifest(data: bytes) -> dict:
    return json.loads(members(data)["manifest.json"])


def edited(data: bytes, edit: Callable[[dict], Any]) -> bytes:
    """The good file with its manifest changed by ``edit(doc)`` (arrays as they were)."""
    doc = manifest(data)
    edit(doc)
    return zipped({**members(data), "manifest.json": json.dumps(doc).encode()})


def _central(data: bytes, name: str) -> int:
    at = data.index(b"PK\x01\x02")  # the first entry (arrays hold no such bytes: small floats)
    while True:
        n_name, n_extra, n_comment = struct.unpack("<HHH", data[at + 28:at + 34])
        if data[at + 46:at + 46 + n_name] == name.encode():
            return at
        at += 46 + n_name + n_extra + n_comment


def patched(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite fields of ``name``'s central directory entry (the directory lies, the data not)."""
    offsets = {"flags": (8, "<H"), "crc": (16, "<I"), "compress_size": (20, "<I"), "file_size": (24, "<I"),
               "header_offset": (42, "<I")}
    out = bytearray(data)
    at = _central(data, name)
    for key, value in fields.items():
        off, fmt = offsets[key]
        struct.pack_into(fmt, out, at + off, value)
    return bytes(out)


def end_patched(data: bytes, entries: int | None = None, cd_size: int | None = None) -> bytes:
    out = bytearray(data)
    at = data.rindex(b"PK\x05\x06")
    if entries is not None:
        struct.pack_into("<HH", out, at + 8, entries, entries)
    if cd_size is not None:
        struct.pack_into("<I", out, at + 12, cd_size)
    return bytes(out)


def npy(a: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=allow_pickle)
    return buf.getvalue()


def zip64_claiming(parts: dict[str, bytes], count: int) -> tuple[bytes, str]:
    """The members written with ZIP64 end records, the record claiming ``count`` members."""
    from tracer import zipstore

    buf = io.BytesIO()
    limit, zipstore.ZIP64_LIMIT = zipstore.ZIP64_LIMIT, 16  # every offset "needs" ZIP64
    try:
        with zipstore.StoredZipWriter(buf) as zw:
            for name, data in parts.items():
                zw.add(name, [data])
    finally:
        zipstore.ZIP64_LIMIT = limit
    out = bytearray(buf.getvalue())
    at = out.rindex(b"PK\x06\x06")
    struct.pack_into("<QQ", out, at + 24, count, count)
    size = struct.unpack_from("<Q", out, at + 40)[0]
    return bytes(out), (f"{{f}}: the archive lists {count} members in {size} bytes, more than a trace file "
                        "may (32768 members, 4 MiB)")


def npy_text(fields: str, n_data: int) -> bytes:
    """A version 1.0 ``.npy`` member whose header dictionary ends with ``fields``."""
    header = ("{'descr': '<f8', 'fortran_order': False, " + fields + "}").encode("latin-1")
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * n_data


def deflate_bomb(declared: int) -> bytes:
    """A manifest member that declares ``declared`` bytes and inflates to 200 MB of zeros."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = b"\0" * (1 << 20)
    raw = b"".join(comp.compress(zeros) for _ in range(200)) + comp.flush()
    name = b"manifest.json"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, 0, len(raw), declared, len(name), 0)
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, 0, len(raw), declared,
                          len(name), 0, 0, 0, 0, 0, 0)
    body = local + name + raw
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), len(body), 0)
    return body + central + name + end


# ---- the cases -------------------------------------------------------------------------------------
def step_of(doc: dict, op: str, phase: str = "forward") -> dict:
    return next(s for s in doc["steps"] if s["op"] == op and s["phase"] == phase)


def tensor_of(doc: dict, name: str) -> dict:
    return next(t for t in doc["tensors"] if t["name"] == name)


def setter(path: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict], None]:
    return lambda doc: path(doc).__setitem__(key, value)


FIRST = (lambda d: d["tensors"][0])
STEP0 = (lambda d: d["steps"][0])


def archive_cases(good: bytes) -> dict[str, tuple[bytes, str]]:
    """Files that are not what they claim: name -> (bytes, the message after ``error: ``)."""
    parts = members(good)
    first = "arrays/t0.npy"
    flipped = bytearray(good)
    at = good.index(parts["arrays/t1.npy"]) + len(parts["arrays/t1.npy"]) - 3
    flipped[at] ^= 0x01
    last = sorted(zipfile.ZipFile(io.BytesIO(good)).infolist(), key=lambda i: i.header_offset)[-1].filename
    nested = b'{"a": ' * 5000 + b"1" + b"}" * 5000
    return {
        "empty file": (b"", "{f}: not a trace file (not a zip archive, or truncated)"),
        "text file": (b"hello, I am not a trace\n", "{f}: not a trace file (not a zip archive, or truncated)"),
        "random bytes": (np.random.default_rng(0).bytes(4096), "{f}: not a trace file (not a zip archive, or truncated)"),
        "first half": (good[: len(good) // 2], "{f}: not a trace file (not a zip archive, or truncated)"),
        "last byte cut": (good[:-1], "{f}: not a trace file (not a zip archive, or truncated)"),
        "200000 members claimed": zip64_claiming(parts, 200_000),
        "directory of 100 MiB claimed": (end_patched(good, cd_size=100 << 20),
                                         "{f}: the archive lists 27 members in 104857600 bytes, more than a "
                                         "trace file may (32768 members, 4 MiB)"),
        "manifest declares 3 GiB": (patched(good, "manifest.json", file_size=3 << 30),
                                    "{f}: manifest.json is larger than 8 MiB"),
        "zip bomb declaring 1 KiB": (deflate_bomb(1024), "{f}: manifest.json is corrupt (Bad CRC-32 for file "
                                                         "'manifest.json')"),
        "zip bomb declaring 20 MiB": (deflate_bomb(20 << 20), "{f}: manifest.json is larger than 8 MiB"),
        "manifest checksum wrong": (patched(good, "manifest.json", crc=12345),
                                    "{f}: manifest.json is corrupt (Bad CRC-32 for file 'manifest.json')"),
        "no manifest": (zipped({k: v for k, v in parts.items() if k != "manifest.json"}),
                        "{f}: not a trace file (no manifest.json)"),
        "manifest not JSON": (zipped({**parts, "manifest.json": b"{not json"}),
                              "{f}: manifest.json is not valid JSON (Expecting property name enclosed in double "
                              "quotes: line 1 column 2 (char 1))"),
        "manifest not UTF-8": (zipped({**parts, "manifest.json": b'{"format": "\xff"}'}),
                               "{f}: manifest.json is not valid JSON ('utf-8' codec can't decode byte 0xff in "
                               "position 12: invalid start byte)"),
        "manifest a JSON bomb": (zipped({**parts, "manifest.json": b"[" * 100_000 + b"]" * 100_000}),
                                 "{f}: manifest.json is not a trace's manifest (100000 objects and lists in "
                                 "200000 bytes)"),
        "manifest nested 5000 deep": (zipped({**parts, "manifest.json": nested}),
                                      "{f}: manifest.json is not a trace's manifest (5000 objects and lists in "
                                      f"{len(nested)} bytes)"),
        "manifest a list": (zipped({**parts, "manifest.json": b"[1, 2]"}),
                            "{f}: manifest: expected an object, got a list"),
        "member escapes with ..": (zipped({**parts, "../../evil.npy": npy(np.zeros(2))}),
                                   "{f}: member name '../../evil.npy' escapes the archive"),
        "absolute member": (zipped({**parts, "/tmp/evil.npy": npy(np.zeros(2))}),
                            "{f}: member name '/tmp/evil.npy' escapes the archive"),
        "backslash member": (zipped({**parts, "arrays\\..\\..\\evil": b"x"}),
                             "{f}: member name 'arrays\\\\..\\\\..\\\\evil' escapes the archive"),
        "drive letter member": (zipped({**parts, "C:evil": b"x"}), "{f}: member name 'C:evil' escapes the archive"),
        "member listed twice": (_twice(parts, first), f"{{f}}: member '{first}' appears twice"),
        "encrypted member": (patched(good, first, flags=1), f"{{f}}: member '{first}' is encrypted"),
        "members overlap": (patched(good, "arrays/t1.npy", header_offset=_offset(good, first)),
                            f"{{f}}: member '{first}' overlaps member 'arrays/t1.npy'"),
        "member past the end": (patched(good, last, compress_size=10 << 20, file_size=10 << 20),
                                f"{{f}}: member '{last}' overlaps the end of the file"),
        "compressed array": (zipped(parts, deflate=frozenset({first})),
                             f"{{f}}: tensor t0 ({first}): array is compressed (trace arrays are stored uncompressed)"),
        "pickled object array": (zipped({**parts, first: npy(np.array([Evil()], dtype=object), allow_pickle=True)}),
                                 f"{{f}}: tensor t0 ({first}): holds an array of dtype object (refused: only "
                                 "numeric arrays are read, nothing is unpickled)"),
        "array of another shape": (zipped({**parts, first: npy(np.zeros((2, 3)))}),
                                   f"{{f}}: tensor t0 ({first}): the manifest declares (3, 2) float64 but the "
                                   "array is (2, 3) float64"),
        "array of another dtype": (zipped({**parts, first: npy(np.zeros((3, 2), np.float32))}),
                                   f"{{f}}: tensor t0 ({first}): the manifest declares (3, 2) float64 but the "
                                   "array is (3, 2) float32"),
        "array without .npy magic": (zipped({**parts, first: b"\x93NUMPX" + parts[first][6:]}),
                                     f"{{f}}: tensor t0 ({first}): not a valid .npy array (the magic string is "
                                     "not correct; expected b'\\x93NUMPY', got b'\\x93NUMPX')"),
        "array header of 70 dimensions": (zipped({**parts, first: npy_text(f"'shape': {(1,) * 70}", 8)}),
                                          f"{{f}}: tensor t0 ({first}): the manifest declares (3, 2) float64 but the "
                                          f"array is {(1,) * 70} float64"),
        "array header an expression": (zipped({**parts, first: npy_text("'shape': (3, 2), 'x': __import__('os')", 48)}),
                                       f"{{f}}: tensor t0 ({first}): not a valid .npy array (malformed node or "
                                       "string on line 1: a Python Call)"),
        "array data cut short": (zipped({**parts, first: parts[first][:-16]}),
                                 f"{{f}}: tensor t0 ({first}): holds 32 bytes of data, the declared shape (3, 2) "
                                 "needs 48"),
        "array member missing": (zipped({k: v for k, v in parts.items() if k != "arrays/t3.npy"}),
                                 "{f}: tensor t3: its array 'arrays/t3.npy' is missing"),
        "a flipped byte in an array": (bytes(flipped), "{f}: tensor t1 (arrays/t1.npy): the array's bytes do not "
                                                       "match their checksum (the file is corrupt)"),
    }


def _offset(data: bytes, name: str) -> int:
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset


def _twice(parts: dict[str, bytes], name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
        zf.writestr(zipfile.ZipInfo(name), parts[name])  # zipfile warns, and writes it again
    return buf.getvalue()


def manifest_cases(good: bytes) -> dict[str, tuple[bytes, str]]:
    """One tampered field each: name -> (bytes, the message after ``error: ``)."""
    doc = manifest(good)
    n_src = len(doc["sources"])
    X = tensor_of(doc, "X")["id"]

    def deep(depth: int) -> Any:
        value: Any = 1
        for _ in range(depth):
            value = {"k": value, "padding": "x" * 40}
        return value

    def twice(d: dict) -> None:
        d["tensors"].append(dict(d["tensors"][0]))

    def step(k: int, key: str, value: Any) -> Callable[[dict], None]:
        return setter(lambda d: d["steps"][k], key, value)

    def attrs(k: int, key: str, value: Any) -> Callable[[dict], None]:
        return setter(lambda d: d["steps"][k]["attrs"], key, value)

    def tensor(key: str, value: Any, which: Callable[[dict], dict] = FIRST) -> Callable[[dict], None]:
        return setter(which, key, value)

    def unknown_op(d: dict) -> None:
        d["steps"][2]["op"] = "frobnicate"
        d["steps"][2]["attrs"] = {"how": {"deep": 1}}

    edits: dict[str, tuple[Callable[[dict], Any], str]] = {
        "format is another tool's": (setter(lambda d: d, "format", "zip-of-cats"), "manifest: not a tracer manifest"),
        "schema version 99": (setter(lambda d: d, "schema", 99),
                              "schema version 99 is not supported (this tracer reads versions 1, 2)"),
        "schema version true": (setter(lambda d: d, "schema", True),
                                "schema version True is not supported (this tracer reads versions 1, 2)"),
        "meta missing": (lambda d: d.pop("meta"), "manifest: missing field 'meta'"),
        "meta a list": (setter(lambda d: d, "meta", [1]), "meta: expected an object, got a list"),
        "meta nested 40 deep": (setter(lambda d: d["meta"], "x", deep(40)), "meta: nested deeper than 32"),
        "meta title a number": (setter(lambda d: d["meta"], "title", 7), "meta.title: expected text, got a whole number"),
        "meta story not an object": (setter(lambda d: d["meta"], "story", [1]),
                                     "meta: the trace's story: story is not an object"),
        "meta story past the last step": (setter(lambda d: d["meta"], "story", {
            "title": {"en": "t"}, "chapters": [{"title": {"en": "c"}, "steps": [0, 999]}]}),
            "meta.story.chapters[0].steps: step 999 is not in the trace"),
        "label names a list": (setter(lambda d: d["meta"], "label_names", ["weather"]),
                               "meta.label_names: expected a mapping of labels, got a list"),
        "label names in an unknown language": (setter(lambda d: d["meta"], "label_names", {"go": {"xx": "y"}}),
                                               "meta.label_names.go: unknown language 'xx' (one of en, zh-Hant, zh-Hans, vi)"),
        "label name a number": (setter(lambda d: d["meta"], "label_names", {"go": {"vi": 7}}),
                                "meta.label_names.go.vi: expected text, got a whole number"),
        "label name of 300 characters": (setter(lambda d: d["meta"], "label_names", {"go": {"vi": "đ" * 300}}),
                                         "meta.label_names.go.vi: expected a text of 1 to 256 characters"),
        "label names for 5000 labels": (setter(lambda d: d["meta"], "label_names",
                                               {f"w{k}": {"vi": "t" * 60} for k in range(5000)}),
                                        "meta.label_names: 5000 labels, more than the 4096 a table may translate"),
        "tensors an object": (setter(lambda d: d, "tensors", {}), "tensors: expected a list, got an object"),
        "tensor id with ESC": (tensor("id", "t\x1b[2J"), "tensors[0].id: expected letters, digits and _ (at most 64)"),
        "tensor id a path": (tensor("id", "../../x"), "tensors[0].id: expected letters, digits and _ (at most 64)"),
        "tensor listed twice": (twice, "tensor t0: appears twice"),
        "tensor of 70 dimensions": (tensor("shape", [1] * 70), "tensor t0: shape: more than 32 entries"),
        "tensor of negative size": (tensor("shape", [-3, 2]), "tensor t0: shape[0]: -3 is outside 0..2147483647"),
        "tensor of fractional size": (tensor("shape", [1.5, 2]),
                                      "tensor t0: shape[0]: expected a whole number, got a number"),
        "tensor of 2**40 rows": (tensor("shape", [1 << 40, 0]),
                                 "tensor t0: shape[0]: 1099511627776 is outside 0..2147483647"),
        "object dtype": (tensor("dtype", "|O"),
                         "tensor t0: dtype: '|O' is not allowed (numeric arrays only; nothing is unpickled)"),
        "void dtype": (tensor("dtype", "|V8"),
                       "tensor t0: dtype: '|V8' is not allowed (numeric arrays only; nothing is unpickled)"),
        "record dtype": (tensor("dtype", "<f8,<i4"),
                         "tensor t0: dtype: '<f8,<i4' is not allowed (numeric arrays only; nothing is unpickled)"),
        "dtype a list": (tensor("dtype", ["<f8"]),
                         "tensor t0: dtype: ['<f8'] is not allowed (numeric arrays only; nothing is unpickled)"),
        "unknown kind": (tensor("kind", "weird"),
                         "tensor t0: kind: 'weird' is not one of input, param, activation, grad, const, state"),
        "array file elsewhere": (tensor("file", "/etc/passwd"), "tensor t0: file: expected 'arrays/t0.npy'"),
        "tensor name null": (tensor("name", None), "tensor t0: name: expected text, got null"),
        "tensor name a lone surrogate": (tensor("name", "\ud800"),
                                         "tensor t0: name: holds an unpaired surrogate (not Unicode text)"),
        "tensor name of 5000 characters": (tensor("name", "n" * 5000), "tensor t0: name: longer than 4096 characters"),
        "producer that did not produce it": (tensor("producer", 3), "tensor t0: producer: step 3 does not output this tensor"),
        "producer past the end": (tensor("producer", 10**6),
                                  "tensor t0: producer: step 1000000 does not output this tensor"),
        "gradient of nothing": (tensor("grad_of", "nope"), "tensor t0: grad_of: no tensor 'nope'"),
        "negative version": (tensor("version", -1), "tensor t0: version: -1 is outside 0..4611686018427387904"),
        "labels for one axis of two": (tensor("labels", [["a", "b"]], lambda d: tensor_of(d, "X")),
                                       f"tensor {X}: labels: expected one entry per axis (2)"),
        "labels not text": (tensor("labels", [[1, 2], None], lambda d: tensor_of(d, "X")),
                            f"tensor {X}: labels[0]: expected text, got a whole number"),
        "labels one short": (tensor("labels", [["a"], None], lambda d: tensor_of(d, "X")),
                             f"tensor {X}: labels[0]: expected 2 names, one per position"),
        "stats without max": (tensor("stats", {"min": 0, "mean": 0, "nan": 0, "inf": 0}),
                              "tensor t0: stats: missing field 'max'"),
        "stats of text": (tensor("stats", {"min": "0", "max": 0, "mean": 0, "nan": 0, "inf": 0}),
                          "tensor t0: stats.min: expected a finite number, got text"),
        "steps an object": (setter(lambda d: d, "steps", {}), "steps: expected a list, got an object"),
        "step a number": (lambda d: d["steps"].__setitem__(0, 7), "steps[0]: expected an object, got a whole number"),
        "step without a name": (lambda d: d["steps"][2].pop("name"), "step 2: missing field 'name'"),
        "step ids out of order": (step(0, "id", 5), "step 0: id: 5 is out of order"),
        "step in no phase": (step(2, "phase", "sideways"), "step 2: phase: 'sideways' is not one of forward, backward, update"),
        "op with ESC": (step(2, "op", "relu\x1b]0;owned\x07"), "step 2: op: expected an op name"),
        "input that does not exist": (step(2, "inputs", ["nope"]), "step 2: inputs: no tensor 'nope'"),
        "outputs an object": (step(2, "outputs", {}), "step 2: outputs: expected a list, got an object"),
        "parent after the child": (step(1, "parent", 5), "step 1: parent: 5 is outside 0..0"),
        "depth that does not follow": (step(1, "depth", 3), "step 1: depth: 3 does not follow from its parent"),
        "part at the top level": (step(2, "part", "matmul"), "step 2: part: a top-level step plays no part"),
        "part the composite lacks": (step(1, "part", "bogus"),
                                     "step 1: part: 'bogus' is not one of the parts of linear (matmul, bias_column, "
                                     "bias)"),
        "child of a primitive": (lambda d: d["steps"][3].update(parent=2, depth=1),
                                 "step 3: parent: step 2 (relu) is not a composite op"),
        "gradient of a later step": (step(22, "grad_of", 23), "step 22: grad_of: 23 is outside 0..21"),
        "gradient of another op": (step(22, "grad_of", 3), "step 22: grad_of: step 3 is not a forward relu step"),
        "gradient map to nothing": (step(22, "grad_map", {"nope": "t5"}),
                                    "step 22: grad_map: 'nope': 't5' names unknown tensors"),
        "attrs a list": (step(3, "attrs", [1]), "step 3: attrs: expected an object, got a list"),
        "attribute colliding with a placeholder": (attrs(2, "x", "{out}"), "step 2: attrs: relu takes no attribute 'x'"),
        "attribute 'omitted' on a primitive": (attrs(2, "omitted", 5), "step 2: attrs: relu takes no attribute 'omitted'"),
        "threshold of text": (attrs(3, "threshold", "high"), "step 3: attrs.threshold: expected a number, got text"),
        "axis of text": (attrs(4, "axis", "rows"), "step 4: attrs.axis: expected a whole number, got text"),
        "axis 99": (attrs(4, "axis", 99), "step 4: attrs.axis: 99 is outside -32..31"),
        "keepdims of text": (attrs(10, "keepdims", "yes"), "step 10: attrs.keepdims: expected true or false, got text"),
        "reshape to a fraction": (attrs(11, "shape", [1.5, 2]), "step 11: attrs.shape[0]: expected a whole number, got a number"),
        "slice of a function": (attrs(12, "index", [{"call": "os.system"}]),
                                "step 12: attrs.index[0]: not a subscript (whole numbers, slices, ..., arrays)"),
        "omitted input of another op": (attrs(0, "omitted", ["bias_of_doom"]),
                                        "step 0: attrs.omitted: expected a list of the inputs of linear (W, X, b)"),
        "learning rate of text": (attrs(25, "lr", "fast"), "step 25: attrs.lr: expected a number, got text"),
        "unknown op with an object attribute": (unknown_op,
                                                "step 2: attrs.how: expected a number, text, true/false or a list, "
                                                "got an object"),
        "source out of range": (step(0, "src", 99), f"step 0: src: 99 is outside 0..{n_src - 1}"),
        "source inline in schema 2": (step(0, "src", {"file": "x.py", "line": 1, "code": ""}),
                                      "step 0: src: expected a whole number, got an object"),
        "negative NaN count": (step(0, "nonfinite", -1), "step 0: nonfinite: -1 is outside 0..4611686018427387904"),
        "formula a list": (step(0, "formula", ["x"]), "step 0: formula: expected text, got a list"),
        "narration of 70000 characters": (step(0, "narration", "n" * 70_000),
                                          "step 0: narration: longer than 65536 characters"),
        "source entry of two fields": (lambda d: d["sources"].__setitem__(0, ["x.py", 1]),
                                       "sources[0]: expected [file, line, code]"),
        "source line 0": (lambda d: d["sources"].__setitem__(0, ["x.py", 0, "x"]),
                          "sources[0].line: 0 is outside 1..1000000000"),
        "schema 1 sources not texts": (lambda d: d.update(schema=1, sources={"a.py": 5}),
                                       "sources['a.py']: expected text, got a whole number"),
    }
    return {name: (edited(good, edit), "{f}: " + message) for name, (edit, message) in edits.items()}

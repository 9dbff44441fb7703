"""A writer of uncompressed (stored) zip archives, as fast as writing the bytes themselves.

:mod:`zipfile` computes each member's CRC-32 and writes its bytes one after the other; for a trace
of a gigabyte the CRC alone costs as much as the write. Here the CRC of a large member runs in a
second thread while its bytes go to disk (both release the GIL), and the local header's CRC field
is patched afterwards. The file's space is reserved up front, as ``np.save`` does. Any zip reader
(:mod:`zipfile` included) reads the result; ZIP64 records are written when sizes or offsets need
them.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with StoredZipWriter(buf) as zw:
...     zw.add("a.txt", [b"hello ", b"world"])
>>> zf = zipfile.ZipFile(buf)
>>> zf.read("a.txt"), zf.testzip()
(b'hello world', None)
"""
from __future__ import annotations

import os
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
ZIP64_END = struct.Struct("<IQHHIIQQQQ")
ZIP64_LOCATOR = struct.Struct("<IIQI")
END = struct.Struct("<IHHHHIIH")
ZIP64_LIMIT = 0xFFFFFFFF  # sizes and offsets from here on need ZIP64 records
DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01: the same trace always makes the same bytes
PARALLEL_CRC = 1 << 20  # bytes: smaller members are checksummed inline


def _crc(parts: Sequence[Any]) -> int:
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    return crc


class StoredZipWriter:
    """Write members to a seekable binary file ``fh``; ``close()`` writes the central directory.

    ``reserve`` is the expected archive size in bytes: the space is allocated at once (when the
    platform can) and the file is cut to its real length at the end.
    """

    def __init__(self, fh: Any, reserve: int = 0) -> None:
        self.fh = fh
        self.start = fh.tell()
        self.entries: list[tuple[bytes, int, int, int]] = []  # name, offset, size, crc
        self.pool: ThreadPoolExecutor | None = None
        if reserve and hasattr(os, "posix_fallocate"):
            try:
                fh.flush()
                os.posix_fallocate(fh.fileno(), self.start, reserve)
            except (OSError, AttributeError, ValueError):
                pass  # a file system without fallocate (or not a real file): write as usual

    def __enter__(self) -> StoredZipWriter:
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        if kind is None:
            self.close()
        elif self.pool is not None:
            self.pool.shutdown()

    def add(self, name: str, parts: Sequence[Any]) -> None:
        """One member made of ``parts`` (bytes or buffers such as a memoryview of an array)."""
        raw = name.encode("ascii")
        offset = self.fh.tell() - self.start
        size = sum(memoryview(p).nbytes for p in parts)
        large = size >= ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, size) if large else b""
        stored = 0xFFFFFFFF if large else size
        pending = None
        if size >= PARALLEL_CRC:
            self.pool = self.pool or ThreadPoolExecutor(1, thread_name_prefix="crc32")
            pending = self.pool.submit(_crc, parts)
            crc = 0
        else:
            crc = _crc(parts)
        self.fh.write(LOCAL.pack(0x04034B50, 45 if large else 20, 0, 0, 0, DOS_DATE, crc, stored, stored,
                                 len(raw), len(extra)) + raw + extra)
        for part in parts:
            self.fh.write(part)
        if pending is not None:
            crc = pending.result()
            end = self.fh.tell()
            self.fh.seek(self.start + offset + 14)
            self.fh.write(struct.pack("<I", crc))
            self.fh.seek(end)
        self.entries.append((raw, offset, size, crc))

    def close(self) -> None:
        """Write the central directory and the end records; cut the file to its length."""
        if self.pool is not None:
            self.pool.shutdown()
        cd_offset = self.fh.tell() - self.start
        for raw, offset, size, crc in self.entries:
            fields = []
            if size >= ZIP64_LIMIT:
                fields += [size, size]
            if offset >= ZIP64_LIMIT:
                fields.append(offset)
            extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
            stored = 0xFFFFFFFF if size >= ZIP64_LIMIT else size
            version = 45 if fields else 20
            self.fh.write(CENTRAL.pack(0x02014B50, (3 << 8) | version, version, 0, 0, 0, DOS_DATE, crc,
                                       stored, stored, len(raw), len(extra), 0, 0, 0, 0o644 << 16,
                                       0xFFFFFFFF if offset >= ZIP64_LIMIT else offset) + raw + extra)
        cd_end = self.fh.tell() - self.start
        cd_size, count = cd_end - cd_offset, len(self.entries)
        if count >= 0xFFFF or cd_size >= ZIP64_LIMIT or cd_offset >= ZIP64_LIMIT:
            self.fh.write(ZIP64_END.pack(0x06064B50, 44, 45, 45, 0, 0, count, count, cd_size, cd_offset))
            self.fh.write(ZIP64_LOCATOR.pack(0x07064B50, 0, cd_end, 1))
            count, cd_size, cd_offset = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF  # "see the ZIP64 record"
        self.fh.write(END.pack(0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0))
        self.fh.truncate()

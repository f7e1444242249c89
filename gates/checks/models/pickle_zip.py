"""Reading zip members the way ``torch.load`` does: ignoring flag bits and CRCs.

``zipfile`` refuses a member whose "encrypted" bit is set and raises on a bad CRC, while
torch's reader ignores both; scanners built on ``zipfile`` were bypassed that way. Here the
central directory comes from ``zipfile`` but member bytes are read straight from the local
header's data, inflated with ``zlib`` and bounded by the declared size and the budget.
"""

from __future__ import annotations

import bz2
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Protocol

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_CHUNK = 64 * 1024

ENCRYPTED_FLAG = 0x1


class Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


class MemberError(Exception):
    """The member's bytes cannot be located or decompressed."""


class _InflatingRaw(io.RawIOBase):
    """Raw bytes ``[start, start+length)`` of a file, optionally run through a decompressor."""

    def __init__(
        self,
        fileobj: IO[bytes],
        start: int,
        length: int,
        out_limit: int,
        make_decompressor: Callable[[], Decompressor] | None,
    ) -> None:
        super().__init__()
        self._file = fileobj
        self._next = start
        self._end = start + length
        self._out_left = out_limit
        self._decompressor = make_decompressor() if make_decompressor else None
        self._pending = b""

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        want = min(len(buffer), self._out_left)
        data = b""
        while want > 0 and not data:
            if self._decompressor is None:
                data = self._read_compressed(want)
                if not data:
                    break
            else:
                if not self._pending:
                    self._pending = self._read_compressed(_CHUNK)
                    if not self._pending:
                        break
                try:
                    data = self._decompressor.decompress(self._pending, want)
                except (zlib.error, OSError, EOFError, lzma.LZMAError) as exc:
                    raise MemberError(f"compressed data is corrupt: {exc}") from exc
                tail = getattr(self._decompressor, "unconsumed_tail", b"")
                self._pending = tail
        count = len(data)
        buffer[:count] = data
        self._out_left -= count
        return count

    def _read_compressed(self, size: int) -> bytes:
        size = min(size, self._end - self._next)
        if size <= 0:
            return b""
        self._file.seek(self._next)
        chunk = self._file.read(size)
        self._next += len(chunk)
        return chunk


def _decompressor_for(method: int) -> Callable[[], Decompressor] | None:
    if method == zipfile.ZIP_STORED:
        return None
    if method == zipfile.ZIP_DEFLATED:
        return lambda: zlib.decompressobj(-15)
    if method == zipfile.ZIP_BZIP2:
        return _Bz2Adapter
    raise MemberError(f"compression method {method} is not supported by the scanner")


class _Bz2Adapter:
    """bz2's decompressor keeps its own tail; give it the zlib-style call shape."""

    def __init__(self) -> None:
        self._inner = bz2.BZ2Decompressor()
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        out = self._inner.decompress(data, max_length)
        self.unconsumed_tail = b""
        return out


def open_member(open_container: Callable[[], IO[bytes]], info: zipfile.ZipInfo) -> IO[bytes]:
    """A buffered stream of one member's decompressed bytes, whatever its flag bits say.

    Output stops at the declared size; callers count what they read against the budget.
    """
    fileobj = open_container()
    try:
        fileobj.seek(info.header_offset)
        header = fileobj.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise MemberError("its local header is missing or corrupt")
        fields = _LOCAL_HEADER.unpack(header)
        name_len, extra_len = fields[9], fields[10]
        start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
        if info.compress_type == zipfile.ZIP_LZMA:
            # zipfile knows LZMA's zip-specific properties header; clear flags it would refuse.
            fileobj.close()
            return _lzma_member(open_container, info)
        raw = _InflatingRaw(
            fileobj, start, info.compress_size, info.file_size, _decompressor_for(info.compress_type)
        )
    except BaseException:
        fileobj.close()
        raise
    return io.BufferedReader(raw, buffer_size=_CHUNK)


def _lzma_member(open_container: Callable[[], IO[bytes]], info: zipfile.ZipInfo) -> IO[bytes]:
    relaxed = zipfile.ZipInfo(info.filename)
    for attr in ("compress_type", "compress_size", "file_size", "header_offset", "CRC", "extra"):
        setattr(relaxed, attr, getattr(info, attr))
    relaxed.flag_bits = info.flag_bits & ~(ENCRYPTED_FLAG | 0x40 | 0x20)
    archive = zipfile.ZipFile(open_container())
    try:
        return archive.open(relaxed)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, lzma.LZMAError) as exc:
        raise MemberError(str(exc)) from exc
    except BaseException:
        archive.close()
        raise


def open_window(open_container: Callable[[], IO[bytes]], start: int, length: int) -> IO[bytes]:
    """A buffered stream of ``length`` stored bytes at ``start`` (a tar member's data)."""
    raw = _InflatingRaw(open_container(), start, length, length, None)
    return io.BufferedReader(raw, buffer_size=_CHUNK)

"""Recognising model and pickle containers by their first bytes, and parsing small headers.

Extensions lie (a pickle named ``weights.bin`` or ``config.txt`` loads just the same), so
the kind of a file comes from its content. Each check reads at most the prefix; headers
(``.npy``, safetensors) are parsed as data (``ast.literal_eval``, ``json``), never run.
"""

from __future__ import annotations

import ast
import json
import pickletools
import re
import struct
import zlib
from enum import Enum

from gates.records import frozen_record

PREFIX_BYTES = 4096
# Names that promise a pickle: a decoding failure there is corruption, not "some other format".
PICKLE_SUFFIXES = frozenset({".pkl", ".pickle", ".joblib", ".dill", ".pck", ".pcl", ".p"})

LFS_SPEC_PREFIXES = (b"version https://git-lfs.github.com/spec/", b"version https://hawser.github.com/spec/")
# Every opcode byte: the unpickler accepts any of them first (no PROTO header needed).
_OPCODE_BYTES = frozenset(op.code.encode("latin-1")[0] for op in pickletools.opcodes)
_MAX_HEADER_BYTES = 100 * 1024 * 1024
# The legacy (pre-zip) torch format starts with a pickle of this number.
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class Kind(str, Enum):
    PICKLE = "pickle"
    PICKLE_HEADERLESS = "pickle-without-header"
    ZIP = "zip"
    TAR = "tar"
    NPY = "npy"
    SAFETENSORS = "safetensors"
    LFS_POINTER = "lfs-pointer"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    LZMA = "lzma"
    ZLIB = "zlib"


COMPRESSED_KINDS = frozenset({Kind.GZIP, Kind.BZIP2, Kind.XZ, Kind.LZMA, Kind.ZLIB})


def sniff(prefix: bytes) -> Kind | None:
    """The container kind of a file from its first bytes, or None when it holds no model.

    ``PICKLE_HEADERLESS`` is only a candidate: ``pickle.load`` accepts a stream that starts with
    any opcode and ignores whatever follows STOP, so most text files start like one. The
    caller confirms it by walking the opcodes (text fails within a few bytes).
    """
    if prefix.startswith(LFS_SPEC_PREFIXES):
        return Kind.LFS_POINTER
    if prefix.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Kind.ZIP
    if prefix.startswith(b"\x93NUMPY"):
        return Kind.NPY
    # Before the pickle check: a header length like 0x0280 also starts with 0x80 0x02.
    if _looks_like_safetensors(prefix):
        return Kind.SAFETENSORS
    if len(prefix) >= 2 and prefix[0] == 0x80 and prefix[1] <= 5:  # PROTO 0-5, all loadable
        return Kind.PICKLE
    if prefix.startswith(b"\x1f\x8b"):
        return Kind.GZIP
    if prefix.startswith(b"BZh") and prefix[3:4].isdigit():
        return Kind.BZIP2
    if prefix.startswith(b"\xfd7zXZ\x00"):
        return Kind.XZ
    # The legacy .lzma ("alone") header: properties 0x5D, then a little-endian dictionary size.
    if prefix[:3] == b"\x5d\x00\x00" and is_valid_lzma_alone_start(prefix):
        return Kind.LZMA
    if prefix[257:262] == b"ustar":
        return Kind.TAR
    zlib_header = len(prefix) >= 2 and prefix[0] == 0x78 and (prefix[0] * 256 + prefix[1]) % 31 == 0
    if zlib_header and is_valid_zlib_start(prefix):
        return Kind.ZLIB
    if prefix and prefix[0] in _OPCODE_BYTES:
        return Kind.PICKLE_HEADERLESS
    return None


def _looks_like_safetensors(prefix: bytes) -> bool:
    if len(prefix) < 10:
        return False
    (header_len,) = struct.unpack("<Q", prefix[:8])
    return 2 <= header_len <= _MAX_HEADER_BYTES and prefix[8:9] == b"{"


def is_valid_zlib_start(prefix: bytes) -> bool:
    """A zlib stream header that really decompresses (0x78 followed by a checksum is common)."""
    try:
        zlib.decompressobj().decompress(prefix[:64])
    except zlib.error:
        return False
    return True


def is_valid_lzma_alone_start(prefix: bytes) -> bool:
    import lzma

    try:
        lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(prefix[:256], max_length=64)
    except lzma.LZMAError:
        return False
    return True


# ---- Git LFS pointers -------------------------------------------------------------------


@frozen_record
class LfsPointer:
    oid: str
    size: int | None


def parse_lfs_pointer(text: bytes) -> LfsPointer:
    oid, size = "unknown", None
    for line in text.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        if key == "oid":
            oid = value.strip()
        elif key == "size" and value.strip().isdigit():
            size = int(value.strip())
    return LfsPointer(oid, size)


# ---- numpy .npy -------------------------------------------------------------------------


class FormatError(Exception):
    """A header that does not parse; the message says what is wrong."""


@frozen_record
class NpyHeader:
    data_offset: int
    descr: object
    shape: tuple[int, ...]
    has_object: bool

    def expected_data_bytes(self) -> int | None:
        """Bytes of array data after the header, when the dtype is a simple one."""
        if self.has_object or not isinstance(self.descr, str):
            return None
        match = re.fullmatch(r"[<>|=]?([a-zA-Z?])(\d+)(\[\w+\])?", self.descr)
        if not match:
            return None
        itemsize = int(match.group(2)) * (4 if match.group(1) == "U" else 1)
        count = 1
        for dim in self.shape:
            count *= dim
        return count * itemsize


def _descr_has_object(descr: object) -> bool:
    if isinstance(descr, str):
        return bool(re.fullmatch(r"[<>|=]?O\d*", descr))
    if isinstance(descr, (list, tuple)):
        return any(_descr_has_object(item) for item in descr)
    return False


def npy_header_end(prefix: bytes) -> int:
    """Where the ``.npy`` header ends (where the array data or the object pickle starts)."""
    if len(prefix) < 12:
        raise FormatError("the .npy header is truncated")
    if prefix[6] == 1:
        return 10 + int(struct.unpack("<H", prefix[8:10])[0])
    if prefix[6] in (2, 3):
        return 12 + int(struct.unpack("<I", prefix[8:12])[0])
    raise FormatError(f"unknown .npy format version {prefix[6]}")


def parse_npy_header(prefix: bytes) -> NpyHeader:
    """Parse the ``.npy`` header (magic, version, length, dict literal); ``prefix`` holds all of it."""
    if len(prefix) < 10:
        raise FormatError("the .npy header is truncated")
    major = prefix[6]
    if major == 1:
        (length,) = struct.unpack("<H", prefix[8:10])
        start = 10
    elif major in (2, 3):
        if len(prefix) < 12:
            raise FormatError("the .npy header is truncated")
        (length,) = struct.unpack("<I", prefix[8:12])
        start = 12
    else:
        raise FormatError(f"unknown .npy format version {major}")
    if start + length > len(prefix):
        raise FormatError(f"the .npy header claims {length} bytes, more than the file holds or than allowed")
    text = prefix[start : start + length].decode("utf-8" if major == 3 else "latin-1", "replace")
    # Headers written by Python 2 spell long integers "3L"; numpy's reader accepts them too.
    text = re.sub(r"\b(\d+)L\b", r"\1", text)
    try:
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise FormatError(f"the .npy header is not a literal dict: {exc}") from exc
    if not isinstance(header, dict) or not {"descr", "shape"} <= header.keys():
        raise FormatError("the .npy header lacks 'descr' or 'shape'")
    shape = header["shape"]
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise FormatError(f"the .npy header has an invalid shape {shape!r}")
    descr = header["descr"]
    return NpyHeader(start + length, descr, shape, _descr_has_object(descr))


# ---- safetensors ------------------------------------------------------------------------


def safetensors_header_length(prefix: bytes) -> int:
    (length,) = struct.unpack("<Q", prefix[:8])
    return int(length)


def validate_safetensors_header(header: bytes, data_bytes: int) -> None:
    """Check the JSON header describes tensors inside the file; raise FormatError if not."""
    try:
        parsed = json.loads(header)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"the safetensors header is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise FormatError("the safetensors header is not a JSON object")
    for name, entry in parsed.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
            raise FormatError(f"tensor {name!r} lacks dtype, shape or data_offsets")
        offsets = entry["data_offsets"]
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_bytes
        ):
            raise FormatError(f"tensor {name!r} has data_offsets {offsets!r} outside the file")

"""Malicious and benign model files for the model-file scanner tests, built byte by byte.

Every malicious payload runs ``touch <canary>`` if it is ever unpickled, so a test can
assert the canary never appears. Nothing here loads a pickle.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path


def _proto0_str(text: str) -> bytes:
    return b"S'" + text.encode() + b"'\n"


def _short_unicode(text: str) -> bytes:
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


def touch(canary: Path) -> str:
    return f"touch {canary}"


def reduce_os_system(canary: Path) -> bytes:
    """Protocol 0: GLOBAL os.system, a tuple of the command, REDUCE."""
    return b"cos\nsystem\n(" + _proto0_str(touch(canary)) + b"tR."


def stack_global_via_memo(canary: Path) -> bytes:
    """Protocol 4: module and name pushed, memoized, fetched back with BINGET, STACK_GLOBAL."""
    return (
        b"\x80\x04"
        + _short_unicode("subprocess")
        + b"\x94"  # MEMOIZE -> 0
        + _short_unicode("check_call")
        + b"\x94"  # MEMOIZE -> 1
        + b"0"  # POP
        + b"0"  # POP
        + b"h\x00"  # BINGET 0
        + b"h\x01"  # BINGET 1
        + b"\x93"  # STACK_GLOBAL
        + _short_unicode("sh")
        + _short_unicode("-c")
        + _short_unicode(touch(canary))
        + b"\x87"  # TUPLE3 -> the argv list's items
        + b"\x85"  # TUPLE1 -> (argv,)
        + b"R."
    )


def inst_protocol0(canary: Path) -> bytes:
    """Protocol 0 INST: MARK, the arguments, ``i module\\nname\\n``."""
    return b"(" + _proto0_str(touch(canary)) + b"ios\nsystem\n."


def obj_protocol1(canary: Path) -> bytes:
    """OBJ: MARK, the class (here a function) and its arguments, ``o``."""
    return b"(cposix\nsystem\n" + _proto0_str(touch(canary)) + b"o."


def getattr_chain(canary: Path) -> bytes:
    """builtins.getattr(builtins.__import__('os'), 'system')(cmd): no os global in sight."""
    return (
        b"\x80\x02"
        + b"cbuiltins\ngetattr\n"
        + b"(cbuiltins\n__import__\n(X\x02\x00\x00\x00ostR"
        + b"X\x06\x00\x00\x00systemtR"
        + b"("
        + b"X"
        + struct.pack("<I", len(touch(canary)))
        + touch(canary).encode()
        + b"tR."
    )


def importlib_import_module(canary: Path) -> bytes:
    """importlib.import_module('os'), then getattr(..., 'system')(cmd)."""
    command = touch(canary).encode()
    return (
        b"\x80\x02"
        + b"cbuiltins\ngetattr\n"
        + b"(cimportlib\nimport_module\n(X\x02\x00\x00\x00ostR"
        + b"X\x06\x00\x00\x00systemtR"
        + b"(X"
        + struct.pack("<I", len(command))
        + command
        + b"tR."
    )


def python2_builtin_eval(canary: Path) -> bytes:
    """``__builtin__`` is how protocol 0-2 pickles spell builtins."""
    code = f"__import__('os').system({touch(canary)!r})"
    return b"c__builtin__\neval\n(" + _proto0_str(code) + b"tR."


class _Reduces:
    """Pickled (never unpickled) by tests: its reduce calls os.system."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, (self.command,))


def reduce_object(canary: Path) -> _Reduces:
    return _Reduces(touch(canary))


def torch_like_zip(
    data_pkl: bytes, *, extra: dict[str, bytes] | None = None, prefix: str = "archive"
) -> bytes:
    """A zip laid out like torch.save's: archive/data.pkl, archive/data/0, version, byteorder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{prefix}/data.pkl", data_pkl)
        archive.writestr(f"{prefix}/byteorder", b"little")
        archive.writestr(f"{prefix}/data/0", b"\x80\x02\x00\x00" * 4)  # raw float bytes, pickle-like start
        archive.writestr(f"{prefix}/version", b"3\n")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def set_encrypted_flag(zip_bytes: bytes, member: str) -> bytes:
    """Set the 'encrypted' bit of one member in both headers, as the zipfile-bypass PoCs do."""
    data = bytearray(zip_bytes)
    name = member.encode()
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (index := data.find(signature, start)) != -1:
            if data[index + name_offset : index + name_offset + len(name)] == name:
                (flags,) = struct.unpack_from("<H", data, index + flag_offset)
                struct.pack_into("<H", data, index + flag_offset, flags | 0x1)
            start = index + 4
    return bytes(data)


class _Unseekable(io.RawIOBase):
    """Makes zipfile write data descriptors (flag bit 3), as streaming writers do."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer.extend(data)
        return len(data)

    def seekable(self) -> bool:
        return False


def zip_with_data_descriptors(members: dict[str, bytes]) -> bytes:
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            with archive.open(name, "w") as handle:
                handle.write(data)
    return bytes(sink.buffer)


def safetensors_bytes(tensors: dict[str, list[float]]) -> bytes:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    data = b""
    for name, values in tensors.items():
        raw = struct.pack(f"<{len(values)}f", *values)
        header[name] = {
            "dtype": "F32",
            "shape": [len(values)],
            "data_offsets": [len(data), len(data) + len(raw)],
        }
        data += raw
    import json

    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + data


def lfs_pointer(size: int = 1234) -> bytes:
    return (
        b"version https://git-lfs.github.com/spec/v1\n"
        b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        + f"size {size}\n".encode()
    )


def assert_valid_pickle(payload: bytes) -> None:
    """The payload is a well-formed pickle (pickletools' checker; nothing is loaded)."""
    pickletools.dis(payload, out=io.StringIO())


def dumps(obj: object, protocol: int = 4) -> bytes:
    return pickle.dumps(obj, protocol=protocol)


# ---- parser differentials: streams the C unpickler reads differently from a linear scan ----


def hidden_system_call(canary: Path) -> bytes:
    """``posix.system('touch <canary>')`` as protocol-0/1 opcodes, to hide inside other bytes."""
    command = touch(canary).encode()
    return b"cposix\nsystem\nX" + struct.pack("<I", len(command)) + command + b"\x85R"


def frame_overrun(canary: Path, *, reader_buffer: int = 8192) -> bytes:
    """A protocol-5 pickle whose BINBYTES runs across the end of a 2-byte FRAME.

    A linear reader (pickletools, every opcode scanner) reads one BINBYTES of 0x1xx bytes
    that swallows the hidden call. The C unpickler (CPython before the frame checks of
    gh-154848) loads the 2-byte frame into its buffer, reads the opcode from it, then
    refills the buffer from the file for the 4-byte length and drops the byte left in
    the frame: the length it sees is 1, so the bytes it runs next are the hidden call.
    With a reader that has no ``peek`` (``io.BytesIO``, as torch.load uses for zip
    members) every frame does that; with a buffered file only a frame that crosses the
    end of the file buffer does, so the frame is placed there: ``reader_buffer`` bytes
    from the stream's start (pass the stream's offset into the file when it is embedded).
    """
    call = hidden_system_call(canary)
    body = b"\x00\x00" + call + b"("  # MARK: the real unpickler ends the run with POP_MARK
    assert len(body) < 0x100, "the canary path is too long for a one-byte length tail"
    length = 0x100 | 0x07  # bytes [07 01 00 00]; the C reader drops the 07 and reads [01 00 00 body0=00]
    head = b"\x80\x05N"  # PROTO 5, NONE
    frame_at = reader_buffer - 1 - 9  # the frame's 2 bytes straddle the buffer's end
    filler = frame_at - len(head) - 2 - 1 - 1  # UNICODE's "V" and "\n", POP, MARK
    assert filler > 0
    stream = head + b"V" + b"a" * filler + b"\n" + b"0" + b"("
    stream += b"\x95" + struct.pack("<Q", 2) + b"B" + struct.pack("<I", length)
    return stream + body.ljust(length, b"N") + b"1."  # POP_MARK, STOP


def npy_object_array(pickle_bytes: bytes) -> bytes:
    """An ``np.save`` file of an object array: the header, then the pickle np.load runs."""
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    total = 10 + len(header) + 1
    header += b" " * ((64 - total % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + pickle_bytes


def joblib_with_object_array(nested_pickle: Callable[[int], bytes]) -> bytes:
    """A real ``joblib.dump`` of an object array whose nested pickle is replaced.

    joblib writes an object array as a wrapper in the outer pickle followed by a separate
    pickle that ``joblib.load`` reads with ``pickle.load`` (the C unpickler); the builder
    gets that pickle's offset in the file.
    """
    import joblib
    import numpy as np

    objects = np.array([None, 1], dtype=object)
    buffer = io.BytesIO()
    joblib.dump({"objects": objects}, buffer)
    data = buffer.getvalue()
    # The wrapper's state dict ends with SETITEMS ("u"), then BUILD ("b"); the nested pickle follows.
    start = data.index(b"ub\x80", data.index(b"NumpyArrayWrapper")) + 2
    end = start + next(pos for op, _, pos in pickletools.genops(data[start:]) if op.name == "STOP") + 1
    return data[:start] + nested_pickle(start) + data[end:]


def frame_nested_inside_frame() -> bytes:
    """A FRAME opcode inside the bytes of another frame (pickle.py raises; C reads on)."""
    inner = b"\x95" + struct.pack("<Q", 2) + b"N."
    return b"\x80\x05\x95" + struct.pack("<Q", len(inner) + 4) + inner + b"NNNN"


def bytes_after_stop_in_frame(canary: Path) -> bytes:
    """The last frame goes on past STOP: a file reader resumes after the frame, and a second
    ``pickle.load`` on the same file starts at the call hidden behind the STOP."""
    first = b"N."
    trailing = b"\x80\x02" + hidden_system_call(canary) + b"."
    hidden = b"XXXX"  # inside the frame, after STOP: skipped by a file reader
    frame = first + hidden
    return b"\x80\x05\x95" + struct.pack("<Q", len(frame)) + frame + trailing


def misplaced_proto(canary: Path) -> bytes:
    """A second PROTO in the middle of the stream (no pickler writes one)."""
    return b"\x80\x04N0\x80\x02" + hidden_system_call(canary) + b"."

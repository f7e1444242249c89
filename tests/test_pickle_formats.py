"""Content sniffing and header parsing (.npy, safetensors, LFS)."""

from __future__ import annotations

import gzip
import io
import pickle
import zlib

import numpy as np
import pytest

from gates.checks.models.pickle_formats import (
    FormatError,
    Kind,
    npy_header_end,
    parse_lfs_pointer,
    parse_npy_header,
    sniff,
    validate_safetensors_header,
)
from tests import model_file_payloads as payloads


def test_sniff_by_content() -> None:
    assert sniff(pickle.dumps(1, protocol=2)) is Kind.PICKLE
    assert sniff(payloads.torch_like_zip(b"")) is Kind.ZIP
    assert sniff(payloads.safetensors_bytes({"w": [1.0]})) is Kind.SAFETENSORS
    assert sniff(payloads.lfs_pointer()) is Kind.LFS_POINTER
    assert sniff(gzip.compress(b"x")) is Kind.GZIP
    assert sniff(zlib.compress(b"x" * 100)) is Kind.ZLIB
    buffer = io.BytesIO()
    np.save(buffer, np.arange(3))
    assert sniff(buffer.getvalue()) is Kind.NPY


def test_headerless_and_low_protocol_pickles_are_candidates() -> None:
    data = pickle.dumps([1], protocol=0)
    assert sniff(data) is Kind.PICKLE_HEADERLESS
    assert sniff(data + b"trailing bytes pickle.load never reads") is Kind.PICKLE_HEADERLESS
    assert sniff(b"\x80\x01]q\x00.") is Kind.PICKLE  # PROTO 1 is legal, so is PROTO 0
    assert sniff(b"# a markdown file\n") is None  # '#' is no opcode
    assert sniff(b"\xff\xd8\xff\xe0 JFIF") is None  # 0xff is no opcode


def test_safetensors_length_like_a_pickle_header_is_still_safetensors() -> None:
    header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'.ljust(0x280, b" ")
    data = len(header).to_bytes(8, "little") + header + b"\x00" * 4
    assert data[:2] == b"\x80\x02"
    assert sniff(data) is Kind.SAFETENSORS


def test_npy_object_dtype_is_detected() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([1, None], dtype=object), allow_pickle=True)
    data = buffer.getvalue()
    header = parse_npy_header(data[: npy_header_end(data)])
    assert header.has_object and header.expected_data_bytes() is None
    structured = io.BytesIO()
    np.save(structured, np.zeros(2, dtype=[("a", "f4"), ("b", "O")]), allow_pickle=True)
    assert parse_npy_header(structured.getvalue()[:4096]).has_object


def test_npy_plain_size() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((3, 4), dtype="<U5"))
    data = buffer.getvalue()
    header = parse_npy_header(data[:4096])
    assert header.expected_data_bytes() == 3 * 4 * 5 * 4 == len(data) - header.data_offset


def test_python2_npy_header_with_long_literals() -> None:
    text = b"{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }".ljust(117) + b"\n"
    header = parse_npy_header(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text)
    assert header.shape == (2, 3) and header.expected_data_bytes() == 48


def test_npy_header_is_data_not_code() -> None:
    code = b"__import__('os').system('x')\n"
    bad = b"\x93NUMPY\x01\x00" + len(code).to_bytes(2, "little") + code
    with pytest.raises(FormatError, match="literal"):
        parse_npy_header(bad)


def test_safetensors_validation() -> None:
    validate_safetensors_header(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)
    with pytest.raises(FormatError, match="not JSON"):
        validate_safetensors_header(b"{nope", 4)
    with pytest.raises(FormatError, match="outside the file"):
        validate_safetensors_header(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}', 4)


def test_lfs_pointer_fields() -> None:
    pointer = parse_lfs_pointer(payloads.lfs_pointer(size=99))
    assert pointer.oid.startswith("sha256:4d7a") and pointer.size == 99

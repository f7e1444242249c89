"""Reading zip members like torch does, and the guarded reader's limits."""

from __future__ import annotations

import io
import zipfile

import pytest

from gates.checks.models.pickle_limits import Budget, GuardedReader, LimitExceeded
from gates.checks.models.pickle_zip import open_member
from tests import model_file_payloads as payloads


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    with open_member(lambda: io.BytesIO(data), info) as stream:
        return stream.read()


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)
def test_every_method_reads_back(method: int) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("a/data.pkl", b"payload" * 1000)
    assert _member(buffer.getvalue(), "a/data.pkl") == b"payload" * 1000


def test_encrypted_flag_and_bad_crc_are_ignored() -> None:
    data = bytearray(payloads.set_encrypted_flag(payloads.torch_like_zip(b"PICKLE"), "archive/data.pkl"))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offset = archive.getinfo("archive/data.pkl").header_offset
    data[offset + 14 : offset + 18] = b"\x00\x00\x00\x00"  # local CRC zeroed
    assert _member(bytes(data), "archive/data.pkl") == b"PICKLE"


def test_data_descriptor_members() -> None:
    data = payloads.zip_with_data_descriptors({"x.pkl": b"abc" * 50})
    assert _member(data, "x.pkl") == b"abc" * 50


def test_guarded_reader_refuses_forged_lengths() -> None:
    budget = Budget(1000)
    reader = GuardedReader(io.BytesIO(b"abcdef"), 6, budget)
    assert reader.read(2**60) == b"abcdef"  # a short read, nothing allocated
    assert reader.tell() == 6 and budget.used == 6


def test_unknown_size_streams_are_bounded_by_the_budget() -> None:
    reader = GuardedReader(io.BytesIO(b"x" * 100), None, Budget(50))
    with pytest.raises(LimitExceeded, match="max_decompressed_mb"):
        reader.read(80)

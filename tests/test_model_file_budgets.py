"""Bounded memory and time on any input (issue #15): peak memory is measured with
tracemalloc around the scan; budgets that run out are MF103 naming the policy key."""

from __future__ import annotations

import io
import pickle
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gates.checks.models.model_files import ModelFileScan, scan_model_files
from gates.policy.sections.model_files import ModelFilesSettings

_MIB = 1024 * 1024


def _write(root: Path, files: dict[str, bytes]) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return list(files)


def _peak(run: Callable[[], ModelFileScan]) -> tuple[ModelFileScan, float]:
    """The scan's result and the peak of memory allocated while it ran, in MiB."""
    tracemalloc.start()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / _MIB


def _scan(
    root: Path, files: dict[str, bytes], timeout: float | None = None, **settings: Any
) -> ModelFileScan:
    names = _write(root, files)
    return scan_model_files(root, names, ModelFilesSettings(**settings), timeout=timeout)


_MEASURE = """
import sys
from pathlib import Path
from gates.checks.models import pickle_containers  # imported before measuring, as the scan would
from gates.checks.models.model_files import scan_model_files
from gates.policy.sections.model_files import ModelFilesSettings

def peak_kib():
    # VmHWM starts afresh at exec; resource's ru_maxrss would include the parent's (pytest's) size.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

root = Path(sys.argv[1])
before = peak_kib()
result = scan_model_files(root, [sys.argv[2]], ModelFilesSettings())
print(len(result.findings), (peak_kib() - before) / 1024)
"""


def _rss_growth(root: Path, name: str, data: bytes) -> tuple[int, float]:
    """Findings and the growth of peak RSS (MiB, ``VmHWM``) while a fresh interpreter scans
    the file (tracemalloc would slow a walk of millions of opcodes tenfold)."""
    _write(root, {name: data})
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(root), name],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    findings, growth = done.stdout.split()
    return int(findings), float(growth)


def test_a_memo_heavy_pickle_keeps_no_value_per_memo_slot(tmp_path: Path) -> None:
    # MEMOIZE cost ~70 bytes per slot (1.4 GB for a 20 MB file) before: ~140 MiB here.
    data = b"\x80\x04N" + b"\x94" * 2_000_000 + b"."

    findings, growth = _rss_growth(tmp_path / "repo", "memo.pkl", data)

    assert findings == 0
    assert growth < 16, growth  # was 165 MiB for this 2 MB file (commit 7210d88)


def test_many_memoized_strings_are_not_all_kept(tmp_path: Path) -> None:
    # A DataFrame-like pickle: every string is memoized; only the first max_pickle_memo are kept.
    data = pickle.dumps([f"value-{i}" for i in range(600_000)], protocol=4)

    findings, growth = _rss_growth(tmp_path / "repo", "strings.pkl", data)

    assert findings == 0
    # The file in memory, and at most max_pickle_memo strings: was 111 MiB (commit 7210d88).
    assert growth < len(data) / _MIB + 40, growth


def test_a_name_read_back_from_a_memo_slot_not_kept_is_mf103(tmp_path: Path) -> None:
    # 300 memoized strings (keys 0-299), then "os" (300) and "system" (301), fetched back
    # with LONG_BINGET for STACK_GLOBAL; only 100 memo values are kept.
    strings = b"".join(b"\x8c\x02s" + bytes([48 + i % 10]) + b"\x94" for i in range(300))
    data = b"\x80\x04(" + strings + b"\x8c\x02os\x94\x8c\x06system\x94" + b"1"  # POP_MARK
    data += b"j" + struct.pack("<I", 300) + b"j" + struct.pack("<I", 301) + b"\x93)R."

    result = _scan(tmp_path / "repo", {"names.pkl": data}, max_pickle_memo=100)

    messages = [f.message for f in result.findings if f.rule_id == "MF103"]
    assert any("memo value the scanner did not keep" in m and "max_pickle_memo" in m for m in messages), [
        f.message for f in result.findings
    ]
    # With the memo kept, the same stream names posix/os.system itself.
    assert any(f.rule_id == "MF101" for f in _scan(tmp_path / "kept", {"names.pkl": data}).findings)


def test_out_of_order_memo_keys_have_a_budget(tmp_path: Path) -> None:
    puts = b"".join(b"N" + b"r" + struct.pack("<I", 2 * i + 1) + b"0" for i in range(500))  # LONG_BINPUT
    result = _scan(tmp_path / "repo", {"sparse.pkl": b"\x80\x04" + puts + b"N."}, max_pickle_memo=100)

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "max_pickle_memo" in finding.message


def test_the_opcode_budget_ends_a_long_walk_with_a_finding(tmp_path: Path) -> None:
    data = b"\x80\x04" + b"N0" * 200_000 + b"N."

    result = _scan(tmp_path / "repo", {"long.pkl": data}, max_pickle_opcodes=100_000)

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "max_pickle_opcodes" in finding.message
    assert "zip bomb" not in finding.message
    assert _scan(tmp_path / "big-enough", {"long.pkl": data}).findings == []


def test_a_zip_of_small_members_that_deflate_absurdly_is_a_suspected_bomb(tmp_path: Path) -> None:
    # 100 members of 500 KiB of "N0" pairs took 69 s: each was walked opcode by opcode.
    member = b"\x80\x04" + b"N0" * (250 * 1024) + b"N."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(100):
            archive.writestr(f"part{index}.pkl", member)

    result, peak = _peak(lambda: _scan(tmp_path / "repo", {"parts.zip": buffer.getvalue()}))

    assert {f.rule_id for f in result.findings} == {"MF103"}
    assert all("max_compression_ratio" in f.message for f in result.findings)
    assert result.metrics["model_files_bytes_read"] < 100 * 8192  # headers only, nothing walked
    assert peak < 16, peak


def test_a_large_nested_archive_is_spooled_to_disk_not_memory(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("zeros.bin", b"\x00" * (40 * _MIB))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.zip", inner.getvalue())
    data = outer.getvalue()
    del inner

    result, peak = _peak(lambda: _scan(tmp_path / "repo", {"outer.zip": data}, max_compression_ratio=100_000))

    assert result.findings == []
    assert result.metrics["model_files_archive_members"] == 2
    assert peak < 24, peak  # 40 MiB went through a temporary file


def test_the_gate_timeout_bounds_the_scan_and_later_files_are_not_passed(tmp_path: Path) -> None:
    slow = b"\x80\x04" + b"N0" * 100_000 + b"N."
    result = _scan(tmp_path / "repo", {"a.pkl": slow, "b.pkl": pickle.dumps(1)}, timeout=1e-9)

    by_path = {f.path: f.message for f in result.findings}
    assert set(by_path) == {"a.pkl", "b.pkl"}
    assert "ran out of time" in by_path["a.pkl"] and "model_safety.timeout" in by_path["a.pkl"]
    assert "was not scanned" in by_path["b.pkl"] and "model_safety.timeout" in by_path["b.pkl"]

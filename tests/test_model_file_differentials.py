"""Streams the real unpickler reads differently from a linear opcode scan are MF103 (issue #15).

The frame overrun is built in every container it was seen in. The scanner never loads
anything; one test proves the payload is real by loading it in a separate interpreter,
in a temporary directory, where the only effect is the canary file.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gates.checks.models.model_files import scan_model_files
from gates.checks.models.pickle_opcodes import walk_pickle
from gates.policy.sections.model_files import ModelFilesSettings
from tests import model_file_payloads as payloads


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    return tmp_path / "c"  # short: the hidden call must fit in a one-byte length tail


def _scan(root: Path, files: dict[str, bytes]) -> list[tuple[str, str, str]]:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    result = scan_model_files(root, list(files), ModelFilesSettings())
    return sorted((f.path or "", f.rule_id, f.message) for f in result.findings)


def _linear_globals(data: bytes) -> list[object]:
    return [
        arg for op, arg, _ in pickletools.genops(io.BytesIO(data)) if op.name in ("GLOBAL", "STACK_GLOBAL")
    ]


def test_the_frame_overrun_hides_its_call_from_a_linear_reader(canary: Path) -> None:
    data = payloads.frame_overrun(canary)

    assert _linear_globals(data) == []  # pickletools (and every scanner built on it) sees no call
    walk = walk_pickle(io.BytesIO(data))
    assert walk.complete and walk.globals == []
    assert walk.differential is not None and "runs across the end of its FRAME" in walk.differential


def _torch_zip(data_pkl: bytes) -> bytes:
    return payloads.torch_like_zip(data_pkl)


@pytest.mark.parametrize(
    "name, build",
    [
        ("weights.pkl", lambda c: payloads.frame_overrun(c)),
        ("pytorch_model.bin", lambda c: payloads.frame_overrun(c)),
        (
            "array.npy",
            lambda c: payloads.npy_object_array(payloads.frame_overrun(c, reader_buffer=8192 - 128)),
        ),
        ("model.joblib", lambda c: payloads.joblib_with_object_array(lambda at: payloads.frame_overrun(c))),
        ("checkpoint.pt", lambda c: _torch_zip(payloads.frame_overrun(c))),
    ],
)
def test_frame_overrun_is_mf103_in_every_container(
    tmp_path: Path, canary: Path, name: str, build: object
) -> None:
    data = build(canary)  # type: ignore[operator]

    findings = _scan(tmp_path / "repo", {name: data})

    assert [(path, rule) for path, rule, _ in findings] == [(name, "MF103")], findings
    message = findings[0][2]
    assert (
        "read differently by the real unpickler" in message and "runs across the end of its FRAME" in message
    )
    assert not canary.exists()


def test_the_hidden_call_really_runs_under_pickle_load(tmp_path: Path, canary: Path) -> None:
    """Positive control, in a separate interpreter: pickle.load on the file runs the call no
    linear reader sees (or, on a CPython that checks frames, refuses the file)."""
    path = tmp_path / "weights.pkl"
    path.write_bytes(payloads.frame_overrun(canary))
    script = textwrap.dedent(
        f"""
        import pickle
        try:
            with open({str(path)!r}, "rb") as handle:
                pickle.load(handle)
        except pickle.UnpicklingError as exc:
            print("refused:", exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert canary.exists() or "frame" in done.stdout, (done.stdout, done.stderr)


def test_a_frame_opened_inside_another_is_mf103(tmp_path: Path) -> None:
    data = payloads.frame_nested_inside_frame()
    with pytest.raises(pickle.UnpicklingError, match="beginning of a new frame"):
        pickle._loads(data)  # type: ignore[attr-defined]  # pure-Python unpickler: data only, no globals

    [(_, rule, message)] = _scan(tmp_path / "repo", {"nested.pkl": data})

    assert rule == "MF103" and "opens at byte" in message


def test_bytes_after_stop_inside_the_frame_are_mf103(tmp_path: Path, canary: Path) -> None:
    data = payloads.bytes_after_stop_in_frame(canary)
    stream = io.BytesIO(data)
    walk_pickle(stream)
    assert walk_pickle(stream).globals == []  # a linear reader never reaches the call

    findings = _scan(tmp_path / "repo", {"two.pkl": data})

    assert [rule for _, rule, _ in findings] == ["MF103"]
    assert "goes on past STOP" in findings[0][2]
    assert not canary.exists()


def test_a_proto_that_is_not_the_first_opcode_is_mf103(tmp_path: Path, canary: Path) -> None:
    findings = _scan(tmp_path / "repo", {"twice.pkl": payloads.misplaced_proto(canary)})

    rules = {rule for _, rule, _ in findings}
    assert rules == {"MF101", "MF103"}
    assert any("PROTO at byte 4 is not the pickle's first opcode" in message for _, _, message in findings)


@pytest.mark.parametrize("protocol", [4, 5])
def test_ordinary_framed_pickles_pass(tmp_path: Path, protocol: int) -> None:
    # Several frames, and a large bytes object written outside any frame.
    obj = {"rows": [list(range(50)) for _ in range(4000)], "blob": b"\x00" * 300_000, "text": "x" * 70_000}
    data = pickle.dumps(obj, protocol=protocol)
    assert data.count(b"\x95") > 1

    assert _scan(tmp_path / "repo", {"data.pkl": data, "more.pkl": data + data}) == []


def test_ordinary_joblib_files_with_frames_pass(tmp_path: Path) -> None:
    import joblib
    import numpy as np

    root = tmp_path / "repo"
    root.mkdir()
    joblib.dump(
        {"a": np.arange(100_000.0), "b": ["x" * 100] * 2000, "o": np.array([1, None])}, root / "m.joblib"
    )

    assert scan_model_files(root, ["m.joblib"], ModelFilesSettings()).findings == []


def test_a_headerless_stream_with_a_frame_counts_as_a_pickle_under_any_name(
    tmp_path: Path, canary: Path
) -> None:
    # Without its PROTO header, and left unbalanced for pickletools' checker (an extra item
    # at STOP), the overrun would otherwise look like "not a pickle" under a text name.
    data = payloads.frame_overrun(canary)[2:-1] + b"N."

    findings = _scan(tmp_path / "repo", {"notes.txt": data})

    assert [rule for _, rule, _ in findings] == ["MF103"]
    assert "runs across the end of its FRAME" in findings[0][2]


def test_a_global_name_pickletools_cannot_decode_is_mf103(tmp_path: Path) -> None:
    # pickletools (Python 3.11) decodes GLOBAL names as ASCII; the C unpickler as UTF-8.
    data = b"\x80\x02c\xc3\xb6s\nsystem\n)R."

    findings = _scan(tmp_path / "repo", {"weights.bin": data})

    assert {rule for _, rule, _ in findings} == {"MF103"}  # not fully scanned, and why
    assert any("not ASCII" in message for _, _, message in findings)


def test_a_frame_overrun_in_a_trailing_pickle_is_mf103(tmp_path: Path, canary: Path) -> None:
    # pickle.load in a loop reads the second pickle; a linear reader sees it end in an error
    # with no global (the overrun's tail is cut), the C reader runs the hidden call.
    data = pickle.dumps([1, 2], protocol=4) + payloads.frame_overrun(canary)[:-2]

    findings = _scan(tmp_path / "repo", {"records.pkl": data})

    assert any(rule == "MF103" and "runs across the end of its FRAME" in m for _, rule, m in findings)
    assert not canary.exists()

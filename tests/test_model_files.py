"""The committed-model-file scanner, on files built in each test. Nothing is ever unpickled."""

from __future__ import annotations

import gzip
import io
import json
import pickle
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gates.checks.models.model_files import ModelFileScan, scan_model_files
from gates.findings import Finding, Severity
from gates.policy.sections.model_files import ModelFilesSettings
from tests import model_file_payloads as payloads


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    return tmp_path / "canary-created-by-unpickling"


def scan(root: Path, files: dict[str, bytes], **settings: Any) -> ModelFileScan:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return scan_model_files(root, list(files), ModelFilesSettings(**settings))


def summary(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule_id, f.path or "") for f in findings)


def only(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


# ---- malicious pickles, each with a canary -------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "expected_rule", "global_named"),
    [
        (payloads.reduce_os_system, "MF101", "os.system"),
        (payloads.stack_global_via_memo, "MF101", "subprocess.check_call"),
        (payloads.inst_protocol0, "MF101", "os.system"),
        (payloads.obj_protocol1, "MF101", "posix.system"),
        (payloads.getattr_chain, "MF101", "builtins.getattr"),
        (payloads.importlib_import_module, "MF101", "importlib.import_module"),
        (payloads.python2_builtin_eval, "MF101", "builtins.eval"),
    ],
)
def test_malicious_pickle_is_named_and_never_loaded(
    tmp_path: Path, canary: Path, builder: Any, expected_rule: str, global_named: str
) -> None:
    payload = builder(canary)
    payloads.assert_valid_pickle(payload)  # a real, loadable pickle (checked without loading)

    result = scan(tmp_path / "repo", {"weights.pkl": payload})

    dangerous = only(result.findings, expected_rule)
    assert any(global_named in f.message for f in dangerous), [f.message for f in result.findings]
    assert all(f.severity is Severity.ERROR and f.path == "weights.pkl" for f in result.findings)
    # No tensors in these pickles: the advice is a data format, not safetensors.
    assert all("store plain data as JSON" in f.message for f in dangerous)
    assert result.metrics["model_files_unsafe"] == 1
    assert not canary.exists()


def test_getattr_chain_also_reports_the_hidden_import_and_the_computed_call(
    tmp_path: Path, canary: Path
) -> None:
    result = scan(tmp_path / "repo", {"m.pkl": payloads.getattr_chain(canary)})

    messages = [f.message for f in result.findings]
    assert [f.rule_id for f in result.findings].count("MF101") == 2
    assert any("builtins.__import__" in m for m in messages)
    computed = only(result.findings, "MF102")
    assert len(computed) == 1 and "computed value (REDUCE at byte" in computed[0].message
    assert not canary.exists()


def test_pickled_object_with_reduce_is_caught_whatever_the_extension(tmp_path: Path, canary: Path) -> None:
    payload = pickle.dumps(payloads.reduce_object(canary), protocol=5)

    result = scan(tmp_path / "repo", {"notes/config.txt": payload, "data.csv": payload})

    assert summary(result.findings) == [("MF101", "data.csv"), ("MF101", "notes/config.txt")]
    assert all("calls posix.system" in f.message for f in result.findings)
    assert not canary.exists()


def test_headerless_pickle_with_trailing_bytes_or_no_stop(tmp_path: Path, canary: Path) -> None:
    # pickle.load stops at STOP and never reads what follows, and a REDUCE runs before a
    # truncation is noticed: neither trick may hide a pickle that does not end in ".".
    payload = payloads.reduce_os_system(canary)
    files = {
        "weights.bin": payload + b"\n# trailing text pickle.load never reads\n",
        "notes.txt": payload[:-1],  # no STOP at all
        "model.dat": b"\x80\x01" + payload,  # PROTO 1 is legal too
    }

    result = scan(tmp_path / "repo", files)

    flagged = {f.path for f in result.findings if f.rule_id == "MF101"}
    assert flagged == {"weights.bin", "notes.txt", "model.dat"}
    assert not canary.exists()


# Text whose first byte is a protocol-0 opcode: several decode as "GLOBAL, then STOP".
TEXT_FILES: dict[str, bytes] = {
    ".gitignore": b"coverage.json\n.coverage\n",
    "more/.gitignore": b"coverage.json\n.coverage\n.venv\n__pycache__/\n",
    "README.md": b"clone the repository\n.venv/bin/pip install -e .\n.\n",
    "animals.csv": b"cat,dog\nfelix,rex\n.5,.7\n",
    "requirements.txt": b"coverage==7.17\npytest\ndill\n",
    "requirements-dev.txt": b"coverage\nnumpy\n",
    "Makefile": b"clean:\n\trm -rf build dist\n.PHONY: clean\n",
    "crlf.txt": b"cat\r\nsystem\r\n.\r\n",
    "empty-module.txt": b"c\nd\n.\n",
    "paren.txt": b"(see the docs)\n",
    "int.txt": b"I think so.\n",
    "string.txt": b"See the docs.\n",
    "unicode.txt": b"Version 2\ncoverage.json\n.cov\n.\n",
    "list.txt": b"]]\n.\n",
    "dict.txt": b"}}\n",
    "lint.mk": b"lint:\n\truff check .\n",
    "docs.txt": b"docs/\n.cache\n",
    "version.txt": b"0.1.0\n",
    "notice.txt": b"NOTICE\n.\n",
    "dotfile.txt": b".venv\n",
}


def test_text_that_starts_like_a_protocol_0_pickle_is_not_one(tmp_path: Path) -> None:
    # pickle.load fails on each before anything could run: a GLOBAL whose name is no
    # identifier, an empty stack, a missing mark, an undecodable operand.
    result = scan(tmp_path / "repo", TEXT_FILES)

    assert result.findings == []
    assert result.metrics["model_files_candidates"] == len(TEXT_FILES)
    assert result.metrics["model_files_scanned"] == 0


def test_headerless_payload_in_a_text_file_is_still_flagged(tmp_path: Path, canary: Path) -> None:
    # Loading runs a REDUCE, mutates os.environ, or returns os.system before it fails or
    # whatever follows STOP: none of these may pass for text.
    reduce_ = payloads.reduce_os_system(canary)
    files = {
        "README.md": reduce_[:-1],  # no STOP at all
        ".gitignore": reduce_[:-1] + b"N.",  # an extra item at STOP (pickletools rejects it; load does not)
        "env.txt": b"cos\nenviron\nS'LD_PRELOAD'\nS'/tmp/x.so'\ns",  # SETITEM, no STOP
        "notes.txt": b"cos\nsystem\n.",  # the callable is handed to the caller
        "Makefile": payloads.inst_protocol0(canary)[:-1],
    }

    result = scan(tmp_path / "repo", files)

    flagged = {f.path for f in only(result.findings, "MF101")}
    assert flagged == set(files)
    assert any("os.environ" in f.message for f in only(result.findings, "MF101"))
    assert not canary.exists()


# Text that loads as "GLOBAL <lookup>, then STOP": the lookup is only returned, never called.
TEXT_RETURNING_A_LOOKUP: dict[str, bytes] = {
    ".gitignore": b"cache\nlogs\n.env\n",  # GLOBAL ache.logs
    "ml/.gitignore": b"checkpoints\nwandb\n.DS_Store\n",  # GLOBAL heckpoints.wandb
    ".dockerignore": b"coverage\nhtmlcov\n.git\n",  # GLOBAL overage.htmlcov
    "ide/.gitignore": b"config\nsettings.local\n.idea/\n",  # a dotted name resolves too
    "ordered.txt": b"ccollections\nOrderedDict\n.",  # an allowlisted global, returned
}


def test_text_that_only_returns_a_harmless_lookup_is_not_a_pickle(tmp_path: Path) -> None:
    result = scan(tmp_path / "repo", TEXT_RETURNING_A_LOOKUP)

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 0


def test_text_returning_a_dangerous_lookup_is_still_flagged(tmp_path: Path) -> None:
    files = {
        "notes.txt": b"cos\nsystem\n.env\n",
        "eval.md": b"c__builtin__\neval\n.",  # Python 2 name, mapped as the loader maps it
        ".gitignore": b"cos\nsystem\n0cache\nlogs\n.env\n",  # os.system popped, ache.logs returned
    }

    result = scan(tmp_path / "repo", files)

    assert summary(result.findings) == [
        ("MF101", ".gitignore"),
        ("MF101", "eval.md"),
        ("MF101", "notes.txt"),
        ("MF102", ".gitignore"),
    ]
    assert result.metrics["model_files_scanned"] == 3


def test_a_pickle_named_file_returning_a_lookup_keeps_default_deny(tmp_path: Path) -> None:
    # Under a pickle or checkpoint name the same bytes are a pickle: the returned global is judged.
    files = {"cache.pkl": b"cache\nlogs\n.env\n", "state.pt": b"cmypkg.models\nConfig\n."}

    result = scan(tmp_path / "repo", files)

    assert summary(result.findings) == [("MF102", "cache.pkl"), ("MF102", "state.pt")]
    assert "imports ache.logs" in result.findings[0].message
    assert "imports mypkg.models.Config" in result.findings[1].message
    assert result.metrics["model_files_scanned"] == 2


def test_this_repositorys_own_text_files_are_not_pickles(tmp_path: Path) -> None:
    from tests.conftest import REPO_ROOT

    names = [
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("gates", "docs", "tests", "benchmarks")
        for path in sorted((REPO_ROOT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]

    result = scan_model_files(REPO_ROOT, names, ModelFilesSettings())

    assert len(names) > 100
    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 0


def test_pickle_in_torch_zip_under_bin_name(tmp_path: Path, canary: Path) -> None:
    archive = payloads.torch_like_zip(pickle.dumps(payloads.reduce_object(canary), protocol=2))

    result = scan(tmp_path / "repo", {"pytorch_model.bin": archive})

    [finding] = result.findings
    assert finding.rule_id == "MF101"
    assert finding.path == "pytorch_model.bin"
    assert "member 'archive/data.pkl'" in finding.message
    assert "posix.system" in finding.message
    assert result.metrics["model_files_archive_members"] == 4
    assert not canary.exists()


def test_pickle_in_any_member_not_only_data_pkl(tmp_path: Path, canary: Path) -> None:
    benign = pickle.dumps({"epoch": 3}, protocol=2)
    archive = payloads.torch_like_zip(
        benign, extra={"archive/extra/hooks": payloads.stack_global_via_memo(canary)}
    )

    result = scan(tmp_path / "repo", {"model.ckpt": archive})

    assert [(f.rule_id, "archive/extra/hooks" in f.message) for f in result.findings] == [("MF101", True)]
    assert not canary.exists()


def test_encrypted_flag_does_not_hide_a_member(tmp_path: Path, canary: Path) -> None:
    archive = payloads.torch_like_zip(payloads.reduce_os_system(canary))
    flagged = payloads.set_encrypted_flag(archive, "archive/data.pkl")
    with zipfile.ZipFile(io.BytesIO(flagged)) as check, pytest.raises(RuntimeError, match="encrypted"):
        check.read("archive/data.pkl")  # what stops zipfile-based scanners

    result = scan(tmp_path / "repo", {"model.pt": flagged})

    assert [f.rule_id for f in result.findings] == ["MF101"]
    assert "os.system" in result.findings[0].message
    assert not canary.exists()


def test_data_descriptor_zip_is_read(tmp_path: Path, canary: Path) -> None:
    archive = payloads.zip_with_data_descriptors({"archive/data.pkl": payloads.reduce_os_system(canary)})
    with zipfile.ZipFile(io.BytesIO(archive)) as check:
        assert check.infolist()[0].flag_bits & 0x08

    result = scan(tmp_path / "repo", {"model.pt": archive})

    assert [f.rule_id for f in result.findings] == ["MF101"]
    assert not canary.exists()


def test_nested_zip_names_the_member_path(tmp_path: Path, canary: Path) -> None:
    inner = payloads.torch_like_zip(payloads.reduce_os_system(canary))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as outer:
        outer.writestr("models/inner.zip", inner)
        outer.writestr("README", b"weights inside")

    result = scan(tmp_path / "repo", {"bundle.zip": buffer.getvalue()})

    [finding] = result.findings
    assert finding.rule_id == "MF101"
    assert "member 'models/inner.zip!/archive/data.pkl'" in finding.message
    assert not canary.exists()


def test_tar_and_tar_gz_members_are_scanned(tmp_path: Path, canary: Path) -> None:
    import tarfile

    def tar_bytes(members: dict[str, bytes], mode: str) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    checkpoint = payloads.torch_like_zip(payloads.reduce_os_system(canary))
    files = {
        "bundle.tar": tar_bytes({"notes.txt": b"hi", "model/pytorch_model.bin": checkpoint}, "w"),
        "bundle.tar.gz": tar_bytes({"weights.pkl": payloads.inst_protocol0(canary)}, "w:gz"),
    }

    result = scan(tmp_path / "repo", files)

    messages = {f.path: f.message for f in result.findings}
    assert [f.rule_id for f in result.findings] == ["MF101", "MF101"]
    assert "member 'model/pytorch_model.bin!/archive/data.pkl'" in messages["bundle.tar"]
    assert "member '(gzip)!/weights.pkl'" in messages["bundle.tar.gz"]
    assert not canary.exists()


def test_gzip_wrapped_pickle(tmp_path: Path, canary: Path) -> None:
    result = scan(tmp_path / "repo", {"frame.pkl.gz": gzip.compress(payloads.reduce_os_system(canary))})

    [finding] = result.findings
    assert finding.rule_id == "MF101" and "member '(gzip)'" in finding.message
    assert not canary.exists()


def test_nesting_deeper_than_the_limit_is_not_scanned(tmp_path: Path, canary: Path) -> None:
    data = payloads.reduce_os_system(canary)
    for level in range(3):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"level{level}.zip" if level else "data.pkl", data)
        data = buffer.getvalue()

    shallow = scan(tmp_path / "a", {"deep.zip": data}, max_depth=3)
    deep = scan(tmp_path / "b", {"deep.zip": data}, max_depth=2)

    assert [f.rule_id for f in shallow.findings] == ["MF101"]
    assert [f.rule_id for f in deep.findings] == ["MF103"]
    assert "nested deeper than 2" in deep.findings[0].message
    assert not canary.exists()


# ---- numpy ------------------------------------------------------------------------------


def test_numpy_object_array_with_payload(tmp_path: Path, canary: Path) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([payloads.reduce_object(canary), 1], dtype=object), allow_pickle=True)

    result = scan(tmp_path / "repo", {"features.npy": buffer.getvalue()})

    assert [f.rule_id for f in result.findings] == ["MF101"]
    assert "posix.system" in result.findings[0].message
    assert not canary.exists()


def test_benign_numpy_files_pass(tmp_path: Path) -> None:
    objects, plain, archive = io.BytesIO(), io.BytesIO(), io.BytesIO()
    np.save(objects, np.array([1, "a", None, {"k": 2.5}], dtype=object), allow_pickle=True)
    np.save(plain, np.arange(12, dtype=np.float32).reshape(3, 4))
    np.savez_compressed(archive, zeros=np.zeros(2_000_000), labels=np.array(["a", None], dtype=object))

    result = scan(
        tmp_path / "repo",
        {"objects.npy": objects.getvalue(), "plain.npy": plain.getvalue(), "bundle.npz": archive.getvalue()},
    )

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 3


def test_npz_member_with_payload(tmp_path: Path, canary: Path) -> None:
    archive = io.BytesIO()
    np.savez(archive, ok=np.arange(3), bad=np.array([payloads.reduce_object(canary)], dtype=object))

    result = scan(tmp_path / "repo", {"arrays.npz": archive.getvalue()})

    [finding] = result.findings
    assert finding.rule_id == "MF101" and "member 'bad.npy'" in finding.message
    assert not canary.exists()


def test_truncated_plain_npy(tmp_path: Path) -> None:
    plain = io.BytesIO()
    np.save(plain, np.arange(1000, dtype=np.int64))

    result = scan(tmp_path / "repo", {"cut.npy": plain.getvalue()[:500]})

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "truncated .npy" in finding.message


# ---- joblib ---------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [0, ("zlib", 3), ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)])
def test_joblib_files_with_arrays_are_walked_past_the_raw_array_bytes(tmp_path: Path, compress: Any) -> None:
    import joblib

    root = tmp_path / "repo"
    root.mkdir()
    arrays = {
        "floats": np.random.default_rng(0).random((40, 30)),
        "fortran": np.asfortranarray(np.ones((5, 7))),
        "text": np.array(["ab", "c"]),
        "records": np.zeros(2, dtype=[("x", "f4"), ("y", "i8")]),
        "times": np.array(["2020-01-01"], dtype="datetime64[ns]"),
        "empty": np.zeros((0, 3)),
        "objects": np.array([1, None, "x"], dtype=object),
    }
    joblib.dump(arrays, root / "model.joblib", compress=compress)

    result = scan_model_files(root, ["model.joblib"], ModelFilesSettings())

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 1


def test_joblib_payload_after_and_inside_arrays(tmp_path: Path, canary: Path) -> None:
    import joblib

    root = tmp_path / "repo"
    root.mkdir()
    data = {
        "weights": np.arange(1000, dtype=np.float32),
        "objects": np.array([payloads.reduce_object(canary)], dtype=object),
    }
    joblib.dump(data, root / "inside.joblib")
    joblib.dump({"weights": np.arange(1000.0), "hook": payloads.reduce_object(canary)}, root / "after.joblib")

    result = scan_model_files(root, ["inside.joblib", "after.joblib"], ModelFilesSettings())

    assert summary(result.findings) == [("MF101", "after.joblib"), ("MF101", "inside.joblib")]
    assert all("posix.system" in f.message for f in result.findings)
    assert not canary.exists()


def test_joblib_truncated_inside_the_array_bytes(tmp_path: Path) -> None:
    import joblib

    buffer = io.BytesIO()
    joblib.dump({"weights": np.arange(10_000.0)}, buffer)

    result = scan(tmp_path / "repo", {"cut.joblib": buffer.getvalue()[:5000]})

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "joblib array data is truncated" in finding.message


# ---- real torch checkpoints ---------------------------------------------------------------


def test_real_torch_checkpoints_pass(tmp_path: Path) -> None:
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    state = {"layer.weight": torch.randn(4, 3), "layer.bias": torch.zeros(4), "step": 7}
    torch.save(state, root / "model.pt")
    torch.save(state, root / "legacy.pth", _use_new_zipfile_serialization=False)
    torch.save(torch.nn.Linear(3, 2).state_dict(), root / "linear.bin")

    result = scan_model_files(root, ["model.pt", "legacy.pth", "linear.bin"], ModelFilesSettings())

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 3
    assert result.metrics["model_files_pickles"] >= 7  # 1 + 5 legacy pickles + 1


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")  # deprecated, still saved
def test_real_torch_objects_that_weights_only_accepts_pass(tmp_path: Path) -> None:
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    model = torch.nn.Linear(4, 3)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.randn(2, 4)).sum().backward()
    optimizer.step()
    mixed = {
        "half": torch.ones(2, dtype=torch.float16),
        "bf16": torch.ones(2, dtype=torch.bfloat16),
        "size": torch.Size([2, 3]),
        "device": torch.device("cpu"),
        "param": torch.nn.Parameter(torch.ones(2)),
        "dtype": torch.float32,
        "sparse": torch.eye(3).to_sparse(),
        "quantized": torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.quint8),
        "channels_last": torch.ones(1, 3, 4, 4).to(memory_format=torch.channels_last),
        "plain": {"set": {1, 2}, "bytes": b"abc", "complex": complex(1, 2), "list": [(1, "a", None, 1.5)]},
    }
    torch.save(optimizer.state_dict(), root / "optimizer.pt")
    torch.save(mixed, root / "mixed.pt")
    torch.save(mixed, root / "mixed_legacy.pt", _use_new_zipfile_serialization=False)

    result = scan_model_files(root, ["optimizer.pt", "mixed.pt", "mixed_legacy.pt"], ModelFilesSettings())

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 3


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit.script/save
def test_torchscript_archive_passes_and_a_pickled_module_needs_allowing(tmp_path: Path) -> None:
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    torch.jit.save(torch.jit.script(net), root / "scripted.pt")
    torch.save(net, root / "whole_module.pt")  # a pickled nn.Module: needs weights_only=False

    result = scan_model_files(root, ["scripted.pt", "whole_module.pt"], ModelFilesSettings())

    assert {f.path for f in result.findings} == {"whole_module.pt"}
    assert {f.rule_id for f in result.findings} == {"MF102"}
    assert any("torch.nn.modules.container.Sequential" in f.message for f in result.findings)


def test_legacy_torch_checkpoint_with_payload(tmp_path: Path, canary: Path) -> None:
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    torch.save(
        {"w": torch.ones(2), "hook": payloads.reduce_object(canary)},
        root / "old.pt",
        _use_new_zipfile_serialization=False,
    )

    result = scan_model_files(root, ["old.pt"], ModelFilesSettings())

    [finding] = result.findings
    assert finding.rule_id == "MF101" and "posix.system" in finding.message
    assert "old.pt (pickle #4)" in finding.message  # magic, protocol, sys info, then the object
    assert not canary.exists()


def test_truncated_legacy_torch_checkpoint(tmp_path: Path) -> None:
    import torch

    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer, _use_new_zipfile_serialization=False)
    data = buffer.getvalue()

    result = scan(tmp_path / "repo", {"old.pt": data[:120]})

    assert [f.rule_id for f in result.findings] == ["MF103"]
    assert "legacy torch checkpoint cut short" in result.findings[0].message


# ---- unscannable files --------------------------------------------------------------------


def test_truncated_pickle(tmp_path: Path, canary: Path) -> None:
    benign = pickle.dumps({"weights": list(range(100))}, protocol=4)
    malicious = payloads.reduce_os_system(canary)

    result = scan(tmp_path / "repo", {"cut.pkl": benign[: len(benign) // 2], "evil-cut.pkl": malicious[:-1]})

    assert summary(result.findings) == [
        ("MF101", "evil-cut.pkl"),
        ("MF103", "cut.pkl"),
        ("MF103", "evil-cut.pkl"),
    ]
    assert "truncated or corrupt pickle" in only(result.findings, "MF103")[0].message
    assert not canary.exists()


def test_corrupt_zip(tmp_path: Path) -> None:
    result = scan(tmp_path / "repo", {"model.pt": b"PK\x03\x04" + b"\x00garbage" * 20})

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "corrupt zip archive" in finding.message


def test_corrupt_member_data(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(list(range(5000)), protocol=2))
    data = bytearray(buffer.getvalue())
    data[60:200] = b"\xff" * 140  # inside the deflate stream

    result = scan(tmp_path / "repo", {"model.pt": bytes(data)})

    assert [f.rule_id for f in result.findings] == ["MF103"]


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(b"", protocol=2) + b"\x00" * (20 * 1024 * 1024))

    result = scan(tmp_path / "repo", {"bomb.pt": buffer.getvalue()})

    [finding] = result.findings
    assert finding.rule_id == "MF103"
    assert "possible zip bomb" in finding.message and "member 'archive/data.pkl'" in finding.message


def test_decompression_budget(tmp_path: Path) -> None:
    big = pickle.dumps(b"x" * (3 * 1024 * 1024), protocol=4)

    result = scan(tmp_path / "repo", {"big.pkl.gz": gzip.compress(big)}, max_decompressed_mb=1)

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "max_decompressed_mb" in finding.message


def test_budget_exhausted_in_an_archive_is_reported_once(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(5):
            # Random bytes: a member that deflates well would be a suspected bomb by ratio first.
            archive.writestr(f"part{index}.pkl", pickle.dumps(random.randbytes(600 * 1024), protocol=4))

    result = scan(tmp_path / "repo", {"parts.zip": buffer.getvalue()}, max_decompressed_mb=1)

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "max_decompressed_mb" in finding.message


def test_large_compressible_text_is_neither_oversized_nor_a_bomb(tmp_path: Path) -> None:
    text = b"a,b,c\n" + b"1,2,3\n" * 400_000  # starts with an opcode byte ("a" is APPEND)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("table.csv", text)

    result = scan(tmp_path / "repo", {"table.csv": text, "tables.zip": buffer.getvalue()}, max_file_mb=1)

    assert result.findings == []


def test_oversized_file(tmp_path: Path) -> None:
    result = scan(tmp_path / "repo", {"huge.pkl": pickle.dumps(list(range(5000)))}, max_file_mb=0.001)

    [finding] = result.findings
    assert finding.rule_id == "MF103" and "max_file_mb" in finding.message


def test_forged_length_is_truncation_not_allocation(tmp_path: Path) -> None:
    forged = b"\x80\x04\x8e" + (2**60).to_bytes(8, "little") + b"abc"  # BINBYTES8 claiming 2**60 bytes

    result = scan(tmp_path / "repo", {"forged.pkl": forged})

    assert [f.rule_id for f in result.findings] == ["MF103"]


# ---- LFS, safetensors, non-model files ------------------------------------------------------


def test_lfs_pointer_is_not_scanned(tmp_path: Path) -> None:
    result = scan(tmp_path / "a", {"models/big.safetensors": payloads.lfs_pointer()})
    relaxed = scan(tmp_path / "b", {"model.bin": payloads.lfs_pointer()}, lfs_pointer_severity="warning")

    [finding] = result.findings
    assert (finding.rule_id, finding.severity) == ("MF104", Severity.ERROR)
    assert "Git LFS pointer (sha256:4d7a2146" in finding.message and "not scanned" in finding.message
    assert result.metrics["model_files_not_scanned_lfs"] == 1
    assert [f.severity for f in relaxed.findings] == [Severity.WARNING]


def test_safetensors_pass_and_corrupt_header_is_reported(tmp_path: Path) -> None:
    good = payloads.safetensors_bytes({"w": [1.0, 2.0], "b": [0.5]})
    header_length = int.from_bytes(good[:8], "little")
    header = json.loads(good[8 : 8 + header_length])
    header["w"]["data_offsets"] = [0, 4096]
    bad_header = json.dumps(header).encode()
    bad = len(bad_header).to_bytes(8, "little") + bad_header + good[8 + header_length :]

    result = scan(tmp_path / "repo", {"model.safetensors": good, "broken.safetensors": bad})

    assert summary(result.findings) == [("MF103", "broken.safetensors")]
    assert "outside the file" in result.findings[0].message
    assert result.metrics["model_files_safetensors"] == 1


def test_non_model_files_are_skipped(tmp_path: Path) -> None:
    files = {
        "README.md": b"hello.",  # decodes as protocol-0 opcodes, but is no valid pickle
        "setup.py": b"import os\nclass A:\n    pass\n",
        "site.pth": b"import sys; sys.path.append('x')\n",
        "image.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "empty.bin": b"",
        "raw.bin": bytes(range(256)) * 4,
    }

    result = scan(tmp_path / "repo", files)

    assert result.findings == []
    assert result.metrics["model_files_candidates"] == len(files)
    assert result.metrics["model_files_scanned"] == 0


def test_benign_pickles_of_plain_data_pass(tmp_path: Path) -> None:
    data = {"a": [1, 2.0, "x", b"y", {1, 2}, frozenset({3}), complex(1, 2), bytearray(b"z")]}
    files = {f"p{protocol}.pkl": pickle.dumps(data, protocol=protocol) for protocol in range(6)}
    files["renamed.txt"] = pickle.dumps(data, protocol=0)

    result = scan(tmp_path / "repo", files)

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 7


# ---- the allowlist -------------------------------------------------------------------------


def _custom_class_pickle() -> bytes:
    return b"\x80\x02cmypkg.models\nConfig\n)\x81}X\x01\x00\x00\x00aK\x01sb."


def test_unknown_global_fails_until_allowlisted(tmp_path: Path) -> None:
    payload = _custom_class_pickle()
    payloads.assert_valid_pickle(payload)

    default = scan(tmp_path / "a", {"cfg.pkl": payload})
    exact = scan(tmp_path / "b", {"cfg.pkl": payload}, allowed_globals=["mypkg.models.Config"])
    wildcard = scan(tmp_path / "c", {"cfg.pkl": payload}, allowed_globals=["mypkg.*"])

    [finding] = default.findings
    assert finding.rule_id == "MF102"
    assert "calls mypkg.models.Config, which is not on the allowlist" in finding.message
    assert "allowed_globals" in finding.message
    assert exact.findings == [] and wildcard.findings == []


def test_dangerous_globals_cannot_be_allowlisted(tmp_path: Path, canary: Path) -> None:
    result = scan(tmp_path / "repo", {"x.pkl": payloads.reduce_os_system(canary)}, allowed_globals=["os.*"])

    assert [f.rule_id for f in result.findings] == ["MF101"]
    assert not canary.exists()


def test_attribute_walk_through_an_allowed_module_is_dangerous(tmp_path: Path, canary: Path) -> None:
    # Protocol 4 resolves dotted names: torch + _utils.os.system reaches os.system.
    command = payloads.touch(canary)
    payload = (
        b"\x80\x04\x8c\x05torch\x8c\x10_utils.os.system\x93\x8c"
        + bytes([len(command)])
        + command.encode()
        + b"\x85R."
    )

    result = scan(tmp_path / "repo", {"x.pt": payload})

    [finding] = result.findings
    assert finding.rule_id == "MF101" and "torch._utils.os.system" in finding.message
    assert not canary.exists()


def test_computed_stack_global_operands(tmp_path: Path) -> None:
    # STACK_GLOBAL whose module string is the result of a call, not a literal.
    payload = b"\x80\x04c_codecs\nencode\n\x8c\x02os\x85R\x8c\x06system\x93."

    result = scan(tmp_path / "repo", {"x.pkl": payload})

    assert any("cannot resolve (<computed module/name>" in f.message for f in result.findings)


# ---- fingerprints --------------------------------------------------------------------------


def test_fingerprint_follows_file_content(tmp_path: Path, canary: Path) -> None:
    first = scan(tmp_path / "a", {"m.pkl": payloads.reduce_os_system(canary)})
    same = scan(tmp_path / "b", {"m.pkl": payloads.reduce_os_system(canary)})
    changed = scan(tmp_path / "c", {"m.pkl": payloads.reduce_os_system(canary / "other")})

    assert first.findings[0].fingerprint == same.findings[0].fingerprint
    assert first.findings[0].fingerprint != changed.findings[0].fingerprint
    assert not canary.exists()


def test_every_model_file_rule_has_a_docs_page() -> None:
    from tests.conftest import REPO_ROOT

    for rule_id in ("MF101", "MF102", "MF103", "MF104"):
        text = (REPO_ROOT / "docs" / "rules" / f"{rule_id}.md").read_text(encoding="utf-8")
        for heading in ("## What it does", "## Why it matters", "## Example", "## Fix"):
            assert heading in text, (rule_id, heading)
        assert f"[{rule_id}]({rule_id}.md)" in (REPO_ROOT / "docs" / "rules" / "README.md").read_text()

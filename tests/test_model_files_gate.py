"""The model-file scan through ``gates models --files-only``: verdicts, waivers, LFS severity."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path
from typing import Any

from tests import model_file_payloads as payloads
from tests.conftest import Repo


def _models_json(run_cli: Any, *argv: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("models", "--files-only", "--format", "json", *argv)
    report = json.loads(result.out)
    [gate] = report["gates"]
    return result.code, gate


def test_malicious_checkpoint_fails_the_gate(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    repo.write_bytes("models/pytorch_model.bin", payloads.torch_like_zip(payloads.reduce_os_system(canary)))
    repo.write_bytes("models/ok.safetensors", payloads.safetensors_bytes({"w": [1.0]}))
    repo.write("train.py", "print('hi')\n")
    repo.commit("add model")

    code, gate = _models_json(run_cli)

    assert code == 1 and gate["verdict"] == "fail"
    [finding] = gate["findings"]
    assert finding["rule_id"] == "MF101" and finding["path"] == "models/pytorch_model.bin"
    assert "archive/data.pkl" in finding["message"] and "os.system" in finding["message"]
    assert gate["metrics"]["model_files_scanned"] == 2
    assert gate["metrics"]["model_files_safetensors"] == 1
    assert not canary.exists()


def test_clean_repository_passes(repo: Repo, run_cli: Any) -> None:
    repo.write_bytes("weights.pkl", pickle.dumps({"w": [0.5, 1.5]}, protocol=4))
    repo.write("README.md", "weights.pkl holds plain floats.")
    repo.commit("clean")

    code, gate = _models_json(run_cli)

    assert code == 0 and gate["verdict"] == "pass"
    assert gate["findings"] == []


def test_text_files_a_hook_passes_are_not_pickles(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    # The hook passes every file; these decode as "GLOBAL, then STOP" but cannot load.
    canary = tmp_path / "canary"
    repo.write(".gitignore", "coverage.json\n.coverage\n.venv\n")
    repo.write("animals.csv", "cat,dog\nfelix,rex\n.5,.7\n")
    repo.write("Makefile", "clean:\n\trm -rf build dist\n.PHONY: clean\n")
    repo.write_bytes("NOTES.md", payloads.reduce_os_system(canary)[:-1])  # a payload without STOP

    code, gate = _models_json(run_cli, ".gitignore", "animals.csv", "Makefile")

    assert code == 0 and gate["findings"] == [] and gate["metrics"]["model_files_scanned"] == 0
    code, gate = _models_json(run_cli, ".gitignore", "animals.csv", "Makefile", "NOTES.md")
    assert code == 1
    assert sorted((f["rule_id"], f["path"]) for f in gate["findings"]) == [
        ("MF101", "NOTES.md"),
        ("MF103", "NOTES.md"),
    ]
    assert not canary.exists()


def test_ignore_files_that_read_as_a_returned_lookup_pass_the_hook(repo: Repo, run_cli: Any) -> None:
    # "cache", "logs", ".env" loads as GLOBAL ache.logs, then STOP: nothing is called.
    repo.write(".gitignore", "cache\nlogs\n.env\n")
    repo.write("ml/.gitignore", "checkpoints\nwandb\n.DS_Store\n")
    repo.write(".dockerignore", "coverage\nhtmlcov\n.git\n")

    code, gate = _models_json(run_cli, ".gitignore", "ml/.gitignore", ".dockerignore")

    assert code == 0 and gate["verdict"] == "pass"
    assert gate["findings"] == [] and gate["metrics"]["model_files_scanned"] == 0


def test_returned_lookups_that_still_fail_the_hook(repo: Repo, run_cli: Any) -> None:
    repo.write("notes.txt", "cos\nsystem\n.env\n")  # hands os.system to the caller
    repo.write_bytes("cache.pkl", b"cache\nlogs\n.env\n")  # a pickle name keeps default-deny

    code, gate = _models_json(run_cli, "notes.txt", "cache.pkl")

    assert code == 1 and gate["verdict"] == "fail"
    assert sorted((f["rule_id"], f["path"]) for f in gate["findings"]) == [
        ("MF101", "notes.txt"),
        ("MF102", "cache.pkl"),
    ]


def test_explicit_files_are_scanned_as_given(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    repo.write_bytes("a.pkl", payloads.reduce_os_system(canary))
    repo.write_bytes("b.pkl", pickle.dumps([1, 2]))

    code, gate = _models_json(run_cli, "b.pkl")

    assert code == 0 and gate["findings"] == []
    code, gate = _models_json(run_cli, "a.pkl", "b.pkl")
    assert code == 1 and [f["path"] for f in gate["findings"]] == ["a.pkl"]
    assert not canary.exists()


def test_waiver_accepts_a_reviewed_file(repo: Repo, run_cli: Any) -> None:
    custom = b"\x80\x02cmypkg.models\nConfig\n)\x81."
    repo.write_bytes("cfg.pkl", custom)
    repo.write(
        "policy.yaml",
        """\
        version: 1
        model_safety:
          code_rules: false
          waivers:
            - rule: MF102
              path: cfg.pkl
              reason: "our own config class, reviewed"
              expires: 2099-01-01
        """,
    )

    code, gate = _models_json(run_cli)

    assert code == 0
    [finding] = gate["findings"]
    assert finding["rule_id"] == "MF102" and finding["suppressed_by"] == "waiver"


def test_lfs_pointer_severity_from_policy(repo: Repo, run_cli: Any) -> None:
    repo.write_bytes("model.safetensors", payloads.lfs_pointer())

    code, gate = _models_json(run_cli)
    assert code == 1 and [f["rule_id"] for f in gate["findings"]] == ["MF104"]

    repo.write(
        "policy.yaml", "version: 1\nmodel_safety:\n  model_files:\n    lfs_pointer_severity: warning\n"
    )
    code, gate = _models_json(run_cli)
    assert code == 0 and [f["severity"] for f in gate["findings"]] == ["warning"]
    assert gate["metrics"]["model_files_not_scanned_lfs"] == 1


def test_bad_policy_value_is_a_usage_error(repo: Repo, run_cli: Any) -> None:
    repo.write(
        "policy.yaml", "version: 1\nmodel_safety:\n  model_files:\n    allowed_globals: ['os system']\n"
    )

    result = run_cli("models", "--files-only")

    assert result.code == 2
    assert "allowed_globals" in result.err + result.out


def test_trust_presets_from_the_policy(repo: Repo, run_cli: Any) -> None:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    buffer = io.BytesIO()
    torch.save(model, buffer)
    repo.write_bytes("model.pt", buffer.getvalue())
    repo.commit("whole module")

    code, gate = _models_json(run_cli)
    assert code == 1 and {f["rule_id"] for f in gate["findings"]} == {"MF102"}

    policy = "version: 1\nmodel_safety:\n  model_files:\n    trust: {}\n"
    repo.write("policy.yaml", policy.format("[hf-trainer, torch-modules]"))
    code, gate = _models_json(run_cli)
    assert code == 0 and gate["findings"] == []

    repo.write("policy.yaml", policy.format("['sklearn.*']"))
    result = run_cli("models", "--files-only")
    assert result.code == 2 and "trust" in result.err + result.out  # a preset name, never a pattern

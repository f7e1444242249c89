"""The models gate's worker processes import nothing from the scanned repository (issue 13, item 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gates.checks.models import code_scan
from tests.conftest import Repo

GATES = str(Path(sys.executable).parent / "gates")
# Modules a Python child process imports after start-up (multiprocessing's own bootstrap,
# our worker, the analyser): planted at the root, each would write its canary when imported.
PLANTED = ["signal", "tokenize", "random", "json", "pickle", "ast", "re", "threading"]


def _plant(repo: Repo, canaries: Path) -> None:
    for name in PLANTED:
        code = f"open({str(canaries / name)!r}, 'w').write('imported')\n"
        repo.write(f"{name}.py", code)
    for package in ("multiprocessing", "gates", "concurrent"):
        repo.write(f"{package}/__init__.py", f"open({str(canaries / package)!r}, 'w').write('x')\n")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: the gate parses in-process")
def test_workers_never_import_the_scanned_repository(repo: Repo, tmp_path: Path) -> None:
    canaries = tmp_path / "canaries"
    canaries.mkdir()
    count = 20
    # Over the threshold in all (a long comment in each file): worker processes parse.
    padding = "# " + "x" * 97 + "\n"
    pad = padding * (code_scan.PARALLEL_FROM_BYTES // count // len(padding) + 1)
    for index in range(count):
        source = f"import torch\n{pad}\n\ndef load(p):\n    return torch.load(p)  # {index}\n"
        repo.write(f"pkg/m{index}.py", source)
    _plant(repo, canaries)
    repo.write("policy.yaml", "version: 1\nmodel_safety:\n  cache: false\n")
    repo.commit("a big repository with planted modules")
    # The console script, as users and hooks run it (not `python -m gates`, whose own cwd
    # entry on sys.path is the caller's choice).
    proc = subprocess.run(
        [GATES, "models", "--code-only", "--format", "json"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert sorted(p.name for p in canaries.iterdir()) == []
    (gate,) = json.loads(proc.stdout)["gates"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert gate["metrics"]["code_files_parsed"] == count
    assert sum(f["rule_id"] == "MS101" for f in gate["findings"]) == count


def test_the_working_directory_and_the_root_go_last_on_the_workers_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gates.checks.models.workers import child_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "r" / "src").mkdir(parents=True)
    src, repo = str(tmp_path / "r" / "src"), str(tmp_path / "r")
    entries = ["", str(tmp_path), "/usr/lib/python3", src, "/site", repo]
    monkeypatch.setattr(sys, "path", entries)
    assert child_path(tmp_path / "r") == [
        "/usr/lib/python3",
        "/site",
        str(tmp_path),
        src,
        repo,
    ]


def test_a_worker_that_fails_is_an_error_not_a_pass(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    from gates.checks.models import workers

    monkeypatch.setattr(code_scan, "PARALLEL_FROM_BYTES", 1)
    monkeypatch.setattr(code_scan.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers, "_BOOT", "import sys; sys.exit(3)")
    repo.write("a.py", "import torch\ntorch.load('x')\n")
    repo.write("b.py", "import torch\ntorch.load('y')\n")
    repo.write("policy.yaml", "version: 1\nmodel_safety:\n  cache: false\n")
    result = run_cli("models", "--code-only")
    assert result.code == 2
    assert "a models worker process failed (exit code 3)" in result.out


def test_workers_give_what_the_in_process_analysis_gives(tmp_path: Path) -> None:
    from gates.checks.models.analyzer import analyze_file
    from gates.checks.models.calls import AnalysisSettings, TrustedModel
    from gates.checks.models.workers import _settings_from_json, _settings_to_json, analyze_in_workers

    settings = AnalysisSettings(
        require_explicit_weights_only=False,
        min_torch_version=(2, 6),
        trusted_remote_code=(TrustedModel("org/model", "a" * 40),),
        severities=(("MS701", "error"), ("MS302", "off")),
    )
    assert _settings_from_json(json.loads(json.dumps(_settings_to_json(settings)))) == settings
    sources = [
        b"import torch\ntorch.load(p)\n",
        b"import pickle\npickle.loads(b)  # ml-gates: ignore[MS201] -- test data\n",
        b"import requests\nrequests.get(u)\n",
        "from transformers import AutoModel\nAutoModel.from_pretrained('org/model', trust_remote_code=True)\n"
        "# caf\u00e9\n".encode(),
        b"def broken(:\n    torch.load(p)\n",
        b"\xff\xfe not utf-8 torch.load(p)\n",
    ]
    pending = [(f"m{i}.py", data) for i, data in enumerate(sources * 3)]
    parallel = analyze_in_workers(tmp_path, pending, settings, workers=2)
    serial = [analyze_file(tmp_path, name, data, settings) for name, data in pending]
    assert [a.to_json() for a in parallel] == [a.to_json() for a in serial]
    assert any(a.findings for a in serial)

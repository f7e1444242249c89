"""The content-hash cache: warm reruns reuse results; content, rule or policy changes invalidate."""

from __future__ import annotations

import json
from pathlib import Path

from gates.checks.models.cache import cache_file
from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.code_scan import scan_code


def _scan(root: Path, settings: AnalysisSettings | None = None):  # type: ignore[no-untyped-def]
    return scan_code(root, ["a.py", "b.py"], settings or AnalysisSettings(), use_cache=True, prune_cache=True)


def _cache_path(root: Path) -> Path:
    path = cache_file(root)
    assert path is not None
    return path


def _setup(root: Path) -> None:
    (root / "a.py").write_text("import torch\ntorch.load(p)\n")
    (root / "b.py").write_text("import pickle\npickle.loads(d)\n")


def test_warm_run_hits_the_cache_with_identical_findings(tmp_path: Path) -> None:
    _setup(tmp_path)
    cold = _scan(tmp_path)
    warm = _scan(tmp_path)
    assert cold.metrics["code_cache_hits"] == 0
    assert warm.metrics["code_cache_hits"] == 2
    assert [(f.rule_id, f.path, f.line) for f in warm.findings] == [
        (f.rule_id, f.path, f.line) for f in cold.findings
    ]
    assert json.loads(_cache_path(tmp_path).read_text())["files"]["a.py"]["sha256"]


def test_changed_content_is_reanalysed(tmp_path: Path) -> None:
    _setup(tmp_path)
    _scan(tmp_path)
    (tmp_path / "a.py").write_text("import torch\ntorch.load(p, weights_only=True)\n")
    warm = _scan(tmp_path)
    assert warm.metrics["code_cache_hits"] == 1
    assert [f.rule_id for f in warm.findings] == ["MS201"]


def test_policy_change_invalidates_everything(tmp_path: Path) -> None:
    _setup(tmp_path)
    _scan(tmp_path)
    changed = AnalysisSettings(severities=(("MS201", "off"),))
    warm = _scan(tmp_path, changed)
    assert warm.metrics["code_cache_hits"] == 0
    assert [f.rule_id for f in warm.findings] == ["MS101"]


def test_rules_version_change_invalidates(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _setup(tmp_path)
    _scan(tmp_path)
    monkeypatch.setattr("gates.checks.models.cache.RULES_VERSION", "changed")
    assert _scan(tmp_path).metrics["code_cache_hits"] == 0


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    _setup(tmp_path)
    _cache_path(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    _cache_path(tmp_path).write_text("{not json")
    assert len(_scan(tmp_path).findings) == 2


def test_damaged_cache_entries_are_reanalysed_not_a_crash(tmp_path: Path) -> None:
    _setup(tmp_path)
    _scan(tmp_path)
    good = json.loads(_cache_path(tmp_path).read_text())
    entry = good["files"]["a.py"]["findings"][0]
    for damaged in (["not an object"], [{**entry, "rule": "MS999"}], [{**entry, "severity": "fatal"}]):
        good["files"]["a.py"]["findings"] = damaged
        _cache_path(tmp_path).write_text(json.dumps(good))
        scan = _scan(tmp_path)
        assert scan.metrics["code_cache_hits"] == 1
        assert sorted(f.rule_id for f in scan.findings) == ["MS101", "MS201"]


def test_local_directory_appearing_invalidates_a_hub_id_decision(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('models/bert')\n"
    )
    (tmp_path / "b.py").write_text("x = 1\n")
    assert [f.rule_id for f in _scan(tmp_path).findings] == ["MS301"]
    (tmp_path / "models" / "bert").mkdir(parents=True)
    assert _scan(tmp_path).findings == []


def test_the_cache_lives_outside_the_repository(repo) -> None:  # type: ignore[no-untyped-def]
    # A cache inside the repository could be committed: a pull request could add one
    # claiming its unsafe file is clean. Nothing the repository holds is ever read as one.
    _setup(repo.root)
    _scan(repo.root)
    assert not (repo.root / ".gates").exists()
    assert repo.root not in _cache_path(repo.root).parents
    forged = json.loads(_cache_path(repo.root).read_text())
    for entry in forged["files"].values():
        entry["findings"] = []
    repo.write(".gates/cache/models-code.json", json.dumps(forged))
    repo.git("add", "-f", ".gates/cache/models-code.json")
    repo.commit("add a cache")
    _cache_path(repo.root).unlink()
    scan = _scan(repo.root)
    assert scan.metrics["code_cache_hits"] == 0
    assert sorted(f.rule_id for f in scan.findings) == ["MS101", "MS201"]


def test_each_checkout_has_its_own_cache(tmp_path: Path) -> None:
    assert cache_file(tmp_path / "one") != cache_file(tmp_path / "two")


def test_no_cache_switch(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GATES_NO_CACHE", "1")
    _setup(tmp_path)
    assert cache_file(tmp_path) is None
    _scan(tmp_path)
    assert _scan(tmp_path).metrics["code_cache_hits"] == 0

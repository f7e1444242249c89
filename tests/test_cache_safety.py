"""Caches cannot be planted: relative cache variables are ignored, a cache directory inside the
checkout is refused, and an entry counts only for what it was made from (issue 13, item 5)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gates.fsutil import user_cache_dir

UNSAFE = "import pickle\npickle.loads(d)\n"


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GATES_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(overrides)
    return env


def _gates(cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gates", *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _only(directory: Path) -> Path:
    (entry,) = [p for p in directory.iterdir() if p.suffix == ".json"]
    return entry


def _disabling_policy_entry(repo, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A real policy-cache entry for the committed policy, edited to switch the models gate off."""
    made = tmp_path / "made-cache"
    first = _gates(repo.root, _env(GATES_CACHE_DIR=str(made), HOME=str(tmp_path)), "models")
    assert first.returncode == 1, first.stdout + first.stderr
    entry = _only(made / "policy")
    body = json.loads(entry.read_text())
    body["policy"]["model_safety"]["enabled"] = False
    entry.write_text(json.dumps(body))
    return entry


@pytest.mark.parametrize(
    ("variable", "relative_dir", "subdir"),
    [("XDG_CACHE_HOME", ".cache", "ml-gates/policy"), ("GATES_CACHE_DIR", ".gates-cache", "policy")],
)
def test_relative_cache_variable_cannot_plant_a_policy(  # type: ignore[no-untyped-def]
    repo, tmp_path: Path, variable: str, relative_dir: str, subdir: str
) -> None:
    repo.write("policy.yaml", "version: 1\n")
    repo.write("a.py", UNSAFE)
    entry = _disabling_policy_entry(repo, tmp_path)
    planted = repo.root / relative_dir / subdir / entry.name
    planted.parent.mkdir(parents=True)
    shutil.copy(entry, planted)
    repo.commit("a committed cache entry that switches the models gate off")
    home = tmp_path / "home"
    home.mkdir()
    result = _gates(repo.root, _env(**{variable: relative_dir, "HOME": str(home)}), "models")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MS201" in result.stdout
    # The relative value was ignored: the cache went to $HOME/.cache, not into the repository.
    assert (home / ".cache" / "ml-gates" / "policy").is_dir()


def test_absolute_cache_dir_inside_the_checkout_is_refused(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\n")
    repo.write("a.py", UNSAFE)
    entry = _disabling_policy_entry(repo, tmp_path)
    inside = repo.root / "ci-cache"
    (inside / "policy").mkdir(parents=True)
    shutil.copy(entry, inside / "policy" / entry.name)
    result = _gates(repo.root, _env(GATES_CACHE_DIR=str(inside), HOME=str(tmp_path)), "models")
    assert result.returncode == 1, result.stdout + result.stderr
    assert not (inside / "models").exists()


def test_policy_entry_renamed_to_another_policy_is_a_miss(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An entry made for one policy text, stored under another text's key, is not used."""
    cache = tmp_path / "cache"
    env = _env(GATES_CACHE_DIR=str(cache), HOME=str(tmp_path))
    repo.write("a.py", UNSAFE)
    repo.write("policy.yaml", "version: 1\nmodel_safety:\n  enabled: false\n")
    assert _gates(repo.root, env, "models").returncode == 0
    off_entry = _only(cache / "policy")
    repo.write("policy.yaml", "version: 1\n")
    first = _gates(repo.root, env, "models")
    assert first.returncode == 1
    (on_entry,) = [p for p in (cache / "policy").iterdir() if p != off_entry]
    shutil.copy(off_entry, on_entry)
    result = _gates(repo.root, env, "models")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MS201" in result.stdout


def test_models_cache_from_another_checkout_is_not_used(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The models cache file names its checkout; one copied from elsewhere is ignored."""
    cache = tmp_path / "cache"
    env = _env(GATES_CACHE_DIR=str(cache), HOME=str(tmp_path))
    repo.write("a.py", UNSAFE)
    repo.commit("unsafe")
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(other)], check=True)
    assert _gates(other, env, "models").returncode == 1
    other_file = _only(cache / "models")
    doctored = json.loads(other_file.read_text())
    doctored["files"]["a.py"]["findings"] = []  # "clean", as a planted entry would say
    other_file.write_text(json.dumps(doctored))
    assert _gates(other, env, "models").returncode == 0  # the cache is trusted for its own checkout
    # This checkout's cache file name (as gates.checks.models.cache.cache_file derives it).
    name = hashlib.sha256(str(repo.root.resolve()).encode()).hexdigest()[:32]
    shutil.copy(other_file, cache / "models" / f"{name}.json")
    result = _gates(repo.root, env, "models")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MS201" in result.stdout


def test_user_cache_dir_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATES_NO_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATES_CACHE_DIR", "rel")
    monkeypatch.setenv("XDG_CACHE_HOME", "also-rel")
    assert user_cache_dir("policy") == tmp_path / ".cache" / "ml-gates" / "policy"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir("policy") == tmp_path / "xdg" / "ml-gates" / "policy"
    monkeypatch.setenv("GATES_CACHE_DIR", str(tmp_path / "mine"))
    assert user_cache_dir("models") == tmp_path / "mine" / "models"
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # writable by anyone, not sticky: anyone could plant entries
    monkeypatch.setenv("GATES_CACHE_DIR", str(shared))
    assert user_cache_dir("models") is None
    monkeypatch.setenv("GATES_NO_CACHE", "1")
    assert user_cache_dir("models") is None

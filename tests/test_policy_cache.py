"""A cached policy equals the validated one, and anything odd in the cache is a miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.policy import cache
from gates.policy.loader import parse_policy_text
from gates.policy.model import Policy
from gates.policy.plain import from_plain, to_plain
from gates.policy_commands import starter_policy_text

ROOT = Path(__file__).resolve().parents[1]
WAIVERS = (
    "version: 1\nsecurity:\n  waivers:\n    - rule: B301\n      path: legacy/\n"
    "      reason: old\n      expires: 2099-12-31\n      owner: '@me'\n"
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("GATES_CACHE_DIR", str(directory))
    return directory


@pytest.mark.parametrize(
    "text",
    [(ROOT / "policy.yaml").read_text(encoding="utf-8"), starter_policy_text(), WAIVERS],
    ids=["repo-policy", "starter", "waivers"],
)
def test_cached_policy_equals_validated_policy(tmp_path: Path, text: str) -> None:
    fresh = parse_policy_text(text, tmp_path / "policy.yaml")
    assert len(list((tmp_path / "cache" / "policy").iterdir())) == 1
    cached = parse_policy_text(text, tmp_path / "policy.yaml")
    assert cached.policy == fresh.policy
    assert to_plain(cached.policy) == to_plain(fresh.policy)
    assert cached.value_marks == fresh.value_marks
    assert cached.key_marks == fresh.key_marks


def test_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    parse_policy_text(WAIVERS, tmp_path / "policy.yaml")
    (entry,) = (tmp_path / "cache" / "policy").iterdir()
    entry.write_text("{broken", encoding="utf-8")
    again = parse_policy_text(WAIVERS, tmp_path / "policy.yaml")
    assert again.policy.security.waivers[0].owner == "@me"


def test_key_changes_with_text() -> None:
    assert cache.cache_key("version: 1\n") != cache.cache_key("version: 1\n\n")


def test_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATES_NO_CACHE", "1")
    parse_policy_text(WAIVERS, tmp_path / "policy.yaml")
    assert not (tmp_path / "cache").exists()


def test_from_plain_rejects_non_mapping() -> None:
    with pytest.raises(TypeError):
        from_plain(Policy, ["not", "a", "mapping"])

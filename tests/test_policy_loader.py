"""Bad policies exit 2 with one line naming file:line:column and the fix."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from gates.errors import PolicyError
from gates.policy.loader import find_policy, load_policy, parse_policy_text

TODAY = date.today()


def write(repo_root: Path, text: str, name: str = "policy.yaml") -> Path:
    path = repo_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


BAD_POLICIES = [
    pytest.param(
        "version: 1\ncoverage:\n  line_mni: 80\n",
        "policy.yaml:3:3: unknown key 'line_mni' in coverage; did you mean 'line_min'?",
        id="unknown-key",
    ),
    pytest.param(
        "version: 1\ncoverage:\n  line_min: lots\n",
        "policy.yaml:3:13: coverage.line_min: Input should be a valid number",
        id="wrong-type",
    ),
    pytest.param(
        "version: 1\nsecurity:\n  waivers:\n    - rule: B301\n      reason: legacy\n"
        "      expires: 2026-13-45\n",
        "policy.yaml:6:16: malformed date '2026-13-45' for security.waivers[0].expires; "
        "write it as YYYY-MM-DD",
        id="malformed-date",
    ),
    pytest.param(
        "version: 1\nsecurity:\n  waivers:\n    - rule: B301\n      reason: legacy\n"
        f"      expires: {(TODAY - timedelta(days=1)).isoformat()}\n",
        f"policy.yaml:6:16: waiver expired on {(TODAY - timedelta(days=1)).isoformat()} ('legacy'); "
        "fix the finding, or renew 'expires' with a fresh reason",
        id="expired-waiver",
    ),
    pytest.param(
        "version: 1\ncoverage: [80\n",
        "policy.yaml:3:1: YAML syntax error: expected ',' or ']'",
        id="yaml-syntax",
    ),
    pytest.param("", "policy.yaml:1:1: the policy file is empty", id="empty-file"),
    pytest.param("# only a comment\n", "policy.yaml:1:1: the policy file is empty", id="comments-only"),
    pytest.param(
        "- version\n- 1\n",
        "policy.yaml:1:1: the policy must be a mapping (keys such as 'version: 1'), not list",
        id="not-a-mapping",
    ),
    pytest.param("just words\n", "policy.yaml:1:1: the policy must be a mapping", id="scalar"),
    pytest.param("version: 1\nversion: 1\n", "policy.yaml:2:1: duplicate key 'version'", id="duplicate-key"),
    pytest.param("coverage: {}\n", "policy.yaml:1:1: missing required key 'version'", id="missing-version"),
    pytest.param("version: 2\n", "policy.yaml:1:10: version: Input should be 1", id="wrong-version"),
    pytest.param(
        "version: 1\nsecurity:\n  waivers:\n    - reason: x\n      expires: 2099-01-01\n",
        "policy.yaml:4:7: security.waivers[0]: "
        "a waiver needs at least one of 'rule', 'path' or 'fingerprint'",
        id="waiver-without-matcher",
    ),
    pytest.param(
        "version: 1\nsecurity:\n  waivers:\n    - rule: B301\n      expires: 2099-01-01\n",
        "policy.yaml:4:7: missing required key 'reason' in security.waivers[0]",
        id="waiver-without-reason",
    ),
    pytest.param(
        "version: 1\nsecurty:\n  enabled: true\n",
        "policy.yaml:2:1: unknown key 'securty' in the policy; did you mean 'security'?",
        id="top-level-typo",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_POLICIES)
def test_bad_policy_exits_2_with_one_located_line(repo, run_cli, text: str, expected: str) -> None:
    write(repo.root, text)
    result = run_cli("check", "--policy", "policy.yaml")
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(expected), lines[0]
    assert "Traceback" not in result.err


def test_validate_lists_every_problem(repo, run_cli) -> None:
    write(repo.root, "version: 1\ncoverage:\n  line_mni: 80\nsecurity:\n  enabld: true\n")
    result = run_cli("policy", "validate", "policy.yaml")
    assert result.code == 2
    assert result.err.splitlines() == [
        "policy.yaml:3:3: unknown key 'line_mni' in coverage; did you mean 'line_min'?",
        "policy.yaml:5:3: unknown key 'enabld' in security; did you mean 'enabled'?",
    ]


def test_first_error_mentions_how_many_more(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy_text("version: 1\ncoverage:\n  a: 1\n  b: 2\n", tmp_path / "p.yaml")
    assert str(caught.value).endswith("(and 1 more; 'gates policy validate' lists them all)")


def test_waiver_expiring_today_is_still_valid(tmp_path: Path) -> None:
    text = (
        "version: 1\nsecurity:\n  waivers:\n    - rule: B301\n      reason: r\n"
        f"      expires: {TODAY.isoformat()}\n"
    )
    loaded = parse_policy_text(text, tmp_path / "p.yaml", today=TODAY)
    assert loaded.policy.security.waivers[0].expires == TODAY


def test_discovery_order(tmp_path: Path) -> None:
    assert find_policy(None, tmp_path) is None
    write(tmp_path, "version: 1\n", ".gates/policy.yaml")
    assert find_policy(None, tmp_path) == tmp_path / ".gates/policy.yaml"
    write(tmp_path, "version: 1\n")
    assert find_policy(None, tmp_path) == tmp_path / "policy.yaml"
    other = write(tmp_path, "version: 1\n", "custom.yaml")
    assert find_policy(other, tmp_path) == other


def test_missing_explicit_policy_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="policy file not found"):
        find_policy(tmp_path / "nope.yaml", tmp_path)


def test_no_file_gives_the_embedded_defaults(tmp_path: Path) -> None:
    loaded = load_policy(None, tmp_path)
    assert loaded.path is None
    policy = loaded.policy
    assert policy.coverage.line_min == 80
    assert policy.fail_on == "error"
    assert policy.mutation.critical_min_score == 70
    weights = policy.readiness.weights
    assert (weights.tests, weights.coverage, weights.todos, weights.critical_paths) == (30, 30, 25, 15)


def test_marks_point_into_the_file(tmp_path: Path) -> None:
    text = "version: 1\nsecurity:\n  waivers:\n    - rule: B301\n      reason: r\n      expires: 2099-01-01\n"
    loaded = parse_policy_text(text, tmp_path / "p.yaml")
    assert loaded.where(("security", "waivers", 0)) == f"{tmp_path / 'p.yaml'}:4:7"
    assert loaded.where(("security", "waivers", 0, "expires")).endswith(":6:16")

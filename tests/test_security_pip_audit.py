"""pip-audit end to end against an OSV-compatible service on 127.0.0.1 (tests/security_osv.py)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import Repo
from tests.security_osv import advisory, osv_server

BASE_REQUIREMENTS = """\
jinja2==3.1.3
flask==2.0.0
urllib3==2.2.2
idna==3.7
pillow==10.0.0
"""

CHANGED_REQUIREMENTS = """\
jinja2==3.1.3
flask==2.0.0
urllib3==2.2.2
idna==3.7
pillow==9.0.0
requests==2.19.0
"""


def _iso(days_ago: int) -> str:
    moment = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


ADVISORIES = [
    # added by the change, old advisory: blocks
    advisory(
        "PYSEC-2018-28",
        "requests",
        "2.20.0",
        aliases=("CVE-2018-18074", "GHSA-x84v-xcm2-53pg"),
        published=_iso(2000),
    ),
    # bumped (downgraded) by the change onto a fresh advisory: blocks at once, no grace
    advisory("GHSA-pppp-0000-0001", "pillow", "10.0.0", published=_iso(1)),
    # unchanged, fresh advisory: a warning during grace_days
    advisory("GHSA-jjjj-0000-0002", "jinja2", "3.1.4", aliases=("CVE-2024-0002",), published=_iso(2)),
    # unchanged, old advisory: grace is over, blocks
    advisory("PYSEC-2023-62", "flask", "2.2.5", aliases=("CVE-2023-30861",), published=_iso(900)),
    # fixed in the pinned version: urllib3 2.2.2 is not affected
    advisory("GHSA-uuuu-0000-0003", "urllib3", "2.2.2", published=_iso(100)),
]

POLICY = """
version: 1
base: main
paths:
  source: ["."]
security:
  bandit:
    enabled: false
  semgrep:
    enabled: false
  pip_audit:
    requirements: [requirements.txt]
    service: osv
    osv_url: {url}
    grace_days: 14
{extra}
"""


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that is not to 127.0.0.1 goes to a dead proxy: PyPI must not be needed."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


def _setup(repo: Repo) -> None:
    repo.write("requirements.txt", BASE_REQUIREMENTS)
    repo.commit("deps")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("requirements.txt", CHANGED_REQUIREMENTS)
    repo.commit("bump deps")


def _write_policy(repo: Repo, url: str, extra: str = "") -> None:
    repo.write("policy.yaml", POLICY.format(url=url, extra=extra))


def _gate(out: str) -> dict[str, Any]:
    report = json.loads(out)
    gate: dict[str, Any] = next(g for g in report["gates"] if g["name"] == "security")
    return gate


@pytest.mark.slow
def test_vulnerable_fixed_and_unknown_packages_by_origin(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    _setup(repo)
    with osv_server(ADVISORIES) as server:
        _write_policy(repo, server.url)
        result = run_cli("security", "--tool", "pip-audit", "--format", "json")
        queried = {q["package"]["name"] for q in server.queries}
    gate = _gate(result.out)
    assert result.code == 1, result.out + result.err
    assert queried == {"jinja2", "flask", "urllib3", "idna", "pillow", "requests"}
    findings = {f["rule_id"]: f for f in gate["findings"]}
    # pip-audit names an advisory by its PYSEC or CVE id when it has one; the rest are aliases.
    assert set(findings) == {"PYSEC-2018-28", "GHSA-pppp-0000-0001", "CVE-2024-0002", "PYSEC-2023-62"}

    added = findings["PYSEC-2018-28"]
    assert added["severity"] == "error" and "added by this change" in added["message"]
    assert added["aliases"] == ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"]
    assert (added["path"], added["line"]) == ("requirements.txt", 6)

    bumped = findings["GHSA-pppp-0000-0001"]
    assert bumped["severity"] == "error" and "bumped by this change from 10.0.0" in bumped["message"]

    fresh = findings["CVE-2024-0002"]
    assert fresh["aliases"] == ["GHSA-jjjj-0000-0002"]
    assert fresh["severity"] == "warning"
    until = (datetime.now(timezone.utc) - timedelta(days=2) + timedelta(days=14)).date().isoformat()
    assert f"blocks from {until}" in fresh["message"]

    old = findings["PYSEC-2023-62"]
    assert old["severity"] == "error" and "grace period over" in old["message"]

    statuses = {row["name"]: row["status"] for row in gate["details"]["pip-audit_dependencies"]}
    assert statuses["urllib3"] == "no known advisories"  # fixed version pinned
    assert statuses["idna"] == "no known advisories"  # unknown to the service
    assert statuses["requests"] == "vulnerable: PYSEC-2018-28"
    assert gate["metrics"]["pip_audit_dependencies"] == 6
    assert gate["metrics"]["pip_audit_vulnerabilities"] == 4


@pytest.mark.slow
def test_waived_by_alias_and_severity_by_prefix(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    _setup(repo)
    expires = (date.today() + timedelta(days=30)).isoformat()
    extra = (
        "    severities:\n      - match: 'PYSEC-2023-*'\n        severity: note\n"
        "  waivers:\n"
        f"    - rule: CVE-2018-18074\n      reason: not reachable from our code\n      expires: {expires}\n"
        f"    - rule: GHSA-pppp-*\n      reason: downgrade pending upstream fix\n      expires: {expires}\n"
    )
    with osv_server(ADVISORIES) as server:
        _write_policy(repo, server.url, extra)
        result = run_cli("security", "--tool", "pip-audit", "--format", "json")
    gate = _gate(result.out)
    findings = {f["rule_id"]: f for f in gate["findings"]}
    assert findings["PYSEC-2018-28"]["suppressed_by"] == "waiver"
    assert findings["GHSA-pppp-0000-0001"]["suppressed_by"] == "waiver"
    assert findings["PYSEC-2023-62"]["severity"] == "note"
    assert result.code == 0, result.out  # jinja2 is a warning inside its grace period


def test_unreachable_service_is_an_error(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    _setup(repo)
    with osv_server(ADVISORIES) as server:
        url = server.url
    _write_policy(repo, url)  # the server is stopped: nothing listens there any more
    result = run_cli("security", "--tool", "pip-audit", "--format", "json")
    gate = _gate(result.out)
    assert result.code == 2
    assert gate["verdict"] == "error"
    assert "could not be reached" in gate["error"] and url in gate["error"]
    assert gate["findings"] == []


def test_skipped_dependency_fails_closed_unless_allowed(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "requirements.txt", "idna==3.7\nprivate-lib @ https://packages.example.invalid/private-lib.zip\n"
    )
    repo.commit("deps")
    with osv_server(ADVISORIES) as server:
        _write_policy(repo, server.url)
        blocked = run_cli("security", "--tool", "pip-audit", "--format", "json")
        _write_policy(repo, server.url, "    allow_skipped: [private-lib]\n")
        allowed = run_cli("security", "--tool", "pip-audit", "--format", "json")
    gate = _gate(blocked.out)
    assert blocked.code == 2
    assert "could not audit 1 dependency: private-lib" in gate["error"]
    assert "allow_skipped" in gate["error"]
    assert allowed.code == 0, allowed.out
    statuses = {row["name"]: row["status"] for row in _gate(allowed.out)["details"]["pip-audit_dependencies"]}
    assert statuses["private-lib"].endswith("(allowed by the policy)")


def test_unpinned_requirement_names_the_fix(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    repo.write("requirements.txt", "idna>=3\n")
    repo.commit("deps")
    with osv_server(ADVISORIES) as server:
        _write_policy(repo, server.url)
        result = run_cli("security", "--tool", "pip-audit", "--format", "json")
    gate = _gate(result.out)
    assert result.code == 2
    assert "pip-audit could not audit requirements.txt" in gate["error"]
    assert "not pinned" in gate["error"]


def test_no_inputs_is_an_error_naming_the_inputs_to_set(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "policy.yaml",
        "version: 1\nsecurity:\n  bandit: {enabled: false}\n  semgrep: {enabled: false}\n",
    )
    result = run_cli("security", "--format", "json")
    gate = _gate(result.out)
    assert result.code == 2
    assert gate["verdict"] == "error"
    assert "security.pip_audit.requirements" in gate["error"]
    assert "security.pip_audit.enabled: false" in gate["error"]


PYLOCK = """\
lock-version = "1.0"
created-by = "tests"

[[packages]]
name = "requests"
version = "{version}"
"""


def test_locked_project_mode_with_a_pylock_file(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    repo.write("pylock.toml", PYLOCK.format(version="2.20.0"))
    repo.commit("lock")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("pylock.toml", PYLOCK.format(version="2.19.0"))
    with osv_server(ADVISORIES) as server:
        repo.write(
            "policy.yaml",
            POLICY.format(url=server.url, extra="").replace(
                "requirements: [requirements.txt]", 'projects: ["."]\n    locked: true'
            ),
        )
        result = run_cli("security", "--tool", "pip-audit", "--format", "json")
    gate = _gate(result.out)
    assert result.code == 1, result.out + result.err
    (finding,) = gate["findings"]
    assert finding["rule_id"] == "PYSEC-2018-28"
    assert (finding["path"], finding["line"]) == ("pylock.toml", 5)
    assert "bumped by this change from 2.20.0" in finding["message"]


def test_an_input_listing_no_dependency_is_an_error_not_a_pass(repo: Repo, run_cli, offline: None) -> None:  # type: ignore[no-untyped-def]
    repo.write("requirements.txt", "# dependencies live in pyproject.toml\n")
    repo.commit("deps")
    with osv_server(ADVISORIES) as server:
        _write_policy(repo, server.url)
        result = run_cli("security", "--tool", "pip-audit", "--format", "json")
    gate = _gate(result.out)
    assert result.code == 2, result.out + result.err
    assert gate["verdict"] == "error"
    assert "pip-audit found no dependency in requirements.txt" in gate["error"]

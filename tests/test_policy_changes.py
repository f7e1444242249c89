"""gates/policy_changes.py end to end: a pull request that weakens the gates is reported at the
changed line (text, JSON, GitHub, SARIF), and with --trusted-base it fails as it would have
without the weakening. Real git repositories, the real models gate, the real CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import SARIF_SCHEMA, Repo

_REPORT_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "gates/report/report.schema.json").read_text("utf-8")
)

BASE_POLICY = """\
version: 1
fail_on: warning
paths:
  source: [src/]
  exclude: [.venv/]
coverage:
  line_min: 80
  ratchet:
    tolerance: 0.1
model_safety:
  enabled: true
  code_rules: true
  waivers:
    - rule: MS201
      path: src/legacy.py
      reason: legacy reader
      expires: 2027-06-30
      owner: "@ml"
"""
SAFE = "import torch\n\n\ndef load(p):\n    return torch.load(p, weights_only=True)\n"
UNSAFE = "import torch\n\n\ndef load(p):\n    return torch.load(p)\n"  # MS101 on line 5
RATCHET = (
    '{\n "version": 1,\n "line": {"covered": %d, "statements": 100},\n "branch": null,\n "files": {}\n}\n'
)
LEGACY = "import pickle\n\n\ndef read(f):\n    return pickle.load(f)\n"


def _base(repo: Repo, policy: str | None = BASE_POLICY) -> None:
    if policy is not None:
        repo.write("policy.yaml", policy)
    repo.write("src/app.py", SAFE)
    repo.write("src/legacy.py", LEGACY)
    repo.write(".gates/coverage-baseline.json", RATCHET % 90)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("src/app.py", UNSAFE)  # the pull request's real problem: MS101


def _edit_policy(old: str, new: str) -> Callable[[Repo, Any], None]:
    def edit(repo: Repo, run_cli: Any) -> None:
        text = (repo.root / "policy.yaml").read_text(encoding="utf-8")
        assert old in text
        (repo.root / "policy.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _append_source(extra: str) -> Callable[[Repo, Any], None]:
    def edit(repo: Repo, run_cli: Any) -> None:
        repo.write("src/app.py", UNSAFE.replace("torch.load(p)", "torch.load(p)" + extra))

    return edit


def _add_lines(text: str) -> Callable[[Repo, Any], None]:
    def edit(repo: Repo, run_cli: Any) -> None:
        repo.write("src/app.py", UNSAFE + text)

    return edit


def _baseline_the_finding(repo: Repo, run_cli: Any) -> None:
    assert run_cli("baseline", "update", "--gate", "models").code == 0


# (id, edit, rule, file, text on the reported line, severity)
CASES = [
    # The table, row by row.
    (
        "gate-disabled",
        _edit_policy("  enabled: true\n  code_rules", "  enabled: false\n  code_rules"),
        "policy.gate-disabled",
        "policy.yaml",
        "enabled: false",
        "error",
    ),
    (
        "waiver-2099-no-owner",
        _edit_policy(
            '      owner: "@ml"\n',
            '      owner: "@ml"\n    - rule: MS101\n      reason: later\n      expires: 2099-12-31\n',
        ),
        "policy.waiver-added",
        "policy.yaml",
        "- rule: MS101",
        "warning",
    ),
    (
        "baseline-entry-added",
        _baseline_the_finding,
        "policy.baseline-added",
        ".gates/baseline.json",
        "MS101",
        "warning",
    ),
    (
        "severity-off",
        _edit_policy("  code_rules: true\n", '  code_rules: true\n  severity: {MS101: "off"}\n'),
        "policy.rule-disabled",
        "policy.yaml",
        "MS101",
        "warning",
    ),
    (
        "path-excluded",
        _edit_policy("exclude: [.venv/]", "exclude: [.venv/, src/app.py]"),
        "policy.scope-narrowed",
        "policy.yaml",
        "src/app.py",
        "warning",
    ),
    (
        "rule-lowered-to-warning",
        _edit_policy(
            "  code_rules: true\n", "  code_rules: true\n  severity: {MS101: warning}\n  fail_on: error\n"
        ),
        "policy.severity-lowered",
        "policy.yaml",
        "MS101: warning",
        "warning",
    ),
    # Every other kind of weakening.
    (
        "coverage-ratchet-baseline-lowered",
        lambda repo, run_cli: repo.write(".gates/coverage-baseline.json", RATCHET % 50),
        "policy.threshold-lowered",
        ".gates/coverage-baseline.json",
        '"line"',
        "warning",
    ),
    (
        "check-disabled",
        _edit_policy("code_rules: true", "code_rules: false"),
        "policy.check-disabled",
        "policy.yaml",
        "code_rules: false",
        "warning",
    ),
    (
        "floor-lowered",
        _edit_policy("line_min: 80", "line_min: 40"),
        "policy.threshold-lowered",
        "policy.yaml",
        "line_min: 40",
        "warning",
    ),
    (
        "score-lowered",
        _edit_policy("model_safety:\n", "readiness:\n  min_score: 20\nmodel_safety:\n"),
        "policy.threshold-lowered",
        "policy.yaml",
        "min_score: 20",
        "warning",
    ),
    (
        "fail-on-raised",
        _edit_policy("fail_on: warning", "fail_on: error"),
        "policy.threshold-lowered",
        "policy.yaml",
        "fail_on: error",
        "warning",
    ),
    (
        "ratchet-tolerance-widened",
        _edit_policy("tolerance: 0.1", "tolerance: 5"),
        "policy.threshold-lowered",
        "policy.yaml",
        "tolerance: 5",
        "warning",
    ),
    (
        "source-root-narrowed",
        _edit_policy("source: [src/]", "source: [lib/]"),
        "policy.scope-narrowed",
        "policy.yaml",
        "source: [lib/]",
        "warning",
    ),
    (
        "waiver-extended",
        _edit_policy("expires: 2027-06-30", "expires: 2099-12-31"),
        "policy.waiver-extended",
        "policy.yaml",
        "expires: 2099-12-31",
        "warning",
    ),
    (
        "gates-ignore-comment",
        _append_source("  # gates: ignore[MS101] trusted checkpoint"),
        "policy.suppression-added",
        "src/app.py",
        "gates: ignore",
        "warning",
    ),
    (
        "nosec-comment",
        _add_lines('\n\nVALUE = eval("1")  # nosec B307 -- constant\n'),
        "policy.suppression-added",
        "src/app.py",
        "nosec",
        "warning",
    ),
    (
        "nosemgrep-comment",
        _add_lines('\n\nVALUE = eval("1")  # nosemgrep\n'),
        "policy.suppression-added",
        "src/app.py",
        "nosemgrep",
        "warning",
    ),
    (
        "coverage-pragma",
        _add_lines("\n\ndef helper():  # pragma: no cover\n    return 1\n"),
        "policy.suppression-added",
        "src/app.py",
        "pragma: no cover",
        "warning",
    ),
]


def _line_of(repo: Repo, relative: str, text: str) -> int:
    lines = (repo.root / relative).read_text(encoding="utf-8").splitlines()
    if relative == ".gates/baseline.json":
        text = '"fingerprint"'
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def _run_all_formats(
    run_cli: Any, tmp_path: Path, *args: str
) -> tuple[int, str, dict[str, Any], str, dict[str, Any]]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    result = run_cli(
        "check",
        "--gate",
        "models",
        *args,
        "--format",
        "text",
        "--format",
        "json",
        "--output",
        str(out / "r.json"),
        "--format",
        "github",
        "--output",
        str(out / "gh.txt"),
        "--format",
        "sarif",
        "--output",
        str(out / "r.sarif"),
    )
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    sarif = json.loads((out / "r.sarif").read_text(encoding="utf-8"))
    return result.code, result.out, report, (out / "gh.txt").read_text(encoding="utf-8"), sarif


@pytest.mark.parametrize(
    ("case", "edit", "rule", "where", "marker", "severity"), CASES, ids=[c[0] for c in CASES]
)
def test_weakening_is_reported_at_the_changed_line_and_trusted_base_holds(
    repo: Repo,
    run_cli: Any,
    tmp_path: Path,
    case: str,
    edit: Callable[[Repo, Any], None],
    rule: str,
    where: str,
    marker: str,
    severity: str,
) -> None:
    _base(repo)
    edit(repo, run_cli)
    repo.commit(f"pr: {case}")
    line = _line_of(repo, where, marker)

    code, text, report, github, sarif = _run_all_formats(run_cli, tmp_path, "--base", "main")
    # JSON: the policy result comes first and holds the weakening at the changed line.
    policy = report["gates"][0]
    assert policy["name"] == "policy"
    hits = [f for f in policy["findings"] if f["rule_id"] == rule]
    assert [(f["path"], f["line"], f["severity"]) for f in hits] == [(where, line, severity)], policy
    # text
    assert f"{where}:{line}  {rule}" in text
    # GitHub annotation on the diff
    level = "error" if severity == "error" else "warning"
    assert any(
        a.startswith(f"::{level} file={where},line={line},") and rule in a for a in github.splitlines()
    ), github
    # SARIF: a run of its own, the rule at the file and line
    (run,) = [r for r in sarif["runs"] if r["tool"]["driver"]["name"] == "ml-gates/policy"]
    located = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
        if r["ruleId"] == rule
    ]
    assert located == [(where, line)]
    jsonschema.validate(report, _REPORT_SCHEMA)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(sarif)
    assert code == (1 if severity == "error" else _verdict_code_without_policy(report))

    # Trusted mode: the base's policy and baseline judge the PR's code, so it fails.
    trusted_code, _, trusted, _, trusted_sarif = _run_all_formats(run_cli, tmp_path, "--trusted-base", "main")
    assert trusted_code == 1
    jsonschema.validate(trusted, _REPORT_SCHEMA)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(trusted_sarif)
    models = next(g for g in trusted["gates"] if g["name"] == "models")
    blocked_by_ms101 = models["verdict"] == "fail" and any(
        f["rule_id"] == "MS101" and f["suppressed_by"] is None for f in models["findings"]
    )
    policy_errors = [f for f in trusted["gates"][0]["findings"] if f["severity"] == "error"]
    if rule == "policy.suppression-added" and "gates: ignore" in marker:
        # The comment lives in the PR's code: trusted mode refuses it instead of reading it.
        assert [f["rule_id"] for f in policy_errors] == [rule]
    else:
        assert blocked_by_ms101, models
    if where.endswith(".py") or where == ".gates/coverage-baseline.json":
        # What trusted mode cannot read from the base is refused outright.
        assert [(f["rule_id"], f["path"]) for f in policy_errors] == [(rule, where)]
        assert "trusted mode does not accept this from the change" in policy_errors[0]["message"]


def _verdict_code_without_policy(report: dict[str, Any]) -> int:
    """The exit code the gates give on their own: a warning-level weakening adds no failure."""
    verdicts = {g["verdict"] for g in report["gates"][1:]}
    return 2 if "error" in verdicts else (1 if "fail" in verdicts else 0)


def test_a_suppression_added_in_a_stub_file_is_reported(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    """The models gate and bandit read .pyi files too, so a comment added there counts."""
    _base(repo)
    repo.write("src/app.pyi", "def load(p: str) -> object: ...  # gates: ignore[MS101] -- stub\n")
    repo.commit("pr: a suppression in a stub")
    _, _, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "main")
    added = [f for f in report["gates"][0]["findings"] if f["rule_id"] == "policy.suppression-added"]
    assert [(f["path"], f["line"]) for f in added] == [("src/app.pyi", 1)], report["gates"][0]


def test_a_pull_request_that_only_strengthens_passes_and_lists_it(
    repo: Repo, run_cli: Any, tmp_path: Path
) -> None:
    _base(repo)
    repo.write("src/app.py", SAFE)  # no problem in the code
    text = (repo.root / "policy.yaml").read_text(encoding="utf-8")
    text = text.replace("line_min: 80", "line_min: 90").replace("tolerance: 0.1", "tolerance: 0")
    text = text.replace("expires: 2027-06-30", "expires: 2027-01-31")
    (repo.root / "policy.yaml").write_text(text, encoding="utf-8")
    repo.commit("pr: stricter")

    code, out, report, github, _ = _run_all_formats(run_cli, tmp_path, "--base", "main")
    assert code == 0, out
    policy = report["gates"][0]
    assert policy["name"] == "policy" and policy["verdict"] == "pass" and policy["findings"] == []
    assert policy["metrics"]["strengthenings"] == 3
    assert "stricter: coverage.line_min raised from 80.0 to 90.0" in policy["notes"]
    assert "stricter: coverage.ratchet.tolerance lowered from 0.1 to 0.0" in out
    assert "shortened from 2027-06-30 to 2027-01-31" in out
    assert "::warning" not in github and "::error" not in github

    diff = run_cli("policy", "diff", "--base", "main")
    assert diff.code == 0
    assert re.search(r"coverage\.line_min raised from 80\.0 to 90\.0 +\| strengthens", diff.out), diff.out


def test_policy_diff_lists_weakenings_and_exits_1_on_an_error_level_one(repo: Repo, run_cli: Any) -> None:
    _base(repo)
    _edit_policy("  enabled: true\n  code_rules", "  enabled: false\n  code_rules")(repo, run_cli)
    _edit_policy("line_min: 80", "line_min: 85")(repo, run_cli)
    # Not committed: the working tree counts, as for every changed-code check.
    result = run_cli("policy", "diff", "--base", "main", "--format", "json")
    assert result.code == 1
    (policy,) = json.loads(result.out)["gates"]
    assert [f["rule_id"] for f in policy["findings"]] == ["policy.gate-disabled"]
    assert policy["details"]["stricter"] == ["coverage.line_min raised from 80.0 to 85.0"]


def test_the_base_decides_how_loud_a_weakening_is(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    """A PR that also lowers policy_changes cannot quieten the report of its own weakening."""
    _base(repo, BASE_POLICY + "policy_changes:\n  waiver_added: error\n")
    repo.write("src/app.py", SAFE)
    _edit_policy("policy_changes:\n  waiver_added: error\n", "policy_changes:\n  waiver_added: warning\n")(
        repo, run_cli
    )
    _edit_policy(
        '      owner: "@ml"\n',
        '      owner: "@ml"\n    - rule: MS101\n      reason: later\n      expires: 2099-12-31\n',
    )(repo, run_cli)
    repo.commit("pr")
    code, _, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "main")
    findings = {f["rule_id"]: f["severity"] for f in report["gates"][0]["findings"]}
    assert findings == {"policy.waiver-added": "error", "policy.severity-lowered": "warning"}
    assert code == 1


def test_a_base_without_a_policy_file_is_compared_with_the_defaults(
    repo: Repo, run_cli: Any, tmp_path: Path
) -> None:
    _base(repo, policy=None)
    repo.write("policy.yaml", "version: 1\nmodel_safety:\n  enabled: false\n")
    repo.commit("pr adds a policy that turns the gate off")
    code, _, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "main")
    policy = report["gates"][0]
    assert [(f["rule_id"], f["line"], f["severity"]) for f in policy["findings"]] == [
        ("policy.gate-disabled", 3, "warning")
    ]
    assert "the base has no policy file: compared with the embedded defaults it ran with" in policy["notes"]
    # First adoption: the policy file is new, so its settings warn (reviewed as a whole), never block.
    assert any("first adoption" in note for note in policy["notes"])
    assert code == 0
    # Trusted: the base ran on the defaults, which scan src/ and find MS101.
    trusted_code, _, trusted, _, _ = _run_all_formats(run_cli, tmp_path, "--trusted-base", "main")
    assert trusted_code == 1
    assert next(g for g in trusted["gates"] if g["name"] == "models")["verdict"] == "fail"


def test_adopting_the_starter_policy_is_not_blocked(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    """The first PR that adds `gates policy init`'s starter (mutation and coreml off) passes,
    its differences from the defaults listed as warnings; a baseline entry it adds still counts."""
    _base(repo, policy=None)
    init = run_cli("policy", "init")
    assert init.code == 0, init.err
    repo.commit("pr: adopt ml-gates")
    code, out, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "main", "--gate", "models")
    policy = report["gates"][0]
    assert policy["name"] == "policy" and policy["verdict"] == "pass", out
    assert {f["severity"] for f in policy["findings"]} == {"warning"}
    assert "policy.gate-disabled" in {f["rule_id"] for f in policy["findings"]}
    # What blocks is the pull request's code (MS101), not its adoption of ml-gates.
    assert code == 1 and [g["name"] for g in report["gates"] if g["verdict"] == "fail"] == ["models"]


def test_an_invalid_base_policy_is_explained_and_refused_in_trusted_mode(
    repo: Repo, run_cli: Any, tmp_path: Path
) -> None:
    _base(repo, BASE_POLICY.replace("  line_min: 80", "  line_mni: 80"))
    repo.write("src/app.py", SAFE)
    repo.write("policy.yaml", BASE_POLICY)  # the PR repairs the policy
    repo.commit("pr: fix the policy")
    code, _, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "main")
    findings = report["gates"][0]["findings"]
    (finding,) = [f for f in findings if f["rule_id"] == "policy.base-invalid"]
    assert finding["severity"] == "warning" and finding["path"] == "policy.yaml"
    assert "base:policy.yaml:7:3: unknown key 'line_mni' in coverage" in finding["message"]
    assert "compared with the embedded defaults" in finding["message"]
    assert code == 0  # a repair is not blocked, but it is not silent either

    trusted = run_cli("check", "--gate", "models", "--trusted-base", "main")
    assert trusted.code == 2
    assert "--trusted-base main: the policy there is invalid" in trusted.err
    assert "Traceback" not in trusted.err


def test_a_missing_base_is_an_error_not_a_pass(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    _base(repo)
    repo.commit("pr")
    code, _, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "no-such-branch")
    policy = report["gates"][0]
    assert code == 2 and policy["verdict"] == "error"
    assert "no-such-branch" in policy["error"]
    models = next(g for g in report["gates"] if g["name"] == "models")
    assert models["verdict"] == "fail"  # the gates still ran
    trusted = run_cli("check", "--gate", "models", "--trusted-base", "no-such-branch")
    assert trusted.code == 2 and trusted.out == ""
    assert trusted.err.strip() == (
        "gates: error: --trusted-base: 'no-such-branch' is not a commit in this clone; "
        "fetch it, or check the name"
    )


def test_the_policy_result_heads_the_summary(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    _base(repo)
    _edit_policy("line_min: 80", "line_min: 40")(repo, run_cli)
    repo.commit("pr")
    result = run_cli("check", "--gate", "models", "--base", "main", "--format", "markdown")
    summary = result.out
    first = summary.index("### ✅ policy: pass")
    assert first < summary.index("policy.threshold-lowered") < summary.index("### ❌ models: fail")


def test_no_base_no_comparison(repo: Repo, run_cli: Any) -> None:
    """A run without a base (a laptop run, a pre-commit hook) has no policy result."""
    _base(repo)
    repo.commit("pr")
    report = json.loads(run_cli("check", "--gate", "models", "--format", "json").out)
    assert [g["name"] for g in report["gates"]] == ["models"]


def test_trusted_base_applies_to_a_single_gate_and_to_staged_runs(repo: Repo, run_cli: Any) -> None:
    _base(repo)
    _edit_policy("  enabled: true\n  code_rules", "  enabled: false\n  code_rules")(repo, run_cli)
    repo.git("add", "-A")  # staged, not committed: what a pre-commit hook sees
    assert run_cli("models", "--staged", "src/app.py").code == 0  # the PR's own policy: gate off
    trusted = run_cli("models", "--staged", "--trusted-base", "main", "--format", "json", "src/app.py")
    assert trusted.code == 1
    report = json.loads(trusted.out)
    assert [g["name"] for g in report["gates"]] == ["policy", "models"]
    assert report["policy"].startswith("policy.yaml at main (")


def test_a_suppression_in_a_file_no_gate_reads_is_not_reported(repo: Repo, run_cli: Any) -> None:
    _base(repo)
    repo.write("src/app.py", SAFE)
    repo.write("tools/script.py", 'VALUE = eval("1")  # nosec\n')  # outside paths.source
    repo.write("src/util.py", 'VALUE = eval("1")  # nosec\n')
    repo.commit("pr")
    result = run_cli("policy", "diff", "--base", "main", "--format", "json")
    (policy,) = json.loads(result.out)["gates"]
    assert [(f["rule_id"], f["path"]) for f in policy["findings"]] == [
        ("policy.suppression-added", "src/util.py")
    ]


def test_renewing_a_waiver_that_expired_at_the_base_is_a_visible_extension(
    repo: Repo, run_cli: Any, tmp_path: Path
) -> None:
    """The base's expired waiver does not stop the comparison; the renewal is reported."""
    _base(repo, BASE_POLICY.replace("expires: 2027-06-30", "expires: 2020-01-31"))
    repo.write("src/app.py", SAFE)
    repo.write("policy.yaml", BASE_POLICY)  # renewed to 2027-06-30
    repo.commit("pr: renew the waiver")
    code, _, report, _, _ = _run_all_formats(run_cli, tmp_path, "--base", "main")
    findings = report["gates"][0]["findings"]
    assert [(f["rule_id"], f["severity"]) for f in findings] == [("policy.waiver-extended", "warning")]
    assert "extended from 2020-01-31 to 2027-06-30: rule 'MS201'" in findings[0]["message"]
    assert code == 0
    # Trusted mode runs with the base's policy, whose waiver has expired: exit 2, as on the base.
    trusted = run_cli("check", "--gate", "models", "--trusted-base", "main")
    assert trusted.code == 2 and "waiver expired on 2020-01-31" in trusted.err


def test_an_unreadable_baseline_in_the_change_fails_the_comparison_closed(repo: Repo, run_cli: Any) -> None:
    _base(repo)
    repo.write(".gates/baseline.json", "{not json")
    repo.commit("pr")
    result = run_cli("policy", "diff", "--base", "main", "--format", "json")
    (policy,) = json.loads(result.out)["gates"]
    assert result.code == 2 and policy["verdict"] == "error"
    assert ".gates/baseline.json:1:1: unreadable baseline" in policy["error"]


def test_a_setting_without_a_direction_fails_the_comparison_closed(
    repo: Repo, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a setting ever reach a run without `stricter=`, the run errors; it never passes."""
    import dataclasses

    from gates.policy.sections.coverage import CoverageSection

    _base(repo)
    _edit_policy("line_min: 80", "line_min: 40")(repo, run_cli)
    repo.commit("pr")
    spec = next(f for f in dataclasses.fields(CoverageSection) if f.name == "line_min")
    monkeypatch.setattr(spec, "metadata", {k: v for k, v in spec.metadata.items() if k != "stricter"})
    result = run_cli("policy", "diff", "--base", "main", "--format", "json")
    (policy,) = json.loads(result.out)["gates"]
    assert result.code == 2 and policy["verdict"] == "error"
    assert "coverage.line_min declares no 'stricter' direction" in policy["error"]


def test_a_committed_link_out_of_the_repository_is_never_read_or_waited_on(
    repo: Repo, tmp_path: Path
) -> None:
    """The suppression check read the change's files with a plain open: a committed link to an
    outside file quoted the target's line into the report, and a link to a FIFO hung the run."""
    import os
    import subprocess
    import sys

    _base(repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text('API_KEY = "SECRET-hunter2"  # nosec SECRET\n', encoding="utf-8")
    os.mkfifo(outside / "pipe.py")
    (repo.root / "src" / "leak.py").symlink_to(outside / "secret.py")
    (repo.root / "src" / "pipe.py").symlink_to(outside / "pipe.py")
    repo.commit("links")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gates", "policy", "diff", "--base", "main", "--format", "json"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("gates policy diff blocked on a committed link to a FIFO")
    assert "SECRET" not in proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["exit_code"] == 0, doc
    assert all(f["path"] not in ("src/leak.py", "src/pipe.py") for g in doc["gates"] for f in g["findings"])

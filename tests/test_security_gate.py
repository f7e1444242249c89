"""The security gate end to end with real bandit and semgrep on fixture repositories."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import jsonschema
import pytest

from tests.conftest import SARIF_SCHEMA, Repo

CODE_ONLY = """
version: 1
base: main
fail_on: {fail_on}
paths:
  source: ["."]
  exclude: ["vendor/"]
security:
  bare_suppressions: {bare}
  bandit:
    enabled: {bandit}
  semgrep:
    enabled: {semgrep}
  pip_audit:
    enabled: false
{extra}
"""

TRAIN = """\
import pickle
import subprocess
import tarfile


def launch(args):
    subprocess.run(f"torchrun --nproc {args.gpus} train.py", shell=True)


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest)


def load_stats(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)
"""


def write_policy(
    repo: Repo,
    *,
    fail_on: str = "error",
    bandit: bool = True,
    semgrep: bool = True,
    bare: str = "count",
    extra: str = "",
) -> None:
    repo.write(
        "policy.yaml",
        CODE_ONLY.format(
            fail_on=fail_on,
            bandit=str(bandit).lower(),
            semgrep=str(semgrep).lower(),
            bare=bare,
            extra=extra,
        ),
    )


def security(report: dict[str, Any]) -> dict[str, Any]:
    gate: dict[str, Any] = next(g for g in report["gates"] if g["name"] == "security")
    return gate


def new(gate: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in gate["findings"] if f["suppressed_by"] is None]


@pytest.mark.slow
def test_known_findings_with_both_tools_deduplicated(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo)
    repo.write("src/train.py", TRAIN)
    repo.commit("train")
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert result.code == 1, result.out
    assert gate["verdict"] == "fail"
    by_line: dict[int, list[dict[str, Any]]] = {}
    for finding in gate["findings"]:
        by_line.setdefault(finding["line"], []).append(finding)
    # shell=True from training args: bandit B602 and the pack's rule, reported once.
    shell = by_line[7]
    assert len(shell) == 1
    assert shell[0]["rule_id"] == "B602"
    assert "ml-gates.subprocess-shell-dynamic-command" in shell[0]["aliases"]
    assert "semgrep" in shell[0]["message"] and "bandit" in shell[0]["message"]
    assert shell[0]["severity"] == "error"
    tar = by_line[12]
    assert len(tar) == 1 and tar[0]["rule_id"] == "B202"
    assert "ml-gates.tarfile-extractall-without-filter" in tar[0]["aliases"]
    pickle_load = by_line[17]
    assert [f["rule_id"] for f in pickle_load] == ["B301"]
    assert pickle_load[0]["severity"] == "warning"  # MEDIUM severity, HIGH confidence
    assert gate["metrics"]["deduplicated"] == 2
    assert gate["metrics"]["files_selected"] == 1
    assert gate["metrics"]["bandit_files"] == 1 and gate["metrics"]["semgrep_files"] == 1


@pytest.mark.slow
def test_sarif_output_validates(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo)
    repo.write("src/train.py", TRAIN)
    repo.commit("train")
    result = run_cli("security", "--format", "sarif")
    assert result.code == 1
    sarif = json.loads(result.out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    rule_ids = {r["ruleId"] for run in sarif["runs"] for r in run["results"]}
    assert {"B602", "B202", "B301"} <= rule_ids


def test_syntax_error_file_is_an_error_not_a_pass(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, semgrep=False)
    repo.write("src/ok.py", "x = 1\n")
    repo.write("src/broken.py", "def broken(:\n    pass\n")
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert result.code == 2
    assert gate["verdict"] == "error"
    assert "bandit could not scan 1 file(s): src/broken.py" in gate["error"]


def test_bandit_thresholds_and_config_from_the_policy(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("bandit.yaml", "skips: ['B202']\n")
    write_policy(
        repo,
        semgrep=False,
        extra="  timeout: 300\n",
    )
    policy = (repo.root / "policy.yaml").read_text()
    policy = policy.replace(
        "  bandit:\n    enabled: true\n",
        "  bandit:\n    enabled: true\n    config: bandit.yaml\n"
        "    min_severity: medium\n    skips: [B301]\n",
    )
    (repo.root / "policy.yaml").write_text(policy)
    repo.write("src/train.py", TRAIN)
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    ids = sorted(f["rule_id"] for f in gate["findings"])
    # B202 skipped by the -c config, B301 by the policy's skips, B403/B404 (LOW) below min_severity.
    assert ids == ["B602"]
    assert gate["metrics"]["bandit_below_threshold"] == 2


def test_fewer_files_scanned_than_selected_fails_closed(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("bandit.yaml", "exclude_dirs: ['generated']\n")
    write_policy(repo, semgrep=False)
    policy = (repo.root / "policy.yaml").read_text()
    policy = policy.replace(
        "  bandit:\n    enabled: true\n", "  bandit:\n    enabled: true\n    config: bandit.yaml\n"
    )
    (repo.root / "policy.yaml").write_text(policy)
    repo.write("src/a.py", "x = 1\n")
    repo.write("generated/b.py", "y = 2\n")
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert result.code == 2
    assert "bandit scanned 1 of 2 selected files (first missing: generated/b.py)" in gate["error"]


def test_explicit_files_keep_the_policy_excludes(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, semgrep=False)
    repo.write("src/train.py", TRAIN)
    repo.write("src/other.py", TRAIN)
    repo.write("vendor/lib.py", TRAIN)
    result = run_cli("security", "--tool", "bandit", "--format", "json", "src/train.py", "vendor/lib.py")
    gate = security(json.loads(result.out))
    assert gate["metrics"]["files_selected"] == 1
    assert {f["path"] for f in gate["findings"]} == {"src/train.py"}
    assert gate["details"]["tools"] == ["bandit"]


def test_tool_flag_runs_only_the_named_tools(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo)
    repo.write("src/train.py", TRAIN)
    result = run_cli("security", "--tool", "bandit", "--format", "json")
    gate = security(json.loads(result.out))
    assert gate["details"]["tools"] == ["bandit"]
    assert "semgrep_files" not in gate["metrics"]


def test_missing_tool_is_an_error_with_an_install_hint(
    repo: Repo, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import gates.tools

    real = gates.tools.find_executable
    monkeypatch.setattr(
        gates.tools, "find_executable", lambda name: None if name == "semgrep" else real(name)
    )
    write_policy(repo)
    repo.write("src/ok.py", "x = 1\n")
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert result.code == 2
    assert "semgrep is not installed" in gate["error"] and "pip install" in gate["error"]


@pytest.mark.slow
def test_semgrep_bad_local_rule_fails_closed(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "rules/bad.yaml",
        "rules:\n  - id: broken\n    languages: [python]\n    severity: ERROR\n"
        "    message: m\n    pattern: 'def ('\n",
    )
    write_policy(repo, bandit=False)
    policy = (repo.root / "policy.yaml").read_text()
    policy = policy.replace(
        "  semgrep:\n    enabled: true\n", "  semgrep:\n    enabled: true\n    rules: [rules/bad.yaml]\n"
    )
    (repo.root / "policy.yaml").write_text(policy)
    repo.write("src/ok.py", "x = 1\n")
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert result.code == 2
    assert gate["error"].startswith("semgrep exited with code 2 (fatal error): ")
    assert "rules/bad.yaml" in gate["error"] or "broken" in gate["error"]


def test_bare_suppressions_are_counted_and_can_block(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import subprocess\n"
        "subprocess.run(['ls'])  # nosec\n"
        "subprocess.run(['ls'])  # nosec B603 -- fixed argv, no shell\n"
        "x = eval(input())  # nosemgrep\n"
        "y = 'not # nosec, a string'\n"
    )
    write_policy(repo, semgrep=False)
    repo.write("src/s.py", code)
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert gate["metrics"]["nosec_total"] == 2
    assert gate["metrics"]["nosec_bare"] == 1
    assert gate["metrics"]["nosemgrep_bare"] == 1
    assert not any(f["rule_id"].startswith("security.bare-") for f in gate["findings"])

    write_policy(repo, semgrep=False, bare="error")
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    bare = sorted(
        (f["rule_id"], f["line"]) for f in gate["findings"] if f["rule_id"].startswith("security.bare")
    )
    assert bare == [("security.bare-nosec", 2), ("security.bare-nosemgrep", 4)]
    assert result.code == 1


PICKLE_FILE = """\
import pickle


def load(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)
"""


def test_baseline_moves_duplicates_fixed_and_audit(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, fail_on="warning", semgrep=False)
    policy = (repo.root / "policy.yaml").read_text()
    (repo.root / "policy.yaml").write_text(
        policy.replace("    enabled: true\n", "    enabled: true\n    skips: [B403]\n", 1)
    )
    repo.write("src/data.py", PICKLE_FILE)
    repo.commit("data")
    assert run_cli("security").code == 1
    update = run_cli("baseline", "update", "--gate", "security")
    assert update.code == 0, update.err
    baseline = json.loads((repo.root / ".gates/baseline.json").read_text())
    assert [e["rule_id"] for e in baseline["findings"]] == ["B301"]

    # Moved to another line: still baselined.
    repo.write("src/data.py", '"""Loading."""\n\n\nCACHE = {}\n\n\n' + PICKLE_FILE)
    moved = run_cli("security", "--format", "json")
    assert moved.code == 0, moved.out
    assert security(json.loads(moved.out))["findings"][0]["suppressed_by"] == "baseline"

    # A second identical pickle.load in the same file is new.
    repo.write(
        "src/data.py",
        PICKLE_FILE + '\n\ndef load_again(path):\n    with open(path, "rb") as handle:\n'
        "        return pickle.load(handle)\n",
    )
    dup = run_cli("security", "--format", "json")
    gate = security(json.loads(dup.out))
    assert dup.code == 1
    assert [(f["rule_id"], f["line"]) for f in new(gate)] == [("B301", 11)]

    # --no-baseline audits: the baselined one blocks too.
    repo.write("src/data.py", PICKLE_FILE)
    audit = run_cli("security", "--no-baseline", "--format", "json")
    assert audit.code == 1
    assert len(new(security(json.loads(audit.out)))) == 1

    # Fixed: reported so the baseline can shrink.
    repo.write("src/data.py", "import json\n\n\ndef load(path):\n    return json.load(open(path))\n")
    fixed = run_cli("security", "--format", "json")
    gate = security(json.loads(fixed.out))
    assert fixed.code == 0
    assert gate["metrics"]["baseline_fixed"] == 1
    assert any("no longer occur" in note for note in gate["notes"])


def _waiver(rule: str, expires: date, path: str | None = None) -> str:
    where = f"\n      path: {path}" if path else ""
    return (
        f"  waivers:\n    - rule: {rule}{where}\n      reason: stats files are written by our own job\n"
        f"      expires: {expires.isoformat()}\n"
    )


def test_waiver_suppresses_and_unused_waiver_warns(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    soon = date.today() + timedelta(days=30)
    write_policy(
        repo,
        fail_on="warning",
        semgrep=False,
        extra=_waiver("B301", soon)
        + f"    - rule: B999\n      reason: stale\n      expires: {soon.isoformat()}\n",
    )
    repo.write("src/data.py", PICKLE_FILE)
    result = run_cli("security", "--tool", "bandit", "--format", "json")
    gate = security(json.loads(result.out))
    waived = [f for f in gate["findings"] if f["rule_id"] == "B301"]
    assert waived and waived[0]["suppressed_by"] == "waiver"
    unused = [f for f in gate["findings"] if f["rule_id"] == "gates.unused-waiver"]
    assert len(unused) == 1 and "B999" in unused[0]["message"]
    assert unused[0]["severity"] == "warning"


def test_expired_waiver_blocks(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, semgrep=False, extra=_waiver("B301", date.today() - timedelta(days=1)))
    repo.write("src/data.py", PICKLE_FILE)
    result = run_cli("security", "--format", "json")
    assert result.code == 2
    assert "waiver expired on" in result.err


def test_partial_tool_run_judges_no_waiver_unused_and_no_entry_fixed(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    soon = date.today() + timedelta(days=30)
    write_policy(repo, fail_on="warning", semgrep=True, extra=_waiver("ml-gates.tempfile-mktemp", soon))
    repo.write("src/data.py", PICKLE_FILE)
    # Only bandit runs: the semgrep waiver is not "unused", bandit-only entries are judged later.
    result = run_cli("security", "--tool", "bandit", "--format", "json")
    gate = security(json.loads(result.out))
    assert not any(f["rule_id"] == "gates.unused-waiver" for f in gate["findings"])
    assert "baseline_fixed" not in gate["metrics"]


def test_staged_mode_scans_the_staged_python_files(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, semgrep=False)
    repo.write("src/old.py", PICKLE_FILE)
    repo.commit("old")
    repo.write("src/new.py", PICKLE_FILE)
    repo.write("vendor/new.py", PICKLE_FILE)
    repo.git("add", "src/new.py", "vendor/new.py")
    result = run_cli("security", "--staged", "--format", "json")
    gate = security(json.loads(result.out))
    assert gate["metrics"]["files_selected"] == 1
    assert {f["path"] for f in gate["findings"]} == {"src/new.py"}


def test_no_python_file_under_the_source_paths_is_an_error_not_a_pass(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, semgrep=False)
    policy = (repo.root / "policy.yaml").read_text().replace('source: ["."]', 'source: ["srcc"]')
    (repo.root / "policy.yaml").write_text(policy)
    repo.write("src/train.py", TRAIN)
    result = run_cli("security", "--format", "json")
    gate = security(json.loads(result.out))
    assert result.code == 2, result.out
    assert gate["verdict"] == "error"
    assert "holds no Python file to scan" in gate["error"] and "['srcc']" in gate["error"]


def test_explicit_non_python_files_skip_the_code_scan(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_policy(repo, semgrep=False)
    repo.write("src/train.py", TRAIN)
    repo.write("README.md", "docs\n")
    result = run_cli("security", "--format", "json", "README.md")
    gate = security(json.loads(result.out))
    assert result.code == 0, result.out
    assert gate["verdict"] == "skipped"
    assert "no existing Python file among the selected files" in gate["notes"][0]

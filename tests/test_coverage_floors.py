"""Total, branch and per-path floors on real coverage runs, through the CLI."""

from __future__ import annotations

from typing import Any

from conftest import Repo
from test_coverage_support import gate_json, measure, messages, rule_ids, write_policy


def functions(count: int) -> str:
    """``count`` functions: each def line runs at import, each body line only when called."""
    return "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(count))


def make_project(repo: Repo, calls: dict[str, int]) -> None:
    """Modules of ten functions each; ``calls`` says how many of each module's functions the tests call."""
    repo.write("pkg/__init__.py", "")
    lines = []
    for module, called in calls.items():
        repo.write(f"pkg/{module}.py", functions(10))
        lines.append(f"import pkg.{module} as {module}\n")
        lines += [f"{module}.f{i}()\n" for i in range(called)]
    repo.write("run_tests.py", "".join(lines))


def test_total_line_floor_fails_with_needed_figure(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 3})  # 13 of 20 statements
    write_policy(repo, "line_min: 70\ndiff: {enabled: false}")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 1
    assert rule_ids(gate) == ["line-floor"]
    assert "total line coverage: 65.0% < 70%, 1 more statement needed (13/20 covered)" in messages(gate)
    assert gate["metrics"]["line_percent"] == 65.0
    assert gate["metrics"]["statements"] == 20 and gate["metrics"]["covered"] == 13
    assert "branch_percent" not in gate["metrics"]


def test_total_line_floor_passes_when_met(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 3})
    write_policy(repo, "line_min: 65\ndiff: {enabled: false}")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    assert gate["verdict"] == "pass"


def test_per_path_floors_last_match_wins_and_say_how_many_statements(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 2, "b": 1, "c": 10})
    write_policy(
        repo,
        """
        line_min: 10
        diff: {enabled: false}
        per_path:
          - {path: "pkg/**", line_min: 90}
          - {path: "pkg/b.py", line_min: 50}
        """,
    )
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 1
    text = messages(gate)
    # a: 12/20 = 60% against 90 (pkg/**) -> 18 needed, 6 more.
    assert "pkg/a.py: 60.0% < 90%, 6 more statements needed (12/20 covered) (rule 'pkg/**')" in text
    # b: the later rule wins: 11/20 = 55% against 50 passes.
    assert "pkg/b.py" not in text
    rows = {row["path"]: row for row in gate["details"]["paths"]}
    assert set(rows) == {"pkg/__init__.py", "pkg/a.py", "pkg/b.py", "pkg/c.py"}
    assert rows["pkg/a.py"] == {
        "path": "pkg/a.py",
        "percent": 60.0,
        "floor": 90.0,
        "needed": 6,
        "statements": 20,
        "covered": 12,
        "status": "fail",
        "before": None,
    }
    assert rows["pkg/b.py"]["floor"] == 50.0 and rows["pkg/b.py"]["status"] == "pass"
    assert rows["pkg/c.py"]["status"] == "pass" and rows["pkg/c.py"]["needed"] == 0
    table = next(t for t in gate["tables"] if t["title"] == "Coverage by path")
    assert table["columns"] == ["path", "before", "now", "floor", "status", "needed"]
    assert ["pkg/a.py", "", "60.0%", "90%", "fail", "6"] in table["rows"]


def test_per_package_totals_show_the_same_needed_figure(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 0})
    repo.write("tools/__init__.py", "")
    repo.write("tools/x.py", functions(5))
    repo.write("run_tests.py", "import pkg.a\nimport tools.x as x\nx.f0()\nx.f1()\nx.f2()\nx.f3()\nx.f4()\n")
    write_policy(repo, "line_min: 80\ndiff: {enabled: false}")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 1
    packages = {row["path"]: row for row in gate["details"]["packages"]}
    # pkg/: 10/20, needs 16 -> 6 more; tools/: 10/10.
    assert packages["pkg/"]["needed"] == 6 and packages["pkg/"]["status"] == "fail"
    assert packages["tools/"]["needed"] == 0 and packages["tools/"]["status"] == "pass"
    # The total: 20/30 needs 24 -> 4 more.
    assert "4 more statements needed (20/30 covered)" in messages(gate)


def test_critical_min_applies_to_the_policys_critical_paths(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 5, "b": 0})
    write_policy(repo, "line_min: 10\ncritical_min: 75\ndiff: {enabled: false}")
    policy = (repo.root / "policy.yaml").read_text().replace("paths:\n", 'paths:\n  critical: ["pkg/a.py"]\n')
    repo.write("policy.yaml", policy)
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)  # a: 15/20 = 75% meets 75
    assert [row["path"] for row in gate["details"]["paths"]] == ["pkg/a.py"]


def test_branch_floor_is_separate_from_the_line_floor(repo: Repo, run_cli: Any) -> None:
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", "def f(x):\n    if x:\n        y = 1\n    return 2\n")
    repo.write("run_tests.py", "import pkg.m\npkg.m.f(True)\n")
    write_policy(repo, "line_min: 100\nbranch_min: 60\ndiff: {enabled: false}")
    measure(repo.root, branch=True)
    code, gate = gate_json(run_cli)
    # Every line ran (100%), but `if x:` never skipped its body: 1 of 2 branches.
    assert code == 1
    assert rule_ids(gate) == ["branch-floor"]
    assert "total branch coverage: 50.0% < 60%, 1 more branch needed (1/2 covered)" in messages(gate)
    assert gate["metrics"]["line_percent"] == 100.0
    assert gate["metrics"]["branch_percent"] == 50.0


def test_branch_floor_without_branch_data_is_an_error_not_zero(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 10})
    write_policy(repo, "line_min: 50\nbranch_min: 50\ndiff: {enabled: false}")
    measure(repo.root, branch=False, xml_report=True)
    for report in ("coverage.json", "coverage.xml"):
        code, gate = gate_json(run_cli, "--report", report)
        assert code == 1
        assert rule_ids(gate) == ["branch-not-measured"]
        assert "branch coverage was not measured" in messages(gate)
        assert "branch_percent" not in gate["metrics"]

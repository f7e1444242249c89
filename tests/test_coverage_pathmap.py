"""Report paths mapped to repository paths; nothing matching is an error showing both sides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Repo
from test_coverage_support import gate_json, measure, messages, write_policy

from gates.checks.coverage.pathmap import PathMapper
from gates.policy.sections.coverage import PathMapping
from gates.policy.validation import validate

KNOWN = {"src/pkg/a.py", "src/pkg/b.py", "tools/run.py"}


def mapper(
    root: Path, rewrites: list[PathMapping] | None = None, sources: list[str] | None = None
) -> PathMapper:
    return PathMapper(root, KNOWN, rewrites or [], sources or [])


def test_relative_absolute_and_foreign_absolute_paths(tmp_path: Path) -> None:
    m = mapper(tmp_path)
    assert m.map("src/pkg/a.py") == "src/pkg/a.py"
    assert m.map("./src/pkg/a.py") == "src/pkg/a.py"
    assert m.map(str(tmp_path / "src/pkg/b.py")) == "src/pkg/b.py"
    # A CI runner's absolute path: the longest tail that is a repository file.
    assert m.map("/home/runner/work/app/app/src/pkg/a.py") == "src/pkg/a.py"
    assert m.map("C:\\build\\app\\tools\\run.py") == "tools/run.py"
    assert m.map("/usr/lib/python3/site-packages/other.py") is None


def test_cobertura_sources_and_policy_rewrites(tmp_path: Path) -> None:
    assert mapper(tmp_path, sources=[str(tmp_path / "src")]).map("pkg/a.py") == "src/pkg/a.py"
    rewrite = validate(PathMapping, {"from": "lib/", "to": "src/pkg/"})
    assert mapper(tmp_path, rewrites=[rewrite]).map("lib/b.py") == "src/pkg/b.py"
    # Without either, a bare module path is not guessed into a directory.
    assert mapper(tmp_path).map("pkg/a.py") is None


def _src_layout(repo: Repo) -> None:
    repo.write("src/pkg/__init__.py", "")
    repo.write("src/pkg/a.py", "def f():\n    return 1\n\n\nf()\n")
    repo.write("src/run_tests.py", "import pkg.a\n")


def test_no_matching_path_is_an_error_with_examples_from_both_sides(repo: Repo, run_cli: Any) -> None:
    _src_layout(repo)
    write_policy(repo, "line_min: 0\ndiff: {enabled: false}", source='["src/"]')
    measure(repo.root / "src")  # run inside src/: the report says "pkg/a.py"
    (repo.root / "src/coverage.json").rename(repo.root / "coverage.json")
    code, gate = gate_json(run_cli)
    assert code == 2 and gate["verdict"] == "error"
    assert "none of the 2 file(s) in coverage.json is a file of this repository" in gate["error"]
    assert "report: 'pkg/__init__.py', 'pkg/a.py'" in gate["error"]
    assert "repository: " in gate["error"] and "'src/pkg/a.py'" in gate["error"]
    assert "coverage.path_map" in gate["error"]
    assert "line_percent" not in gate["metrics"]

    write_policy(
        repo,
        'line_min: 100\ndiff: {enabled: false}\npath_map: [{from: "pkg/", to: "src/pkg/"}]',
        source='["src/"]',
    )
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    assert gate["metrics"]["line_percent"] == 100.0


def test_cobertura_source_root_maps_without_configuration(repo: Repo, run_cli: Any) -> None:
    _src_layout(repo)
    write_policy(repo, "line_min: 100\ndiff: {enabled: false}", source='["src/"]')
    measure(repo.root / "src", json_report=False, xml_report=True)
    code, gate = gate_json(run_cli, "--report", "src/coverage.xml")
    assert code == 0, messages(gate)
    assert gate["metrics"]["statements"] == 3


def test_report_outside_the_source_paths_is_an_error(repo: Repo, run_cli: Any) -> None:
    _src_layout(repo)
    write_policy(repo, "line_min: 0\ndiff: {enabled: false}", source='["lib/"]')
    measure(repo.root / "src", json_report=False, xml_report=True)
    code, gate = gate_json(run_cli, "--report", "src/coverage.xml")
    assert code == 2
    assert "is under the policy's source paths ['lib/']" in gate["error"]

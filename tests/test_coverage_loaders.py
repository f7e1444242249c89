"""Reading real coverage.py JSON and Cobertura output, LCOV, and failing clearly on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_coverage_support import measure

from gates.checks.coverage.loaders import load_report, parse_lcov
from gates.errors import GatesError

PROGRAM = """\
def f(x):
    if x:
        return 1
    return 2


def g():  # pragma: no cover
    return 3


f(1)
"""


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("measured")
    (root / "mod.py").write_text(PROGRAM)
    (root / "run_tests.py").write_text("import mod\n")
    measure(root, branch=True, xml_report=True)
    return root


def test_json_report_statements_hits_excluded_and_arcs(measured: Path) -> None:
    report = load_report(measured / "coverage.json")
    assert report.format == "json" and report.branch_measured and report.knows_excluded
    cov = report.files["mod.py"]
    assert cov.statements == {1, 2, 3, 4, 11}
    assert cov.executed == {1, 2, 3, 11}
    assert cov.excluded == {7, 8}
    assert cov.branches == {2: (1, 2)}
    assert cov.missing_arcs == {2: [4]}


def test_cobertura_report_agrees_with_json_on_lines(measured: Path) -> None:
    xml = load_report(measured / "coverage.xml")
    js = load_report(measured / "coverage.json")
    assert xml.format == "cobertura" and xml.branch_measured
    assert xml.sources and Path(xml.sources[0]).resolve() == measured.resolve()
    assert xml.files["mod.py"].statements == js.files["mod.py"].statements
    assert xml.files["mod.py"].executed == js.files["mod.py"].executed
    assert xml.files["mod.py"].branch_counts == js.files["mod.py"].branch_counts == (1, 2)
    assert xml.files["mod.py"].missing_arcs == {2: [4]}


def test_branch_mode_without_branches_is_still_measured(tmp_path: Path) -> None:
    (tmp_path / "flat.py").write_text("x = 1\n")
    (tmp_path / "run_tests.py").write_text("import flat\n")
    measure(tmp_path, branch=True, xml_report=True)
    assert load_report(tmp_path / "coverage.xml").branch_measured
    assert load_report(tmp_path / "coverage.json").branch_measured
    measure(tmp_path, branch=False, xml_report=True)
    assert not load_report(tmp_path / "coverage.xml").branch_measured
    assert not load_report(tmp_path / "coverage.json").branch_measured


def test_lcov_records() -> None:
    report = parse_lcov(
        "TN:\nSF:pkg/a.py\nDA:1,1\nDA:2,0\nBRDA:1,0,0,1\nBRDA:1,0,1,-\nend_of_record\n", "x.info"
    )
    cov = report.files["pkg/a.py"]
    assert cov.statements == {1, 2} and cov.executed == {1}
    assert cov.branches == {1: (1, 2)} and report.branch_measured


def test_lcov_report_from_coverage_py(measured: Path) -> None:
    from test_coverage_support import coverage

    coverage(measured, "lcov", "-q", "-o", "coverage.info")
    report = load_report(measured / "coverage.info")
    assert report.format == "lcov"
    assert report.files["mod.py"].executed == {1, 2, 3, 11}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("coverage.json", "{not json", "coverage.json:1:2: not valid JSON"),
        ("coverage.json", '{"totals": {}}', "not a coverage.py JSON report"),
        ("coverage.xml", "<coverage><packages>", "not well-formed XML"),
        ("coverage.xml", "<report/>", "not Cobertura's <coverage>"),
        ("coverage.json", "   ", "the coverage report is empty"),
        ("coverage.info", "SF:a.py\nDA:x,1\n", "coverage.info:2:1: malformed LCOV record"),
    ],
)
def test_bad_reports_are_errors_naming_the_file(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(GatesError) as caught:
        load_report(tmp_path / name, display=name)
    assert expected in str(caught.value)


def test_xml_entity_expansion_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<coverage><packages>&b;</packages></coverage>"
    )
    (tmp_path / "coverage.xml").write_text(bomb)
    with pytest.raises(GatesError, match="refused unsafe XML"):
        load_report(tmp_path / "coverage.xml")


def test_missing_report_says_how_to_produce_it(tmp_path: Path) -> None:
    with pytest.raises(GatesError, match=r"coverage report cov.json not found; produce it with"):
        load_report(tmp_path / "cov.json", display="cov.json")


def test_json_line_lists_must_hold_numbers(tmp_path: Path) -> None:
    (tmp_path / "coverage.json").write_text('{"files": {"a.py": {"executed_lines": [1, "2"]}}}')
    with pytest.raises(GatesError, match=r"files\['a.py'\].executed_lines: expected a list of line numbers"):
        load_report(tmp_path / "coverage.json", display="coverage.json")


def test_cobertura_method_lines_are_not_counted_twice_and_classes_merge(tmp_path: Path) -> None:
    xml = (
        '<coverage branch-rate="0"><packages><package><classes>'
        '<class filename="a.py"><methods><method><lines><line number="9" hits="1"/></lines>'
        "</method></methods>"
        '<lines><line number="1" hits="1"/><line number="2" hits="0"/></lines></class>'
        '<class filename="a.py"><lines><line number="3" hits="2"/></lines></class>'
        "</classes></package></packages></coverage>"
    )
    (tmp_path / "c.xml").write_text(xml)
    report = load_report(tmp_path / "c.xml")
    assert report.files["a.py"].statements == {1, 2, 3}
    assert report.files["a.py"].executed == {1, 3}
    assert not report.branch_measured

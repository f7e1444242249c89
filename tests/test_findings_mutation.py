"""Exact behaviour of gates/findings.py, strong enough for the mutation gate's floor on it.

This module is the mutation gate's dogfood test selection (see policy.yaml, mutation.tests):
every assertion pins a value, so a mutant of findings.py changes an outcome here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest

from gates.findings import (
    SUPPRESSED_BY_WAIVER,
    Finding,
    GateResult,
    Report,
    Severity,
    Verdict,
    assign_fingerprints,
    normalize_snippet,
)


def expected(rule: str, path: str, snippet: str, index: int, tool: str = "ml-gates") -> str:
    key = "\x1f".join([tool, rule, path, snippet])
    return hashlib.sha256(f"{key}\x1f{index}".encode()).hexdigest()[:32]


def reader(files: dict[str, list[str] | None]):  # type: ignore[no-untyped-def]
    def read(path: str) -> Sequence[str] | None:
        return files.get(path)

    return read


def finding(rule: str = "R1", path: str | None = "a.py", line: int | None = 1, **extra: object) -> Finding:
    return Finding(
        gate="g",
        rule_id=rule,
        severity=Severity.ERROR,
        message="  the   message ",
        path=path,
        line=line,
        **extra,
    )  # type: ignore[arg-type]


SOURCE = {"a.py": ["x = 1", "  y  =  2  ", "z = 3", "", "x = 1"]}


def test_a_fingerprint_hashes_tool_rule_path_and_the_normalized_line() -> None:
    one = finding(line=2)
    assign_fingerprints([one], reader(SOURCE))
    assert one.fingerprint == expected("R1", "a.py", "y = 2", 0)
    assert len(one.fingerprint) == 32


def test_the_source_tool_is_part_of_the_key() -> None:
    one = finding(line=2, source_tool="bandit")
    assign_fingerprints([one], reader(SOURCE))
    assert one.fingerprint == expected("R1", "a.py", "y = 2", 0, tool="bandit")


def test_a_multi_line_finding_hashes_all_its_lines() -> None:
    one = finding(line=2, end_line=3)
    assign_fingerprints([one], reader(SOURCE))
    assert one.fingerprint == expected("R1", "a.py", "y = 2 z = 3", 0)


def test_without_a_line_or_a_path_the_message_is_hashed() -> None:
    no_line = finding(line=None)
    no_path = finding(path=None, line=3)
    assign_fingerprints([no_line, no_path], reader(SOURCE))
    assert no_line.fingerprint == expected("R1", "a.py", "the message", 0)
    assert no_path.fingerprint == expected("R1", "", "the message", 0)


@pytest.mark.parametrize("lines", [None, [], ["", "   "]])
def test_unreadable_or_blank_lines_fall_back_to_the_message(lines: list[str] | None) -> None:
    one = finding(line=2)
    assign_fingerprints([one], reader({"a.py": lines}))
    assert one.fingerprint == expected("R1", "a.py", "the message", 0)


def test_identical_occurrences_are_numbered_in_file_order() -> None:
    later, earlier = finding(line=5), finding(line=1)
    assign_fingerprints([later, earlier], reader(SOURCE))
    assert earlier.fingerprint == expected("R1", "a.py", "x = 1", 0)
    assert later.fingerprint == expected("R1", "a.py", "x = 1", 1)


def test_same_line_occurrences_are_numbered_by_column() -> None:
    right, left = finding(line=1, column=9), finding(line=1, column=2)
    assign_fingerprints([right, left], reader(SOURCE))
    assert left.fingerprint == expected("R1", "a.py", "x = 1", 0)
    assert right.fingerprint == expected("R1", "a.py", "x = 1", 1)


def test_three_occurrences_get_three_indexes() -> None:
    items = [finding(line=1, column=c) for c in (3, 1, 2)]
    assign_fingerprints(items, reader(SOURCE))
    assert [f.fingerprint for f in sorted(items, key=lambda f: f.column or 0)] == [
        expected("R1", "a.py", "x = 1", i) for i in range(3)
    ]


def test_occurrences_count_per_key_not_overall() -> None:
    first, other_rule, second = finding(line=1), finding(rule="R2", line=1, column=1), finding(line=5)
    assign_fingerprints([first, other_rule, second], reader(SOURCE))
    assert other_rule.fingerprint == expected("R2", "a.py", "x = 1", 0)
    assert second.fingerprint == expected("R1", "a.py", "x = 1", 1)


def test_pathless_findings_sort_before_others_and_number_by_line() -> None:
    with_path = finding(path="", line=2)
    pathless = finding(path=None, line=1)
    assign_fingerprints([with_path, pathless], reader(SOURCE))
    assert pathless.fingerprint == expected("R1", "", "the message", 0)
    assert with_path.fingerprint == expected("R1", "", "the message", 1)


def test_findings_without_a_line_sort_first() -> None:
    lined = finding(path="b.py", line=1)
    unlined = finding(path="b.py", line=None)
    assign_fingerprints([lined, unlined], reader({}))
    assert unlined.fingerprint == expected("R1", "b.py", "the message", 0)
    assert lined.fingerprint == expected("R1", "b.py", "the message", 1)


def test_findings_sort_by_rule_last() -> None:
    b = Finding("g", "B", Severity.NOTE, "m", path="a.py", line=1, fingerprint="")
    a = Finding("g", "A", Severity.NOTE, "m", path="a.py", line=1, fingerprint="")
    assign_fingerprints([b, a], reader(SOURCE))
    assert a.fingerprint == expected("A", "a.py", "x = 1", 0)
    assert b.fingerprint == expected("B", "a.py", "x = 1", 0)


def test_normalize_snippet_collapses_every_kind_of_whitespace() -> None:
    assert normalize_snippet("\t a \n\n b  ") == "a b"


@pytest.mark.parametrize(
    ("mine", "threshold", "result"),
    [
        (Severity.ERROR, Severity.WARNING, True),
        (Severity.WARNING, Severity.WARNING, True),
        (Severity.NOTE, Severity.WARNING, False),
        (Severity.WARNING, Severity.ERROR, False),
        (Severity.NOTE, Severity.NOTE, True),
    ],
)
def test_severity_at_least(mine: Severity, threshold: Severity, result: bool) -> None:
    assert mine.at_least(threshold) is result
    assert [s.rank for s in (Severity.NOTE, Severity.WARNING, Severity.ERROR)] == [0, 1, 2]


def test_location_and_blocking() -> None:
    assert finding(path=None).location() == ""
    assert finding(line=None).location() == "a.py"
    assert finding(line=7).location() == "a.py:7"
    assert finding().blocking_candidate is True
    assert finding(suppressed_by=SUPPRESSED_BY_WAIVER).blocking_candidate is False


def test_failed_closed_and_skipped_results() -> None:
    failed = GateResult.failed_closed("cov", "no report; run pytest --cov")
    assert (failed.name, failed.verdict, failed.error) == (
        "cov",
        Verdict.ERROR,
        "no report; run pytest --cov",
    )
    assert failed.findings == [] and failed.notes == []
    skipped = GateResult.skipped("coreml", "needs macOS")
    assert (skipped.name, skipped.verdict, skipped.notes, skipped.error) == (
        "coreml",
        Verdict.SKIPPED,
        ["needs macOS"],
        None,
    )


def test_new_findings_leave_out_suppressed_ones() -> None:
    kept, waived = finding(), finding(suppressed_by=SUPPRESSED_BY_WAIVER)
    result = GateResult("g", Verdict.PASS, findings=[kept, waived])
    assert result.new_findings() == [kept]


def test_report_lookup_verdict_and_exit_codes() -> None:
    passed = GateResult("a", Verdict.PASS)
    failed = GateResult("b", Verdict.FAIL)
    report = Report([passed, failed], tool_version="1")
    assert report.gate("b") is failed
    assert report.gate("a") is passed
    assert report.gate("zzz") is None
    assert report.verdict is Verdict.FAIL
    assert report.exit_code == 1
    codes = {v: Report([GateResult("x", v)], "1").exit_code for v in Verdict}
    assert codes == {Verdict.PASS: 0, Verdict.SKIPPED: 0, Verdict.FAIL: 1, Verdict.ERROR: 2}
    assert Report([], "1").verdict is Verdict.PASS

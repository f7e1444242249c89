"""Fingerprints are stable under moves and whitespace, and count duplicates."""

from __future__ import annotations

from gates.findings import Verdict, assign_fingerprints, overall_verdict
from tests.helpers import finding


def fingerprints(source: str, lines: list[int]) -> list[str]:
    found = [finding("B301", "a.py", n) for n in lines]
    assign_fingerprints(found, lambda path: source.splitlines())
    return [f.fingerprint for f in found]


def test_same_code_on_another_line_keeps_its_fingerprint() -> None:
    (before,) = fingerprints("x = 1\npickle.load(f)\n", [2])
    (after,) = fingerprints("x = 1\n\n\n    pickle.load( f )\n", [4])
    assert before != "" and before == fingerprints("pickle.load(f)\n", [1])[0]
    assert after != before  # different tokens inside the call
    (reindented,) = fingerprints("if x:\n        pickle.load(f)\n", [2])
    assert reindented == before


def test_identical_occurrences_get_distinct_fingerprints() -> None:
    first, second = fingerprints("pickle.load(f)\npickle.load(f)\n", [1, 2])
    assert first != second
    assert first == fingerprints("pickle.load(f)\n", [1])[0]


def test_rule_and_path_are_part_of_the_fingerprint() -> None:
    a = finding("B301", "a.py", 1)
    b = finding("B302", "a.py", 1)
    c = finding("B301", "b.py", 1)
    assign_fingerprints([a, b, c], lambda path: ["pickle.load(f)"])
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3


def test_preset_fingerprint_is_kept() -> None:
    f = finding()
    f.fingerprint = "given"
    assign_fingerprints([f], lambda path: None)
    assert f.fingerprint == "given"


def test_overall_verdict_fails_closed() -> None:
    assert overall_verdict([Verdict.PASS, Verdict.FAIL, Verdict.ERROR]) is Verdict.ERROR
    assert overall_verdict([Verdict.PASS, Verdict.FAIL]) is Verdict.FAIL
    assert overall_verdict([Verdict.PASS, Verdict.SKIPPED]) is Verdict.PASS
    assert overall_verdict([Verdict.SKIPPED]) is Verdict.SKIPPED
    assert overall_verdict([]) is Verdict.PASS

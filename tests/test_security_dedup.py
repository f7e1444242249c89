"""Cross-tool dedup: one finding per span and weakness, naming both sources."""

from __future__ import annotations

from gates.checks.security.dedup import merge_duplicates
from gates.findings import Finding, Severity


def _bandit(rule: str, line: int, cwe: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(
        "security",
        rule,
        severity,
        f"bandit says {rule}",
        "a.py",
        line,
        line,
        1,
        source_tool="bandit",
        aliases=("name", cwe),
    )


def _semgrep(
    rule: str, line: int, end: int, cwes: tuple[str, ...], severity: Severity = Severity.ERROR
) -> Finding:
    return Finding(
        "security",
        rule,
        severity,
        f"semgrep says {rule}",
        "a.py",
        line,
        end,
        5,
        source_tool="semgrep",
        aliases=cwes,
    )


def test_same_span_same_cwe_merges_keeping_bandit_identity() -> None:
    merged, count = merge_duplicates(
        [_bandit("B301", 4, "CWE-502")], [_semgrep("x.pickle", 3, 5, ("CWE-502",))]
    )
    assert count == 1 and len(merged) == 1
    only = merged[0]
    assert (only.rule_id, only.source_tool) == ("B301", "bandit")
    assert "x.pickle" in only.aliases
    assert "semgrep says x.pickle" in only.message and "bandit says B301" in only.message
    assert only.severity is Severity.ERROR  # the higher of the two


def test_equivalence_table_bridges_different_cwes() -> None:
    bandit = _bandit("B307", 2, "CWE-78")
    semgrep = _semgrep("ml-gates.eval-exec-dynamic-code", 2, 2, ("CWE-95",))
    merged, count = merge_duplicates([bandit], [semgrep])
    assert count == 1 and len(merged) == 1


def test_other_lines_or_weaknesses_stay_apart() -> None:
    merged, count = merge_duplicates(
        [_bandit("B301", 10, "CWE-502"), _bandit("B602", 2, "CWE-78")],
        [_semgrep("x.pickle", 3, 5, ("CWE-502",))],
    )
    assert count == 0 and len(merged) == 3


def test_one_semgrep_finding_merges_into_one_bandit_finding_only() -> None:
    merged, count = merge_duplicates(
        [_bandit("B301", 4, "CWE-502"), _bandit("B301", 4, "CWE-502")],
        [_semgrep("x.pickle", 4, 4, ("CWE-502",))],
    )
    assert count == 1 and len(merged) == 2

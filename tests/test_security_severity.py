"""The one severity model: bandit, semgrep and advisories map to error/warning/note."""

from __future__ import annotations

import pytest

from gates.checks.security.severity import advisory_severity, bandit_severity, semgrep_severity
from gates.findings import Severity
from gates.policy.sections.security import AdvisorySeverity


@pytest.mark.parametrize(
    ("severity", "confidence", "expected"),
    [
        ("HIGH", "HIGH", Severity.ERROR),
        ("HIGH", "MEDIUM", Severity.ERROR),
        ("HIGH", "LOW", Severity.WARNING),
        ("MEDIUM", "HIGH", Severity.WARNING),
        ("MEDIUM", "LOW", Severity.NOTE),
        ("LOW", "HIGH", Severity.NOTE),
        ("LOW", "LOW", Severity.NOTE),
        ("UNDEFINED", "HIGH", Severity.NOTE),
    ],
)
def test_bandit_severity_times_confidence(severity: str, confidence: str, expected: Severity) -> None:
    assert bandit_severity(severity, confidence) is expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("ERROR", Severity.ERROR),
        ("WARNING", Severity.WARNING),
        ("INFO", Severity.NOTE),
        ("CRITICAL", Severity.ERROR),
        ("MEDIUM", Severity.WARNING),
        ("INVENTORY", Severity.NOTE),
    ],
)
def test_semgrep_levels(level: str, expected: Severity) -> None:
    assert semgrep_severity(level) is expected


RULES = [
    AdvisorySeverity(match="CVE-2024-1234", severity="note"),
    AdvisorySeverity(match="GHSA-*", severity="warning"),
]


def test_advisory_severity_first_match_on_id_or_alias() -> None:
    assert (
        advisory_severity(["PYSEC-1", "CVE-2024-1234", "GHSA-a"], True, RULES, "error", "warning")
        is Severity.NOTE
    )
    assert advisory_severity(["PYSEC-2", "GHSA-b"], True, RULES, "error", "warning") is Severity.WARNING


def test_advisory_severity_falls_back_to_fix_availability() -> None:
    assert advisory_severity(["PYSEC-3"], True, RULES, "error", "warning") is Severity.ERROR
    assert advisory_severity(["PYSEC-3"], False, RULES, "error", "warning") is Severity.WARNING

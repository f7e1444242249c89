"""One severity model for three tools: each tool's levels map to error, warning or note."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from gates.findings import Severity
from gates.policy.sections.security import AdvisorySeverity

BANDIT_LEVELS = ("low", "medium", "high")
SEMGREP_LEVELS = ("info", "warning", "error")
_BY_RANK = (Severity.NOTE, Severity.WARNING, Severity.ERROR)


def bandit_rank(level: str) -> int:
    """0 low, 1 medium, 2 high; bandit's UNDEFINED counts as low."""
    lowered = level.lower()
    return BANDIT_LEVELS.index(lowered) if lowered in BANDIT_LEVELS else 0


def bandit_severity(issue_severity: str, issue_confidence: str) -> Severity:
    """HIGH -> error, MEDIUM -> warning, LOW -> note; a LOW-confidence guess drops one step."""
    rank = bandit_rank(issue_severity)
    if bandit_rank(issue_confidence) == 0:
        rank = max(0, rank - 1)
    return _BY_RANK[rank]


def semgrep_rank(level: str) -> int:
    lowered = level.lower()
    # semgrep's newer aliases: LOW/MEDIUM/HIGH/CRITICAL, and INVENTORY/EXPERIMENT (notes).
    aliases = {"low": "info", "medium": "warning", "high": "error", "critical": "error"}
    lowered = aliases.get(lowered, lowered)
    return SEMGREP_LEVELS.index(lowered) if lowered in SEMGREP_LEVELS else 0


def semgrep_severity(level: str) -> Severity:
    return _BY_RANK[semgrep_rank(level)]


def advisory_severity(
    ids: Sequence[str],
    has_fix: bool,
    rules: Sequence[AdvisorySeverity],
    fix_available: str,
    no_fix: str,
) -> Severity:
    """The first policy rule matching the advisory id or an alias wins; else fix / no fix."""
    for rule in rules:
        if any(fnmatch.fnmatchcase(i, rule.match) for i in ids):
            return Severity(rule.severity)
    return Severity(fix_available if has_fix else no_fix)

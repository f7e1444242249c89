"""bandit and semgrep often flag the same call: report it once, naming both sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gates.findings import Finding

# Pairs that describe the same weakness although the two tools file it under different
# CWEs (bandit's eval/exec checks say CWE-78, the pack's rule says CWE-95, ...).
EQUIVALENT_RULES: frozenset[tuple[str, str]] = frozenset(
    {
        ("B307", "ml-gates.eval-exec-dynamic-code"),
        ("B102", "ml-gates.eval-exec-dynamic-code"),
        ("B105", "ml-gates.hardcoded-ml-credential"),
        ("B106", "ml-gates.hardcoded-ml-credential"),
        ("B107", "ml-gates.hardcoded-ml-credential"),
        ("B202", "ml-gates.tarfile-extractall-without-filter"),
        ("B324", "ml-gates.weak-hash-integrity-check"),
        ("B306", "ml-gates.tempfile-mktemp"),
        ("B501", "ml-gates.tls-verification-disabled"),
        ("B602", "ml-gates.subprocess-shell-dynamic-command"),
        ("B605", "ml-gates.subprocess-shell-dynamic-command"),
    }
)


def _cwes(finding: Finding) -> set[str]:
    return {a for a in finding.aliases if a.startswith("CWE-")}


def _overlap(a: Finding, b: Finding) -> bool:
    if a.path != b.path or a.line is None or b.line is None:
        return False
    a_end = a.end_line or a.line
    b_end = b.end_line or b.line
    return a.line <= b_end and b.line <= a_end


def same_weakness(bandit: Finding, semgrep: Finding) -> bool:
    if not _overlap(bandit, semgrep):
        return False
    return bool(_cwes(bandit) & _cwes(semgrep)) or (bandit.rule_id, semgrep.rule_id) in EQUIVALENT_RULES


def merge_duplicates(bandit: Sequence[Finding], semgrep: Sequence[Finding]) -> tuple[list[Finding], int]:
    """One finding per (span, weakness); the bandit finding keeps its identity.

    Keeping bandit's rule id and tool keeps the fingerprint the same whether or not semgrep
    ran (pre-commit may run one tool), so a baseline written by a full run still matches.
    Waivers match either tool's rule id: the semgrep id becomes an alias.
    """
    merged: list[Finding] = []
    used: set[int] = set()
    for finding in bandit:
        partner_index = next(
            (i for i, other in enumerate(semgrep) if i not in used and same_weakness(finding, other)), None
        )
        if partner_index is None:
            merged.append(finding)
            continue
        used.add(partner_index)
        partner = semgrep[partner_index]
        severity = finding.severity if finding.severity.at_least(partner.severity) else partner.severity
        aliases = tuple(dict.fromkeys([*finding.aliases, partner.rule_id, *partner.aliases]))
        merged.append(
            replace(
                finding,
                severity=severity,
                message=f"{finding.message}; also semgrep {partner.rule_id}: {partner.message}",
                aliases=aliases,
                help_uri=finding.help_uri or partner.help_uri,
            )
        )
    merged.extend(f for i, f in enumerate(semgrep) if i not in used)
    return merged, len(used)

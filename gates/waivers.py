"""Applying the policy's waivers to findings, and reporting the waivers nothing matched."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from gates.findings import SUPPRESSED_BY_WAIVER, Finding, Severity
from gates.policy.base import Waiver
from gates.policy.loader import LoadedPolicy
from gates.policy.paths import matches_any

UNUSED_WAIVER_RULE = "gates.unused-waiver"


def waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.fingerprint and waiver.fingerprint != finding.fingerprint:
        return False
    if waiver.rule:
        ids = (finding.rule_id, *finding.aliases)
        if not any(fnmatch.fnmatchcase(i, waiver.rule) for i in ids):
            return False
    if waiver.path:
        return finding.path is not None and matches_any(finding.path, [waiver.path])
    return True


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver]) -> list[int]:
    """Mark waived findings; return the indexes of waivers that matched nothing."""
    used: set[int] = set()
    for finding in findings:
        if finding.suppressed_by is not None:
            continue
        for index, waiver in enumerate(waivers):
            if waiver_matches(waiver, finding):
                finding.suppressed_by = SUPPRESSED_BY_WAIVER
                owner = f", owner {waiver.owner}" if waiver.owner else ""
                finding.suppression_reason = f"{waiver.reason} (until {waiver.expires.isoformat()}{owner})"
                used.add(index)
                break
    return [i for i in range(len(waivers)) if i not in used]


def unused_waiver_findings(
    gate: str, section: str, unused: Sequence[int], waivers: Sequence[Waiver], loaded: LoadedPolicy
) -> list[Finding]:
    findings = []
    for index in unused:
        waiver = waivers[index]
        where = loaded.where((section, "waivers", index))
        path, line = where.rsplit(":", 2)[0], int(where.rsplit(":", 2)[1])
        what = waiver.rule or waiver.path or waiver.fingerprint
        findings.append(
            Finding(
                gate=gate,
                rule_id=UNUSED_WAIVER_RULE,
                severity=Severity.WARNING,
                message=f"waiver for {what!r} matched no finding; remove it from the policy",
                path=path,
                line=line,
            )
        )
    return findings

"""``policy_changes:`` how loudly a pull request's weakening of the gates is reported.

The run reads this section from the base, never from the change under review, so a pull
request cannot quieten the report of its own weakening (docs/policy-changes.md).
"""

from __future__ import annotations

from typing import Literal

from gates.policy.base import StrictModel, policy_model, setting

ChangeSeverity = Literal["warning", "error"]
CHANGE_SEVERITY_ORDER = ("warning", "error")  # loosest first

# Every kind of weakening `gates policy diff` reports; the rule id is `policy.<kind>`.
KINDS = (
    "gate-disabled",
    "check-disabled",
    "rule-disabled",
    "severity-lowered",
    "threshold-lowered",
    "scope-narrowed",
    "waiver-added",
    "waiver-extended",
    "baseline-added",
    "suppression-added",
)


def _kind(name: str, default: ChangeSeverity = "warning") -> ChangeSeverity:
    # One field per kind keeps the schema and the editor completion exact.
    return setting(  # type: ignore[no-any-return]
        default=None if default == "warning" else default,
        stricter=CHANGE_SEVERITY_ORDER,
        unset="severity",
        description=f"Severity of `policy.{name}` findings; unset: `severity`.",
    )


@policy_model
class PolicyChangesSettings(StrictModel):
    """Severity of each weakening a change makes to the policy, baseline or inline suppressions."""

    severity: ChangeSeverity = setting(
        default="warning",
        stricter=CHANGE_SEVERITY_ORDER,
        description="Severity of a weakening whose kind is not set below.",
    )
    gate_disabled: ChangeSeverity | None = _kind("gate-disabled", "error")
    check_disabled: ChangeSeverity | None = _kind("check-disabled")
    rule_disabled: ChangeSeverity | None = _kind("rule-disabled")
    severity_lowered: ChangeSeverity | None = _kind("severity-lowered")
    threshold_lowered: ChangeSeverity | None = _kind("threshold-lowered")
    scope_narrowed: ChangeSeverity | None = _kind("scope-narrowed")
    waiver_added: ChangeSeverity | None = _kind("waiver-added")
    waiver_extended: ChangeSeverity | None = _kind("waiver-extended")
    baseline_added: ChangeSeverity | None = _kind("baseline-added")
    suppression_added: ChangeSeverity | None = _kind("suppression-added")

    def severity_of(self, kind: str) -> ChangeSeverity:
        chosen: ChangeSeverity | None = getattr(self, kind.replace("-", "_"), None)
        return chosen or self.severity

"""The root of ``policy.yaml``: the single source of every threshold."""

from __future__ import annotations

from typing import Literal

from gates.policy.base import FAIL_ON_ORDER, SeverityName, StrictModel, policy_model, setting
from gates.policy.paths import Paths
from gates.policy.sections.coreml import CoreMLSection
from gates.policy.sections.coverage import CoverageSection
from gates.policy.sections.model_safety import ModelSafetySection
from gates.policy.sections.mutation import MutationSection
from gates.policy.sections.policy_changes import PolicyChangesSettings
from gates.policy.sections.readiness import ReadinessSection
from gates.policy.sections.security import SecuritySection
from gates.policy.sections.todo import TodoSection


@policy_model
class BaselineSettings(StrictModel):
    enabled: bool = setting(
        stricter="false", default=True, description="Findings recorded in the baseline do not block."
    )
    path: str = setting(
        stricter="none", default=".gates/baseline.json", description="Repository-relative baseline file."
    )


@policy_model
class Policy(StrictModel):
    """ml-gates policy, version 1."""

    version: Literal[1] = setting(stricter="none", description="Policy format version. Always 1 for now.")
    base: str = setting(
        stricter="none",
        default="origin/main",
        description="Base ref for changed-code checks when neither --base nor CI names one.",
    )
    fail_on: SeverityName = setting(
        stricter=FAIL_ON_ORDER, default="error", description="Lowest finding severity that fails a gate."
    )
    paths: Paths = setting(default_factory=Paths)
    baseline: BaselineSettings = setting(default_factory=BaselineSettings)
    policy_changes: PolicyChangesSettings = setting(default_factory=PolicyChangesSettings)
    coverage: CoverageSection = setting(default_factory=CoverageSection)
    security: SecuritySection = setting(default_factory=SecuritySection)
    model_safety: ModelSafetySection = setting(default_factory=ModelSafetySection)
    mutation: MutationSection = setting(default_factory=MutationSection)
    coreml: CoreMLSection = setting(default_factory=CoreMLSection)
    readiness: ReadinessSection = setting(default_factory=ReadinessSection)
    todo: TodoSection = setting(default_factory=TodoSection)


def default_policy() -> Policy:
    """The policy used when no file is found: every default in the models above."""
    return Policy(version=1)

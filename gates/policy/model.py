"""The root of ``policy.yaml``: the single source of every threshold."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gates.policy.base import SeverityName, StrictModel
from gates.policy.paths import Paths
from gates.policy.sections.coreml import CoreMLSection
from gates.policy.sections.coverage import CoverageSection
from gates.policy.sections.model_safety import ModelSafetySection
from gates.policy.sections.mutation import MutationSection
from gates.policy.sections.readiness import ReadinessSection
from gates.policy.sections.security import SecuritySection
from gates.policy.sections.todo import TodoSection


class BaselineSettings(StrictModel):
    enabled: bool = Field(default=True, description="Findings recorded in the baseline do not block.")
    path: str = Field(default=".gates/baseline.json", description="Repository-relative baseline file.")


class Policy(StrictModel):
    """ml-gates policy, version 1."""

    version: Literal[1] = Field(description="Policy format version. Always 1 for now.")
    base: str = Field(
        default="origin/main",
        description="Base ref for changed-code checks when neither --base nor CI names one.",
    )
    fail_on: SeverityName = Field(default="error", description="Lowest finding severity that fails a gate.")
    paths: Paths = Field(default_factory=Paths)
    baseline: BaselineSettings = Field(default_factory=BaselineSettings)
    coverage: CoverageSection = Field(default_factory=CoverageSection)
    security: SecuritySection = Field(default_factory=SecuritySection)
    model_safety: ModelSafetySection = Field(default_factory=ModelSafetySection)
    mutation: MutationSection = Field(default_factory=MutationSection)
    coreml: CoreMLSection = Field(default_factory=CoreMLSection)
    readiness: ReadinessSection = Field(default_factory=ReadinessSection)
    todo: TodoSection = Field(default_factory=TodoSection)


def default_policy() -> Policy:
    """The policy used when no file is found: every default in the models above."""
    return Policy(version=1)

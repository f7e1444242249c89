"""``readiness:`` section: the weighted readiness score."""

from __future__ import annotations

from pydantic import Field

from gates.policy.base import GateSection, StrictModel


class ReadinessWeights(StrictModel):
    tests: float = Field(default=30, ge=0)
    coverage: float = Field(default=30, ge=0)
    todos: float = Field(default=25, ge=0)
    critical_paths: float = Field(default=15, ge=0)


class ReadinessSection(GateSection):
    weights: ReadinessWeights = Field(default_factory=ReadinessWeights)

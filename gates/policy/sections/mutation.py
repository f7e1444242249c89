"""``mutation:`` section: mutmut scores per path."""

from __future__ import annotations

from pydantic import Field

from gates.policy.base import GateSection


class MutationSection(GateSection):
    critical_min_score: float = Field(
        default=70.0, ge=0, le=100, description="Mutation score floor on critical paths, %."
    )

"""Building blocks shared by every policy section: strict models, waivers, the gate section."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SeverityName = Literal["error", "warning", "note"]


class StrictModel(BaseModel):
    """Unknown keys are errors, so a typo never silently turns a check off."""

    # defer_build: validators are built on first validation, not at import, so a run that
    # takes its policy from the cache (gates/policy/cache.py) never builds them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Waiver(StrictModel):
    """Accepts matching findings for a stated reason until a date. Same shape in every gate.

    Every matcher that is given must match (rule AND path AND fingerprint).
    """

    rule: str | None = Field(
        default=None,
        description="Rule id, advisory id or alias (CVE, GHSA, PYSEC); shell-style wildcards allowed.",
    )
    path: str | None = Field(default=None, description="Repository-relative path or gitignore-style glob.")
    fingerprint: str | None = Field(
        default=None, description="The fingerprint of one finding, as shown in JSON output."
    )
    reason: str = Field(min_length=1, description="Why this is accepted. Required.")
    expires: date = Field(description="ISO date (YYYY-MM-DD); after it the waiver blocks.")
    owner: str | None = Field(default=None, description="Who answers for the waiver.")

    @model_validator(mode="after")
    def _needs_a_matcher(self) -> Waiver:
        if not (self.rule or self.path or self.fingerprint):
            raise ValueError("a waiver needs at least one of 'rule', 'path' or 'fingerprint'")
        return self


class GateSection(StrictModel):
    """Settings every gate section has."""

    enabled: bool = Field(default=True, description="Run this gate in `gates check`.")
    fail_on: SeverityName | None = Field(
        default=None,
        description="Lowest severity that blocks; defaults to the top-level `fail_on`.",
    )
    timeout: int = Field(
        default=900, gt=0, description="Seconds an external tool may run before it is an error."
    )
    waivers: list[Waiver] = Field(default_factory=list)

"""``model_safety:`` section: unsafe model loading in code, and in committed model files."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from gates.policy.base import GateSection, StrictModel
from gates.policy.sections.model_files import ModelFilesSettings

RuleSeverity = Literal["error", "warning", "note", "off"]
_RULE_ID = re.compile(r"MS\d{3}")


class TrustedRemoteCode(StrictModel):
    """A model whose repository code was reviewed at one commit."""

    model: str = Field(min_length=1, description="Hub model id, e.g. 'org/name'.")
    revision: str = Field(
        pattern=r"^[0-9a-f]{40}$",
        description="The full 40-hex commit that was reviewed; calls must pass exactly this revision.",
    )
    reason: str | None = Field(default=None, description="Why this model's code is trusted.")


class ModelSafetySection(GateSection):
    code_rules: bool = Field(
        default=True, description="Check Python code for unsafe model loading (rules MS101-MS801)."
    )
    min_torch_version: str | None = Field(
        default=None,
        pattern=r"^\d+(\.\d+){0,2}$",
        description="Oldest torch the project runs on, e.g. '2.6'. With "
        "`require_explicit_weights_only: false` and 2.6 or later, a bare torch.load is accepted.",
    )
    require_explicit_weights_only: bool = Field(
        default=True,
        description="Ask for an explicit weights_only=True even where torch >= 2.6 defaults to it.",
    )
    severity: dict[str, RuleSeverity] = Field(
        default_factory=dict,
        description="Per-rule severity overrides, e.g. {MS701: error, MS302: off}.",
    )
    http_timeout: float = Field(
        default=30, gt=0, description="Seconds `gates models --fix` writes as timeout= on HTTP calls."
    )
    trust_remote_code_allow: list[TrustedRemoteCode] = Field(
        default_factory=list,
        description="Models allowed to use trust_remote_code=True, each at a pinned revision.",
    )
    cache: bool = Field(
        default=True, description="Reuse per-file results by content hash (stored in .gates/cache/)."
    )
    model_files: ModelFilesSettings = Field(default_factory=ModelFilesSettings)

    @field_validator("severity")
    @classmethod
    def _rule_ids(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [key for key in value if not _RULE_ID.fullmatch(key)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a model-safety rule id (MS000-MS999); see docs/rules/")
        return value

"""``model_safety:`` section: unsafe model loading in code, and in committed model files."""

from __future__ import annotations

import re
from typing import Literal

from gates.policy.base import GateSection, PolicyValueError, StrictModel, policy_model, setting
from gates.policy.sections.model_files import ModelFilesSettings

RuleSeverity = Literal["error", "warning", "note", "off"]
RULE_SEVERITY_ORDER = ("off", "note", "warning", "error")  # loosest first


def default_rule_severity(rule_id: str) -> str | None:
    """A rule's severity when ``severity`` does not name it (for comparing two policies)."""
    from gates.checks.models.catalog import RULES  # pure data; only a policy diff asks

    rule = RULES.get(rule_id)
    return rule.severity.value if rule is not None else None


_RULE_ID = re.compile(r"MS\d{3}")


@policy_model
class TrustedRemoteCode(StrictModel):
    """A model whose repository code was reviewed at one commit."""

    model: str = setting(stricter="none", min_length=1, description="Hub model id, e.g. 'org/name'.")
    revision: str = setting(
        stricter="none",
        pattern=r"^[0-9a-f]{40}$",
        description="The full 40-hex commit that was reviewed; calls must pass exactly this revision.",
    )
    reason: str | None = setting(
        stricter="none", default=None, description="Why this model's code is trusted."
    )


@policy_model
class ModelSafetySection(GateSection):
    code_rules: bool = setting(
        stricter="true",
        default=True,
        description="Check Python code for unsafe model loading (rules MS101-MS801).",
    )
    min_torch_version: str | None = setting(
        stricter="lower",
        unset="strictest",
        default=None,
        pattern=r"^\d+(\.\d+){0,2}$",
        description="Oldest torch the project runs on, e.g. '2.6'. With "
        "`require_explicit_weights_only: false` and 2.6 or later, a bare torch.load is accepted.",
    )
    require_explicit_weights_only: bool = setting(
        stricter="true",
        default=True,
        description="Ask for an explicit weights_only=True even where torch >= 2.6 defaults to it.",
    )
    severity: dict[str, RuleSeverity] = setting(
        stricter=RULE_SEVERITY_ORDER,
        unset=default_rule_severity,
        default_factory=dict,
        description="Per-rule severity overrides, e.g. {MS701: error, MS302: off}.",
    )
    http_timeout: float = setting(
        stricter="none",
        default=30,
        gt=0,
        description="Seconds `gates models --fix` writes as timeout= on HTTP calls.",
    )
    trust_remote_code_allow: list[TrustedRemoteCode] = setting(
        stricter="fewer",
        default_factory=list,
        description="Models allowed to use trust_remote_code=True, each at a pinned revision.",
    )
    cache: bool = setting(
        stricter="none",
        default=True,
        description="Reuse per-file results by content hash (in ~/.cache/ml-gates/models, outside the repo).",
    )
    model_files: ModelFilesSettings = setting(default_factory=ModelFilesSettings)

    def __post_init__(self) -> None:
        bad = [key for key in self.severity if not _RULE_ID.fullmatch(key)]
        if bad:
            raise PolicyValueError(
                "severity", f"{bad[0]!r} is not a model-safety rule id (MS000-MS999); see docs/rules/"
            )

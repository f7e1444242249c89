"""``model_safety:`` section: unsafe model loading in code, and in committed model files."""

from __future__ import annotations

from pydantic import Field

from gates.policy.base import GateSection
from gates.policy.sections.model_files import ModelFilesSettings


class ModelSafetySection(GateSection):
    model_files: ModelFilesSettings = Field(default_factory=ModelFilesSettings)

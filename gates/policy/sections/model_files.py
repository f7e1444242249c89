"""``model_safety.model_files:`` scanning committed model files (pickles, checkpoints)."""

from __future__ import annotations

from pydantic import Field

from gates.policy.base import StrictModel


class ModelFilesSettings(StrictModel):
    enabled: bool = Field(default=True, description="Scan committed model files by content.")

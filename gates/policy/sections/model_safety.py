"""``model_safety:`` section: unsafe model loading in code and in committed model files."""

from __future__ import annotations

from gates.policy.base import GateSection


class ModelSafetySection(GateSection):
    pass

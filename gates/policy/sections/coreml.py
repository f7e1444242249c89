"""``coreml:`` section: the models to convert and how to check them."""

from __future__ import annotations

from gates.policy.base import GateSection


class CoreMLSection(GateSection):
    pass

"""``todo:`` section: TODO and placeholder markers in critical paths."""

from __future__ import annotations

from gates.policy.base import GateSection


class TodoSection(GateSection):
    pass

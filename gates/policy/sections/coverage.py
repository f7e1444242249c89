"""``coverage:`` section: line/branch floors, per-path floors, diff coverage, ratchet."""

from __future__ import annotations

from pydantic import Field

from gates.policy.base import GateSection


class CoverageSection(GateSection):
    line_min: float = Field(default=80.0, ge=0, le=100, description="Total line coverage floor, %.")

"""``security:`` section: bandit, semgrep and pip-audit behind one severity model."""

from __future__ import annotations

from gates.policy.base import GateSection


class SecuritySection(GateSection):
    """By default any error-severity (high) finding blocks: 0 high-severity findings."""

"""The weighted readiness score: components, renormalisation and bands.

score = sum(weight_i * value_i) / sum(weight_i), over the components that are available.
A component whose input is missing, skipped or errored has ``value None``: it is shown with
the reason and its weight is left out; the note says how the rest was scaled. It is never
counted as 0 or 100.
"""

from __future__ import annotations

from gates.policy.sections.readiness import ReadinessBand
from gates.records import frozen_record, record

COMPONENT_LABELS = {
    "tests": "Test health",
    "coverage": "Coverage",
    "todos": "TODO blockers",
    "critical_paths": "Critical-path health",
}


@record
class Component:
    key: str  # tests | coverage | todos | critical_paths
    weight: float  # as configured
    value: float | None  # 0..100, None when not available
    formula: str  # how the value came about, or why it is missing
    source: str  # where the input came from

    @property
    def label(self) -> str:
        return COMPONENT_LABELS.get(self.key, self.key)

    @property
    def counted(self) -> bool:
        return self.value is not None and self.weight > 0


@frozen_record
class ScoreBreakdown:
    components: list[Component]
    score: float | None  # None when no component is available
    used_weight: float
    total_weight: float

    def share(self, component: Component) -> float:
        """The component's effective weight, in percent of the score, after renormalisation."""
        if not component.counted or not self.used_weight:
            return 0.0
        return 100.0 * component.weight / self.used_weight

    def points(self, component: Component) -> float:
        if not component.counted or component.value is None:
            return 0.0
        return self.share(component) * component.value / 100.0

    def renormalisation(self) -> str | None:
        """The sentence that says which weights were left out and how the rest were scaled."""
        left_out = [c for c in self.components if c.weight > 0 and c.value is None]
        if not left_out and self.used_weight == 100:
            return None
        if self.score is None:
            return "no component is available, so there is no score"
        scaled = ", ".join(
            f"{c.key} {c.weight:g} -> {self.share(c):.1f}" for c in self.components if c.counted
        )
        if left_out:
            names = ", ".join(f"{c.key} ({c.weight:g})" for c in left_out)
            return (
                f"left out for lack of input: {names}; the remaining weights ({self.used_weight:g} of "
                f"{self.total_weight:g}) are scaled to 100: {scaled}"
            )
        return f"the weights sum to {self.used_weight:g}, scaled to 100: {scaled}"


def compute(components: list[Component]) -> ScoreBreakdown:
    total = sum(c.weight for c in components)
    used = sum(c.weight for c in components if c.counted)
    if not used:
        return ScoreBreakdown(components, None, 0.0, total)
    score = sum(c.weight * (c.value or 0.0) for c in components if c.counted) / used
    # Half up to one decimal; the epsilon keeps 74.55 (stored as 74.5499...) from rounding down.
    return ScoreBreakdown(components, round(score + 1e-9, 1), used, total)


def band_for(score: float, bands: list[ReadinessBand]) -> str:
    """The label of the highest band whose ``min`` the score reaches (bands sorted by min)."""
    label = bands[0].label
    for band in sorted(bands, key=lambda b: b.min):
        if score >= band.min:
            label = band.label
    return label


def todo_ratio(blockers: int, total: int) -> float:
    """100 * (1 - blocking / all TODOs); no TODOs at all is 100."""
    if total <= 0:
        return 100.0
    return 100.0 * (1 - min(blockers, total) / total)

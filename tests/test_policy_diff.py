"""gates/policy/diff.py: every setting declares its stricter direction, and the comparison obeys it."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from gates.policy.diff import CHANGED, STRICTER, WEAKER, Change, compare_policies, policy_fields
from gates.policy.loader import parse_policy_text
from gates.policy.model import Policy, default_policy
from gates.policy.sections.policy_changes import KINDS, PolicyChangesSettings

_DIRECTION_WORDS = {"higher", "lower", "true", "false", "more", "fewer", "only", "waivers", "none"}


def _policy(text: str) -> Policy:
    return parse_policy_text("version: 1\n" + text, Path("p.yaml")).policy


def _changes(base: str, head: str) -> list[Change]:
    return compare_policies(_policy(base), _policy(head))


def test_every_policy_field_declares_a_valid_direction() -> None:
    """A new setting without `stricter=` fails here, so the policy diff cannot miss it."""
    seen = 0
    for dotted, spec in policy_fields():
        seen += 1
        assert "stricter" in spec.metadata, f"{dotted} declares no 'stricter' direction in setting(...)"
        direction = spec.metadata["stricter"]
        if isinstance(direction, tuple):
            assert len(direction) == len(set(direction)) >= 2, dotted
        else:
            assert direction in _DIRECTION_WORDS, f"{dotted}: unknown direction {direction!r}"
    assert seen > 150  # the walk reaches nested tables and lists of tables


def test_ordered_choices_list_every_allowed_value() -> None:
    """A Literal setting's order must place each value it accepts, or a change cannot be judged."""
    for dotted, spec in policy_fields():
        direction = spec.metadata["stricter"]
        if not isinstance(direction, tuple):
            continue
        owner = next(m for m in _models() if spec in dataclasses.fields(m))
        annotation = typing.get_type_hints(owner)[spec.name]
        values = set(_literal_values(annotation))
        assert values <= set(direction), f"{dotted}: {sorted(values - set(direction))} not ordered"


def _models() -> list[type[typing.Any]]:
    found: list[type[typing.Any]] = []

    def walk(model: type[typing.Any]) -> None:
        if model in found:
            return
        found.append(model)
        for hint in typing.get_type_hints(model).values():
            for inner in _flatten(hint):
                if isinstance(inner, type) and dataclasses.is_dataclass(inner):
                    walk(inner)

    walk(Policy)
    return found


def _flatten(annotation: typing.Any) -> list[typing.Any]:
    return [annotation, *(x for arg in typing.get_args(annotation) for x in _flatten(arg))]


def _literal_values(annotation: typing.Any) -> list[typing.Any]:
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return [v for arg in typing.get_args(annotation) for v in _literal_values(arg)]


def test_identical_policies_have_no_changes() -> None:
    assert compare_policies(default_policy(), default_policy()) == []


@pytest.mark.parametrize(
    ("base", "head", "kind", "setting"),
    [
        ("", "coverage: {enabled: false}\n", "gate-disabled", "coverage.enabled"),
        ("", "model_safety: {code_rules: false}\n", "check-disabled", "model_safety.code_rules"),
        ("", "model_safety: {severity: {MS101: 'off'}}\n", "rule-disabled", "model_safety.severity.MS101"),
        (
            "",
            "model_safety: {severity: {MS101: warning}}\n",
            "severity-lowered",
            "model_safety.severity.MS101",
        ),
        ("", "todo: {blocking_severity: warning}\n", "severity-lowered", "todo.blocking_severity"),
        (
            "coverage: {line_min: 90}\n",
            "coverage: {line_min: 60}\n",
            "threshold-lowered",
            "coverage.line_min",
        ),
        ("", "mutation: {critical_min_score: 10}\n", "threshold-lowered", "mutation.critical_min_score"),
        ("fail_on: warning\n", "fail_on: error\n", "threshold-lowered", "fail_on"),
        ("", "security: {fail_on: note}\n", None, None),  # stricter, checked below
        ("", "coverage: {ratchet: {tolerance: 2}}\n", "threshold-lowered", "coverage.ratchet.tolerance"),
        ("", "coverage: {diff: {max_uncovered_new_statements: 3}}\n", None, None),
        ("paths: {exclude: []}\n", "paths: {exclude: [src/legacy/]}\n", "scope-narrowed", "paths.exclude"),
        ("paths: {source: [src/, lib/]}\n", "paths: {source: [src/]}\n", "scope-narrowed", "paths.source"),
        ("", "security: {bandit: {skips: [B101]}}\n", "scope-narrowed", "security.bandit.skips"),
        ("", "security: {bandit: {tests: [B101]}}\n", "scope-narrowed", "security.bandit.tests"),
        (
            "coverage: {per_path: [{path: 'a/**', line_min: 90}]}\n",
            "coverage: {per_path: [{path: 'a/**', line_min: 50}]}\n",
            "threshold-lowered",
            "coverage.per_path[0].line_min",
        ),
        ("coverage: {per_path: [{path: 'a/**', line_min: 90}]}\n", "", "scope-narrowed", "coverage.per_path"),
        ("", "security: {waivers: [{rule: B301, reason: r, expires: 2099-12-31}]}\n", "waiver-added", None),
        (
            "security: {waivers: [{rule: B301, reason: r, expires: 2027-01-01}]}\n",
            "security: {waivers: [{rule: B301, reason: r, expires: 2099-12-31}]}\n",
            "waiver-extended",
            "security.waivers",
        ),
        ("", "baseline: {enabled: false}\n", None, None),  # no baseline: everything blocks, stricter
        ("baseline: {enabled: false}\n", "", "check-disabled", "baseline.enabled"),
        (
            "",
            "model_safety: {min_torch_version: '2.6'}\n",
            "threshold-lowered",
            "model_safety.min_torch_version",
        ),
        (
            "policy_changes: {gate_disabled: error}\n",
            "policy_changes: {gate_disabled: warning}\n",
            "severity-lowered",
            "policy_changes.gate_disabled",
        ),
    ],
)
def test_each_weakening_is_judged_weaker(base: str, head: str, kind: str | None, setting: str | None) -> None:
    changes = _changes(base, head)
    weaker = [c for c in changes if c.direction == WEAKER]
    if kind is None:  # the change strengthens: nothing weaker, something stricter
        assert weaker == [] and any(c.direction == STRICTER for c in changes), changes
        return
    assert [c.kind for c in weaker] == [kind], changes
    if setting is not None:
        assert weaker[0].setting == setting.split("[")[0] or weaker[0].setting == setting
    # The reverse change is the matching strengthening.
    back = compare_policies(_policy(head), _policy(base))
    assert [c.direction for c in back if c.direction != CHANGED] == [STRICTER], back


def test_inherited_fail_on_is_reported_once() -> None:
    changes = _changes("fail_on: warning\n", "fail_on: error\n")
    assert [c.setting for c in changes] == ["fail_on"]


def test_effective_tolerance_is_compared_not_the_unset_value() -> None:
    model = "coreml: {models: [{name: m, factory: 'p:f', precision: fp32, compute_units: CPU_ONLY%s}]}\n"
    changes = _changes(model % "", model % ", atol: 0.5")
    assert [(c.direction, c.setting) for c in changes] == [(WEAKER, "coreml.models[0].atol")]


def test_settings_without_direction_are_listed_not_judged() -> None:
    changes = _changes("", "coverage: {report: other.json}\n")
    assert [(c.direction, c.setting) for c in changes] == [(CHANGED, "coverage.report")]


def test_waiver_removal_and_shortening_are_stricter() -> None:
    waiver = "security: {waivers: [{rule: B301, reason: r, expires: %s}]}\n"
    assert [c.direction for c in _changes(waiver % "2099-01-01", waiver % "2027-01-01")] == [STRICTER]
    assert [c.direction for c in _changes(waiver % "2099-01-01", "")] == [STRICTER]
    reworded = _changes(waiver % "2099-01-01", waiver.replace("reason: r", "reason: other") % "2099-01-01")
    assert [c.direction for c in reworded] == [CHANGED]


def test_change_points_at_the_changed_line() -> None:
    head_text = "version: 1\ncoverage:\n  report: c.json\n  line_min: 10\n"
    head = parse_policy_text(head_text, Path("p.yaml"))
    (change,) = [c for c in compare_policies(default_policy(), head.policy) if c.direction == WEAKER]
    assert head.where(change.loc) == "p.yaml:4:13"


def test_every_kind_has_its_severity_setting_and_the_diff_emits_only_known_kinds() -> None:
    settings = PolicyChangesSettings()
    for kind in KINDS:
        assert settings.severity_of(kind) in ("warning", "error")
        assert hasattr(settings, kind.replace("-", "_")), kind
    assert settings.severity_of("gate-disabled") == "error"
    assert settings.severity_of("waiver-added") == "warning"
    weakest = "\n".join(
        [
            "fail_on: note",
            "paths: {exclude: []}",
            "policy_changes: {severity: error}",
        ]
    )
    kinds = {
        c.kind
        for c in _changes(weakest, "security: {enabled: false}\nmodel_safety: {severity: {MS101: 'off'}}\n")
    }
    assert kinds - {CHANGED} <= set(KINDS), kinds


def test_an_unset_tolerance_follows_its_effective_default() -> None:
    """atol unset means 1e-4 for fp32 on the CPU and 1e-2 otherwise: fp32 -> fp16 loosens it."""
    model = "coreml: {models: [{name: m, factory: 'p:f', precision: %s}]}\n"
    changes = _changes(model % "fp32", model % "fp16")
    weaker = {c.setting for c in changes if c.direction == WEAKER}
    assert weaker == {"coreml.models[0].atol", "coreml.models[0].rtol"}, changes

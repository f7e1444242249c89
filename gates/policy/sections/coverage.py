"""``coverage:`` section: line/branch floors, per-path floors, diff coverage, ratchet."""

from __future__ import annotations

import re
from typing import Literal

from gates.policy.base import (
    SEVERITY_ORDER,
    GateSection,
    PolicyValueError,
    SeverityName,
    StrictModel,
    policy_model,
    setting,
)

DEFAULT_PRAGMA = r"#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)"


@policy_model
class PathFloor(StrictModel):
    """A floor for every file matching ``path``; when several rules match a file, the last wins."""

    path: str = setting(
        stricter="none", description="Gitignore-style glob of repository-relative files, e.g. 'training/**'."
    )
    line_min: float = setting(
        stricter="higher", ge=0, le=100, description="Line (statement) coverage floor for each file, %."
    )
    branch_min: float | None = setting(
        stricter="higher",
        default=None,
        ge=0,
        le=100,
        description="Branch coverage floor for each file, %. Off when unset.",
    )


@policy_model
class PathMapping(StrictModel):
    """Rewrite a path prefix found in the report to a repository-relative prefix."""

    source: str = setting(
        stricter="none",
        yaml_key="from",
        description="Prefix as written in the report, e.g. '/home/runner/work/app/app/'.",
    )
    target: str = setting(
        stricter="none",
        default="",
        yaml_key="to",
        description="Repository-relative prefix, e.g. '' or 'src/'.",
    )


@policy_model
class DiffSettings(StrictModel):
    """Patch coverage: the statements added or changed since the merge-base with the base ref."""

    enabled: bool = setting(stricter="true", default=True, description="Check the coverage of changed code.")
    line_min: float = setting(
        stricter="higher", default=80.0, ge=0, le=100, description="Floor for changed statements, %."
    )
    branch_min: float | None = setting(
        stricter="higher",
        default=None,
        ge=0,
        le=100,
        description="Floor for the branches leaving changed lines, %. Needs branch data. Off when unset.",
    )
    min_changed_statements: int = setting(
        stricter="lower",
        unset="strictest",
        default=0,
        ge=0,
        description="Below this many changed statements the diff floors do not apply (the cap still does).",
    )
    max_uncovered_new_statements: int | None = setting(
        stricter="lower",
        default=None,
        ge=0,
        description="At most this many changed statements may be uncovered. Off when unset.",
    )
    statement_aware: bool = setting(
        stricter="none",
        default=True,
        description="A changed line inside a multi-line statement counts as that statement's first line.",
    )
    uncovered_severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="warning",
        description="Severity of each uncovered changed line (they become annotations).",
    )


@policy_model
class RatchetSettings(StrictModel):
    """Coverage may not drop below the committed baseline by more than ``tolerance``."""

    enabled: bool = setting(
        stricter="true", default=True, description="Compare with the baseline file when it exists."
    )
    path: str = setting(
        stricter="none",
        default=".gates/coverage-baseline.json",
        description="Repository-relative baseline; 'gates baseline update --coverage' writes it.",
    )
    tolerance: float = setting(
        stricter="lower",
        default=0.0,
        ge=0,
        le=100,
        description="Percentage points coverage may drop before it fails.",
    )
    per_path: bool = setting(
        stricter="true", default=True, description="Also hold every file to its baseline, not only the total."
    )
    removed_code: Literal["adjust_base", "off"] = setting(
        stricter=("adjust_base", "off"),
        default="adjust_base",
        description="adjust_base: removing covered statements lowers the baseline too, as in Codecov.",
    )


@policy_model
class ExclusionCreepSettings(StrictModel):
    """Warn when code is excluded from measurement instead of being tested."""

    enabled: bool = setting(
        stricter="true", default=True, description="Flag new exclusions in the diff and excluded-line growth."
    )
    severity: SeverityName = setting(
        stricter=SEVERITY_ORDER, default="warning", description="Severity of exclusion-creep findings."
    )
    pragma: str = setting(
        stricter="none",
        default=DEFAULT_PRAGMA,
        description="Regular expression of an exclusion comment in a changed line.",
    )

    def __post_init__(self) -> None:
        try:
            re.compile(self.pragma)
        except re.error as exc:
            raise PolicyValueError("pragma", f"not a regular expression: {exc}") from None


@policy_model
class CoverageSection(GateSection):
    line_min: float = setting(
        stricter="higher", default=80.0, ge=0, le=100, description="Total line coverage floor, %."
    )
    branch_min: float | None = setting(
        stricter="higher",
        default=None,
        ge=0,
        le=100,
        description="Total branch coverage floor, %. Needs branch data ('coverage run --branch').",
    )
    critical_min: float | None = setting(
        stricter="higher",
        default=None,
        ge=0,
        le=100,
        description="Line floor for each file under the shared 'paths.critical'; per_path rules override.",
    )
    per_path: list[PathFloor] = setting(
        stricter="more",
        match_key="path",
        default_factory=list,
        description="Per-file floors by glob; the last matching rule wins.",
    )
    report: str = setting(
        stricter="none",
        default="coverage.json",
        description="Report to read: coverage.py JSON (preferred), Cobertura XML or LCOV (.info/.lcov).",
    )
    format: Literal["auto", "json", "cobertura", "lcov"] = setting(
        stricter="none", default="auto", description="Report format; 'auto' decides from the file."
    )
    run: list[str] = setting(
        stricter="none",
        default_factory=list,
        description=(
            "Commands that produce the report before it is read (no shell), e.g. "
            "['coverage run -m pytest', 'coverage json']. They share the gate's 'timeout'."
        ),
    )
    path_map: list[PathMapping] = setting(
        stricter="none",
        default_factory=list,
        description="Prefix rewrites from report paths to repository paths.",
    )
    omit: list[str] = setting(
        stricter="fewer",
        default_factory=list,
        description="Globs left out of every figure; matching changed files may be absent from the report.",
    )
    stale_report: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="error",
        description="Severity when the report is older than a changed (or staged) file it measures.",
    )
    diff: DiffSettings = setting(default_factory=DiffSettings)
    ratchet: RatchetSettings = setting(default_factory=RatchetSettings)
    exclusion_creep: ExclusionCreepSettings = setting(default_factory=ExclusionCreepSettings)

    def __post_init__(self) -> None:
        if any(not command.strip() for command in self.run):
            raise PolicyValueError("run", "a 'run' command is empty")

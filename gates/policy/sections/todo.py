"""``todo:`` section: TODO and placeholder markers in critical paths."""

from __future__ import annotations

from typing import Literal

from gates.policy.base import SEVERITY_ORDER, GateSection, SeverityName, policy_model, setting

DEFAULT_MARKERS = ["TODO", "FIXME", "XXX", "PLACEHOLDER", "for now"]


@policy_model
class TodoSection(GateSection):
    scope: Literal["critical", "source"] = setting(
        stricter=("critical", "source"),
        default="critical",
        description=(
            "Which files are scanned: the critical paths (`paths.critical`), or every source path. "
            "With `critical` and no critical paths configured, every source path is scanned "
            "(and a note says so)."
        ),
    )
    markers: list[str] = setting(
        stricter="more",
        default_factory=lambda: list(DEFAULT_MARKERS),
        min_length=1,
        description=(
            "Words or phrases that mark unfinished code in a comment. Matched as whole words; "
            "see `case_sensitive`."
        ),
    )
    case_sensitive: bool = setting(
        stricter="false",
        default=False,
        description="Match markers case-sensitively (then `# todo` is not a `TODO`).",
    )
    blocking_marker: str = setting(
        stricter="none",
        default="blocking",
        min_length=1,
        description=(
            "A marker tagged with this word blocks: `# TODO(blocking): ...`, `# FIXME[blocking]`, "
            "`# TODO blocking: ...`."
        ),
    )
    severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="warning",
        description="Severity of a non-blocking marker in a critical path.",
    )
    outside_critical_severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="note",
        description="Severity of a non-blocking marker outside the critical paths (scope `source`).",
    )
    blocking_severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="error",
        description="Severity of a marker tagged with `blocking_marker`.",
    )
    not_implemented: Literal["off", "stubs", "anywhere"] = setting(
        stricter=("off", "stubs", "anywhere"),
        default="stubs",
        description=(
            "`raise NotImplementedError` in non-abstract code: `stubs` flags functions whose whole body "
            "is that raise; `anywhere` flags every such raise; `off` flags none. Abstract methods, "
            "overloads and methods of ABC/Protocol classes never count."
        ),
    )
    placeholder_bodies: bool = setting(
        stricter="true",
        default=True,
        description=(
            "Flag `pass`-only (or `...`-only) bodies that a marker comment labels as a placeholder "
            "(`pass  # placeholder`)."
        ),
    )
    placeholder_strings: bool = setting(
        stricter="true",
        default=True,
        description=(
            'Flag string values (not docstrings) that are exactly a marker, such as `name = "PLACEHOLDER"`. '
            "Markers inside longer strings and docstrings never count."
        ),
    )
    stub_severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="warning",
        description="Severity of NotImplementedError stubs, placeholder bodies and placeholder strings.",
    )
    new_only: bool = setting(
        stricter="false",
        default=False,
        description="Report only markers on lines added or changed since the base (also `--new-only`).",
    )

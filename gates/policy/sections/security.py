"""``security:`` section: bandit, semgrep and pip-audit behind one severity model."""

from __future__ import annotations

from typing import Literal

from gates.policy.base import SEVERITY_ORDER, GateSection, SeverityName, StrictModel, policy_model, setting

BanditLevel = Literal["low", "medium", "high"]
SemgrepLevel = Literal["info", "warning", "error"]


@policy_model
class BanditSettings(StrictModel):
    """bandit: Python AST checks. Severity HIGH -> error, MEDIUM -> warning, LOW -> note;
    LOW confidence lowers that by one step."""

    enabled: bool = setting(stricter="true", default=True, description="Run bandit.")
    min_severity: BanditLevel = setting(
        stricter=("high", "medium", "low"),
        default="low",
        description="Drop bandit results below this bandit severity.",
    )
    min_confidence: BanditLevel = setting(
        stricter=("high", "medium", "low"),
        default="medium",
        description="Drop bandit results below this bandit confidence.",
    )
    config: str | None = setting(
        stricter="none",
        default=None,
        description="bandit config file passed as `-c` (YAML, or pyproject.toml with [tool.bandit]).",
    )
    tests: list[str] = setting(
        stricter="only", default_factory=list, description="Run only these bandit test ids (`-t`)."
    )
    skips: list[str] = setting(
        stricter="fewer", default_factory=list, description="Skip these bandit test ids (`-s`)."
    )


@policy_model
class SemgrepSettings(StrictModel):
    """semgrep, offline, on the ml-gates rule pack plus local rule files. ERROR -> error,
    WARNING -> warning, INFO -> note."""

    enabled: bool = setting(
        stricter="true", default=True, description="Run semgrep (needs the `ml-gates[semgrep]` extra)."
    )
    min_severity: SemgrepLevel = setting(
        stricter=("error", "warning", "info"),
        default="info",
        description="Drop semgrep results below this semgrep severity.",
    )
    pack: bool = setting(
        stricter="true", default=True, description="Run the ML rule pack shipped in gates/rules/."
    )
    rules: list[str] = setting(
        stricter="more",
        default_factory=list,
        description="Local semgrep rule files or directories (repository-relative); never the registry.",
    )


@policy_model
class AdvisorySeverity(StrictModel):
    """Severity for advisories whose id or alias matches ``match`` (shell-style glob)."""

    match: str = setting(
        stricter="none", description="Advisory id, alias or prefix glob: 'GHSA-*', 'PYSEC-2024-*', 'CVE-…'."
    )
    severity: SeverityName = setting(
        stricter=SEVERITY_ORDER, description="Severity of the finding for a matching advisory."
    )


@policy_model
class PipAuditSettings(StrictModel):
    """pip-audit: known vulnerabilities in dependencies. pip-audit has no severities; they
    come from ``severities`` (first match wins), else from whether a fix exists."""

    enabled: bool = setting(
        stricter="true", default=True, description="Run pip-audit (needs the vulnerability service)."
    )
    requirements: list[str] = setting(
        stricter="more",
        default_factory=list,
        description="Requirements files to audit (`-r`). Pinned `==` files run with --no-deps --disable-pip.",
    )
    projects: list[str] = setting(
        stricter="more",
        default_factory=list,
        description="Project directories (pyproject.toml, or lock files with `locked`) to audit.",
    )
    locked: bool = setting(
        stricter="none", default=False, description="Audit the projects' lock files (pylock.*.toml)."
    )
    environment: bool = setting(
        stricter="true", default=False, description="Audit the installed environment pip-audit runs in."
    )
    resolve: bool = setting(
        stricter="none",
        default=False,
        description="Let pip resolve unpinned requirements (needs PyPI); off means --no-deps --disable-pip.",
    )
    service: Literal["osv", "pypi"] = setting(
        stricter="none", default="osv", description="Vulnerability service."
    )
    osv_url: str | None = setting(
        stricter="none",
        default=None,
        description="OSV-compatible query endpoint (a mirror); default api.osv.dev.",
    )
    index_url: str | None = setting(
        stricter="none", default=None, description="Package index for resolving (--index-url)."
    )
    allow_skipped: list[str] = setting(
        stricter="fewer",
        default_factory=list,
        description="Packages pip-audit may skip (private, unpublished) without failing the gate.",
    )
    severities: list[AdvisorySeverity] = setting(
        stricter="none",
        match_key="match",
        default_factory=list,
        description="Per-advisory severities, first match wins.",
    )
    fix_available: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="error",
        description="Severity of an advisory with a fixed version and no match above.",
    )
    no_fix: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="warning",
        description="Severity of an advisory without any fixed version and no match.",
    )
    grace_days: int = setting(
        stricter="lower",
        default=14,
        ge=0,
        description="An advisory published fewer days ago on a dependency the change did not touch is "
        "a warning; a dependency the change adds or bumps blocks at once.",
    )


@policy_model
class SecuritySection(GateSection):
    """By default any error-severity (high) finding blocks: 0 high-severity findings."""

    bandit: BanditSettings = setting(default_factory=BanditSettings)
    semgrep: SemgrepSettings = setting(default_factory=SemgrepSettings)
    pip_audit: PipAuditSettings = setting(default_factory=PipAuditSettings)
    bare_suppressions: Literal["count", "warning", "error"] = setting(
        stricter=("count", "warning", "error"),
        default="count",
        description="`# nosec` / `# nosemgrep` without a reason (after ' -- ' or a second '#'): "
        "only counted, or reported as a finding of this severity.",
    )

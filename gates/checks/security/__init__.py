"""The security gate: bandit, semgrep and pip-audit behind one policy and one severity model."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from gates.checks.security.outcome import ToolOutcome
from gates.errors import GatesError, ToolError
from gates.files import Selection, empty_dirs_message, skipped_note
from gates.findings import Finding, GateResult, Severity, Verdict
from gates.gate import Gate, GateContext
from gates.policy.sections.security import SecuritySection

if TYPE_CHECKING:
    from gates.checks.security.pip_audit import AuditedDependency

TOOLS = ("bandit", "semgrep", "pip-audit")
BARE_RULE = {"nosec": "security.bare-nosec", "nosemgrep": "security.bare-nosemgrep"}


class SecurityGate(Gate):
    name = "security"
    section = "security"
    summary = "security findings from bandit, semgrep and pip-audit, with baselines and fail-closed verdicts"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--tool",
            action="append",
            choices=TOOLS,
            dest="security_tools",
            metavar="NAME",
            help="run only this tool (repeatable): bandit, semgrep, pip-audit",
        )

    def run(self, ctx: GateContext) -> GateResult:
        section: SecuritySection = ctx.section
        requested = getattr(ctx.args, "security_tools", None)
        chosen, notes = _choose_tools(section, requested, ctx)
        if not chosen:
            return GateResult(self.name, Verdict.SKIPPED, notes=notes or ["no security tool enabled"])
        scans_code = bool({"bandit", "semgrep"} & set(chosen))
        selection = _selected_files(ctx) if scans_code else Selection()
        files = selection.files
        not_read = skipped_note(selection)
        if not_read:
            # Never handed to bandit or semgrep: they would read the target outside the repository.
            notes.append(not_read)
        if scans_code and not files and selection.named_dirs:
            return GateResult.failed_closed(self.name, empty_dirs_message(selection, "Python file"))
        if scans_code and not files:
            if ctx.full_scope:
                # Nothing scanned is not "no findings": the policy's paths point at no code.
                return GateResult.failed_closed(
                    self.name,
                    f"bandit/semgrep: paths.source {ctx.policy.paths.source} (minus paths.exclude) holds "
                    "no Python file to scan; fix paths.source, or disable security.bandit and "
                    "security.semgrep",
                )
            if "pip-audit" not in chosen:
                reason = "bandit/semgrep: no existing Python file among the selected files"
                return GateResult(self.name, Verdict.SKIPPED, notes=[reason, *notes])
        jobs = _jobs(ctx, section, chosen, files, notes)
        with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
            futures = {tool: pool.submit(_guarded, tool, job) for tool, job in jobs.items()}
            outcomes = {tool: future.result() for tool, future in futures.items()}
        result = _combine(ctx, section, files, outcomes, notes)
        # Waivers and baseline entries of tools that did not run are neither unused nor fixed.
        result.partial_scope = bool(set(_enabled_tools(section)) - set(chosen))
        return result


def _enabled_tools(section: SecuritySection) -> list[str]:
    enabled = {
        "bandit": section.bandit.enabled,
        "semgrep": section.semgrep.enabled,
        "pip-audit": section.pip_audit.enabled,
    }
    return [tool for tool in TOOLS if enabled[tool]]


def _choose_tools(
    section: SecuritySection, requested: list[str] | None, ctx: GateContext
) -> tuple[list[str], list[str]]:
    enabled = set(_enabled_tools(section))
    notes: list[str] = []
    if requested:
        wanted = list(dict.fromkeys(requested))
    else:
        wanted = list(TOOLS)
        if not ctx.full_scope:
            # A commit's file list says nothing about dependencies: pip-audit runs on the
            # whole project (CI, or the pre-push hook's `--tool pip-audit`).
            wanted.remove("pip-audit")
    chosen = []
    for tool in wanted:
        if tool in enabled:
            chosen.append(tool)
        else:
            notes.append(f"{tool}: disabled in the policy (security.{tool.replace('-', '_')}.enabled)")
    return chosen, notes


def _selected_files(ctx: GateContext) -> Selection:
    if ctx.files is None and ctx.staged:
        staged = [c.path for c in ctx.changed_files if c.status != "D"]
        from gates.files import select_files

        selection = select_files(ctx.root, ctx.policy.paths, explicit=staged, suffixes=(".py",))
        selection.named_dirs = []  # git named these files; the user named no directory
        return selection
    return ctx.source_selection((".py",))


def _jobs(
    ctx: GateContext, section: SecuritySection, chosen: list[str], files: list[str], notes: list[str]
) -> dict[str, Callable[[], ToolOutcome]]:
    from gates.checks.security import bandit, semgrep

    jobs: dict[str, Callable[[], ToolOutcome]] = {}
    timeout = float(section.timeout)
    if files:
        if "bandit" in chosen:
            jobs["bandit"] = lambda: bandit.run_bandit(ctx.root, section.bandit, files, timeout)
        # semgrep skips a named file without a Python extension (a script that is Python by
        # its shebang, which pre-commit passes); bandit scans it, so it is still checked.
        with_suffix = [f for f in files if f.endswith((".py", ".pyi")) or "bandit" not in chosen]
        if "semgrep" in chosen and len(with_suffix) < len(files):
            scripts = [f for f in files if f not in with_suffix]
            notes.append(
                f"semgrep: {len(scripts)} script(s) without a .py name, left to bandit: "
                f"{', '.join(scripts[:3])}"
            )
        if "semgrep" in chosen and with_suffix:
            jobs["semgrep"] = lambda: semgrep.run_semgrep(ctx.root, section.semgrep, with_suffix, timeout)
    elif {"bandit", "semgrep"} & set(chosen):
        notes.append("bandit/semgrep: no Python files selected")
    if "pip-audit" in chosen:
        jobs["pip-audit"] = lambda: _run_pip_audit(ctx, section, timeout)
    return jobs


def _guarded(tool: str, job: Callable[[], ToolOutcome]) -> ToolOutcome:
    try:
        return job()
    except GatesError as exc:
        return ToolOutcome(tool, error=str(exc))


def _run_pip_audit(ctx: GateContext, section: SecuritySection, timeout: float) -> ToolOutcome:
    from gates.checks.security import origin, pip_audit

    settings = section.pip_audit
    inputs = pip_audit.audit_inputs(ctx.root, settings)
    if not inputs:
        # Auditing nothing is not "no known vulnerabilities": an error, so the hook never says Passed.
        raise ToolError(
            "pip-audit is enabled but the policy names nothing to audit; set "
            "security.pip_audit.requirements (pinned files, e.g. [requirements.txt]), "
            "security.pip_audit.projects (e.g. ['.'] for pyproject.toml, with locked: true for "
            "pylock.toml) or security.pip_audit.environment: true, or set security.pip_audit.enabled: false"
        )
    deps: list[pip_audit.AuditedDependency] = []
    for item in inputs:
        found = pip_audit.parse_dependencies(pip_audit.run_pip_audit_input(ctx.root, settings, item, timeout))
        if not found:
            # pip-audit says "No known vulnerabilities found" for an input that lists nothing.
            raise ToolError(
                f"pip-audit found no dependency in {item.label}, so nothing was audited (not "
                "'0 vulnerabilities'); point security.pip_audit at the files that list your dependencies"
            )
        deps += found
    dep_files = sorted({f for item in inputs for f in item.files})
    notes: list[str] = []
    base_pins: dict[str, origin.Pin] | None
    try:
        commit = "HEAD" if ctx.staged else ctx.merge_base
        base_pins = origin.base_pins(ctx.root, commit, dep_files)
    except GatesError as exc:
        base_pins = None
        notes.append(f"pip-audit: no merge-base ({exc}); every advisory blocks without grace")
    url = settings.osv_url if settings.service == "osv" else None
    origin_ctx = pip_audit.OriginContext(
        current=origin.current_pins(ctx.root, dep_files),
        base=base_pins,
        now=pip_audit.utc_now(),
        dates=lambda name, version: origin.advisory_dates(url, name, version, min(timeout, 30.0)),
    )
    outcome = pip_audit.dependency_findings(_dedupe_deps(deps), settings, origin_ctx)
    outcome.notes += notes
    return outcome


def _dedupe_deps(deps: list[AuditedDependency]) -> list[AuditedDependency]:
    """The same pin audited through two inputs is one dependency."""
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for dep in deps:
        key = (dep.name, dep.version)
        if key not in seen:
            seen.add(key)
            unique.append(dep)
    return unique


def _combine(
    ctx: GateContext,
    section: SecuritySection,
    files: list[str],
    outcomes: dict[str, ToolOutcome],
    notes: list[str],
) -> GateResult:
    from gates.checks.security import dedup

    result = GateResult("security", Verdict.PASS, notes=list(notes))
    result.metrics["files_selected"] = len(files)
    errors: list[str] = []
    for tool in TOOLS:
        outcome = outcomes.get(tool)
        if outcome is None:
            continue
        result.metrics.update(outcome.metrics)
        result.notes += outcome.notes
        result.tables += outcome.tables
        result.details.update({f"{tool}_{k}": v for k, v in outcome.details.items()})
        if outcome.error:
            errors.append(outcome.error if outcome.error.startswith(tool) else f"{tool}: {outcome.error}")
    bandit_findings = outcomes["bandit"].findings if "bandit" in outcomes else []
    semgrep_findings = outcomes["semgrep"].findings if "semgrep" in outcomes else []
    merged, count = dedup.merge_duplicates(bandit_findings, semgrep_findings)
    result.metrics["deduplicated"] = count
    result.findings += merged
    if "pip-audit" in outcomes:
        result.findings += outcomes["pip-audit"].findings
    if {"bandit", "semgrep"} & set(outcomes):
        result.findings += _suppression_findings(ctx.root, files, section, result)
    result.details["tools"] = sorted(outcomes)
    if errors:
        result.verdict = Verdict.ERROR
        result.error = "; ".join(errors)
    return result


def _suppression_findings(
    root: Path, files: list[str], section: SecuritySection, result: GateResult
) -> list[Finding]:
    from gates.checks.security import suppressions

    found = suppressions.audit(root, files)
    for kind in ("nosec", "nosemgrep"):
        mine = [s for s in found if s.kind == kind]
        result.metrics[f"{kind}_total"] = len(mine)
        result.metrics[f"{kind}_bare"] = sum(1 for s in mine if s.reason is None)
    if section.bare_suppressions == "count":
        return []
    severity = Severity(section.bare_suppressions)
    return [
        Finding(
            gate="security",
            rule_id=BARE_RULE[s.kind],
            severity=severity,
            message=f"'# {s.kind}' without a reason; add one after ' -- ' (e.g. '# {s.kind} B603 -- "
            "argv is a fixed list') or fix the finding",
            path=s.path,
            line=s.line,
            source_tool="ml-gates",
        )
        for s in found
        if s.reason is None
    ]


GATE = SecurityGate()

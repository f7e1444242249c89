"""Running pip-audit on the inputs the policy names, and failing closed on what it could not audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from gates.checks.security import origin
from gates.checks.security.outcome import ToolOutcome
from gates.checks.security.severity import advisory_severity
from gates.errors import ToolError
from gates.findings import Finding, Severity, Table
from gates.policy.sections.security import PipAuditSettings
from gates.records import frozen_record, record
from gates.tools import parse_json_output, run_tool

TOOL = "pip-audit"
INSTALL_HINT = "install it with 'pip install pip-audit==2.10.1' (a core dependency of ml-gates)"
# pip-audit exits 0 (no known vulnerabilities) or 1 (vulnerabilities found, and also every
# fatal error); output that is not JSON tells the two apart.
OK_CODES = (0, 1)
_UNREACHABLE = re.compile(
    r"ConnectionError|ConnectTimeout|Max retries exceeded|Connection refused|Could not connect|"
    r"NameResolutionError|Temporary failure in name resolution|network may be blocking",
)
SKIPPED_RULE = "security.pip-audit-skipped"


@frozen_record
class AuditInput:
    label: str
    argv: list[str]
    files: list[str]  # the dependency files this input reads (for origin), repo-relative


def audit_inputs(root: Path, settings: PipAuditSettings) -> list[AuditInput]:
    inputs: list[AuditInput] = []
    if settings.requirements:
        argv = []
        for req in settings.requirements:
            argv += ["-r", req]
        if not settings.resolve:
            # Pinned files need no resolver, so no pip and no PyPI: only the service is asked.
            argv += ["--no-deps", "--disable-pip"]
        inputs.append(AuditInput(", ".join(settings.requirements), argv, list(settings.requirements)))
    for project in settings.projects:
        argv = ["--locked", project] if settings.locked else [project]
        files = _project_files(root, project, settings.locked)
        inputs.append(AuditInput(project, argv, files))
    if settings.environment:
        inputs.append(AuditInput("the installed environment", [], []))
    return inputs


def _project_files(root: Path, project: str, locked: bool) -> list[str]:
    folder = root / project
    pattern = "pylock*.toml" if locked else "pyproject.toml"
    return sorted(p.relative_to(root).as_posix() for p in folder.glob(pattern))


def common_argv(settings: PipAuditSettings, timeout: float) -> list[str]:
    argv = ["pip-audit", "-f", "json", "--progress-spinner", "off", "--aliases", "on", "--desc", "on"]
    argv += ["-s", settings.service, "--timeout", str(max(1, int(min(timeout, 60))))]
    if settings.osv_url:
        argv += ["--osv-url", settings.osv_url]
    if settings.index_url:
        argv += ["--index-url", settings.index_url]
    return argv


def service_name(settings: PipAuditSettings) -> str:
    if settings.service == "osv":
        return f"OSV at {settings.osv_url or origin.DEFAULT_OSV_URL}"
    return "the PyPI vulnerability API"


@record
class AuditedDependency:
    name: str
    version: str | None
    vulns: list[dict[str, Any]]
    skip_reason: str | None


def run_pip_audit_input(root: Path, settings: PipAuditSettings, item: AuditInput, timeout: float) -> Any:
    missing = [f for f in item.files if not (root / f).is_file()] if item.argv else []
    if missing:
        raise ToolError(f"pip-audit input {missing[0]!r} (security.pip_audit) does not exist; fix the path")
    run = run_tool(
        [*common_argv(settings, timeout), *item.argv],
        timeout=timeout,
        cwd=root,
        ok_codes=OK_CODES,
        install_hint=INSTALL_HINT,
    )
    if run.returncode == 0 or run.stdout.strip():
        return parse_json_output(run)
    if _UNREACHABLE.search(run.stderr):
        raise ToolError(
            f"the vulnerability service ({service_name(settings)}) could not be reached while auditing "
            f"{item.label}; nothing was audited (not '0 vulnerabilities'): check the network or "
            "security.pip_audit.osv_url"
        )
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR:")]
    detail = errors[-1].split(":", 2)[-1].strip() if errors else run.stderr_tail()
    raise ToolError(f"pip-audit could not audit {item.label}: {detail}")


def parse_dependencies(data: Any) -> list[AuditedDependency]:
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        raise ToolError("pip-audit printed JSON without a 'dependencies' list; is this pip-audit >= 2.0?")
    return [
        AuditedDependency(
            name=origin.canonical(str(dep.get("name", "?"))),
            version=dep.get("version"),
            vulns=list(dep.get("vulns") or []),
            skip_reason=dep.get("skip_reason"),
        )
        for dep in data["dependencies"]
    ]


@record
class OriginContext:
    """What the change did to the pins: ``base`` is None when the merge-base is unknown."""

    current: dict[str, origin.Pin]
    base: dict[str, origin.Pin] | None
    now: datetime
    dates: Callable[[str, str], dict[str, datetime] | None]


def dependency_findings(
    deps: list[AuditedDependency], settings: PipAuditSettings, ctx: OriginContext
) -> ToolOutcome:
    outcome = ToolOutcome(TOOL)
    rows: list[list[str]] = []
    allowed = {origin.canonical(n) for n in settings.allow_skipped}
    skipped_blocking: list[AuditedDependency] = []
    vuln_count = 0
    for dep in deps:
        if dep.skip_reason:
            status = f"not audited: {dep.skip_reason}"
            if dep.name in allowed:
                status += " (allowed by the policy)"
            else:
                skipped_blocking.append(dep)
            rows.append([dep.name, dep.version or "?", status])
            continue
        if not dep.vulns:
            rows.append([dep.name, dep.version or "?", "no known advisories"])
            continue
        ids = ", ".join(str(v.get("id")) for v in dep.vulns)
        rows.append([dep.name, dep.version or "?", f"vulnerable: {ids}"])
        for vuln in dep.vulns:
            vuln_count += 1
            outcome.findings.append(_vuln_finding(dep, vuln, settings, ctx))
    if skipped_blocking:
        names = ", ".join(f"{d.name} ({d.skip_reason})" for d in skipped_blocking[:3])
        outcome.error = (
            f"pip-audit could not audit {len(skipped_blocking)} dependenc"
            f"{'y' if len(skipped_blocking) == 1 else 'ies'}: {names}; pin them, or list them in "
            "security.pip_audit.allow_skipped if they are private packages no advisory can cover"
        )
    outcome.metrics.update(
        {
            "pip_audit_dependencies": len(deps),
            "pip_audit_vulnerabilities": vuln_count,
            "pip_audit_skipped": sum(1 for d in deps if d.skip_reason),
        }
    )
    outcome.details["dependencies"] = [{"name": r[0], "version": r[1], "status": r[2]} for r in rows]
    outcome.tables.append(Table("Dependencies audited by pip-audit", ["package", "version", "status"], rows))
    return outcome


def _vuln_finding(
    dep: AuditedDependency, vuln: dict[str, Any], settings: PipAuditSettings, ctx: OriginContext
) -> Finding:
    vuln_id = str(vuln.get("id"))
    # pip-audit keeps aliases in a set: sort them so reports and fingerprints are stable.
    aliases = tuple(sorted(str(a) for a in vuln.get("aliases") or []))
    fixes = [str(v) for v in vuln.get("fix_versions") or []]
    severity = advisory_severity(
        [vuln_id, *aliases], bool(fixes), settings.severities, settings.fix_available, settings.no_fix
    )
    pin = ctx.current.get(dep.name)
    provenance = _provenance(dep, vuln_id, severity, settings, ctx)
    severity, why = provenance
    also = f" ({', '.join(aliases)})" if aliases else ""
    fix = f"; fixed in {', '.join(fixes)}" if fixes else "; no fixed version yet"
    summary = " ".join(str(vuln.get("description") or "").split())[:200]
    return Finding(
        gate="security",
        rule_id=vuln_id,
        severity=severity,
        message=f"{dep.name} {dep.version} is affected by {vuln_id}{also}: {summary}{fix}; {why}",
        path=pin.path if pin else None,
        line=pin.line if pin else None,
        help_uri=f"https://osv.dev/vulnerability/{vuln_id}",
        source_tool=TOOL,
        aliases=aliases,
    )


def _provenance(
    dep: AuditedDependency,
    vuln_id: str,
    severity: Severity,
    settings: PipAuditSettings,
    ctx: OriginContext,
) -> tuple[Severity, str]:
    if ctx.base is None or dep.name not in ctx.current:
        return severity, "origin unknown (no merge-base or not pinned in a file), so no grace period"
    before = ctx.base.get(dep.name)
    if before is None:
        return severity, "added by this change"
    if before.version != dep.version:
        return severity, f"bumped by this change from {before.version}"
    if settings.grace_days == 0 or not severity.at_least(Severity.WARNING):
        return severity, "already pinned before this change"
    dates = ctx.dates(dep.name, dep.version or "")
    published = (dates or {}).get(vuln_id)
    if published is None:
        return severity, "already pinned; advisory date unknown, so no grace period"
    until = published + timedelta(days=settings.grace_days)
    if ctx.now < until:
        capped = Severity.WARNING if severity is Severity.ERROR else severity
        return capped, (
            f"already pinned before this change; advisory published {published.date().isoformat()}, "
            f"blocks from {until.date().isoformat()} (grace_days {settings.grace_days})"
        )
    return severity, f"already pinned; advisory published {published.date().isoformat()}, grace period over"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)

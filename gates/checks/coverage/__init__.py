"""``gates coverage``: line and branch floors, per-path floors, diff coverage, ratchet, exclusion creep.

The report is read (or first produced by the policy's ``run`` commands), its paths mapped
to the repository, then every check runs on integer counts. Missing data is an error:
an unmatched report, a changed file absent from it, branch floors without branch data.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from gates.errors import GatesError, ToolError
from gates.findings import Finding, GateResult, Severity, Table, Verdict
from gates.gate import Gate, GateContext

if TYPE_CHECKING:
    from gates.checks.coverage.data import Counts, CoverageReport, FileCoverage
    from gates.checks.coverage.diffcov import DiffCoverage
    from gates.checks.coverage.floors import PathRow
    from gates.checks.coverage.ratchet import Snapshot
    from gates.checks.coverage.scope import Scope
    from gates.policy.loader import LoadedPolicy
    from gates.policy.sections.coverage import CoverageSection

MAX_TABLE_ROWS = 40
KEEP_SNAPSHOTS = 4


class CoverageGate(Gate):
    name: ClassVar[str] = "coverage"
    section: ClassVar[str] = "coverage"
    summary: ClassVar[str] = "line/branch floors, per-path floors, diff coverage and a ratchet, fail-closed"

    def __init__(self) -> None:
        # The last snapshot per result, for 'gates baseline update --coverage'.
        self._snapshots: dict[int, Snapshot] = {}

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--report", metavar="FILE", help="read this report instead of the policy's coverage.report"
        )
        parser.add_argument(
            "--no-run",
            action="store_true",
            help="do not run the policy's coverage.run commands; read the report",
        )

    def run(self, ctx: GateContext) -> GateResult:
        from gates.checks.coverage import floors
        from gates.checks.coverage.loaders import load_report
        from gates.checks.coverage.pathmap import map_report
        from gates.checks.coverage.produce import produce_report
        from gates.checks.coverage.ratchet import before_percents, read_snapshot
        from gates.checks.coverage.scope import Scope

        section: CoverageSection = ctx.section
        root = ctx.root
        notes: list[str] = []
        given = getattr(ctx.args, "report", None)
        shown = given or section.report
        # Command-line paths are relative to where the user typed them; policy paths to the root.
        report_path = Path(given).absolute() if given else root / section.report
        if section.run and not getattr(ctx.args, "no_run", False):
            before = _written_at(report_path)
            notes += produce_report(section.run, root, section.timeout)
            if before is not None and _written_at(report_path) == before:
                # An earlier run's report would be judged as if these commands had measured it.
                raise ToolError(
                    f"coverage.run finished but did not rewrite {shown} (it is from an earlier run); "
                    "add the command that writes it (e.g. 'coverage json') to coverage.run, or point "
                    "coverage.report at the file the commands write"
                )
        try:
            report = load_report(report_path, section.format, display=shown)
        except GatesError as exc:
            raise _without_run_hint(exc, ctx) from None
        mapped = map_report(report, root, section.path_map)
        if mapped.unmatched:
            sample = ", ".join(mapped.unmatched[:3])
            notes.append(
                f"{len(mapped.unmatched)} report file(s) are not in this repository, ignored: {sample}"
            )
        paths = ctx.policy.paths
        in_scope = Scope(paths, section.omit)
        scoped = {p: c for p, c in mapped.files.items() if in_scope(p)}
        if not scoped:
            raise _no_scope_error(shown, sorted(mapped.files), paths.source)
        findings: list[Finding] = []
        lines, branches = floors.totals(scoped, report.branch_measured)
        if not lines.total:
            # 0 of 0 statements would meet every floor: nothing measured is not 100% covered.
            raise GatesError(
                f"{shown} measures no statement in the {len(scoped)} file(s) under the policy's source "
                f"paths {paths.source}; check coverage's 'source' setting and that the tests import the code"
            )
        findings += floors.check_totals(section, lines, branches, report.branch_measured)
        baseline_path = root / section.ratchet.path
        base = read_snapshot(baseline_path, section.ratchet.path) if section.ratchet.enabled else None
        if section.ratchet.enabled and base is None:
            notes.append(
                f"ratchet: no baseline at {section.ratchet.path}, so nothing to compare against; write one "
                "with 'gates baseline update --coverage' and commit it"
            )
        rows, path_findings = floors.check_paths(
            scoped, section, list(paths.critical), report.branch_measured, before_percents(base)
        )
        findings += path_findings
        packages = floors.package_rows(scoped, section.line_min)

        diff = None
        if section.diff.enabled:
            diff, diff_findings, diff_notes = _diff_part(ctx, section, report, report_path, scoped, in_scope)
            findings += diff_findings
            notes += diff_notes

        snapshot = _snapshot(report, scoped, lines, branches)
        if base is not None:
            from gates.checks.coverage.creep import excluded_growth
            from gates.checks.coverage.ratchet import compare

            findings += compare(snapshot, base, section.ratchet)
            if section.exclusion_creep.enabled and snapshot.excluded is not None:
                findings += excluded_growth(
                    base.excluded, snapshot.excluded, Severity(section.exclusion_creep.severity)
                )

        result = GateResult(name=self.name, verdict=Verdict.PASS, findings=findings, notes=notes)
        _fill_metrics(result, report, lines, branches, diff)
        result.details = {
            "report": {"path": shown, "format": report.format, "branch_measured": report.branch_measured},
            "paths": [row.as_json() for row in rows],
            "packages": [row.as_json() for row in packages],
        }
        if diff is not None:
            result.details["diff_files"] = [
                {"path": f.path, "statements": len(f.statements), "missing": sorted(f.missing)}
                for f in diff.files
            ]
        total_before = None if base is None else round(_pct(base.lines), 2)
        result.tables.append(_path_table(lines, section.line_min, total_before, rows, packages))
        if diff is not None and diff.files:
            result.tables.append(_diff_table(diff))
        while len(self._snapshots) >= KEEP_SNAPSHOTS:  # a long-lived process (tests) runs many times
            self._snapshots.pop(next(iter(self._snapshots)))
        self._snapshots[id(result)] = snapshot
        return result

    def update_baseline(self, root: Path, loaded: LoadedPolicy, result: GateResult) -> None:
        """'gates baseline update --coverage': record today's figures, a drop included.

        Keeping the higher of old and new (as this once did) left no way to accept a file's
        drop: the ratchet kept failing it against a figure no run would reach again.
        """
        from gates.checks.coverage import percent
        from gates.checks.coverage.ratchet import lowered, read_snapshot, write_snapshot

        snapshot = self._snapshots.pop(id(result), None)
        if snapshot is None:
            return
        settings = loaded.policy.coverage.ratchet
        path = root / settings.path
        drops = lowered(read_snapshot(path, settings.path), snapshot)
        write_snapshot(path, snapshot)
        total = percent.show(snapshot.lines, 2)
        print(f"coverage baseline: total {total}, {len(snapshot.files)} file(s) -> {path}")
        if drops:
            shown = "; ".join(drops[:5]) + (f"; and {len(drops) - 5} more" if len(drops) > 5 else "")
            print(f"coverage baseline: accepted {len(drops)} drop(s): {shown}")


def _written_at(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _pct(counts: Counts) -> float:
    from gates.checks.coverage import percent

    return percent.percent(counts)


def _no_scope_error(shown: str, mapped: list[str], source: list[str]) -> Exception:
    from gates.errors import GatesError

    sample = ", ".join(repr(p) for p in mapped[:3])
    return GatesError(
        f"no file in {shown} is under the policy's source paths {source} (report has {sample}); "
        "fix paths.source or coverage.omit in the policy"
    )


def _diff_part(
    ctx: GateContext,
    section: CoverageSection,
    report: CoverageReport,
    report_path: Path,
    scoped: dict[str, FileCoverage],
    in_scope: Scope,
) -> tuple[DiffCoverage, list[Finding], list[str]]:
    from gates.checks.coverage.creep import creep_findings
    from gates.checks.coverage.diffcov import diff_coverage, diff_findings
    from gates.checks.coverage.floors import BRANCH_NOT_MEASURED
    from gates.files import list_files

    paths = ctx.policy.paths
    changed = ctx.changed_lines
    if ctx.files is not None:
        # A named directory means its files; a named path that does not exist is an error.
        wanted = set(list_files(ctx.root, paths, explicit=ctx.files, suffixes=None))
        changed = {p: lines for p, lines in changed.items() if p in wanted}
    candidates = [p for p in changed if p in scoped or in_scope(p)]
    findings: list[Finding] = []
    notes: list[str] = []
    stale = _stale(ctx.root, report_path, [p for p in candidates if p in scoped])
    if stale:
        which = "staged" if ctx.staged else "changed"
        written = dt.datetime.fromtimestamp(report_path.stat().st_mtime, dt.timezone.utc).strftime(
            "%H:%M:%S UTC"
        )
        findings.append(
            Finding(
                "coverage",
                "stale-report",
                Severity(section.stale_report),
                f"{report.path} (written {written}) is older than {len(stale)} {which} file(s) it measures "
                f"({', '.join(stale[:3])}); their diff coverage is skipped. Rerun the tests under coverage"
                + (
                    ""
                    if getattr(ctx.args, "no_run", False)
                    else ", or set coverage.run so the gate produces the report"
                ),
                path=stale[0],
            )
        )
        candidates = [p for p in candidates if p not in stale]
    diff = diff_coverage(ctx.root, changed, scoped, candidates, section, paths, report.branch_measured)
    findings += diff_findings(diff, scoped, section)
    if section.diff.branch_min is not None and not report.branch_measured:
        message = BRANCH_NOT_MEASURED.format(key="coverage.diff.branch_min")
        findings.append(Finding("coverage", "branch-not-measured", Severity.ERROR, message))
    lines = diff.lines
    if lines.total and lines.total < section.diff.min_changed_statements:
        notes.append(
            f"{lines.total} changed statement(s), fewer than min_changed_statements "
            f"({section.diff.min_changed_statements}): the diff floor does not apply"
        )
    if not lines.total:
        notes.append("no changed statements with coverage data: the diff floor does not apply")
    if section.exclusion_creep.enabled:
        findings += creep_findings(
            ctx.root,
            changed,
            candidates,
            scoped,
            section.exclusion_creep.pragma,
            Severity(section.exclusion_creep.severity),
        )
    return diff, findings, notes


def _stale(root: Path, report_path: Path, measured: list[str]) -> list[str]:
    """Changed files modified after the report was written: its line numbers may not be theirs."""
    written = report_path.stat().st_mtime
    stale: list[str] = []
    for path in sorted(measured):
        try:
            if (root / path).stat().st_mtime > written:
                stale.append(path)
        except OSError:
            continue
    return stale


def _snapshot(
    report: CoverageReport, scoped: dict[str, FileCoverage], lines: Counts, branches: Counts
) -> Snapshot:
    from gates.checks.coverage.data import line_counts
    from gates.checks.coverage.ratchet import Snapshot

    excluded = sum(c.num_excluded for c in scoped.values()) if report.knows_excluded else None
    return Snapshot(
        lines=lines,
        branches=branches if report.branch_measured else None,
        excluded=excluded,
        files={p: line_counts(c) for p, c in scoped.items()},
    )


def _fill_metrics(
    result: GateResult, report: CoverageReport, lines: Counts, branches: Counts, diff: DiffCoverage | None
) -> None:
    from gates.checks.coverage import percent

    m = result.metrics
    m["line_percent"] = round(percent.percent(lines), 4)
    m["statements"] = lines.total
    m["covered"] = lines.covered
    if report.branch_measured:
        m["branch_percent"] = round(percent.percent(branches), 4)
        m["branches"] = branches.total
        m["branches_covered"] = branches.covered
    if diff is not None:
        d = diff.lines
        m["diff_percent"] = round(percent.percent(d), 4)
        m["diff_statements"] = d.total
        m["diff_missing"] = d.missing
        if report.branch_measured:
            m["diff_branch_percent"] = round(percent.percent(diff.branches), 4)
            m["diff_branches"] = diff.branches.total


def _path_table(
    lines: Counts, floor: float, before: float | None, rows: list[PathRow], packages: list[PathRow]
) -> Table:
    from gates.checks.coverage import percent
    from gates.checks.coverage.floors import PathRow

    total = PathRow("(total)", lines, floor, before)
    ordered = sorted(rows, key=lambda r: r.status != "fail")
    shown = [total, *ordered[:MAX_TABLE_ROWS], *packages[:MAX_TABLE_ROWS]]

    def cell(row: PathRow) -> list[str]:
        return [
            row.path,
            "" if row.before is None else f"{row.before:.2f}%",
            percent.show(row.counts),
            "" if row.floor is None else percent.show_floor(row.floor),
            row.status,
            str(row.needed) if row.floor is not None else "",
        ]

    table = Table(
        "Coverage by path", ["path", "before", "now", "floor", "status", "needed"], [cell(r) for r in shown]
    )
    hidden = len(rows) - min(len(rows), MAX_TABLE_ROWS) + len(packages) - min(len(packages), MAX_TABLE_ROWS)
    if hidden:
        table.rows.append([f"… {hidden} more (JSON details)", "", "", "", "", ""])
    return table


def _diff_table(diff: DiffCoverage) -> Table:
    from gates.checks.coverage import percent
    from gates.checks.coverage.data import Counts

    ordered = sorted(diff.files, key=lambda f: (-len(f.missing), f.path))
    rows = []
    for f in ordered[:MAX_TABLE_ROWS]:
        counts = Counts(len(f.statements) - len(f.missing), len(f.statements))
        missing = ", ".join(str(n) for n in sorted(f.missing)[:10]) + (" …" if len(f.missing) > 10 else "")
        rows.append([f.path, str(counts.total), percent.show(counts), missing])
    if len(ordered) > MAX_TABLE_ROWS:
        rows.append([f"… {len(ordered) - MAX_TABLE_ROWS} more", "", "", ""])
    return Table("Changed statements", ["path", "changed", "covered", "uncovered lines"], rows)


GATE = CoverageGate()


def _without_run_hint(exc: GatesError, ctx: GateContext) -> GatesError:
    """Under --no-run (the pre-push hook) coverage.run is never used: do not suggest it."""
    if not getattr(ctx.args, "no_run", False):
        return exc
    from gates.checks.coverage.loaders import PRODUCE_HINT

    text = str(exc).replace(PRODUCE_HINT, PRODUCE_HINT.removesuffix(", or set coverage.run"))
    return GatesError(text + " (--no-run: this run reads the report your tests wrote)")

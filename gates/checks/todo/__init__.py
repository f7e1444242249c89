"""The ``todo`` gate: TODO markers and placeholders in the critical paths.

Comments are read with an exact lexer (tokenize's string and comment spans, see ``lexer``) and
structure with ``ast`` (see ``scanner``), so a marker in a string or docstring is not a
comment TODO. A marker tagged ``blocking`` is an
error; the others are warnings in critical paths and notes elsewhere.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter

from gates.files import Selection, empty_dirs_message, select_files, skipped_note
from gates.findings import Finding, GateResult, Severity, Table, Verdict
from gates.gate import Gate, GateContext
from gates.policy.paths import is_critical
from gates.policy.sections.todo import TodoSection
from gates.records import frozen_record
from gates.regular_files import read_regular_bytes

from .scanner import MarkerSpec, TodoItem, UnparsableSource, scan_bytes

RULE_FOR_KIND = {
    "marker": "todo.marker",
    "stub": "todo.stub",
    "placeholder-body": "todo.placeholder-body",
    "placeholder-string": "todo.placeholder-string",
}
RULE_BLOCKING = "todo.blocking"
RULE_UNPARSABLE = "todo.unparsable"


@frozen_record
class Located:
    path: str
    critical: bool
    item: TodoItem


def spec_from(section: TodoSection) -> MarkerSpec:
    return MarkerSpec(
        markers=tuple(section.markers),
        blocking_marker=section.blocking_marker,
        case_sensitive=section.case_sensitive,
        not_implemented=section.not_implemented,
        placeholder_bodies=section.placeholder_bodies,
        placeholder_strings=section.placeholder_strings,
    )


def files_in_scope(ctx: GateContext, section: TodoSection) -> tuple[Selection, str | None]:
    """The Python files to scan (and what was not read), and a note when the scope had to widen."""
    paths = ctx.policy.paths
    if section.scope == "critical" and paths.critical:
        critical_roots = dataclasses.replace(paths, source=list(paths.critical))
        found = select_files(ctx.root, critical_roots, explicit=ctx.files)
        # Explicit files (pre-commit) skip the source filter; keep only the critical ones.
        critical = [p for p in found.files if is_critical(p, paths)]
        if found.files and not critical:
            # Named directories that hold Python files, none critical: as for named files, no error.
            found.files, found.named_dirs = [], []
            return found, "none of the named files is in paths.critical (todo.scope: critical)"
        found.files = critical
        return found, None
    note = None
    if section.scope == "critical":
        note = "no critical paths in the policy (paths.critical); scanned every source path instead"
    return ctx.source_selection((".py",)), note


def severity_of(located: Located, section: TodoSection) -> Severity:
    if located.item.blocking:
        return Severity(section.blocking_severity)
    if not located.critical:
        return Severity(section.outside_critical_severity)
    if located.item.kind == "marker":
        return Severity(section.severity)
    return Severity(section.stub_severity)


def describe(item: TodoItem) -> str:
    tag = " (blocking)" if item.blocking else ""
    if item.kind == "marker":
        return f"{'blocking ' if item.blocking else ''}{item.marker} comment: # {item.text}"
    if item.kind == "stub":
        return f"stub: {item.text}"
    if item.kind == "placeholder-body":
        return f"placeholder body{tag}: only `pass`/`...`, marked '{item.text}'"
    return f"placeholder value: {item.text}"


class TodoGate(Gate):
    name = "todo"
    section = "todo"
    summary = "TODO/FIXME markers, stubs and placeholders in the critical paths (blocking ones fail)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--new-only",
            action="store_true",
            help="report only markers on lines changed since the base (policy: todo.new_only)",
        )

    def run(self, ctx: GateContext) -> GateResult:
        section: TodoSection = ctx.section
        selection, scope_note = files_in_scope(ctx, section)
        files = selection.files
        if not files and selection.named_dirs:
            return GateResult.failed_closed(self.name, empty_dirs_message(selection, "Python file"))
        if not files and ctx.full_scope:
            # Zero files scanned is not "no TODOs": the policy's paths point at no code.
            where = "paths.critical" if section.scope == "critical" and scope_note is None else "paths.source"
            return GateResult.failed_closed(
                self.name,
                f"{where} (minus paths.exclude) holds no Python file to scan for TODOs; fix {where} "
                "in the policy, or disable the todo gate",
            )
        new_only = section.new_only or bool(getattr(ctx.args, "new_only", False))
        changed = ctx.changed_lines if new_only else None
        spec = spec_from(section)
        located: list[Located] = []
        findings: list[Finding] = []
        unreadable: list[str] = []
        for path in files:
            if changed is not None and path not in changed:
                continue
            try:
                data = read_regular_bytes(ctx.root / path)
            except OSError as exc:
                # Not a finding about the file's code: the gate could not check it (exit 2).
                unreadable.append(f"{path} ({exc.strerror or exc})")
                continue
            try:
                items = scan_bytes(data, spec)
            except UnparsableSource as exc:
                findings.append(self._unparsable(path, exc.line, exc.message))
                continue
            critical = is_critical(path, ctx.policy.paths)
            wanted = set(changed[path]) if changed is not None else None
            located += [Located(path, critical, i) for i in items if wanted is None or i.line in wanted]
        if unreadable:
            shown = ", ".join(unreadable[:3]) + (
                f" and {len(unreadable) - 3} more" if len(unreadable) > 3 else ""
            )
            return GateResult.failed_closed(
                self.name,
                f"cannot read {len(unreadable)} file(s) to scan for TODOs: {shown}; fix their permissions, "
                "or exclude them in paths.exclude",
            )
        for entry in located:
            findings.append(
                Finding(
                    gate=self.name,
                    rule_id=RULE_BLOCKING if entry.item.blocking else RULE_FOR_KIND[entry.item.kind],
                    severity=severity_of(entry, section),
                    message=describe(entry.item),
                    path=entry.path,
                    line=entry.item.line,
                )
            )
        result = self._result(files, located, findings, section, new_only, scope_note)
        not_read = skipped_note(selection)
        if not_read:
            result.notes.append(not_read)
        return result

    def _unparsable(self, path: str, line: int, message: str) -> Finding:
        return Finding(
            gate=self.name,
            rule_id=RULE_UNPARSABLE,
            severity=Severity.ERROR,
            message=f"cannot scan for TODOs: {message}; fix the file or exclude it in paths.exclude",
            path=path,
            line=line,
        )

    def _result(
        self,
        files: list[str],
        located: list[Located],
        findings: list[Finding],
        section: TodoSection,
        new_only: bool,
        scope_note: str | None,
    ) -> GateResult:
        per_path: dict[str, Counter[str]] = {}
        for entry in located:
            counts = per_path.setdefault(entry.path, Counter())
            counts["markers" if entry.item.kind == "marker" else "placeholders"] += 1
            counts["blocking"] += entry.item.blocking
        critical_paths = {e.path for e in located if e.critical}
        rows = sorted(
            per_path.items(),
            key=lambda kv: (-kv[1]["blocking"], -(kv[1]["markers"] + kv[1]["placeholders"]), kv[0]),
        )
        result = GateResult(
            name=self.name,
            verdict=Verdict.PASS,
            findings=findings,
            metrics={
                "files_scanned": len(files),
                "todos": len(located),
                "blocking": sum(e.item.blocking for e in located),
                "placeholders": sum(e.item.kind != "marker" for e in located),
                "critical_todos": sum(e.critical for e in located),
                "unparsable": sum(f.rule_id == RULE_UNPARSABLE for f in findings),
            },
            details={
                "scope": section.scope,
                "new_only": new_only,
                "paths": [
                    {
                        "path": path,
                        "critical": path in critical_paths,
                        "markers": counts["markers"],
                        "placeholders": counts["placeholders"],
                        "blocking": counts["blocking"],
                    }
                    for path, counts in rows
                ],
            },
        )
        if rows:
            result.tables.append(
                Table(
                    title="TODOs per path",
                    columns=["path", "markers", "placeholders", "blocking"],
                    rows=[
                        [path, str(c["markers"]), str(c["placeholders"]), str(c["blocking"])]
                        for path, c in rows
                    ],
                )
            )
        if scope_note:
            result.notes.append(scope_note)
        if new_only:
            result.notes.append("new-only mode: only lines changed since the base are reported")
        result.notes.append(
            f"{len(located)} marker(s)/placeholder(s) in {len(files)} file(s), "
            f"{result.metrics['blocking']} blocking"
        )
        return result


GATE = TodoGate()

"""The ``readiness`` gate: test health plus one weighted score over the other gates' results.

It reads, never re-runs: the JUnit XML the test run wrote, and the results of the gates it
depends on from the same ``gates check`` run (``ctx.results``) or from a saved JSON report
(``--from-json``). See docs/gates/readiness.md for every formula.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from gates.files import list_files
from gates.findings import GateResult, Verdict
from gates.fsutil import atomic_write_text
from gates.gate import Gate, GateContext
from gates.policy.sections.readiness import ReadinessSection

from . import history
from .assessment import Assessment, build
from .document import render_document
from .inputs import GateInput, from_json_file, from_results
from .junit import TestHealth, read_junit
from .tables import all_tables


class ReadinessGate(Gate):
    name = "readiness"
    section = "readiness"
    summary = "test health (JUnit) and a weighted readiness score over the other gates' results"
    depends_on = ("coverage", "todo", "mutation", "models", "security", "coreml")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--from-json",
            metavar="FILE",
            help="read the other gates' results from a saved 'gates check --format json' report",
        )
        parser.add_argument(
            "--history", metavar="FILE", help="append this run to a JSONL file and show the change"
        )
        parser.add_argument(
            "--markdown-out", metavar="FILE", help="write the full assessment document (Markdown) here"
        )

    def run(self, ctx: GateContext) -> GateResult:
        section: ReadinessSection = ctx.section
        health, health_state = self._health(ctx, section)
        inputs = self._inputs(ctx)
        assessment = build(section, ctx.policy.paths, health, health_state, inputs, _critical_files(ctx))
        if assessment.score is None:
            reasons = "; ".join(f"{c.key}: {c.formula}" for c in assessment.breakdown.components)
            return GateResult.failed_closed(self.name, f"no readiness component has an input ({reasons})")
        entry = _history_entry(assessment, inputs)
        change_rows: list[list[str]] = []
        history_path = _path_option(ctx, "history", section.history_file)
        if history_path is not None:
            previous = history.append(history_path[0], history_path[1], entry)
            change_rows = history.changes(previous, entry)
        renormalisation = assessment.breakdown.renormalisation()
        document_path = _path_option(ctx, "markdown_out", section.markdown_file)
        if document_path is not None:
            atomic_write_text(document_path[0], render_document(assessment, change_rows, renormalisation))
        return _result(self.name, assessment, change_rows, renormalisation, entry)

    def _health(self, ctx: GateContext, section: ReadinessSection) -> tuple[TestHealth | None, str]:
        if section.junit_xml is None:
            return None, "not configured (readiness.junit_xml is null)"
        health = read_junit(ctx.root, section.junit_xml)
        return health, "read"

    def _inputs(self, ctx: GateContext) -> dict[str, GateInput]:
        saved = getattr(ctx.args, "from_json", None)
        if saved:
            return from_json_file(Path(saved), saved, exclude=self.name)
        return from_results({k: v for k, v in ctx.results.items() if k != self.name})


def _critical_files(ctx: GateContext) -> list[str]:
    paths = ctx.policy.paths
    if not paths.critical:
        return []
    return list_files(ctx.root, dataclasses.replace(paths, source=list(paths.critical)))


def _path_option(ctx: GateContext, attribute: str, policy_value: str | None) -> tuple[Path, str] | None:
    """A path from the command line (relative to the cwd) or else the policy (relative to the root)."""
    given = getattr(ctx.args, attribute, None)
    if given:
        return Path(given), str(given)
    if policy_value:
        return ctx.root / policy_value, policy_value
    return None


def _history_entry(a: Assessment, inputs: dict[str, GateInput]) -> dict[str, Any]:
    coverage = inputs.get("coverage")
    line = coverage.metrics.get("line_percent") if coverage is not None and coverage.usable else None
    return {
        "score": a.score,
        "band": a.band,
        "coverage_line": None if line is None else round(line, 2),
        "pass_rate": None if a.health is None else round(a.health.pass_rate, 2),
        "failures": None if a.health is None else len(a.health.problems()),
        "blockers": len(a.blockers) if "todo" in inputs and inputs["todo"].usable else None,
    }


def _result(
    name: str,
    a: Assessment,
    change_rows: list[list[str]],
    renormalisation: str | None,
    entry: dict[str, Any],
) -> GateResult:
    score = a.score if a.score is not None else 0.0
    metrics: dict[str, float | int] = {"score": score, "min_score": a.min_score}
    if a.health is not None:
        metrics.update(
            tests=len(a.health.cases),
            tests_passed=a.health.passed,
            tests_failed=a.health.failed,
            tests_errors=a.health.errors,
            tests_skipped=a.health.skipped,
            pass_rate=round(a.health.pass_rate, 2),
        )
    metrics["critical_test_failures"] = len(a.critical_tests)
    metrics["todo_blockers"] = len(a.blockers)
    if a.critical_health:
        metrics["critical_paths_clear"] = sum(1 for r in a.critical_health if r.clear)
        metrics["critical_paths"] = len(a.critical_health)
    notes = [f"readiness score {score:g}/100: {a.band} (minimum {a.min_score:g})"]
    if renormalisation:
        notes.append(f"renormalised: {renormalisation}")
    notes += [f"fix first: {item}" for item in a.fix_first[:5]]
    details: dict[str, object] = {
        "score": a.score,
        "band": a.band,
        "min_score": a.min_score,
        "components": [
            {
                "key": c.key,
                "weight": c.weight,
                "effective_weight": round(a.breakdown.share(c), 2),
                "value": None if c.value is None else round(c.value, 2),
                "points": round(a.breakdown.points(c), 2),
                "available": c.value is not None,
                "formula": c.formula,
                "source": c.source,
            }
            for c in a.breakdown.components
        ],
        "renormalisation": renormalisation,
        "key_findings": a.key_findings(),
        "tests": a.health.to_json() if a.health is not None else {"state": a.health_state},
        "critical_tests_failing": [
            {"test": t, "critical_path": p} for t, p in sorted(a.critical_tests.items())
        ],
        "critical_modules": [vars(m) for m in a.critical_modules],
        "critical_paths": [{**vars(r), "coverage": r.coverage, "clear": r.clear} for r in a.critical_health],
        "todos_in_critical_paths": a.critical_todos,
        "blockers": [{"path": b.path, "line": b.line, "message": b.message} for b in a.blockers],
        "gates": [{"name": n, "state": s, "clear": c} for n, s, c in a.gates],
        "fix_first": a.fix_first,
        "history_entry": entry,
        "change_since_last_run": [
            dict(zip(["metric", "last", "now", "change"], r, strict=True)) for r in change_rows
        ],
    }
    return GateResult(
        name=name,
        verdict=Verdict.PASS,
        metrics=metrics,
        findings=list(a.findings),
        notes=notes,
        tables=all_tables(a, change_rows),
        details=details,
    )


GATE = ReadinessGate()

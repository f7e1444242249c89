"""The standalone readiness assessment in Markdown (``--markdown-out``).

Deterministic on purpose: no dates or timings, so it diffs cleanly between runs and can be
checked against a golden file.
"""

from __future__ import annotations

from gates.findings import Table

from .assessment import Assessment
from .tables import (
    critical_health_table,
    critical_modules_table,
    gates_table,
    score_table,
    test_tables,
    todo_tables,
)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def render_document(a: Assessment, change_rows: list[list[str]], renormalisation: str | None) -> str:
    lines = ["# Readiness assessment", ""]
    if a.score is None:
        lines += ["**No score**: no component of the score had an input.", ""]
    else:
        met = "met" if a.meets_min else "NOT met"
        lines += [f"**Score: {a.score:g} / 100 — {a.band}** (minimum {a.min_score:g}: {met})", ""]
    lines += ["## Key findings", ""] + [f"- {line}" for line in a.key_findings()] + [""]
    lines += ["## Score breakdown", "", *_table(score_table(a))]
    if renormalisation:
        lines += [f"_Renormalised: {renormalisation}._", ""]
    if change_rows:
        lines += ["## Change since the last run", ""]
        lines += _table(Table("", ["metric", "last run", "this run", "change"], change_rows))
    lines += ["## Critical modules", ""]
    modules = critical_modules_table(a)
    lines += _table(modules) if modules else ["No per-module coverage for the critical paths.", ""]
    health = critical_health_table(a)
    if health:
        lines += ["## Critical-path health", "", *_table(health)]
    lines += ["## Test health", ""]
    tests = test_tables(a)
    if not tests:
        lines += [f"No test report: {a.health_state}.", ""]
    for table in tests:
        if table.title != "Test health":
            lines += [f"### {table.title}", ""]
        lines += _table(table)
    lines += ["## TODOs in critical paths", ""]
    todos = todo_tables(a)
    if not todos:
        lines += ["None found (or the todo gate did not run; see the gates below).", ""]
    for table in todos:
        if table.title != "TODOs in critical paths":
            lines += [f"### {table.title}", ""]
        lines += _table(table)
    lines += ["## Verdict", ""]
    gates = gates_table(a)
    if gates:
        clear = [name for name, _, ok in a.gates if ok]
        lines += [f"Gates clear: {', '.join(clear) if clear else 'none'}.", "", *_table(gates)]
    if a.fix_first:
        lines += ["Fix first:", ""] + [f"{n}. {item}" for n, item in enumerate(a.fix_first, start=1)] + [""]
    else:
        lines += ["Nothing blocks: every input is clear.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"

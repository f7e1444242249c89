"""The readiness assessment: every number, table and sentence the reports show.

Built from the test health (JUnit), the other gates' results and the policy; it decides
nothing about pass/fail beyond the findings it lists (the runner derives the verdict).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from gates.findings import Finding, Severity
from gates.policy.paths import Paths, matches_any
from gates.policy.sections.readiness import ReadinessSection
from gates.records import record

from .critical_tests import CriticalTests
from .inputs import GateInput, InputFinding
from .junit import TestHealth
from .score import Component, ScoreBreakdown, band_for, compute, todo_ratio

GATE = "readiness"
COVERAGE, TODO = "coverage", "todo"
MAX_FIX_FIRST = 10


@record
class CriticalModule:
    path: str
    percent: float | None
    floor: float | None
    status: str
    needed: int
    statements: int | None


@record
class CriticalPathHealth:
    path: str
    modules_measured: int  # coverage rows under this path
    modules_below_floor: int
    failing_tests: int
    blocking_todos: int
    gate_errors: int

    @property
    def coverage(self) -> str:
        if self.modules_below_floor:
            return f"{self.modules_below_floor} below floor"
        return "ok" if self.modules_measured else "n/a"

    @property
    def clear(self) -> bool:
        return not (self.modules_below_floor or self.failing_tests or self.blocking_todos or self.gate_errors)


@record
class Assessment:
    breakdown: ScoreBreakdown
    band: str | None
    min_score: float
    health: TestHealth | None
    health_state: str
    critical_tests: dict[str, str]  # failing critical test id -> critical path
    critical_modules: list[CriticalModule]
    critical_health: list[CriticalPathHealth]
    critical_todos: list[dict[str, Any]]
    blockers: list[InputFinding]
    gates: list[tuple[str, str, bool]]  # name, state, clear
    fix_first: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        return self.breakdown.score

    @property
    def meets_min(self) -> bool:
        return self.score is not None and self.score >= self.min_score

    def key_findings(self) -> list[str]:
        lines: list[str] = []
        if self.score is not None:
            verdict = "meets" if self.meets_min else "is below"
            lines.append(
                f"Score {self.score:g}/100 ({self.band}); it {verdict} the minimum of {self.min_score:g}."
            )
        if self.health is not None:
            h = self.health
            lines.append(
                f"Tests: {h.passed} passed, {h.failed} failed, {h.errors} errors, {h.skipped} skipped "
                f"(pass rate {h.pass_rate:.1f}%)."
            )
            top = h.groups("module")[:1]
            if top:
                lines.append(f"Most failures are in {top[0][0]} ({top[0][1]}).")
        else:
            lines.append(f"Tests: {self.health_state}.")
        coverage = next((c for c in self.breakdown.components if c.key == "coverage"), None)
        if coverage is not None:
            lines.append(f"Coverage: {coverage.formula}.")
        below = [m for m in self.critical_modules if m.status == "fail"]
        if below:
            lines.append(
                f"{len(below)} critical module(s) below their coverage floor, "
                f"{sum(m.needed for m in below)} statement(s) to cover."
            )
        if self.critical_tests:
            lines.append(f"{len(self.critical_tests)} failing test(s) in critical paths.")
        todos = next((c for c in self.breakdown.components if c.key == "todos"), None)
        if todos is not None and todos.value is None:
            lines.append(f"TODOs: {todos.formula}.")
        else:
            lines.append(f"{len(self.blockers)} blocking TODO(s).")
        return lines


def build(
    section: ReadinessSection,
    paths: Paths,
    health: TestHealth | None,
    health_state: str,
    inputs: dict[str, GateInput],
    critical_files: list[str] | None = None,
) -> Assessment:
    mapping = CriticalTests(paths.critical, section.critical_tests, critical_files or [])
    critical_failures = {}
    if health is not None:
        for case in health.problems():
            owner = mapping.critical_path_of(case.module)
            if owner is not None:
                critical_failures[case.test_id] = owner
    coverage = inputs.get(COVERAGE)
    todo = inputs.get(TODO)
    modules = _critical_modules(coverage, paths)
    blockers = _blockers(todo)
    health_rows = _critical_health(paths, modules, critical_failures, blockers, inputs)
    components = [
        _tests_component(section, health, health_state),
        _coverage_component(section, coverage),
        _todo_component(section, todo, blockers),
        _critical_component(section, paths, health_rows, health, inputs),
    ]
    breakdown = compute(components)
    band = band_for(breakdown.score, section.bands) if breakdown.score is not None else None
    assessment = Assessment(
        breakdown=breakdown,
        band=band,
        min_score=section.min_score,
        health=health,
        health_state=health_state,
        critical_tests=critical_failures,
        critical_modules=modules,
        critical_health=health_rows,
        critical_todos=_critical_todos(todo),
        blockers=blockers,
        gates=_gate_states(inputs),
        fix_first=[],
    )
    assessment.findings = _findings(section, assessment, inputs)
    assessment.fix_first = _fix_first(assessment, inputs)
    return assessment


def _missing(gate: GateInput | None, name: str) -> str | None:
    """Why a gate's numbers cannot be used, or None when they can."""
    if gate is None:
        return f"the {name} gate is not in this run (run 'gates check', or pass --from-json)"
    if not gate.usable:
        return f"the {name} gate {gate.state()}"
    return None


def _tests_component(section: ReadinessSection, health: TestHealth | None, state: str) -> Component:
    source = f"JUnit {section.junit_xml}" if section.junit_xml else "JUnit (not configured)"
    if health is None:
        return Component("tests", section.weights.tests, None, state, source)
    formula = f"{health.passed} passed / {health.executed} executed = {health.pass_rate:.1f}%"
    if health.skipped:
        formula += f" ({health.skipped} skipped, not counted)"
    return Component("tests", section.weights.tests, health.pass_rate, formula, source)


def _coverage_component(section: ReadinessSection, coverage: GateInput | None) -> Component:
    why = _missing(coverage, COVERAGE)
    if why or coverage is None:
        return Component("coverage", section.weights.coverage, None, why or "", "coverage gate")
    line = coverage.metrics.get("line_percent")
    if line is None:
        return Component(
            "coverage",
            section.weights.coverage,
            None,
            "the coverage gate reported no line_percent",
            "coverage gate",
        )
    formula = f"line coverage {line:.1f}%"
    branch = coverage.metrics.get("branch_percent")
    if branch is not None:
        formula += f" (branch {branch:.1f}%, not scored)"
    return Component("coverage", section.weights.coverage, line, formula, "coverage gate")


def _is_todo_blocker(finding: InputFinding) -> bool:
    return (
        finding.rule_id.startswith("todo.")
        and finding.rule_id != "todo.unparsable"
        and (finding.severity == "error" and not finding.suppressed)
    )


def _blockers(todo: GateInput | None) -> list[InputFinding]:
    if todo is None or not todo.usable:
        return []
    return [f for f in todo.findings if _is_todo_blocker(f)]


def _todo_component(
    section: ReadinessSection, todo: GateInput | None, blockers: list[InputFinding]
) -> Component:
    why = _missing(todo, TODO)
    if why or todo is None:
        return Component("todos", section.weights.todos, None, why or "", "todo gate")
    total = int(todo.metrics.get("todos", 0))
    value = todo_ratio(len(blockers), total)
    if total == 0:
        formula = "no TODOs in scope = 100%"
    else:
        formula = f"1 - {len(blockers)} blocking / {total} TODOs = {value:.1f}%"
    return Component("todos", section.weights.todos, value, formula, "todo gate")


def _under(path: str | None, pattern: str) -> bool:
    if not path:
        return False
    return matches_any(path, [pattern])


def _critical_modules(coverage: GateInput | None, paths: Paths) -> list[CriticalModule]:
    if coverage is None or not coverage.usable:
        return []
    rows = coverage.details.get("paths")
    if not isinstance(rows, list):
        return []
    found: list[CriticalModule] = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("path"), str):
            continue
        if paths.critical and not any(_under(row["path"], p) for p in paths.critical):
            continue
        found.append(
            CriticalModule(
                path=row["path"],
                percent=_number(row.get("percent")),
                floor=_number(row.get("floor")),
                status=str(row.get("status") or "info"),
                needed=int(row.get("needed") or 0),
                statements=int(row["statements"]) if isinstance(row.get("statements"), int) else None,
            )
        )
    return sorted(found, key=lambda m: (m.status != "fail", -m.needed, m.path))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _critical_health(
    paths: Paths,
    modules: list[CriticalModule],
    critical_failures: dict[str, str],
    blockers: list[InputFinding],
    inputs: dict[str, GateInput],
) -> list[CriticalPathHealth]:
    rows: list[CriticalPathHealth] = []
    others = [g for g in inputs.values() if g.usable and g.name != TODO]
    for pattern in paths.critical:
        mine = [m for m in modules if _under(m.path, pattern)]
        below = [m for m in mine if m.status == "fail"]
        rows.append(
            CriticalPathHealth(
                path=pattern,
                modules_measured=len(mine),
                modules_below_floor=len(below),
                failing_tests=sum(1 for owner in critical_failures.values() if owner == pattern),
                blocking_todos=sum(1 for b in blockers if _under(b.path, pattern)),
                gate_errors=sum(
                    1
                    for g in others
                    for f in g.open_errors()
                    # coverage floors are counted in the coverage column already
                    if _under(f.path, pattern) and not (g.name == COVERAGE and mine)
                ),
            )
        )
    return rows


def _critical_component(
    section: ReadinessSection,
    paths: Paths,
    rows: list[CriticalPathHealth],
    health: TestHealth | None,
    inputs: dict[str, GateInput],
) -> Component:
    weight = section.weights.critical_paths
    source = "all gates + JUnit"
    if not paths.critical:
        return Component(
            "critical_paths", weight, None, "no critical paths in the policy (paths.critical)", source
        )
    signals = sorted(g.name for g in inputs.values() if g.usable)
    if health is not None:
        signals.insert(0, "tests")
    if not signals:
        return Component(
            "critical_paths", weight, None, "no gate result and no test report to judge them by", source
        )
    clear = sum(1 for r in rows if r.clear)
    value = 100.0 * clear / len(rows)
    formula = f"{clear} of {len(rows)} critical path(s) clear = {value:.1f}% (signals: {', '.join(signals)})"
    return Component("critical_paths", weight, value, formula, source)


def _critical_todos(todo: GateInput | None) -> list[dict[str, Any]]:
    if todo is None or not todo.usable:
        return []
    rows = todo.details.get("paths")
    if not isinstance(rows, list):
        return []
    return [r for r in rows if isinstance(r, dict) and r.get("critical")]


def _gate_states(inputs: dict[str, GateInput]) -> list[tuple[str, str, bool]]:
    states = []
    for name in sorted(inputs):
        gate = inputs[name]
        state = gate.state()
        if gate.verdict == "fail":
            state = f"fail ({len(gate.open_errors())} open error finding(s))"
        states.append((name, state, gate.verdict == "pass"))
    return states


def _findings(section: ReadinessSection, a: Assessment, inputs: dict[str, GateInput]) -> list[Finding]:
    found: list[Finding] = []
    for name in sorted(inputs):
        if inputs[name].verdict == "error":
            # Disabled is a decision; errored is not: an assessment missing it must not pass.
            found.append(
                Finding(
                    GATE,
                    "readiness.input-errored",
                    Severity.ERROR,
                    f"the {name} gate could not run, so the assessment lacks its results: "
                    f"{inputs[name].error or 'no reason given'}",
                )
            )
    if a.score is not None and not a.meets_min:
        found.append(
            Finding(
                GATE,
                "readiness.score-below-min",
                Severity.ERROR,
                f"readiness score {a.score:g} ({a.band}) is below the minimum {section.min_score:g} "
                "(readiness.min_score); see 'fix first' in the report",
            )
        )
    health = a.health
    if health is not None and health.pass_rate < section.min_pass_rate:
        found.append(
            Finding(
                GATE,
                "readiness.pass-rate",
                Severity.ERROR,
                f"test pass rate {health.pass_rate:.1f}% is below {section.min_pass_rate:g}% "
                f"(readiness.min_pass_rate): {health.failed} failed, {health.errors} errors",
                path=health.report,
            )
        )
    if health is not None and section.critical_tests_must_pass:
        by_id = {c.test_id: c for c in health.problems()}
        for test_id, owner in sorted(a.critical_tests.items()):
            case = by_id[test_id]
            detail = f": {case.category}" if case.category else ""
            found.append(
                Finding(
                    GATE,
                    "readiness.critical-test-failure",
                    Severity.ERROR,
                    f"test {case.name} of critical path {owner} {case.outcome}{detail}",
                    path=case.module,
                )
            )
    return found


def _fix_first(a: Assessment, inputs: dict[str, GateInput]) -> list[str]:
    """What to fix, most urgent first: gates that could not check, then critical-path problems."""
    items: list[str] = []
    for name in sorted(inputs):
        if inputs[name].verdict == "error":
            items.append(f"make the {name} gate run ({inputs[name].state()})")
    if a.critical_tests:
        modules = sorted({t.split("::")[0] for t in a.critical_tests})
        items.append(f"fix {len(a.critical_tests)} failing test(s) of critical paths in {', '.join(modules)}")
    for blocker in a.blockers:
        where = f"{blocker.path}:{blocker.line}" if blocker.line else blocker.path or ""
        items.append(f"resolve the blocking TODO at {where}")
    for module in a.critical_modules:
        if module.status == "fail":
            items.append(
                f"cover {module.needed} more statement(s) in {module.path} to reach {module.floor:g}%"
            )
    for name in sorted(inputs):
        gate = inputs[name]
        if gate.verdict == "fail" and name not in (TODO, COVERAGE):
            items.append(f"clear the {len(gate.open_errors())} open error finding(s) of the {name} gate")
    if a.health is not None and a.health.problems() and len(a.critical_tests) < len(a.health.problems()):
        rest = len(a.health.problems()) - len(a.critical_tests)
        items.append(f"fix the other {rest} failing test(s)")
    coverage = inputs.get(COVERAGE)
    if (
        coverage is not None
        and coverage.verdict == "fail"
        and not any(m.status == "fail" for m in a.critical_modules)
    ):
        items.append(f"clear the {len(coverage.open_errors())} open error finding(s) of the coverage gate")
    if len(items) > MAX_FIX_FIRST:
        hidden = len(items) - MAX_FIX_FIRST
        items = [*items[:MAX_FIX_FIRST], f"… and {hidden} more (see the JSON report)"]
    return items

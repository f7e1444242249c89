"""Judging a run's mutants: conclusive or not, the score, the floors, the survivors."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import field

from gates.findings import Finding, Severity, Table
from gates.policy.paths import Paths, matches_any
from gates.policy.sections.mutation import MutationSection
from gates.records import record

from . import statuses as st
from .locate import summarize
from .results import Mutant, RunResults

GATE_NAME = "mutation"
RULE_SURVIVED = "mutation.survived"
RULE_FLOOR = "mutation.score-below-floor"
WORST_FUNCTIONS_SHOWN = 25

_ADVICE = {
    st.NOT_CHECKED: "mutmut stopped before judging them: raise mutation.timeout, or split the run "
    "with --shard / changed-code mode",
    st.NO_TESTS: "no selected test calls their function: add tests, widen mutation.tests, or narrow "
    "mutation.paths (if every mutant has no tests, the tests import another copy of the code)",
    st.SUSPICIOUS: "their test runs ended oddly (flaky or crashing tests): rerun with "
    "mutation.max_children: 1 and check the tests",
    st.SEGFAULT: "their test runs crashed: rerun with mutation.max_children: 1; on macOS set "
    "use_setproctitle = false in [tool.mutmut]",
    st.INTERRUPTED: "their test runs were interrupted: rerun the gate",
    st.TEST_ERROR: "their tests never ran (pytest internal or usage error): see the message above",
}
SHOWN_IDS = 3


def few(names: list[str], shown: int = SHOWN_IDS) -> str:
    """At most ``shown`` names, and how many more: a message never lists thousands of ids."""
    head = ", ".join(names[:shown])
    return head + (f" and {len(names) - shown} more" if len(names) > shown else "")


def tests_not_run_message(mutants: list[Mutant]) -> str | None:
    """A run where some mutants' tests never ran cannot be scored: mutmut calls these kills."""
    broken = sorted((m for m in mutants if m.status == st.TEST_ERROR), key=lambda m: m.name)
    if not broken:
        return None
    codes = sorted({m.exit_code for m in broken if m.exit_code is not None})
    return (
        f"{len(broken)} mutant(s) were not judged because their tests never ran (exit code "
        f"{', '.join(map(str, codes))}: pytest's internal error (3) or usage error (4, e.g. test ids "
        f"not found), which mutmut 3.8 stores as 255; mutmut counts them as killed or timeout): "
        f"{few([m.name for m in broken])}. Fix: rerun with --keep-work-dir and run "
        "'MUTANT_UNDER_TEST=<mutant> python -m pytest -x <its tests>' in the work copy's mutants/ "
        "to see pytest's error"
    )


def score_rule(section: MutationSection) -> st.ScoreRule:
    return st.ScoreRule(frozenset(section.score_detected), frozenset(section.score_excluded))


@record
class Floor:
    label: str  # the pattern, or "all mutated code"
    patterns: list[str] | None  # None: every mutant
    minimum: float
    origin: str  # the policy key that set it


@record
class Evaluation:
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, float | int] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)


def floors_for(section: MutationSection, paths: Paths) -> list[Floor]:
    floors: list[Floor] = []
    if section.min_score is not None:
        floors.append(Floor("all mutated code", None, section.min_score, "mutation.min_score"))
    for pattern in paths.critical:
        if pattern not in section.min_scores:
            floors.append(
                Floor(pattern, [pattern], section.critical_min_score, "mutation.critical_min_score")
            )
    for pattern, minimum in section.min_scores.items():
        floors.append(Floor(pattern, [pattern], minimum, f"mutation.min_scores[{pattern!r}]"))
    return floors


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def inconclusive_error(tally: st.Tally, section: MutationSection) -> str | None:
    if tally.total == 0:
        return (
            "mutmut generated zero mutants: nothing was tested. Check mutation.paths (only code inside "
            "functions and methods is mutated) and that the files are not all excluded"
        )
    share = 100.0 * tally.inconclusive() / tally.total
    if share <= section.max_inconclusive_percent:
        return None
    parts = [
        f"{tally.count(s)} {st.LABELS[s]} ({_ADVICE[s]})" for s in st.INCONCLUSIVE_STATUSES if tally.count(s)
    ]
    return (
        f"inconclusive run: {share:.1f}% of {tally.total} mutants were not judged, above "
        f"mutation.max_inconclusive_percent ({section.max_inconclusive_percent:g}%): " + "; ".join(parts)
    )


def evaluate(results: RunResults, section: MutationSection, paths: Paths) -> Evaluation:
    """Everything the gate reports about ``results``; ``error`` set when the run is inconclusive."""
    rule = score_rule(section)
    mutants = results.mutants
    tally = st.Tally.of(m.status for m in mutants)
    evaluation = Evaluation()
    evaluation.metrics = _metrics(tally, rule)
    evaluation.tables = [_status_table(tally), _worst_functions(mutants, rule)]
    evaluation.error = tests_not_run_message(mutants) or inconclusive_error(tally, section)
    if evaluation.error:
        return evaluation
    if tally.score(rule) is None:
        evaluation.error = (
            f"no mutant counts towards the score {rule.describe()}: all {tally.total} are excluded; "
            "check mutation.score_excluded"
        )
        return evaluation
    floor_rows: list[list[str]] = []
    floor_details: list[dict[str, object]] = []
    for floor in floors_for(section, paths):
        group = (
            mutants if floor.patterns is None else [m for m in mutants if matches_any(m.path, floor.patterns)]
        )
        group_tally = st.Tally.of(m.status for m in group)
        score = group_tally.score(rule)
        if score is None:
            evaluation.notes.append(
                f"no mutant of this run falls under {floor.label}; its floor was not checked"
            )
            continue
        passed = score + 1e-9 >= floor.minimum
        floor_rows.append(
            [
                floor.label,
                str(group_tally.total),
                _pct(score),
                f"{floor.minimum:g}%",
                "ok" if passed else "BELOW",
            ]
        )
        floor_details.append(
            {"path": floor.label, "score": round(score, 2), "floor": floor.minimum, "passed": passed}
        )
        if not passed:
            evaluation.findings.append(
                Finding(
                    gate=GATE_NAME,
                    rule_id=RULE_FLOOR,
                    severity=Severity.ERROR,
                    message=(
                        f"mutation score {score:.1f}% in {floor.label} is below the floor {floor.minimum:g}% "
                        f"({floor.origin}): {group_tally.detected(rule)} of {group_tally.denominator(rule)} "
                        f"mutants detected, {group_tally.count(st.SURVIVED)} survived"
                    ),
                    path=None if floor.patterns is None else floor.label,
                    source_tool="mutmut",
                )
            )
    if floor_rows:
        evaluation.tables.insert(
            0, Table("Score floors", ["path", "mutants", "score", "floor", "result"], floor_rows)
        )
    else:
        evaluation.notes.append(
            "no score floor applies (set mutation.min_score, mutation.min_scores or paths.critical)"
        )
    severity = Severity(section.survivor_severity)
    survivors = sorted(
        (m for m in mutants if m.status == st.SURVIVED), key=lambda m: (m.path, m.line or 0, m.name)
    )
    evaluation.findings += [_survivor_finding(m, severity) for m in survivors]
    evaluation.details = {
        "score_rule": rule.describe(),
        "floors": floor_details,
        "survivors": [
            {"mutant": m.name, "path": m.path, "function": m.function, "line": m.line, "diff": m.diff}
            for m in survivors
        ],
    }
    return evaluation


def _survivor_finding(mutant: Mutant, severity: Severity) -> Finding:
    change = summarize(mutant.diff or "")
    return Finding(
        gate=GATE_NAME,
        rule_id=RULE_SURVIVED,
        severity=severity,
        message=(
            f"mutant survived in {mutant.function}(): {change or 'see the diff'} (mutmut show {mutant.name})"
        ),
        path=mutant.path,
        line=mutant.line,
        source_tool="mutmut",
    )


def _metrics(tally: st.Tally, rule: st.ScoreRule) -> dict[str, float | int]:
    score = tally.score(rule)
    metrics: dict[str, float | int] = {}
    if score is not None:
        metrics["score"] = round(score, 2)
    metrics["mutants"] = tally.total
    for status in st.ALL_STATUSES:
        metrics[status] = tally.count(status)
    if tally.total:
        metrics["inconclusive_percent"] = round(100.0 * tally.inconclusive() / tally.total, 2)
    return metrics


def _status_table(tally: st.Tally) -> Table:
    rows = [[st.LABELS[s], str(tally.count(s))] for s in st.ALL_STATUSES if tally.count(s)]
    return Table("Mutants by status", ["status", "mutants"], rows)


def _worst_functions(mutants: list[Mutant], rule: st.ScoreRule) -> Table:
    groups: dict[tuple[str, str], list[Mutant]] = defaultdict(list)
    for mutant in mutants:
        groups[(mutant.path, mutant.function)].append(mutant)
    rows: list[tuple[float, int, list[str]]] = []
    for (path, function), members in groups.items():
        tally = st.Tally.of(m.status for m in members)
        score = tally.score(rule)
        survived = tally.count(st.SURVIVED)
        other = tally.total - survived - tally.detected(rule)
        rows.append(
            (
                101.0 if score is None else score,
                -survived,
                [f"{function}()", path, str(tally.detected(rule)), str(survived), str(other), _pct(score)],
            )
        )
    rows.sort(key=lambda r: (r[0], r[1], r[2][1], r[2][0]))
    shown = [r[2] for r in rows[:WORST_FUNCTIONS_SHOWN]]
    title = "Worst functions first" + (
        f" ({WORST_FUNCTIONS_SHOWN} of {len(rows)})" if len(rows) > WORST_FUNCTIONS_SHOWN else ""
    )
    return Table(title, ["function", "path", "detected", "survived", "other", "score"], shown)

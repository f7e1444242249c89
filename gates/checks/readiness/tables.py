"""The assessment as titled tables: shown by every reporter and by the standalone document."""

from __future__ import annotations

from gates.findings import Table

from .assessment import Assessment

MAX_ROWS = 25  # per table; the JSON report's details hold every row


def _capped(rows: list[list[str]], what: str) -> list[list[str]]:
    if len(rows) <= MAX_ROWS:
        return rows
    hidden = len(rows) - MAX_ROWS
    filler = [""] * (len(rows[0]) - 1)
    return [*rows[:MAX_ROWS], [f"… {hidden} more {what} (see the JSON report)", *filler]]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def tenths_adding_up(values: list[float], total: float) -> list[float]:
    """``values`` rounded to 0.1 so that they add up to ``total`` rounded to 0.1.

    Rounding each part alone can leave the column 0.1 off the total shown under it
    (42.86 + 35.71 + 21.43 = 100, but 42.9 + 35.7 + 21.4 = 100.0 only by luck). The
    largest-remainder method moves the missing tenths to the parts that lost the most.
    """
    target = round(total * 10)
    floors = [int(v * 10 // 1) for v in values]
    missing = target - sum(floors)
    if not values or not 0 <= missing <= len(values):
        return [round(v, 1) for v in values]
    order = sorted(range(len(values)), key=lambda i: values[i] * 10 - floors[i], reverse=True)
    for i in order[:missing]:
        floors[i] += 1
    return [f / 10 for f in floors]


def score_table(a: Assessment) -> Table:
    rows = []
    counted = [c for c in a.breakdown.components if c.value is not None]
    shares = tenths_adding_up([a.breakdown.share(c) if c.counted else 0.0 for c in counted], 100.0)
    points = [a.breakdown.points(c) for c in counted]
    if a.score is not None:
        points = tenths_adding_up(points, a.score)
    shown_share = {id(c): s for c, s in zip(counted, shares, strict=True)}
    shown_points = {id(c): p for c, p in zip(counted, points, strict=True)}
    for c in a.breakdown.components:
        if c.value is None:
            rows.append([c.label, f"{c.weight:g}", "left out", "—", "—", c.formula])
        else:
            shown = f"{shown_share[id(c)]:.1f}" if c.counted else "0"
            rows.append(
                [c.label, f"{c.weight:g}", shown, f"{c.value:.1f}", f"{shown_points[id(c)]:.1f}", c.formula]
            )
    total = "n/a" if a.score is None else f"{a.score:.1f}"
    rows.append(
        [
            "total",
            f"{a.breakdown.total_weight:g}",
            "100" if a.score is not None else "—",
            "",
            total,
            a.band or "",
        ]
    )
    return Table(
        "Score breakdown", ["component", "weight", "effective weight", "value", "points", "how"], rows
    )


def critical_modules_table(a: Assessment) -> Table | None:
    if not a.critical_modules:
        return None
    rows = [
        [
            m.path,
            _pct(m.percent),
            "—" if m.floor is None else f"{m.floor:g}%",
            m.status,
            str(m.needed),
        ]
        for m in a.critical_modules
    ]
    return Table(
        "Critical modules",
        ["path", "coverage", "floor", "status", "statements needed"],
        _capped(rows, "modules"),
    )


def critical_health_table(a: Assessment) -> Table | None:
    if not a.critical_health:
        return None
    rows = [
        [
            r.path,
            "clear" if r.clear else "open",
            r.coverage,
            str(r.failing_tests),
            str(r.blocking_todos),
            str(r.gate_errors),
        ]
        for r in a.critical_health
    ]
    return Table(
        "Critical-path health",
        ["critical path", "state", "coverage", "failing tests", "blocking TODOs", "other gate errors"],
        rows,
    )


def test_tables(a: Assessment) -> list[Table]:
    health = a.health
    if health is None:
        return []
    tables = [
        Table(
            "Test health",
            ["tests", "passed", "failed", "errors", "skipped", "pass rate"],
            [
                [
                    str(len(health.cases)),
                    str(health.passed),
                    str(health.failed),
                    str(health.errors),
                    str(health.skipped),
                    f"{health.pass_rate:.1f}%",
                ]
            ],
        )
    ]
    for key, title in (
        ("module", "Failures by test module"),
        ("directory", "Failures by directory"),
        ("category", "Failures by category"),
    ):
        groups = health.groups(key)  # type: ignore[arg-type]
        if groups:
            rows = _capped([[name, str(n)] for name, n in groups], f"{key} groups")
            tables.append(Table(title, [key, "failed + errors"], rows))
    return tables


def todo_tables(a: Assessment) -> list[Table]:
    tables = []
    if a.critical_todos:
        tables.append(
            Table(
                "TODOs in critical paths",
                ["path", "markers", "placeholders", "blocking"],
                [
                    [
                        str(r.get("path")),
                        str(r.get("markers", 0)),
                        str(r.get("placeholders", 0)),
                        str(r.get("blocking", 0)),
                    ]
                    for r in a.critical_todos
                ],
            )
        )
    if a.blockers:
        tables.append(
            Table(
                "Blocking TODOs",
                ["where", "message"],
                _capped(
                    [[f"{b.path}:{b.line}" if b.line else str(b.path), b.message] for b in a.blockers],
                    "blockers",
                ),
            )
        )
    return tables


def gates_table(a: Assessment) -> Table | None:
    if not a.gates:
        return None
    return Table(
        "Gates",
        ["gate", "state", "clear"],
        [[name, state, "yes" if clear else "no"] for name, state, clear in a.gates],
    )


def all_tables(a: Assessment, change_rows: list[list[str]]) -> list[Table]:
    found: list[Table | None] = [
        score_table(a),
        critical_modules_table(a),
        critical_health_table(a),
        *test_tables(a),
        *todo_tables(a),
        gates_table(a),
    ]
    if change_rows:
        found.append(
            Table("Change since the last run", ["metric", "last run", "this run", "change"], change_rows)
        )
    return [t for t in found if t is not None]

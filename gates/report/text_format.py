"""The terminal report: verdict per gate, then the new findings, colour only on a TTY."""

from __future__ import annotations

from gates.findings import Finding, GateResult, Report, Severity, Table, Verdict
from gates.report import RenderOptions

_COLORS = {"red": "31", "yellow": "33", "green": "32", "dim": "2", "bold": "1", "cyan": "36"}
_VERDICT_COLOR = {
    Verdict.PASS: "green",
    Verdict.FAIL: "red",
    Verdict.ERROR: "red",
    Verdict.SKIPPED: "dim",
}
_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, color: str) -> str:
        return f"\x1b[{_COLORS[color]}m{text}\x1b[0m" if self.enabled else text


def _finding_line(finding: Finding, paint: _Paint) -> str:
    where = finding.location() or "-"
    severity = paint(finding.severity.value.ljust(7), _SEVERITY_COLOR[finding.severity])
    return f"    {severity} {where}  {finding.rule_id}  {finding.message}"


def _table_lines(table: Table) -> list[str]:
    """A table with its column headers, each column as wide as its widest cell."""
    rows = [table.columns, *table.rows] if table.columns else table.rows
    width = max((len(r) for r in rows), default=0)
    cells = [[*r, *[""] * (width - len(r))] for r in rows]
    sizes = [max(len(r[i]) for r in cells) for i in range(width)]

    def line(row: list[str]) -> str:
        return "      " + " | ".join(c.ljust(sizes[i]) for i, c in enumerate(row)).rstrip()

    out = [f"    {table.title}:"] if table.title else []
    if table.columns:
        out += [line(cells[0]), "      " + "-+-".join("-" * n for n in sizes)]
        cells = cells[1:]
    return out + [line(r) for r in cells]


def _gate_block(result: GateResult, paint: _Paint) -> list[str]:
    verdict = paint(result.verdict.value.upper().ljust(7), _VERDICT_COLOR[result.verdict])
    if result.verdict is Verdict.SKIPPED:
        # Say it in the line a hook shows: nothing was checked, so this is no pass.
        why = "; ".join(result.notes) or "not run"
        return [f"{paint(result.name.ljust(10), 'bold')} {verdict} nothing checked: {why}"]
    new = result.new_findings()
    suppressed = len(result.findings) - len(new)
    counts = f"{len(new)} new finding(s)" + (f", {suppressed} suppressed" if suppressed else "")
    score = result.metrics.get("score")
    scored = f"score {score:g}{'%' if result.name == 'mutation' else ''}  " if score is not None else ""
    lines = [f"{paint(result.name.ljust(10), 'bold')} {verdict} {scored}{counts}  ({result.duration_s:.2f}s)"]
    if result.error:
        lines.append(f"    {paint('error', 'red')}   {result.error}")
    for finding in sorted(new, key=lambda f: (-f.severity.rank, f.path or "", f.line or 0)):
        lines.append(_finding_line(finding, paint))
    for table in result.tables:
        lines += _table_lines(table)
    for note in result.notes:
        lines.append(f"    {paint('note', 'dim')}    {note}")
    return lines


def _policy_name(path: str | None) -> str:
    # The loader names the built-in policy "<default policy>" (see gates.policy.loader).
    if path is None or path == "<default policy>":
        return "embedded defaults (no policy.yaml found)"
    return path


def render(report: Report, options: RenderOptions) -> str:
    paint = _Paint(options.color)
    lines: list[str] = []
    for result in report.gates:
        lines.extend(_gate_block(result, paint))
    verdict = paint(report.verdict.value.upper(), _VERDICT_COLOR[report.verdict])
    lines.append(f"policy: {_policy_name(report.policy_path)}")
    lines.append(f"verdict: {verdict} (exit {report.exit_code})")
    return "\n".join(lines) + "\n"

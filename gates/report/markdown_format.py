"""The Markdown summary, for a PR comment or the job summary; kept under GitHub's limit."""

from __future__ import annotations

from gates.findings import Finding, GateResult, Report, Table, Verdict
from gates.report import RenderOptions

# GitHub rejects comments over 65,536 characters; leave room for a header added by a bot.
MAX_CHARS = 65_000
MAX_FINDINGS_PER_GATE = 100
_ICON = {Verdict.PASS: "✅", Verdict.FAIL: "❌", Verdict.ERROR: "⛔", Verdict.SKIPPED: "⏭️"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(columns: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _metric_summary(result: GateResult) -> str:
    shown = [
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in result.metrics.items()
        if not k.startswith("findings")
    ]
    return ", ".join(shown[:4])


def _finding_row(finding: Finding) -> list[str]:
    where = f"`{finding.location()}`" if finding.path else ""
    return [finding.severity.value, where, f"`{finding.rule_id}`", finding.message]


def _gate_section(result: GateResult, max_findings: int) -> list[str]:
    lines = [f"### {_ICON[result.verdict]} {result.name}: {result.verdict.value}", ""]
    if result.error:
        lines += [f"**Error:** {result.error}", ""]
    for table in result.tables:
        lines += [_table_title(table), "", *_table(table.columns, table.rows), ""]
    new = result.new_findings()
    if new:
        shown = new[:max_findings]
        lines += _table(["severity", "where", "rule", "message"], [_finding_row(f) for f in shown])
        if len(new) > len(shown):
            lines.append(f"\n… and {len(new) - len(shown)} more new finding(s) (see the JSON report).")
        lines.append("")
    suppressed = len(result.findings) - len(new)
    if suppressed:
        lines += [f"{suppressed} finding(s) suppressed by waivers, inline comments or the baseline.", ""]
    lines += [f"- {note}" for note in result.notes]
    return lines


def _table_title(table: Table) -> str:
    return f"**{table.title}**"


def render_summary(report: Report, max_findings: int = MAX_FINDINGS_PER_GATE) -> str:
    head = [
        f"## ml-gates: {_ICON[report.verdict]} {report.verdict.value}",
        "",
        *_table(
            ["gate", "verdict", "new findings", "metrics"],
            [
                [
                    g.name,
                    f"{_ICON[g.verdict]} {g.verdict.value}",
                    str(len(g.new_findings())),
                    _metric_summary(g),
                ]
                for g in report.gates
            ],
        ),
        "",
    ]
    body: list[str] = []
    for result in report.gates:
        if result.verdict is not Verdict.SKIPPED:
            body += _gate_section(result, max_findings)
    text = "\n".join(head + body) + "\n"
    if len(text) <= MAX_CHARS:
        return text
    if max_findings > 5:
        return render_summary(report, max_findings // 4)
    notice = "\n\n_Summary truncated to stay within GitHub's comment limit; see the JSON report._\n"
    return text[: MAX_CHARS - len(notice)] + notice


def render(report: Report, options: RenderOptions) -> str:
    return render_summary(report)

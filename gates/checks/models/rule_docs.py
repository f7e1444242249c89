"""The parts of the rule docs derived from ``catalog.py``, and the text ``gates rules`` /
``gates explain RULE`` print.

``python -m gates.checks.models.rule_docs --write`` regenerates, from the declarations:
the index table in ``docs/rules/README.md``, each page's header line and its
"Calls checked" section. ``--check`` (and a test) fails when they are out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from gates.checks.models.catalog import FIX_NONE, RULES, Rule

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs" / "rules"
_INDEX_START = "| ID | Name | Default | Aliases | Fix | Summary |"
_INDEX_END = "\n## "
_CALLS_HEADING = "## Calls checked"
_FIX_WORDS = {FIX_NONE: "no"}


def fix_word(rule: Rule) -> str:
    return _FIX_WORDS.get(rule.fix, rule.fix)


def render_index() -> str:
    rows = [_INDEX_START, "|---|---|---|---|---|---|"]
    for rule in RULES.values():
        aliases = ", ".join(rule.aliases) or "—"
        fix = "" if rule.fix == FIX_NONE else rule.fix
        cells = (f"[{rule.id}]({rule.id}.md)", rule.name, rule.severity.value, aliases, fix, rule.summary)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def header_line(rule: Rule) -> str:
    aliases = ", ".join(rule.aliases) or "—"
    return (
        f"**Default severity:** {rule.severity.value} · **Peer ids:** {aliases} · **Fix:** {fix_word(rule)}"
    )


def calls_section(rule: Rule) -> str:
    lines = [_CALLS_HEADING, ""]
    if rule.apis:
        lines.append(
            "Generated from the rule's declaration; a test calls each of these and expects a finding."
        )
        lines.append("`X().m` is method `m` of an `X` instance; `*` is any class of the library.")
        lines.append("")
        lines.extend(f"- `{api}`" for api in sorted(rule.apis))
    if rule.keywords:
        lines.extend(f"- the keyword `{keyword}=` on any call" for keyword in sorted(rule.keywords))
    return "\n".join(lines) + "\n\n"


def render_page(rule: Rule, text: str) -> str:
    lines = text.split("\n")
    if len(lines) > 2 and lines[2].startswith("**Default severity:**"):
        lines[2] = header_line(rule)
    text = "\n".join(lines)
    text = re.sub(rf"{re.escape(_CALLS_HEADING)}\n.*?(?=\n## )\n", "", text, flags=re.S)
    if rule.apis or rule.keywords:
        text = text.replace("## Why it matters", calls_section(rule) + "## Why it matters", 1)
    return text


def documented_apis(text: str) -> list[str]:
    """The API names a page lists under "Calls checked"."""
    match = re.search(rf"{re.escape(_CALLS_HEADING)}\n(.*?)(?=\n## )", text, flags=re.S)
    return re.findall(r"^- `([^`]+)`$", match.group(1), flags=re.M) if match else []


def _expected(docs: Path) -> dict[Path, str]:
    out: dict[Path, str] = {}
    index = docs / "README.md"
    text = index.read_text(encoding="utf-8")
    start = text.index(_INDEX_START)
    end = text.index(_INDEX_END, start)
    out[index] = text[:start] + render_index() + text[end:]
    for rule in RULES.values():
        page = docs / f"{rule.id}.md"
        out[page] = render_page(rule, page.read_text(encoding="utf-8"))
    return out


def stale(docs: Path = DOCS_DIR) -> list[Path]:
    return [p for p, want in _expected(docs).items() if p.read_text(encoding="utf-8") != want]


def write(docs: Path = DOCS_DIR) -> list[Path]:
    changed = []
    for path, want in _expected(docs).items():
        if path.read_text(encoding="utf-8") != want:
            path.write_text(want, encoding="utf-8")
            changed.append(path)
    return changed


def rules_table() -> str:
    """``gates rules``: one row per rule, with column headers."""
    header = ("ID", "NAME", "SEVERITY", "FIX", "ALIASES", "SUMMARY")
    rows = [header] + [
        (r.id, r.name, r.severity.value, fix_word(r), ",".join(r.aliases) or "-", r.summary)
        for r in RULES.values()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1] for row in rows
    )


def explain(rule_id: str) -> str | None:
    """``gates explain RULE``: the rule page (offline), else the declaration; None if unknown."""
    wanted = rule_id.upper()
    rule = RULES.get(wanted) or next((r for r in RULES.values() if r.name == rule_id), None)
    if rule is None:
        matches = [r for r in RULES.values() if wanted in r.aliases]
        if not matches:
            page = DOCS_DIR / f"{wanted}.md"
            return (
                page.read_text(encoding="utf-8")
                if re.fullmatch(r"[A-Z]+\d+", wanted) and page.is_file()
                else None
            )
        return "\n".join(
            f"{wanted} is the peer id of {r.id} ({r.name}): gates explain {r.id}" for r in matches
        )
    page = DOCS_DIR / f"{rule.id}.md"
    if page.is_file():
        return page.read_text(encoding="utf-8")
    text = [f"# {rule.id} `{rule.name}`", "", header_line(rule), "", rule.summary, "", calls_section(rule)]
    text.append(f"Full page: {rule.help_uri}")
    return "\n".join(text)


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        for path in write():
            print(f"rewrote {path}")
        return 0
    if argv == ["--check"]:
        old = stale()
        for path in old:
            print(f"{path} is out of date: run python -m gates.checks.models.rule_docs --write")
        return 1 if old else 0
    print("usage: python -m gates.checks.models.rule_docs --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

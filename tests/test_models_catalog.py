"""Every rule has a stable id, a docs page and an index entry."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

from gates.checks.models.analyzer import analyze_file
from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.catalog import RULES
from gates.checks.models.rule_docs import documented_apis, stale


def test_every_rule_has_a_docs_page_with_the_four_sections() -> None:
    for rule_id, rule in RULES.items():
        page = REPO_ROOT / "docs" / "rules" / f"{rule_id}.md"
        text = page.read_text(encoding="utf-8")
        for heading in ("## What it does", "## Why it matters", "## Example", "## Fix"):
            assert heading in text, (rule_id, heading)
        assert rule.help_uri.endswith(f"docs/rules/{rule_id}.md")


def test_index_lists_every_rule_and_nothing_else() -> None:
    index = (REPO_ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"\[(MS\d{3})\]", index)) == set(RULES)


def test_ids_are_stable_and_well_formed() -> None:
    assert all(re.fullmatch(r"MS\d{3}", rule_id) for rule_id in RULES)
    assert RULES["MS101"].aliases == ("B614",)
    assert RULES["MS301"].aliases == ("B615",)


def _example(rule_id: str, api: str) -> str:
    rule = RULES[rule_id]
    call = api.replace("*", "AutoModel")
    return f"import {api.split('.', 1)[0]}\nx = {rule.example_for(api).format(call=call)}\n"


def _rules_flagged(source: str) -> set[str]:
    analysis = analyze_file(Path("."), "example.py", source.encode(), AnalysisSettings())
    return {f.rule for f in analysis.findings}


def test_every_documented_call_is_flagged() -> None:
    # The page's "Calls checked" list is generated from the declaration; each entry, called
    # as the rule's example says, must yield the rule (torch.hub.list/help were once lost).
    checked = 0
    for rule_id, rule in RULES.items():
        page = (REPO_ROOT / "docs" / "rules" / f"{rule_id}.md").read_text(encoding="utf-8")
        documented = documented_apis(page)
        assert documented == sorted(rule.apis), rule_id
        for api in documented:
            source = _example(rule_id, api)
            assert rule_id in _rules_flagged(source), source
            checked += 1
    assert checked > 80
    assert "torch.hub.list" in RULES["MS501"].apis and "torch.hub.help" in RULES["MS501"].apis


def test_keyword_rules_are_flagged_on_any_call() -> None:
    assert "MS401" in _rules_flagged("import x\nx.load('org/name', trust_remote_code=True)\n")
    assert "MS402" in _rules_flagged("import x\nx.load('org/name', trust_remote_code=flag)\n")


def test_generated_docs_are_up_to_date() -> None:
    assert stale() == [], "run: python -m gates.checks.models.rule_docs --write"


def test_gates_rules_and_explain(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("rules")
    assert result.code == 0
    header, *rows = result.out.splitlines()
    assert header.split()[:4] == ["ID", "NAME", "SEVERITY", "FIX"]
    assert [row.split()[0] for row in rows] == list(RULES)
    explained = run_cli("explain", "MS501")
    assert explained.code == 0 and "torch.hub.list" in explained.out and "## Fix" in explained.out
    assert "MS101" in run_cli("explain", "B614").out
    unknown = run_cli("explain", "MS999")
    assert unknown.code == 2 and "gates rules" in unknown.err


def test_gates_rules_into_a_closed_pipe_prints_no_traceback() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gates", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `gates rules | head -0`: the reader is gone before we write
    err = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert "Traceback" not in err

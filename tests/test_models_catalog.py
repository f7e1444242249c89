"""Every rule has a stable id, a docs page and an index entry."""

from __future__ import annotations

import re

from conftest import REPO_ROOT

from gates.checks.models.catalog import RULES


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

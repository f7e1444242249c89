"""Exclusion creep: new '# pragma: no cover' in the diff and excluded-line growth are warnings."""

from __future__ import annotations

from typing import Any

from conftest import Repo
from test_coverage_diff import BASE_MODULE, start
from test_coverage_support import gate_json, measure, messages, rule_ids, write_policy


def test_new_pragma_and_excluded_block_are_warnings(repo: Repo, run_cli: Any) -> None:
    start(repo)
    added = "\n\ndef debug_only():  # pragma: no cover\n    print('x')\n    return 1\n"
    repo.write("pkg/m.py", BASE_MODULE + added)
    repo.commit("exclude")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)  # warnings by default: they do not block
    creep = [f for f in gate["findings"] if f["rule_id"] in ("new-exclusion", "excluded-lines-grew")]
    assert [(f["rule_id"], f["line"], f["severity"]) for f in creep] == [
        ("new-exclusion", 9, "warning"),
        ("excluded-lines-grew", 10, "warning"),
    ]
    assert "2 changed line(s) are excluded from coverage" in messages(gate)


def test_exclusion_creep_can_block_and_total_growth_is_flagged(repo: Repo, run_cli: Any) -> None:
    start(repo, "line_min: 0\nexclusion_creep: {severity: error}")
    measure(repo.root)
    assert run_cli("baseline", "update", "--coverage").code == 0
    repo.write("pkg/m.py", BASE_MODULE + "\n\ndef skipped():  # pragma: no cover\n    return 1\n")
    repo.commit("exclude")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 1
    assert "excluded-total-grew" in rule_ids(gate) and "new-exclusion" in rule_ids(gate)
    assert "lines excluded from coverage grew from 0 to 2" in messages(gate)


def test_creep_check_can_be_turned_off(repo: Repo, run_cli: Any) -> None:
    start(repo)
    write_policy(repo, "line_min: 0\nexclusion_creep: {enabled: false}")
    repo.write("pkg/m.py", BASE_MODULE + "\nX = 1  # pragma: no cover\n")
    repo.commit("exclude")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0 and rule_ids(gate) == []

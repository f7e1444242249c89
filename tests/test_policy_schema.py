"""The committed JSON Schema files match the models, and example policies validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from gates.policy.loader import parse_policy_text
from gates.policy.schema import SCHEMA_FILES, policy_schema, policy_schema_text
from gates.policy_commands import starter_policy_text

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_files_are_fresh() -> None:
    for relative in SCHEMA_FILES:
        committed = (ROOT / relative).read_text(encoding="utf-8")
        assert committed == policy_schema_text(), f"{relative} is stale; run: python -m gates.policy.schema"


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(policy_schema())


def test_repo_policy_and_starter_validate_against_schema() -> None:
    validator = jsonschema.Draft202012Validator(policy_schema())
    for text in ((ROOT / "policy.yaml").read_text(encoding="utf-8"), starter_policy_text()):
        data = yaml.safe_load(text)
        # YAML dates become date objects; the schema sees the ISO strings the user wrote.
        validator.validate(json.loads(json.dumps(data, default=str)))


def test_starter_policy_is_valid_and_commented(tmp_path: Path) -> None:
    text = starter_policy_text()
    assert text.startswith("# yaml-language-server: $schema=")
    parse_policy_text(text, tmp_path / "policy.yaml")


def test_schema_command_prints_the_schema(run_cli) -> None:
    result = run_cli("policy", "schema")
    assert result.code == 0
    assert json.loads(result.out) == policy_schema()


def test_init_writes_starter_and_refuses_to_overwrite(repo, run_cli) -> None:
    first = run_cli("policy", "init")
    assert first.code == 0
    assert (repo.root / "policy.yaml").read_text(encoding="utf-8") == starter_policy_text()
    (repo.root / "policy.yaml").write_text("version: 1\n", encoding="utf-8")
    again = run_cli("policy", "init")
    assert again.code == 2
    assert "already exists; pass --force" in again.err
    assert (repo.root / "policy.yaml").read_text(encoding="utf-8") == "version: 1\n"
    forced = run_cli("policy", "init", "--force")
    assert forced.code == 0
    assert (repo.root / "policy.yaml").read_text(encoding="utf-8") == starter_policy_text()


def test_show_prints_effective_policy_with_defaults(repo, run_cli) -> None:
    (repo.root / "policy.yaml").write_text("version: 1\ncoverage:\n  line_min: 91\n", encoding="utf-8")
    result = run_cli("policy", "show")
    assert result.code == 0
    shown = yaml.safe_load(result.out)
    assert shown["coverage"]["line_min"] == 91
    assert shown["mutation"]["critical_min_score"] == 70

"""Releases: one version, tagged links, a changelog entry, Dependabot on our own actions."""

from __future__ import annotations

import json
import subprocess

from gates import __version__
from gates.links import POLICY_SCHEMA_URL, REPORT_SCHEMA_URL, TAG, blob_url
from gates.policy.schema import policy_schema
from tests.conftest import REPO_ROOT
from tests.wiring_support import VENV_BIN


def test_every_link_names_this_version_s_tag() -> None:
    assert f"v{__version__}" == TAG
    assert policy_schema()["$id"] == POLICY_SCHEMA_URL
    report_schema = json.loads((REPO_ROOT / "gates/report/report.schema.json").read_text(encoding="utf-8"))
    assert report_schema["$id"] == REPORT_SCHEMA_URL
    assert blob_url("docs/rules/MS101.md").endswith(f"/blob/{TAG}/docs/rules/MS101.md")
    from gates.checks.models.catalog import RULES

    assert all(f"/blob/{TAG}/" in rule.help_uri for rule in RULES.values())


def test_no_link_is_hard_coded_to_main() -> None:
    for path in [*(REPO_ROOT / "gates").rglob("*.py"), *(REPO_ROOT / "gates").rglob("*.json")]:
        text = path.read_text(encoding="utf-8")
        assert "ml-gates/ml-gates/main/" not in text and "/blob/main/" not in text, path


def test_the_changelog_has_this_version() -> None:
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {__version__}\n" in changelog
    assert "## Unreleased" in changelog
    assert "git tag -a vX.Y.Z" in (REPO_ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")


def test_dependabot_watches_our_action_pins() -> None:
    path = REPO_ROOT / ".github" / "dependabot.yml"
    proc = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "package-ecosystem: github-actions" in path.read_text(encoding="utf-8")

"""``gates policy init`` fits the starter to the repository and the install."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gates.policy.loader import parse_policy_text
from gates.policy.paths import DEFAULT_EXCLUDES, Paths, is_excluded
from gates.policy.starter import Layout, detect, render, template
from tests.conftest import Repo

BARE = Layout(
    source=["."],
    tests=[],
    coverage_config=None,
    pytest=False,
    semgrep=False,
    requirements=[],
    pyproject_deps=False,
    pylock=False,
)


def _policy(text: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return parse_policy_text(text, tmp_path / "policy.yaml").policy


def test_detects_a_package_its_tests_coverage_config_and_pinned_requirements(repo: Repo) -> None:
    repo.write("mylib/__init__.py", "")
    repo.write("tests/test_x.py", "def test_x():\n    pass\n")
    repo.write("docs/conf.py", "")
    repo.write(".coveragerc", "[run]\nbranch = True\n")
    repo.write("requirements.txt", "# pinned\nrequests==2.32.3\nnumpy==2.1.0 ; python_version >= '3.10'\n")
    repo.write("requirements-dev.txt", "pytest\n")
    layout = detect(repo.root)
    assert layout.source == ["mylib/"]
    assert layout.tests == ["tests/"]
    assert layout.coverage_config == ".coveragerc"
    assert layout.requirements == ["requirements.txt"]
    assert layout.pytest is True  # this test runs under pytest


def test_src_layout_and_pyproject_dependencies(repo: Repo) -> None:
    repo.write("src/pkg/__init__.py", "")
    repo.write(
        "pyproject.toml",
        '[project]\nname = "p"\ndependencies = ["requests"]\n[tool.coverage.run]\nbranch = true\n',
    )
    layout = detect(repo.root)
    assert layout.source == ["src/"]
    assert layout.tests == []
    assert layout.coverage_config == "pyproject.toml"
    assert layout.pyproject_deps is True and layout.requirements == []


def test_unpinned_requirements_are_not_offered_to_pip_audit(repo: Repo) -> None:
    repo.write("requirements.txt", "requests>=2\n")
    assert detect(repo.root).requirements == []


def test_bare_install_starter_disables_what_it_cannot_feed(tmp_path: Path) -> None:
    text = render(BARE)
    policy = _policy(text, tmp_path)
    assert policy.security.semgrep.enabled is False
    assert 'pip install "ml-gates[semgrep]"' in text
    assert policy.security.pip_audit.enabled is False
    assert policy.coverage.enabled is False and policy.readiness.enabled is False
    assert "no tests/ folder found" in text
    assert policy.security.bandit.enabled is True and policy.model_safety.enabled is True


def test_full_layout_starter_runs_the_tests_and_audits_the_requirements(tmp_path: Path) -> None:
    layout = dataclasses.replace(
        BARE,
        source=["mylib/"],
        tests=["tests/"],
        pytest=True,
        semgrep=True,
        requirements=["requirements.txt"],
    )
    policy = _policy(render(layout), tmp_path)
    assert policy.paths.source == ["mylib/"]
    assert policy.paths.tests == ["tests/"]
    assert policy.coverage.enabled and policy.readiness.enabled
    assert policy.coverage.run == [
        "python -m coverage run --branch -m pytest -q --junitxml=.gates/junit.xml tests/",
        "python -m coverage json -q",
    ]
    assert policy.security.semgrep.enabled
    assert policy.security.pip_audit.requirements == ["requirements.txt"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [({"pylock": True}, ("projects", ["."], True)), ({"pyproject_deps": True}, ("projects", ["."], False))],
)
def test_lock_or_pyproject_input_for_pip_audit(
    tmp_path: Path, change: dict[str, bool], expected: tuple[str, list[str], bool]
) -> None:
    audit = _policy(render(dataclasses.replace(BARE, **change)), tmp_path).security.pip_audit
    assert audit.enabled and audit.projects == expected[1] and audit.locked is expected[2]


def test_starter_points_at_the_schema_of_this_version(tmp_path: Path) -> None:
    from gates import __version__

    first = render(BARE).splitlines()[0]
    assert first.endswith(f"/v{__version__}/docs/policy.schema.json")
    assert "/main/" not in first and template().startswith("# yaml-language-server: $schema=")


def test_starter_keeps_the_default_excludes(tmp_path: Path) -> None:
    assert _policy(render(BARE), tmp_path).paths.exclude == DEFAULT_EXCLUDES


def test_an_own_exclude_list_extends_the_defaults_and_can_reinclude(tmp_path: Path) -> None:
    paths = _policy('version: 1\npaths:\n  exclude: ["legacy/", "!build/"]\n', tmp_path).paths
    assert is_excluded("venv/lib/site.py", paths)
    assert is_excluded("node_modules/x/a.py", paths)
    assert is_excluded("legacy/old.py", paths)
    assert not is_excluded("build/gen.py", paths)
    assert Paths(exclude=["x/"]).exclude == [*DEFAULT_EXCLUDES, "x/"]


def test_init_on_a_bare_repository_then_check_has_no_gate_in_error(
    repo: Repo, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The README's `gates policy init && gates check` on code without tests or dependency files."""
    import gates.policy.starter as starter

    monkeypatch.setattr(starter, "find_executable", lambda name: None)  # an install without semgrep
    repo.write("app.py", "import json\n\n\ndef load(p):\n    return json.load(open(p))\n")
    repo.write("venv/lib/evil.py", "import pickle\npickle.loads(b'')\n")  # an untracked venv
    repo.commit("app")
    assert run_cli("policy", "init").code == 0
    result = run_cli("check", "--format", "json")
    import json

    report = json.loads(result.out)
    assert [g["name"] for g in report["gates"] if g["verdict"] == "error"] == []
    assert result.code == 0


def test_init_says_what_it_turned_off_and_why(repo: Repo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import gates.policy.starter as starter

    monkeypatch.setattr(starter, "find_executable", lambda name: None)
    result = run_cli("policy", "init")
    assert result.code == 0
    assert "  coverage and readiness: off (no tests folder)" in result.out
    assert '  semgrep: off (pip install "ml-gates[semgrep]" to enable)' in result.out
    assert "  pip-audit: off (no pinned requirements file, pyproject dependencies or lock file)" in result.out


def test_init_over_a_directory_names_it_instead_of_suggesting_force(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    (repo.root / "policy.yaml").mkdir()
    for argv in (("policy", "init"), ("policy", "init", "--force")):
        result = run_cli(*argv)
        assert result.code == 2
        assert "policy.yaml exists and is not a policy file" in result.err
        assert "--force" not in result.err and "Traceback" not in result.err

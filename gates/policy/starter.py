"""``gates policy init``: the commented starter policy, fitted to this repository and install.

A starter that enables what the repository cannot feed (semgrep without the extra, a
coverage report nothing writes, pip-audit with no dependency file) makes the first
``gates check`` exit 2. So the layout is detected first: source and test folders, the
coverage configuration, whether pytest and semgrep are there, which dependency files
pip-audit can read. The template (``starter.yaml``) stays the one commented file; only the
lines below are rewritten, each found by its exact text (tests/test_policy_starter.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from importlib import resources
from pathlib import Path

from gates.links import POLICY_SCHEMA_URL
from gates.records import record
from gates.tools import find_executable

_SKIP_DIRS = {
    "tests",
    "test",
    "docs",
    "examples",
    "scripts",
    "build",
    "dist",
    "venv",
    "node_modules",
    "mutants",
}
_REQUIREMENTS = ("requirements.txt", "requirements.in", "requirements/base.txt", "requirements/prod.txt")
_PINNED = re.compile(r"^\s*[A-Za-z0-9_.\-\[\],]+\s*===?\s*[^\s;#]+")


@record
class Layout:
    source: list[str]
    tests: list[str]
    coverage_config: str | None  # the file holding coverage.py's settings, if any
    pytest: bool
    semgrep: bool
    requirements: list[str]  # pinned requirement files pip-audit can read without a resolver
    pyproject_deps: bool  # pyproject.toml declares [project] dependencies
    pylock: bool


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def _source_folders(root: Path) -> list[str]:
    src = root / "src"
    if src.is_dir() and any(_is_package(p) for p in src.iterdir() if p.is_dir()):
        return ["src/"]
    packages = sorted(
        p.name + "/"
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in _SKIP_DIRS and _is_package(p)
    )
    return packages or ["."]


def _test_folders(root: Path) -> list[str]:
    return [f"{name}/" for name in ("tests", "test") if (root / name).is_dir()]


def _coverage_config(root: Path) -> str | None:
    if (root / ".coveragerc").is_file():
        return ".coveragerc"
    for name, marker in (("setup.cfg", "[coverage:"), ("tox.ini", "[coverage:")):
        path = root / name
        if path.is_file() and marker in path.read_text(encoding="utf-8", errors="replace"):
            return name
    tool = _pyproject(root).get("tool")
    if isinstance(tool, dict) and "coverage" in tool:
        return "pyproject.toml"
    return None


def _pyproject(root: Path) -> dict[str, object]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        toml = importlib.import_module("tomllib")  # Python 3.11+
    except ModuleNotFoundError:
        # Python 3.10: enough to tell the two things detect() asks.
        found: dict[str, object] = {}
        if "[tool.coverage" in text:
            found["tool"] = {"coverage": {}}
        if re.search(r"^dependencies\s*=\s*\[\s*[\"']", text, re.MULTILINE):
            found["project"] = {"dependencies": ["?"]}
        return found
    try:
        data: dict[str, object] = toml.loads(text)
    except ValueError:  # TOMLDecodeError
        return {}
    return data


def _pinned_requirements(root: Path) -> list[str]:
    found = []
    for name in _REQUIREMENTS:
        path = root / name
        if not path.is_file():
            continue
        lines = [
            line.strip()
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "-"))
        ]
        # pip-audit reads pinned files without pip or PyPI; an unpinned one needs a resolver.
        if lines and all(_PINNED.match(line) for line in lines):
            found.append(name)
    return found


def detect(root: Path) -> Layout:
    project = _pyproject(root).get("project")
    return Layout(
        source=_source_folders(root),
        tests=_test_folders(root),
        coverage_config=_coverage_config(root),
        pytest=importlib.util.find_spec("pytest") is not None,
        semgrep=find_executable("semgrep") is not None,
        requirements=_pinned_requirements(root),
        pyproject_deps=isinstance(project, dict) and bool(project.get("dependencies")),
        pylock=any(root.glob("pylock*.toml")),
    )


def template() -> str:
    return resources.files("gates.policy").joinpath("starter.yaml").read_text(encoding="utf-8")


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise AssertionError(f"starter.yaml no longer contains {old!r}; update gates/policy/starter.py")
    return text.replace(old, new, 1)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def render(layout: Layout) -> str:
    """The starter for ``layout``: every gate on by default is fed, or off with the reason."""
    text = template()
    text = re.sub(
        r"^# yaml-language-server: \$schema=\S+",
        f"# yaml-language-server: $schema={POLICY_SCHEMA_URL}",
        text,
        count=1,
    )
    text = _replace(
        text,
        'source: ["."]          # what the gates scan',
        f"source: {_flow(layout.source)}  # what the gates scan (detected)",
    )
    tests = layout.tests or ["tests/"]
    text = _replace(text, 'tests: ["tests/"]', f"tests: {_flow(tests)}")
    text = _coverage(text, layout)
    text = _semgrep(text, layout)
    text = _pip_audit(text, layout)
    return text


def _coverage(text: str, layout: Layout) -> str:
    if layout.tests and layout.pytest:
        # The gate runs the tests itself, so the first `gates check` has a report to read
        # (the pre-push hook passes --no-run and reads the one your last run left).
        branch = "" if layout.coverage_config else " --branch"
        text = _replace(
            text,
            "  # run:                 # let the gate produce the report",
            "  run:                   # the gate produces it, and .gates/junit.xml",
        )
        text = _replace(
            text,
            '  #   - "python -m coverage run --branch -m pytest -q --junitxml=.gates/junit.xml"\n'
            '  #   - "python -m coverage json -q"',
            f'    - "python -m coverage run{branch} -m pytest -q --junitxml=.gates/junit.xml '
            f'{" ".join(layout.tests)}"\n    - "python -m coverage json -q"',
        )
        if layout.coverage_config:
            text = _replace(
                text,
                "  report: coverage.json",
                f"  report: coverage.json  # coverage.py settings: {layout.coverage_config}",
            )
        return text
    why = "no tests/ folder found" if not layout.tests else "pytest is not installed here"
    text = _replace(
        text, "coverage:\n", f"coverage:\n  enabled: false         # {why}; enable with a coverage report\n"
    )
    return _replace(
        text,
        "readiness:\n",
        f"readiness:\n  enabled: false               # {why}: no JUnit results to score\n",
    )


def _semgrep(text: str, layout: Layout) -> str:
    if layout.semgrep:
        return text
    return _replace(
        text,
        "  semgrep:\n",
        "  semgrep:\n    enabled: false               # not installed here: pip install "
        '"ml-gates[semgrep]", then remove this line\n',
    )


def _pip_audit(text: str, layout: Layout) -> str:
    old = "    # requirements: [requirements.txt]  # pinned (==) files: only the service is contacted"
    if layout.requirements:
        return _replace(
            text,
            old,
            f"    requirements: {_flow(layout.requirements)}  # pinned (==): only the service is contacted",
        )
    if layout.pylock:
        return _replace(text, old, '    projects: ["."]              # audits pylock*.toml\n    locked: true')
    if layout.pyproject_deps:
        return _replace(
            text, old, '    projects: ["."]              # pyproject.toml (pip resolves it: needs PyPI)'
        )
    return _replace(
        text,
        old,
        "    enabled: false               # found no pinned requirements, pyproject dependencies or lock;\n"
        "    # requirements: [requirements.txt]  # set one of these, then remove enabled: false",
    )


def summary(layout: Layout) -> list[str]:
    """One line per choice `render` made that the user may want to change."""
    lines = [f"source {layout.source}, tests {layout.tests or 'none found'}"]
    if layout.tests and layout.pytest:
        lines.append("coverage and readiness: on; coverage.run runs your tests under coverage")
    else:
        lines.append(
            "coverage and readiness: off (" + ("no tests folder" if not layout.tests else "no pytest") + ")"
        )
    lines.append(
        "semgrep: on" if layout.semgrep else 'semgrep: off (pip install "ml-gates[semgrep]" to enable)'
    )
    if layout.requirements:
        lines.append(f"pip-audit: on, {', '.join(layout.requirements)}")
    elif layout.pylock or layout.pyproject_deps:
        lines.append("pip-audit: on, " + ("pylock*.toml" if layout.pylock else "pyproject.toml dependencies"))
    else:
        lines.append("pip-audit: off (no pinned requirements file, pyproject dependencies or lock file)")
    return lines

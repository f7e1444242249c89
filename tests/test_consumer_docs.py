"""docs/consumers.md describes only what was run: each shell command on it has its test.

Every line of the page's ``bash`` blocks (comments dropped, continuations joined) must be in
COVERED, which names the test that runs it; the named tests must exist. A new command on
the page fails here until a test runs it.
"""

from __future__ import annotations

import importlib
import re

from tests.conftest import REPO_ROOT

E2E = "tests.test_e2e_consumer::test_readme_quick_start_on_a_fresh_consumer"
HOOKS = "tests.test_wiring_hooks"
COVERED = {
    # the e2e installs this same requirement form from a committed snapshot of this checkout
    'python -m pip install "ml-gates @ git+https://github.com/OWNER/ml-gates@SHA"': E2E,
    "gates policy init": E2E,
    "gates policy validate": E2E,
    "gates check": E2E,
    "gates baseline update": E2E,
    'git add .gates/baseline.json policy.yaml && git commit -m "ml-gates baseline"': E2E,
    "pre-commit install": f"{HOOKS}::test_the_documented_hook_config_installs_and_runs_on_all_files",
    "pre-commit run --all-files": f"{HOOKS}::test_the_documented_hook_config_installs_and_runs_on_all_files",
    "pre-commit autoupdate --freeze --repo https://github.com/OWNER/ml-gates": (
        f"{HOOKS}::test_autoupdate_freeze_pins_the_release_tag_s_commit"
    ),
    "hook=$(grep -A1 'OWNER/ml-gates' .pre-commit-config.yaml | grep -oE '[0-9a-f]{40}')": (
        f"{HOOKS}::test_the_documented_pin_check_catches_two_different_shas"
    ),
    "grep -h 'OWNER/ml-gates/.github/workflows/' .github/workflows/*.yml | grep -oE '[0-9a-f]{40}' "
    '| sort -u | while read -r sha; do [ "$sha" = "$hook" ] || { echo "ml-gates pins differ: $sha vs $hook"; '
    "exit 1; }; done": f"{HOOKS}::test_the_documented_pin_check_catches_two_different_shas",
}


def documented_commands() -> list[str]:
    text = (REPO_ROOT / "docs" / "consumers.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        joined = block.replace("\\\n", "")
        for line in joined.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands.append(" ".join(line.split()))
    return commands


def test_every_documented_command_is_run_by_a_test() -> None:
    commands = documented_commands()
    assert "gates policy init" in commands  # the parser sees the page
    missing = [c for c in commands if c not in COVERED]
    assert missing == [], "commands on docs/consumers.md that no test runs"


def test_the_named_tests_exist() -> None:
    from tests.test_e2e_consumer import E2E_COMMANDS

    for command, node in COVERED.items():
        module, _, name = node.partition("::")
        assert callable(getattr(importlib.import_module(module), name)), node
        if node == E2E and command.startswith(("gates", "git")):
            assert command in E2E_COMMANDS, command

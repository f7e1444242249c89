"""Running mutmut (and our child script) in the work copy, within the policy's time budget.

mutmut forks one child per mutant, so a timeout must end the whole process group, not just
the parent. Its output goes to a log file in the work copy: it is long (a spinner) and only
its tail matters, to explain a failed setup step.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from gates.errors import ToolError
from gates.records import record

INSTALL_HINT = "install it with: pip install 'ml-gates[mutation]' (mutmut 3.x, in the same environment)"
CHILD_SCRIPT = Path(__file__).with_name("mutmut_child.py")
LOG_NAME = "gates-mutmut.log"
# pytest colours its output when PY_COLORS=1 or FORCE_COLOR is set (common in CI) whatever
# NO_COLOR says; escapes must never reach a message.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_LINE_LIMIT = 300
# How mutmut runs: the console script's entry point, without the cwd on sys.path.
_RUN_MUTMUT = (
    "import os, sys; sys.path[:] = [p for p in sys.path if p not in ('', '.', os.getcwd())]; "
    "sys.argv[0] = 'mutmut'; from mutmut.__main__ import cli; sys.exit(cli())"
)


def installed_mutmut_version() -> str | None:
    try:
        return metadata.version("mutmut")
    except metadata.PackageNotFoundError:
        return None


@record
class ProcessOutcome:
    returncode: int
    output: str
    timed_out: bool
    duration_s: float

    def tail(self, lines: int = 12) -> str:
        kept = [line for line in self.output.splitlines() if line.strip() and "\r" not in line][-lines:]
        # One line can be a list of thousands of test ids: keep each line short.
        return "\n".join(
            line if len(line) <= _LINE_LIMIT else f"{line[:_LINE_LIMIT]}... ({len(line)} characters)"
            for line in kept
        )


def run_in_work(
    argv: list[str],
    work: Path,
    *,
    timeout: float,
    stdin: str | None = None,
    log_name: str = LOG_NAME,
    cwd: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> ProcessOutcome:
    """Run ``argv`` in ``work`` (or ``cwd``) as its own process group; on timeout kill the whole group."""
    log_path = work / log_name
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "PY_COLORS": "0"}
    env.pop("MUTANT_UNDER_TEST", None)
    env.pop("FORCE_COLOR", None)
    env.update(extra_env or {})
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd or work,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                text=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise ToolError(f"could not start {argv[0]} ({exc}); {INSTALL_HINT}") from None
        timed_out = False
        try:
            proc.communicate(input=stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
        except BaseException:
            _kill_group(proc)
            raise
    output = _ANSI.sub("", log_path.read_text(encoding="utf-8", errors="replace"))
    return ProcessOutcome(proc.returncode, output, timed_out, time.monotonic() - started)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def child_argv(action: str, *extra: str) -> list[str]:
    return [sys.executable, str(CHILD_SCRIPT), action, *extra]


def mutmut_run_argv(names: list[str], max_children: int) -> list[str]:
    return [sys.executable, "-c", _RUN_MUTMUT, "run", "--max-children", str(max_children), *names]


# What mutmut prints when a setup step fails, and what the user should do about it.
_FAILURES: list[tuple[str, str]] = [
    (
        "failed to collect stats, no active tests found",
        "mutation.tests selects no test: check the paths and -k/-m expressions",
    ),
    (
        "failed to collect stats",
        "the tests fail before any mutation (mutmut's stats run, which runs the selected tests "
        "once unmutated, failed): fix the failing tests or narrow mutation.tests",
    ),
    (
        "Failed to run clean test",
        "the tests fail before any mutation (mutmut's clean run failed): fix the failing tests "
        "or narrow mutation.tests",
    ),
    (
        "Unable to force test failures",
        "mutmut's forced-fail run did not fail: the tests never reach the mutated code in "
        "mutants/ (they import another copy, or swallow every exception); make tests import the "
        "package normally and let unexpected exceptions fail them",
    ),
    (
        "could not find any test case for any mutant",
        "no selected test calls any mutated function: check that mutation.tests selects the tests "
        "of mutation.paths and that they import the package (not a path-inserted copy)",
    ),
    (
        "none match any mutant key",
        "the tests import the code under a different module path than mutmut expects (a pytest "
        "'pythonpath' setting or sys.path edits in conftest.py): use fully-qualified package imports",
    ),
    (
        "Failed to collect list of tests",
        "pytest could not collect the selected tests: check mutation.tests and mutation.pytest_args",
    ),
    (
        "Failed to run pytest with args",
        "pytest rejected the arguments: check mutation.tests and mutation.pytest_args",
    ),
]


def explain_failure(outcome: ProcessOutcome) -> str:
    """One message saying what failed and what to fix, with the end of mutmut's output."""
    output = outcome.output
    missing = _missing_module(output)
    if missing:
        return (
            f"a module is missing in mutmut's copy of the project (ModuleNotFoundError: {missing!r}); "
            f"add the file or directory that provides it to mutation.also_copy, or fix the import"
        )
    rejected = _rejected_test_ids(output)
    if rejected:
        return rejected
    crash = _crash_inside_mutmut(output)
    if crash:
        return (
            f"mutmut crashed in its own code ({crash}); it may not support the installed pytest or "
            f"Python: run 'gates mutation doctor' and upgrade mutmut (tested with 3.8.1). "
            f"mutmut said:\n{outcome.tail()}"
        )
    for marker, advice in _FAILURES:
        if marker in output:
            return f"{advice}. mutmut said:\n{outcome.tail()}"
    return f"mutmut exited with code {outcome.returncode}. Its output ended with:\n{outcome.tail()}"


def _rejected_test_ids(output: str) -> str | None:
    """mutmut's "Failed to run pytest with args: [...]" names every test id it passed (on a
    large project, kilobytes of them): say which kind of ids pytest could not find, and show a few."""
    import ast

    marker = "Failed to run pytest with args: "
    line = next((x for x in output.splitlines() if marker in x), None)
    if line is None:
        return None
    listed = line.split(marker, 1)[1]
    try:
        args = ast.literal_eval(listed[: listed.rindex("]") + 1])
    except (ValueError, SyntaxError):
        return None
    ids = [a for a in args if isinstance(a, str) and "::" in a]
    if not ids:
        return None
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    escaped = [i for i in ids if re.search(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})", i)]
    if escaped:
        cause = (
            f"{len(escaped)} of them hold non-ASCII text that pytest escaped ({escaped[0]}) and then "
            "cannot find (mutmut #556); the gate runs pytest with "
            "disable_test_id_escaping_and_forfeit_all_rights_to_community_support, so a stale "
            "mutmut-stats.json from an older run is the likely source: delete it from "
            "mutation.results_dir and run the full gate once"
        )
    else:
        cause = (
            "these tests no longer exist as recorded (renamed or removed since mutmut-stats.json was "
            "written); run the full gate once to refresh mutmut-stats.json in mutation.results_dir"
        )
    return f"pytest could not find or run {len(ids)} test id(s) mutmut passed to it ({shown}): {cause}"


def _missing_module(output: str) -> str | None:
    marker = "ModuleNotFoundError: No module named "
    for line in output.splitlines():
        if marker in line:
            return line.split(marker, 1)[1].strip().strip("'\"")
    return None


def _crash_inside_mutmut(output: str) -> str | None:
    """The error of a traceback whose innermost frame is in mutmut's own package."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("File ") and "/mutmut/" in line:
            rest = [entry for entry in lines[i + 1 : i + 6] if entry and not entry.startswith(" ")]
            if (
                rest
                and "Error" in rest[0]
                and not any(later.strip().startswith("File ") for later in lines[i + 1 : i + 4])
            ):
                return rest[0].strip()
    return None

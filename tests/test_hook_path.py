"""What a pre-commit hook run imports and starts: the 300 ms budget lives here, not in timings.

A hook (`gates models FILE...`) whose policy is already validated must not import pydantic
or PyYAML, must not start a process or a pool, and must still find what it should.
"""

from __future__ import annotations

import subprocess
import sys

# Each of these cost a hook run 10-180 ms of start-up; none is needed for a few files.
NOT_IN_A_HOOK = ("pydantic", "yaml", "multiprocessing", "concurrent.futures", "tempfile")

HOOK_RUN = """
import subprocess, sys
spawned = []
original = subprocess.Popen.__init__
def spy(self, *args, **kwargs):
    spawned.append(args[0] if args else kwargs.get("args"))
    original(self, *args, **kwargs)
subprocess.Popen.__init__ = spy
from gates.cli import main
code = main(["models", "--no-baseline", *sys.argv[1:]])
loaded = [name for name in {modules!r} if name in sys.modules]
print(code, loaded, spawned, file=sys.stderr)
"""


def _hook(files: list[str]) -> str:
    code = HOOK_RUN.format(modules=NOT_IN_A_HOOK)
    proc = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True, check=True)
    return proc.stderr.strip().splitlines()[-1]


def test_a_warm_hook_run_imports_and_starts_nothing_it_does_not_need(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\nfail_on: error\n")
    repo.write("train.py", "import torch\nmodel = torch.load('m.pt')\n")
    repo.write("util.py", "import json\nconfig = json.load(open('c.json'))\n")
    repo.commit("code")
    files = ["train.py", "util.py"]
    _hook(files)  # the first run validates the policy and fills the caches
    assert _hook(files) == "1 [] []"


def test_a_first_run_without_policy_file_validates_nothing(repo) -> None:  # type: ignore[no-untyped-def]
    # The embedded defaults need no validating; writing the first cache needs no tempfile
    # module either (atomic writes name their temp file themselves).
    repo.write("util.py", "import json\nconfig = json.load(open('c.json'))\n")
    repo.commit("code")
    assert _hook(["util.py"]) == "0 [] []"


# Issue #14 §5: start-up is most of a small run. A gate subcommand imports its own gate, not
# every gate (nor pkgutil to list them); pathspec only for patterns with wildcards; argparse
# without shutil; the reporters not asked for; PyYAML and pydantic only to validate a policy.
OTHER_GATES = tuple(
    f"gates.checks.{name}" for name in ("coreml", "coverage", "mutation", "readiness", "security")
)
NOT_AT_START_UP = (
    "pathspec",
    "pydantic",
    "yaml",
    "pkgutil",
    "shutil",
    "gates.report.sarif_format",
    *OTHER_GATES,
)

GATE_RUN = """
import sys
from gates.cli import main
code = main(sys.argv[1:])
print(code, [name for name in {modules!r} if name in sys.modules], file=sys.stderr)
"""


def _run(argv: list[str], modules: tuple[str, ...]) -> str:
    code = GATE_RUN.format(modules=modules)
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    return proc.stderr.strip().splitlines()[-1]


def test_a_gate_subcommand_imports_only_what_its_run_needs(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("a.py", "import torch\nx = torch.load('a.pt')\n")
    repo.commit("code")
    not_needed = (*NOT_AT_START_UP, "gates.checks.todo", "gates.report.text_format")
    assert _run(["models", "--code-only", "--format", "json"], not_needed) == "1 []"
    # With a policy whose paths are plain (this repository's kind), after its first run.
    repo.write("policy.yaml", "version: 1\npaths:\n  source: ['.']\n  exclude: ['tests/data/', 'build/']\n")
    _run(["models", "--code-only"], ())
    assert _run(["models", "--code-only", "--format", "json"], not_needed) == "1 []"


def test_a_clean_hook_run_computes_no_digest_and_reads_no_json(repo) -> None:  # type: ignore[no-untyped-def]
    # No finding to fingerprint, no baseline file, no policy file, text output: hashlib
    # (OpenSSL's start-up) and json are not needed.
    repo.write("a.py", "x = 1\n")
    repo.commit("code")
    assert _run(["todo", "a.py"], (*NOT_AT_START_UP, "gates.checks.models", "hashlib", "json")) == "0 []"

"""The README's consumer quick start, end to end, in a fresh virtualenv and a fresh repository.

A small consumer repository (a package, its tests, a pinned requirements file, one legacy
`pickle.load`) gets ml-gates installed from this working tree into a new virtualenv - a real
`pip install`, non-editable, as a user would; its dependencies come from the test venv's
site-packages (a `.pth` line) so the install needs no network - and then exactly what
docs/consumers.md says, in order:

    gates policy init          gates policy validate       gates check
    gates baseline update      gates check  (passes: only new findings block)

then the tests cover more, then less, and `gates check` still passes: the baselined
coverage-floor finding does not come back when the percentage moves either way.
The only step not in the docs: pip-audit is pointed at a local OSV server (no internet).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.security_osv import advisory, osv_server
from tests.wiring_support import GIT_IDENTITY, bundle_snapshot, commit_all, git, init_repo

# Every command of docs/consumers.md this test runs (tests/test_consumer_docs.py checks the
# page against it).
E2E_COMMANDS = [
    "gates policy init",
    "gates policy validate",
    "gates check",
    "gates baseline update",
    'git add .gates/baseline.json policy.yaml && git commit -m "ml-gates baseline"',
]

PRICING = """\
def total(price, qty):
    return price * qty


def discount(price, percent):
    if percent < 0 or percent > 100:
        raise ValueError(percent)
    return price * (100 - percent) / 100


def label(name):
    if not name:
        return "unnamed"
    return name.title()


def shipping(weight):
    if weight > 10:
        return 15
    if weight > 2:
        return 8
    return 4
"""
LEGACY = """\
import pickle


def load_cart(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)
"""
TESTS = """\
from shop.pricing import total


def test_total():
    assert total(2, 3) == 6
"""
MORE_TESTS = """\


def test_label():
    from shop.pricing import label

    assert label("") == "unnamed"
    assert label("ann") == "Ann"
"""


def _fresh_venv(root: Path) -> Path:
    """A new virtualenv with ml-gates pip-installed, the documented way, from this checkout.

    The requirement is the one docs/consumers.md gives (`ml-gates @ git+URL@SHA`), with the
    URL of a committed snapshot of this working tree instead of GitHub's. The venv has no pip
    or setuptools of its own: a `.pth` line lends it the test venv's site-packages (pip,
    setuptools, ml-gates' dependencies, pytest, coverage), so nothing is downloaded; the
    test venv's editable `gates` is not on that path (its own .pth is not processed there).
    """
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "parent-site.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    bundle, sha = bundle_snapshot()
    requirement = f"ml-gates @ git+file://{bundle}@{sha}"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    proc = subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", requirement], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root / "bin"


def _consumer(root: Path) -> None:
    init_repo(root)
    files = {
        "shop/__init__.py": "",
        "shop/pricing.py": PRICING,
        "shop/legacy.py": LEGACY,
        "tests/test_pricing.py": TESTS,
        "requirements.txt": "requests==2.19.0\n",
        ".gitignore": ".gates/cache/\n.gates/junit.xml\ncoverage.json\n.coverage\n__pycache__/\n",
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    commit_all(root, "shop")
    # a real project has its main branch on a remote: the starter's base is origin/main
    remote = root.parent / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(remote)], check=True)
    git(root, "remote", "add", "origin", str(remote))
    git(root, "fetch", "-q", "origin")


@pytest.mark.slow
def test_readme_quick_start_on_a_fresh_consumer(tmp_path: Path) -> None:
    bin_dir = _fresh_venv(tmp_path / "venv")
    root = tmp_path / "consumer"
    _consumer(root)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "PRE_COMMIT", "GATES_", "VIRTUAL_ENV"))
    }
    env.update(GIT_IDENTITY)
    # the fresh venv first; the test venv's bin last, for the console scripts of the
    # dependencies it lends (bandit, pip-audit), which a real install puts in the same bin
    env["PATH"] = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin", str(Path(sys.executable).parent)])
    env["GATES_CACHE_DIR"] = str(tmp_path / "cache")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[var] = "http://127.0.0.1:9"  # nothing but the local OSV server is reachable
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True, check=False
        )

    def check() -> tuple[int, dict[str, dict[str, object]]]:
        proc = run("gates check --format json --output report.json")
        assert (root / "report.json").is_file(), proc.stderr + proc.stdout
        report = json.loads((root / "report.json").read_text(encoding="utf-8"))
        (root / "report.json").unlink()
        gates = {g["name"]: g for g in report["gates"]}
        errors = {n: g["error"] for n, g in gates.items() if g["verdict"] == "error"}
        assert errors == {}
        assert proc.returncode in (0, 1), proc.stderr
        return proc.returncode, gates

    assert run("gates --version").stdout.strip().endswith(f"{__import__('gates').__version__}")
    assert str(bin_dir) in run("command -v gates").stdout  # the fresh install, not the test venv's

    init = run("gates policy init")
    assert init.returncode == 0, init.stderr
    policy = (root / "policy.yaml").read_text(encoding="utf-8")
    assert 'source: ["shop/"]' in policy and 'requirements: ["requirements.txt"]' in policy
    assert "python -m coverage run --branch -m pytest" in policy
    assert run("gates policy validate").returncode == 0

    with osv_server([advisory("PYSEC-2018-28", "requests", "2.20.0", aliases=("CVE-2018-18074",))]) as osv:
        # the one step that is not in the docs: no internet here, so a local OSV service
        (root / "policy.yaml").write_text(
            policy.replace("    service: osv\n", f"    service: osv\n    osv_url: {osv.url}\n"),
            encoding="utf-8",
        )
        code, gates = check()
        assert code == 1  # a legacy codebase: it has findings
        rules = {g: {f["rule_id"] for f in gates[g]["findings"]} for g in gates}
        assert "MS201" in rules["models"] and "PYSEC-2018-28" in rules["security"]
        assert "line-floor" in rules["coverage"]
        assert gates["security"]["metrics"].get("findings_new", 0) >= 1

        update = run("gates baseline update")
        assert update.returncode == 0, update.stderr + update.stdout
        commit = run(E2E_COMMANDS[-1])
        assert commit.returncode == 0, commit.stderr
        code, gates = check()
        assert code == 0, {n: g["findings"] for n, g in gates.items() if g["verdict"] == "fail"}
        floor = next(f for f in gates["coverage"]["findings"] if f["rule_id"] == "line-floor")
        assert floor["suppressed_by"] == "baseline"
        before = floor["message"]

        # coverage rises (still under the floor), then falls: the floor stays baselined
        with (root / "tests" / "test_pricing.py").open("a", encoding="utf-8") as handle:
            handle.write(MORE_TESTS)
        code, gates = check()
        risen = next(f for f in gates["coverage"]["findings"] if f["rule_id"] == "line-floor")
        assert risen["message"] != before and risen["suppressed_by"] == "baseline"
        assert code == 0
        (root / "tests" / "test_pricing.py").write_text(TESTS, encoding="utf-8")
        (root / "shop" / "pricing.py").write_text(
            PRICING + "\n\ndef unused(x):\n    return x * 2\n", encoding="utf-8"
        )
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "more code, fewer tests")
        git(root, "push", "-q", "origin", "HEAD:main")
        git(root, "fetch", "-q", "origin")
        code, gates = check()
        fallen = next(f for f in gates["coverage"]["findings"] if f["rule_id"] == "line-floor")
        assert fallen["message"] != before and fallen["suppressed_by"] == "baseline"
        assert code == 0, {n: g["findings"] for n, g in gates.items() if g["verdict"] == "fail"}
    assert sys.executable not in run("command -v python").stdout

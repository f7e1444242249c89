"""The models gate end to end through the CLI, on temporary repositories."""

from __future__ import annotations

import json
import sys

from conftest import run_gates_subprocess

POLICY = """\
version: 1
model_safety:
  model_files: {enabled: false}
"""


def _json(out: str) -> dict:  # type: ignore[type-arg]
    report = json.loads(out)
    return next(g for g in report["gates"] if g["name"] == "models")


def test_unsafe_load_fails_with_exit_1_and_json_findings(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("src/train.py", "import torch\nstate = torch.load('m.pt')\n")
    result = run_cli("models", "--format", "json")
    assert result.code == 1
    gate = _json(result.out)
    assert gate["verdict"] == "fail"
    (finding,) = gate["findings"]
    assert (finding["rule_id"], finding["path"], finding["line"]) == ("MS101", "src/train.py", 2)
    assert finding["help_uri"].endswith("docs/rules/MS101.md")


def test_clean_code_passes_with_exit_0(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("src/train.py", "import torch\nstate = torch.load('m.pt', weights_only=True)\n")
    result = run_cli("models", "--format", "json")
    assert result.code == 0, result.out
    assert _json(result.out)["metrics"]["code_files"] == 1


def test_warnings_do_not_fail_but_severity_override_does(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("net.py", "import requests\nrequests.get('https://x')\n")
    assert run_cli("models").code == 0
    repo.write("policy.yaml", POLICY + "  severity: {MS701: error}\n")
    assert run_cli("models").code == 1
    repo.write("policy.yaml", POLICY + "  severity: {MS701: 'off'}\n")
    result = run_cli("models", "--format", "json")
    assert result.code == 0 and _json(result.out)["findings"] == []


def test_unknown_rule_in_severity_is_a_usage_error(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY + "  severity: {MS999: error}\n")
    repo.write("a.py", "x = 1\n")
    result = run_cli("models")
    assert result.code == 2
    assert "MS999" in result.out + result.err


def test_waiver_by_bandit_id_matches(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "policy.yaml",
        POLICY
        + "  waivers:\n    - {rule: B614, path: legacy.py, reason: old checkpoints, expires: 2099-01-01}\n",
    )
    repo.write("legacy.py", "import torch\ntorch.load('m.pt')\n")
    result = run_cli("models", "--format", "json")
    assert result.code == 0, result.out
    (finding,) = _json(result.out)["findings"]
    assert finding["suppressed_by"] == "waiver"


def test_inline_suppression_passes_and_bare_one_fails(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("a.py", "import torch\ntorch.load('m.pt')  # gates: ignore[MS101] our own trainer's output\n")
    assert run_cli("models").code == 0
    repo.write("a.py", "import torch\ntorch.load('m.pt')  # gates: ignore[MS101]\n")
    result = run_cli("models", "--format", "json")
    assert result.code == 1
    rules = sorted(f["rule_id"] for f in _json(result.out)["findings"])
    assert rules == ["MS101", "MS901"]


def test_syntax_error_fails_closed(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("broken.py", "import torch\ndef f(:\n    torch.load(p)\n")
    result = run_cli("models", "--format", "json")
    assert result.code == 1
    (finding,) = _json(result.out)["findings"]
    assert finding["rule_id"] == "MS000" and finding["line"] == 2


def test_explicit_paths_respect_excludes(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY + "paths:\n  exclude: ['vendor/']\n")
    repo.write("vendor/x.py", "import pickle\npickle.loads(b'')\n")
    repo.write("own.py", "import pickle\npickle.loads(b'')\n")
    assert run_cli("models", "vendor/x.py").code == 0
    assert run_cli("models", "own.py").code == 1


def test_files_only_skips_code_rules(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\n")
    repo.write("a.py", "import pickle\npickle.loads(b'')\n")
    result = run_cli("models", "--files-only", "--format", "json")
    assert result.code == 0, result.out
    assert "code_files" not in _json(result.out)["metrics"]
    assert run_cli("models", "--code-only").code == 1


def test_default_run_does_code_and_model_files(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\n")
    repo.write("a.py", "x = 1\n")
    result = run_cli("models", "--format", "json")
    metrics = _json(result.out)["metrics"]
    assert "code_files" in metrics
    assert any(not key.startswith("code_") and key not in ("findings", "findings_new") for key in metrics)


def test_subprocess_exit_codes_and_lazy_imports(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("a.py", "import yaml\nyaml.load('a: 1')\n")
    proc = run_gates_subprocess("models", "a.py", cwd=repo.root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "MS601" in proc.stdout
    probe = (
        "import sys, gates.cli; gates.cli.build_parser(); import gates.checks.models; "
        "print(sorted(m for m in ('libcst', 'torch', 'gates.checks.models.analyzer') if m in sys.modules))"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_trust_remote_code_allowlist_needs_the_pinned_revision(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    sha = "0123456789abcdef0123456789abcdef01234567"
    repo.write(
        "policy.yaml",
        POLICY + f"  trust_remote_code_allow:\n    - {{model: org/m, revision: '{sha}', reason: reviewed}}\n",
    )
    code = "from transformers import AutoModel\n"
    code += "AutoModel.from_pretrained('org/m', revision={rev!r}, trust_remote_code=True)\n"
    repo.write("a.py", code.format(rev=sha))
    assert run_cli("models").code == 0
    repo.write("a.py", code.format(rev="f" * 40))
    result = run_cli("models", "--format", "json")
    assert result.code == 1
    assert [f["rule_id"] for f in _json(result.out)["findings"]] == ["MS401"]


def test_bare_torch_load_accepted_only_when_policy_says_torch_2_6_and_not_explicit(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("a.py", "import torch\ntorch.load('m.pt')\ntorch.load('m.pt', weights_only=False)\n")
    repo.write("policy.yaml", POLICY + "  min_torch_version: '2.6'\n")
    assert run_cli("models").code == 1
    repo.write("policy.yaml", POLICY + "  min_torch_version: '2.6'\n  require_explicit_weights_only: false\n")
    result = run_cli("models", "--format", "json")
    assert [(f["rule_id"], f["line"]) for f in _json(result.out)["findings"]] == [("MS101", 3)]
    repo.write("policy.yaml", POLICY + "  min_torch_version: '2.4'\n  require_explicit_weights_only: false\n")
    result = run_cli("models", "--format", "json")
    assert [(f["rule_id"], f["line"]) for f in _json(result.out)["findings"]] == [("MS101", 2), ("MS101", 3)]


def test_sarif_output_carries_rule_help_uri(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("a.py", "import yaml\nyaml.unsafe_load('a: 1')\n")
    result = run_cli("models", "--format", "sarif")
    assert result.code == 1
    sarif = json.loads(result.out)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert any(r.get("helpUri", "").endswith("docs/rules/MS601.md") for r in rules)


def test_source_paths_holding_no_python_fail_closed(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY + "paths:\n  source: ['src/']\n")
    repo.write("pkg/a.py", "import pickle\npickle.loads(b'')\n")
    result = run_cli("models", "--code-only", "--format", "json")
    assert result.code == 2, result.out
    gate = _json(result.out)
    assert gate["verdict"] == "error" and "paths.source" in gate["error"]
    # A pre-commit run whose files hold no Python has nothing to check: that is no error.
    repo.write("notes.md", "hello\n")
    assert run_cli("models", "--code-only", "notes.md").code == 0

"""``gates coreml`` end to end with real torch and coremltools: conversions, failures, parity skip.

One module-scoped run converts every example model (an MLP, a small conv net and a tiny
transformer block, each by trace and by export) plus a model coremltools cannot convert, so
the cost of importing torch and coremltools is paid once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, run_gates_subprocess

EXAMPLES = REPO_ROOT / "examples" / "coreml_models.py"
LINUX_ONLY = pytest.mark.skipif(sys.platform == "darwin", reason="Core ML predicts on macOS")

CONVERTIBLE = {
    # name: (factory, capture, precision, inputs [(name, shape)], outputs [(name, shape)])
    "mlp-trace": ("tiny_mlp", "trace", "fp32", [("features", [4, 16])], [("output", [4, 10])]),
    "mlp-export": ("tiny_mlp", "export", "fp16", [("features", [4, 16])], [("output", [4, 10])]),
    "conv-trace": ("small_convnet", "trace", "fp16", [("image", [1, 3, 32, 32])], [("output", [1, 5])]),
    "conv-export": ("small_convnet", "export", "fp32", [("image", [1, 3, 32, 32])], [("output", [1, 5])]),
    "block-trace": (
        "tiny_transformer_block",
        "trace",
        "fp16",
        [("tokens", [2, 6, 32]), ("mask", [2, 6])],
        [("hidden", [2, 6, 32]), ("logits", [2, 12])],
    ),
    "block-export": (
        "tiny_transformer_block",
        "export",
        "fp32",
        [("tokens", [2, 6, 32]), ("mask", [2, 6])],
        [("hidden", [2, 6, 32]), ("logits", [2, 12])],
    ),
}
UNSUPPORTED = {"det-trace": "trace", "det-export": "export"}
BRANCHY = """\
import torch


class Branchy(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # data-dependent control flow: torch.export refuses it
            return x * 2
        return x - 1


def branchy():
    return Branchy(), (torch.ones(2, 3),)
"""


def _policy() -> str:
    lines = ["version: 1", "coreml:", "  artifact_dir: build/coreml", "  models:"]
    for name, (factory, capture, precision, _inputs, outputs) in CONVERTIBLE.items():
        lines.append(
            f"    - {{name: {name}, factory: 'zoo.models:{factory}', capture: {capture}, "
            f"precision: {precision}, output_names: {[o for o, _ in outputs]}}}"
        )
    for name, capture in UNSUPPORTED.items():
        lines.append(
            f"    - {{name: {name}, factory: 'zoo.models:unsupported_determinant', capture: {capture}}}"
        )
    lines.append("    - {name: branchy-export, factory: 'zoo.extra:branchy', capture: export}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("coreml-project")
    (root / "zoo").mkdir()
    (root / "zoo" / "__init__.py").write_text("")
    shutil.copy(EXAMPLES, root / "zoo" / "models.py")
    (root / "zoo" / "extra.py").write_text(BRANCHY)
    (root / "policy.yaml").write_text(_policy())
    # Files the gate must never import: a module that would shadow coremltools, and a sibling.
    (root / "coremltools.py").write_text("raise RuntimeError('the project shadowed coremltools')\n")
    (root / "zoo" / "tripwire.py").write_text("open('TRIPWIRE', 'w').write('imported')\n")
    proc = run_gates_subprocess("coreml", "--format", "json", cwd=root)
    assert proc.stdout, proc.stderr
    report = json.loads(proc.stdout)
    gate = report["gates"][0]
    return {
        "root": root,
        "proc": proc,
        "report": report,
        "gate": gate,
        "models": {m["name"]: m for m in gate["details"]["models"]},
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONVERTIBLE))
def test_model_converts_with_torch_structure(converted: dict[str, Any], name: str) -> None:
    _factory, capture, precision, inputs, outputs = CONVERTIBLE[name]
    model = converted["models"][name]
    assert model["status"] == "converted", model.get("message")
    assert model["capture"] == capture and model["precision"] == precision
    assert model["structure_problems"] == []
    assert [(i["name"], i["shape"], i["dtype"]) for i in model["inputs"]] == [
        (n, s, "FLOAT32") for n, s in inputs
    ]
    assert [(o["name"], o["shape"], o["dtype"]) for o in model["outputs"]] == [
        (n, s, "FLOAT32") for n, s in outputs
    ]
    package = converted["root"] / model["package"]
    assert model["package"] == f"build/coreml/{name}.mlpackage"
    assert (package / "Manifest.json").is_file()
    metrics = converted["gate"]["metrics"]
    assert metrics[f"{name}.convert_s"] > 0
    assert metrics[f"{name}.ops"] == model["op_count"] > 0
    assert metrics[f"{name}.package_bytes"] == model["package_bytes"] > 1000
    assert model["package"] in converted["gate"]["details"]["packages"]


@pytest.mark.slow
def test_saved_spec_matches_the_report(converted: dict[str, Any]) -> None:
    """Reload one package independently and compare with what the gate reported."""
    import coremltools as ct

    model = converted["models"]["block-export"]
    spec = ct.utils.load_spec(str(converted["root"] / model["package"]))
    assert spec.WhichOneof("Type") == "mlProgram"
    assert [f.name for f in spec.description.output] == ["hidden", "logits"]
    assert [list(f.type.multiArrayType.shape) for f in spec.description.input] == [[2, 6, 32], [2, 6]]
    assert "linear" in model["op_types"] and "layer_norm" in model["op_types"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unconvertible_op_is_a_finding_naming_it(converted: dict[str, Any], name: str) -> None:
    model = converted["models"][name]
    assert model["status"] == "convert_failed"
    assert model["unsupported_op"] == "linalg_det"
    [finding] = [f for f in converted["gate"]["findings"] if f["message"].startswith(f"model '{name}'")]
    assert finding["rule_id"] == "coreml.unsupported-op"
    assert finding["severity"] == "error"
    assert "coremltools cannot convert op 'linalg_det'" in finding["message"]
    assert finding["path"] == "policy.yaml"


@pytest.mark.slow
def test_failed_conversions_fail_the_gate_without_crashing(converted: dict[str, Any]) -> None:
    proc = converted["proc"]
    assert proc.returncode == 1, proc.stderr
    assert converted["gate"]["verdict"] == "fail"
    assert converted["gate"]["error"] is None
    assert converted["gate"]["metrics"]["models_converted"] == len(CONVERTIBLE)
    assert converted["gate"]["metrics"]["models_failed"] == len(UNSUPPORTED) + 1


@pytest.mark.slow
def test_capture_failure_is_a_finding(converted: dict[str, Any]) -> None:
    model = converted["models"]["branchy-export"]
    assert model["status"] == "capture_failed"
    [finding] = [
        f for f in converted["gate"]["findings"] if f["message"].startswith("model 'branchy-export'")
    ]
    assert finding["rule_id"] == "coreml.capture-failed"
    assert (
        "torch.export failed: GuardOnDataDependentSymNode: Could not guard on data-dependent"
        in finding["message"]
    )


@pytest.mark.slow
def test_project_files_other_than_the_factory_are_never_imported(converted: dict[str, Any]) -> None:
    assert not (converted["root"] / "TRIPWIRE").exists()
    assert converted["gate"]["details"]["environment"]["coremltools"] == "9.0"  # not the shadow


@pytest.mark.slow
@LINUX_ONLY
def test_parity_is_reported_as_not_run_on_linux(converted: dict[str, Any]) -> None:
    gate = converted["gate"]
    assert gate["metrics"]["parity_run"] == 0
    assert gate["metrics"]["parity_not_run"] == len(CONVERTIBLE)
    assert gate["metrics"]["mlp-trace.parity_run"] == 0
    assert converted["models"]["mlp-trace"]["parity"] == {"status": "not_run", "reason": "needs macOS"}
    skipped = [f for f in gate["findings"] if f["rule_id"] == "coreml.parity-not-run"]
    assert len(skipped) == len(CONVERTIBLE) and all(f["severity"] == "note" for f in skipped)
    assert any("parity not run (needs macOS)" in note for note in gate["notes"])


@pytest.mark.slow
def test_torch_newer_than_tested_is_a_warning(converted: dict[str, Any]) -> None:
    warnings = [f for f in converted["gate"]["findings"] if f["rule_id"] == "coreml.torch-untested"]
    environment = converted["gate"]["details"]["environment"]

    def release(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split("+")[0].split(".")[:3])

    if release(environment["torch"]) > release(environment["torch_max_tested"]):
        assert [w["severity"] for w in warnings] == ["warning"]
    else:
        assert warnings == []


def _write_project(root: Path, body: str, factory_module: str) -> None:
    (root / "pkg").mkdir(exist_ok=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "factories.py").write_text(factory_module)
    (root / "policy.yaml").write_text("version: 1\ncoreml:\n  artifact_dir: out-coreml\n  models:\n" + body)


BROKEN_FACTORIES = """\
import torch

def only_model():
    return torch.nn.Linear(2, 2)

def not_a_module():
    return "model", (torch.zeros(1, 2),)

def raises():
    raise ValueError("weights not found")

def fine():
    return torch.nn.Linear(2, 3), torch.zeros(1, 2)
"""


@pytest.mark.slow
def test_broken_factories_are_a_clear_error(tmp_path: Path) -> None:
    _write_project(
        tmp_path,
        "    - {name: missing-module, factory: 'pkg.nowhere:build'}\n"
        "    - {name: missing-function, factory: 'pkg.factories:build'}\n"
        "    - {name: only-model, factory: 'pkg.factories:only_model'}\n"
        "    - {name: not-a-module, factory: 'pkg.factories:not_a_module'}\n"
        "    - {name: raises, factory: 'pkg.factories:raises'}\n"
        "    - {name: bad-argmax, factory: 'pkg.factories:fine', argmax_outputs: [logits]}\n"
        "    - {name: fine, factory: 'pkg.factories:fine'}\n",
        BROKEN_FACTORIES,
    )
    proc = run_gates_subprocess("coreml", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    gate = json.loads(proc.stdout)["gates"][0]
    assert gate["verdict"] == "error"
    error = gate["error"]
    assert "policy.yaml:5:" in error
    assert "cannot import 'pkg.nowhere' for factory 'pkg.nowhere:build': ModuleNotFoundError" in error
    assert "module 'pkg.factories' has no attribute 'build'" in error
    assert "must return (model, example_inputs); it returned a torch.nn.modules.linear.Linear" in error
    assert "returned a builtins.str as the model; expected a torch.nn.Module" in error
    assert "factory 'pkg.factories:raises' raised ValueError: weights not found" in error
    assert "argmax_outputs names 'logits', which is not an output (['output'])" in error
    models = {m["name"]: m for m in gate["details"]["models"]}
    # Factories are checked before anything converts: a broken one stops the run early.
    assert models["fine"]["status"] == "skipped"
    assert not (tmp_path / "out-coreml").exists()
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.slow
@LINUX_ONLY
def test_require_prediction_makes_the_missing_predictor_an_error(tmp_path: Path) -> None:
    _write_project(tmp_path, "    - {name: fine, factory: 'pkg.factories:fine'}\n", BROKEN_FACTORIES)
    # As the macOS workflow sets it (coreml-smoke.yml); --require-prediction is the same switch.
    proc = run_gates_subprocess("coreml", cwd=tmp_path, env={"GATES_COREML_REQUIRE_PREDICTION": "true"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        "Core ML prediction is required (require_prediction) but cannot run here (needs macOS)" in proc.stdout
    )


def test_require_prediction_sources() -> None:
    import argparse

    from gates.checks.coreml import REQUIRE_PREDICTION_ENV, require_prediction
    from gates.policy.sections.coreml import CoreMLSection

    off = CoreMLSection()
    assert not require_prediction(off, argparse.Namespace(), {})
    assert require_prediction(CoreMLSection(require_prediction=True), argparse.Namespace(), {})
    assert require_prediction(off, argparse.Namespace(require_prediction=True), {})
    assert require_prediction(off, argparse.Namespace(), {REQUIRE_PREDICTION_ENV: "1"})
    assert not require_prediction(off, argparse.Namespace(), {REQUIRE_PREDICTION_ENV: "0"})


def test_no_models_is_a_skip(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("version: 1\ncoreml:\n  models: []\n")
    proc = run_gates_subprocess("coreml", "--format", "json", cwd=tmp_path)
    gate = json.loads(proc.stdout)["gates"][0]
    assert (proc.returncode, gate["verdict"], gate["notes"]) == (
        0,
        "skipped",
        ["no models listed in coreml.models"],
    )


def test_gate_module_and_help_stay_light() -> None:
    code = (
        "import argparse, sys, gates.checks.coreml as gate\n"
        "parser = argparse.ArgumentParser()\n"
        "gate.GATE.add_arguments(parser)\n"
        "assert parser.parse_args(['--require-prediction']).require_prediction\n"
        "heavy = [m for m in ('torch', 'coremltools', 'numpy') if m in sys.modules]\n"
        "from gates.cli import build_parser\n"
        "args = build_parser().parse_args(['coreml', '--require-prediction', 'a.py'])\n"
        "assert args.require_prediction and args.paths == ['a.py']\n"
        "heavy += [m for m in ('torch', 'coremltools') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""

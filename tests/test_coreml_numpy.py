"""coremltools 9.0 with numpy >= 2.4: the extra pins numpy below it, and the gate names the versions.

numpy 2.4 made ``int()`` of a 1-element array an error; coremltools 9.0 converts ``aten::Int``
that way, so a model computing ``int(h * w)`` failed as an "unsupported op 'int'" finding, which
blamed the model for the environment (#13 item 23; apple/coremltools#2633).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import tomllib

from gates.checks.coreml.failures import numpy_incompatibility
from gates.checks.coreml.results import Outcome, build_result
from gates.findings import Verdict
from gates.policy.loader import parse_policy_text
from tests.conftest import REPO_ROOT, run_gates_subprocess

MESSAGE = "TypeError: only 0-dimensional arrays can be converted to Python scalars"
FLATTEN = """\
import torch


class Flatten(torch.nn.Module):
    def forward(self, x):
        n = int(x.shape[2] * x.shape[3])  # traced as aten::Int on a 1-element tensor
        return x.reshape(x.shape[0], x.shape[1], n)


def flatten():
    return Flatten(), (torch.randn(1, 3, 4, 4),)
"""


def _outcome(environment: dict[str, Any]) -> Outcome:
    policy = "version: 1\ncoreml:\n  models:\n    - {name: flat, factory: 'zoo.models:flatten'}\n"
    loaded = parse_policy_text(policy, Path("/repo/policy.yaml"))
    record = {"kind": "model", "name": "flat", "status": "convert_failed", "message": MESSAGE, "op": "int"}
    return Outcome(
        section=loaded.policy.coreml,
        loaded=loaded,
        root=Path("/repo"),
        records={"flat": record},
        environment=environment,
        prediction_unavailable="needs macOS",
        require_prediction=False,
    )


def test_the_failure_under_numpy_2_4_is_an_error_naming_the_versions() -> None:
    result = build_result(_outcome({"coremltools": "9.0", "numpy": "2.4.1"}))
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    assert "coremltools 9.0 does not support numpy 2.4.1" in result.error
    assert "install 'numpy<2.4'" in result.error
    assert not [f for f in result.findings if f.rule_id == "coreml.unsupported-op"]


def test_the_same_text_under_an_older_numpy_stays_a_conversion_finding() -> None:
    assert numpy_incompatibility(MESSAGE, {"coremltools": "9.0", "numpy": "2.3.5"}) is None
    assert numpy_incompatibility("ValueError: other", {"numpy": "2.4.0"}) is None
    result = build_result(_outcome({"coremltools": "9.0", "numpy": "2.3.5"}))
    assert result.verdict is not Verdict.ERROR
    assert [f.rule_id for f in result.findings] == ["coreml.unsupported-op"]


def test_the_coreml_extra_pins_numpy_below_2_4_and_the_venv_honours_it() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert "numpy<2.4" in project["optional-dependencies"]["coreml"]
    import numpy

    major, minor = (int(part) for part in re.findall(r"\d+", numpy.__version__)[:2])
    assert (major, minor) < (2, 4), f"the venv has numpy {numpy.__version__}; reinstall '.[coreml]'"


@pytest.mark.slow
def test_a_model_with_int_of_a_shape_converts_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "zoo").mkdir()
    (tmp_path / "zoo" / "__init__.py").write_text("")
    (tmp_path / "zoo" / "models.py").write_text(FLATTEN)
    (tmp_path / "policy.yaml").write_text(
        "version: 1\ncoreml:\n  artifact_dir: build/coreml\n  models:\n"
        "    - {name: flat, factory: 'zoo.models:flatten', capture: trace}\n"
    )
    proc = run_gates_subprocess("coreml", "--format", "json", cwd=tmp_path)
    assert proc.stdout, proc.stderr
    (gate,) = json.loads(proc.stdout)["gates"]
    (model,) = gate["details"]["models"]
    assert model["status"] == "converted", model.get("message")
    assert gate["details"]["environment"]["numpy"].startswith(("1.", "2.0", "2.1", "2.2", "2.3"))
    assert proc.returncode == 0, gate

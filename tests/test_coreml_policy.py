"""The ``coreml:`` policy section: defaults, tolerances per precision, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.errors import PolicyError
from gates.policy.loader import parse_policy_text
from gates.policy.sections.coreml import CoreMLModel, CoreMLSection


def test_defaults() -> None:
    section = CoreMLSection()
    assert section.models == []
    assert section.artifact_dir == ".gates/coreml"
    assert section.require_prediction is False
    model = CoreMLModel(name="m", factory="pkg.mod:build")
    assert (model.capture, model.precision, model.compute_units) == ("trace", "fp16", "CPU_ONLY")
    assert model.deployment_target == "iOS16"


def test_tolerances_follow_precision_and_compute_units() -> None:
    strict = CoreMLModel(name="a", factory="p:f", precision="fp32")
    assert (strict.effective_atol, strict.effective_rtol) == (1e-4, 1e-5)
    half = CoreMLModel(name="b", factory="p:f", precision="fp16")
    assert (half.effective_atol, half.effective_rtol) == (1e-2, 1e-2)
    # The neural engine computes in fp16 whatever the program says.
    on_ane = CoreMLModel(name="c", factory="p:f", precision="fp32", compute_units="ALL")
    assert (on_ane.effective_atol, on_ane.effective_rtol) == (1e-2, 1e-2)
    explicit = CoreMLModel(name="d", factory="p:f", precision="fp16", atol=0.05, rtol=0.0)
    assert (explicit.effective_atol, explicit.effective_rtol) == (0.05, 0.0)


def _load(body: str) -> None:
    parse_policy_text("version: 1\ncoreml:\n" + body, Path("policy.yaml"))


def test_factory_must_be_module_colon_function() -> None:
    with pytest.raises(PolicyError) as caught:
        _load("  models:\n    - name: m\n      factory: pkg/mod.py\n")
    assert str(caught.value).startswith("policy.yaml:5:16:")
    assert "factory" in str(caught.value)


def test_unknown_capture_and_target_are_rejected() -> None:
    with pytest.raises(PolicyError, match="capture"):
        _load("  models:\n    - {name: m, factory: 'p:f', capture: script}\n")
    with pytest.raises(PolicyError, match="deployment_target"):
        _load("  models:\n    - {name: m, factory: 'p:f', deployment_target: iOS14}\n")


def test_model_names_are_distinct() -> None:
    with pytest.raises(PolicyError, match="two models are named 'm'"):
        _load("  models:\n    - {name: m, factory: 'p:f'}\n    - {name: m, factory: 'q:g'}\n")


def test_unknown_keys_are_errors() -> None:
    with pytest.raises(PolicyError, match="tolerance"):
        _load("  models:\n    - {name: m, factory: 'p:f', tolerance: 0.1}\n")

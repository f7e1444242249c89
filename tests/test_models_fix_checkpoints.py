"""``--fix`` never breaks a working load: real checkpoints, built with torch, loaded by the
fixed code. Each pattern --fix refuses is shown to break under the unsafe fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

POLICY = "version: 1\nmodel_safety:\n  model_files: {enabled: false}\n"
MODEL = "model = torch.nn.Linear(2, 2)\n"

# name -> (what the surrounding code saved, the code that loads it)
SAFE = {
    "state_dict": "model.load_state_dict(torch.load(PATH))\n",
    "state_dict_strict": "model.load_state_dict(torch.load(PATH, map_location='cpu'), strict=True)\n",
}
REFUSED = {
    "whole_module": "model = torch.load(PATH)\n",
    "namespace": "ckpt = torch.load(PATH)\nmodel.load_state_dict(ckpt['model'])\nlr = ckpt['args'].lr\n",
    "numpy": "stats = torch.load(PATH)\nmean = stats['mean'].sum()\n",
    "extra_keys": "model.load_state_dict(torch.load(PATH), strict=False)\n",
}


def _checkpoints(directory: Path) -> None:
    import argparse

    import numpy as np

    model = torch.nn.Linear(2, 2)
    torch.save(model.state_dict(), directory / "state_dict.pt")
    torch.save(model.state_dict(), directory / "state_dict_strict.pt")
    torch.save(model, directory / "whole_module.pt")
    torch.save({"model": model.state_dict(), "args": argparse.Namespace(lr=0.1)}, directory / "namespace.pt")
    torch.save({"mean": np.zeros(3)}, directory / "numpy.pt")
    torch.save({**model.state_dict(), "hparams": argparse.Namespace(lr=0.1)}, directory / "extra_keys.pt")


_RUNNER = """\
import json, runpy, sys
results = {}
for name in sys.argv[1:]:
    try:
        runpy.run_path(f"load_{name}.py", run_name="__main__")
        results[name] = "loaded"
    except Exception as exc:
        results[name] = type(exc).__name__
print(json.dumps(results))
"""


def _run_all(root: Path, names: list[str]) -> dict[str, str]:
    # The programs were written for torch before 2.6, whose bare torch.load unpickled anything;
    # this variable gives that default back (an explicit weights_only=True still wins).
    env = {**os.environ, "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"}
    proc = subprocess.run(
        [sys.executable, "runner.py", *names], cwd=root, capture_output=True, text=True, check=True, env=env
    )
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_fix_keeps_every_load_working_and_refuses_what_would_break(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    _checkpoints(repo.root)
    repo.write("runner.py", _RUNNER)
    sources = {}
    for name, code in {**SAFE, **REFUSED}.items():
        text = f"import torch\nPATH = {name + '.pt'!r}\n{MODEL}{code}"
        sources[name] = text
        repo.write(f"load_{name}.py", text)
    names = sorted(sources)
    assert set(_run_all(repo.root, names).values()) == {"loaded"}  # every load works as written

    result = run_cli("models", "--fix")
    assert "unsafe fixes left" in result.err
    for name in SAFE:
        assert "weights_only=True" in (repo.root / f"load_{name}.py").read_text()
    for name in REFUSED:
        assert (repo.root / f"load_{name}.py").read_text() == sources[name]
    assert set(_run_all(repo.root, names).values()) == {"loaded"}  # still working after --fix

    # What --fix refused would have broken each of these programs.
    run_cli("models", "--fix", "--unsafe-fixes")
    after = _run_all(repo.root, names)
    assert {after[name] for name in SAFE} == {"loaded"}
    assert {after[name] for name in REFUSED} == {"UnpicklingError"}


def test_unsafe_finding_says_what_it_would_break(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    repo.write("a.py", "import torch\nckpt = torch.load('c.pt')\n")
    report = json.loads(run_cli("models", "--format", "json").out)
    (finding,) = next(g for g in report["gates"] if g["name"] == "models")["findings"]
    assert "torch.serialization.add_safe_globals" in finding["message"]
    assert "argparse.Namespace" in finding["message"]

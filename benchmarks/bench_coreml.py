"""Conversion time of each Core ML test model: bare coremltools beside `gates coreml`.

Run: .venv/bin/python benchmarks/bench_coreml.py [--runs 3]

Peer: a plain script doing what a user would write by hand (capture + ct.convert + save, in
one process). Gate: `gates coreml` on a temp project listing the same models, which adds a
converter subprocess, the spec reload and the structure checks. Prints a Markdown table: per
model the median capture and convert seconds of each, then the whole-run wall times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODELS = {
    # name: (factory in examples/coreml_models.py, capture, precision)
    "mlp-trace": ("tiny_mlp", "trace", "fp32"),
    "mlp-export": ("tiny_mlp", "export", "fp16"),
    "conv-trace": ("small_convnet", "trace", "fp16"),
    "conv-export": ("small_convnet", "export", "fp32"),
    "block-trace": ("tiny_transformer_block", "trace", "fp16"),
    "block-export": ("tiny_transformer_block", "export", "fp32"),
}

PEER = r"""
import json, sys, time
started = time.perf_counter()
import numpy as np, torch, coremltools as ct
sys.path.insert(0, sys.argv[1])
from examples import coreml_models
imported = time.perf_counter() - started
out = {"import_s": imported}
for name, (factory, capture, precision) in json.loads(sys.argv[2]).items():
    model, example = getattr(coreml_models, factory)()
    model.eval()
    args = tuple(example.values()) if isinstance(example, dict) else tuple(example)
    names = list(example) if isinstance(example, dict) else [f"x{i}" for i in range(len(args))]
    t0 = time.perf_counter()
    with torch.no_grad():
        if capture == "trace":
            graph = torch.jit.trace(model, args)
        else:
            graph = torch.export.export(model, args).run_decompositions({})
    t1 = time.perf_counter()
    mlmodel = ct.convert(
        graph,
        inputs=[ct.TensorType(name=n, shape=a.shape, dtype=np.float32) for n, a in zip(names, args)],
        convert_to="mlprogram",
        minimum_deployment_target=ct.target.iOS16,
        compute_precision=ct.precision.FLOAT16 if precision == "fp16" else ct.precision.FLOAT32,
        skip_model_load=True,
    )
    t2 = time.perf_counter()
    mlmodel.save(f"{sys.argv[3]}/{name}.mlpackage")
    out[name] = {"capture_s": t1 - t0, "convert_s": t2 - t1}
print(json.dumps(out))
"""


def peer_run(scratch: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEER, str(REPO), json.dumps(MODELS), str(scratch)],
        capture_output=True,
        text=True,
        check=True,
        env={"TQDM_DISABLE": "1", "PATH": "/usr/bin:/bin"},
    )
    return time.perf_counter() - started, json.loads(proc.stdout.strip().splitlines()[-1])


def gate_run(project: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "coreml", "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    gate = json.loads(proc.stdout)["gates"][0]
    if gate["metrics"].get("models_converted") != len(MODELS):
        raise SystemExit(f"gate run did not convert every model: {gate}")
    return wall, gate["metrics"]


def make_project(root: Path) -> None:
    (root / "examples").mkdir()
    (root / "examples" / "__init__.py").write_text("")
    shutil.copy(REPO / "examples" / "coreml_models.py", root / "examples" / "coreml_models.py")
    lines = ["version: 1", "coreml:", "  artifact_dir: packages", "  models:"]
    for name, (factory, capture, precision) in MODELS.items():
        lines.append(
            f"    - {{name: {name}, factory: 'examples.coreml_models:{factory}', "
            f"capture: {capture}, precision: {precision}}}"
        )
    (root / "policy.yaml").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    peer_walls: list[float] = []
    gate_walls: list[float] = []
    peer: dict[str, dict[str, list[float]]] = {n: {"capture_s": [], "convert_s": []} for n in MODELS}
    gate: dict[str, dict[str, list[float]]] = {n: {"capture_s": [], "convert_s": []} for n in MODELS}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        make_project(project)
        scratch = Path(tmp) / "peer"
        scratch.mkdir()
        for _ in range(args.runs):  # alternate so load on the machine hits both alike
            wall, figures = peer_run(scratch)
            peer_walls.append(wall)
            for name in MODELS:
                for key in ("capture_s", "convert_s"):
                    peer[name][key].append(figures[name][key])
            wall, metrics = gate_run(project)
            gate_walls.append(wall)
            for name in MODELS:
                for key in ("capture_s", "convert_s"):
                    gate[name][key].append(metrics[f"{name}.{key}"])
    med = statistics.median
    print(f"runs: {args.runs} (medians); torch and coremltools from {sys.prefix}\n")
    print(
        "| model | capture | precision | peer capture s | peer convert s | gate capture s | gate convert s |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (_factory, capture, precision) in MODELS.items():
        print(
            f"| {name} | {capture} | {precision} | {med(peer[name]['capture_s']):.2f} | "
            f"{med(peer[name]['convert_s']):.2f} | {med(gate[name]['capture_s']):.2f} | "
            f"{med(gate[name]['convert_s']):.2f} |"
        )
    peer_wall, gate_wall = med(peer_walls), med(gate_walls)
    print(
        f"\nwhole run, 6 models: peer script {peer_wall:.1f} s, `gates coreml` {gate_wall:.1f} s "
        f"({gate_wall / peer_wall:.2f}x)"
    )


if __name__ == "__main__":
    main()

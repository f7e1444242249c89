"""Recall, false alarms, peak memory and time: ml-gates' model-file scan beside picklescan.

Run: .venv/bin/pip install -e '.[bench]'      # picklescan 1.0.5 (benchmark-only)
     .venv/bin/python benchmarks/bench_model_file_corpus.py [--large-mb 64] [--only large]

Builds a corpus in a temp dir, none of it loaded by this script:

- malicious: the payloads of the test suite (each would run ``touch <canary>``), including the
  parser differentials of issue #15 (the frame overrun in a raw pickle, a ``.bin`` zip, a
  ``.npy`` object array, a joblib object array; bytes after STOP in a frame; a misplaced PROTO);
- benign: files the ecosystem writes, made with the real libraries when they are installed
  (torch checkpoints, TorchScript, a whole pickled module, an ``argparse.Namespace``
  checkpoint, joblib arrays, and transformers' ``training_args.bin``, a pandas DataFrame,
  scikit-learn pipelines and forests when those are importable);
- large: a memo-heavy pickle and a pickle of ``N0`` pairs of ``--large-mb`` MiB each, a pickle of
  short strings (DataFrame-like) of the same size, and a 10 MB-class zip of 100 members of
  500 KiB ``N0`` pickles.

Each file is scanned by each tool in a fresh interpreter (its peak RSS, ``VmHWM``, is printed
with the in-process scan time). ml-gates runs with the default policy
and with every opt-in preset (``trust: [hf-trainer, argparse, pandas, sklearn, torch-modules]``).
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import model_file_payloads as payloads  # noqa: E402 (after the path tweak)

_PROBE = """
import json, resource, sys, time
path, tool = sys.argv[1], sys.argv[2]
# The machine is shared: a tool that needs more than this address space fails here
# (reported as out of memory) instead of pushing others into swap.
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
if tool == "picklescan":
    from picklescan.scanner import scan_file_path
    started, cpu = time.perf_counter(), time.process_time()
    result = scan_file_path(path)
    flagged, error = result.issues_count > 0 or result.infected_files > 0, bool(result.scan_err)
    detail = "scan error" if error else ("issues" if flagged else "")
else:
    from pathlib import Path
    from gates.checks.models.model_files import scan_model_files
    from gates.policy.sections.model_files import ModelFilesSettings
    opt_in = ["pandas", "sklearn", "torch-modules"] if tool == "gates+presets" else []
    started, cpu = time.perf_counter(), time.process_time()
    settings = ModelFilesSettings(trust=["hf-trainer", "argparse", *opt_in])
    found = scan_model_files(Path(path).parent, [Path(path).name], settings, timeout=900)
    rules = sorted({f.rule_id for f in found.findings})
    flagged, error, detail = bool(rules), False, ",".join(rules)
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
# VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the benchmark's own size.
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
out = {"flagged": flagged, "error": error, "detail": detail, "seconds": seconds, "cpu": cpu, "peak_mib": peak}
print(json.dumps(out))
"""
TOOLS = ("gates", "gates+presets", "picklescan")


def malicious(root: Path, canary: Path) -> dict[str, str]:
    import joblib
    import numpy as np

    reduce_pickle = pickle.dumps(payloads.reduce_object(canary), protocol=2)
    files = {
        "reduce_os_system.pkl": (payloads.reduce_os_system(canary), "REDUCE os.system"),
        "stack_global_memo.pkl": (payloads.stack_global_via_memo(canary), "STACK_GLOBAL via memo"),
        "inst_protocol0.pkl": (payloads.inst_protocol0(canary), "INST os.system"),
        "obj_protocol1.pkl": (payloads.obj_protocol1(canary), "OBJ posix.system"),
        "getattr_chain.pkl": (payloads.getattr_chain(canary), "getattr/__import__ chain"),
        "importlib.pkl": (payloads.importlib_import_module(canary), "importlib.import_module"),
        "py2_eval.pkl": (payloads.python2_builtin_eval(canary), "__builtin__.eval"),
        "pytorch_model.bin": (payloads.torch_like_zip(reduce_pickle), "torch zip under .bin"),
        "encrypted_flag.pt": (
            payloads.set_encrypted_flag(payloads.torch_like_zip(reduce_pickle), "archive/data.pkl"),
            "member flagged encrypted",
        ),
        "frame_overrun.pkl": (payloads.frame_overrun(canary), "frame overrun, raw pickle"),
        "frame_overrun.bin": (
            payloads.torch_like_zip(payloads.frame_overrun(canary)),
            "frame overrun, torch zip",
        ),
        "frame_overrun.npy": (
            payloads.npy_object_array(payloads.frame_overrun(canary, reader_buffer=8192 - 128)),
            "frame overrun, .npy object array",
        ),
        "frame_overrun.joblib": (
            payloads.joblib_with_object_array(lambda _: payloads.frame_overrun(canary)),
            "frame overrun, joblib object array",
        ),
        "after_stop_in_frame.pkl": (
            payloads.bytes_after_stop_in_frame(canary),
            "bytes after STOP in a frame",
        ),
        "misplaced_proto.pkl": (payloads.misplaced_proto(canary), "PROTO in the middle"),
    }
    for name, (data, _) in files.items():
        (root / name).write_bytes(data)
    rng = np.random.default_rng(0)
    joblib.dump(
        {"coef": rng.random((200, 50)), "hook": payloads.reduce_object(canary)}, root / "after_array.joblib"
    )
    return {name: what for name, (_, what) in files.items()} | {
        "after_array.joblib": "payload after a joblib array"
    }


def benign(root: Path) -> dict[str, str]:
    import argparse as argparse_module

    import joblib
    import numpy as np
    import torch

    torch.manual_seed(0)
    state = {f"layer{i}.weight": torch.randn(128, 128) for i in range(40)}
    torch.save(state, root / "checkpoint.pt")
    torch.save(state, root / "checkpoint_legacy.pt", _use_new_zipfile_serialization=False)
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.LayerNorm(4))
    torch.jit.save(torch.jit.script(net), root / "torchscript.pt")
    torch.save(net, root / "whole_module.pt")
    namespace = argparse_module.Namespace(arch="transformer_lm", lr=[5e-4])
    torch.save({"args": namespace, "model": state}, root / "fairseq_checkpoint.pt")
    joblib.dump({"coef": np.random.default_rng(0).random((200, 50))}, root / "arrays.joblib")
    np.save(root / "array.npy", np.arange(1000.0))
    files = {
        "checkpoint.pt": "torch state_dict",
        "checkpoint_legacy.pt": "torch state_dict, legacy format",
        "torchscript.pt": "TorchScript",
        "whole_module.pt": "torch.save(model) (opt-in preset)",
        "fairseq_checkpoint.pt": "argparse.Namespace checkpoint",
        "arrays.joblib": "joblib arrays",
        "array.npy": "numpy array",
    }
    try:
        import transformers

        args = transformers.TrainingArguments(output_dir=str(root / "out"), report_to=[])
        torch.save(args, root / "training_args.bin")
        files["training_args.bin"] = f"HF Trainer training_args.bin (transformers {transformers.__version__})"
    except ImportError:
        pass
    try:
        import pandas as pd

        pd.DataFrame({"a": np.arange(100), "b": ["x"] * 100}).to_pickle(root / "frame.pkl")
        files["frame.pkl"] = "pandas DataFrame (opt-in preset)"
    except ImportError:
        pass
    try:
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        features = np.random.default_rng(0).random((50, 3))
        labels = (features[:, 0] > 0.5).astype(int)
        pipe = Pipeline([("s", StandardScaler()), ("m", LogisticRegression())]).fit(features, labels)
        joblib.dump(pipe, root / "pipeline.joblib")
        (root / "forest.pkl").write_bytes(
            pickle.dumps(RandomForestClassifier(n_estimators=3).fit(features, labels))
        )
        files["pipeline.joblib"] = "scikit-learn pipeline (opt-in preset)"
        files["forest.pkl"] = "scikit-learn forest (opt-in preset)"
    except ImportError:
        pass
    return files


def large(root: Path, megabytes: int) -> dict[str, str]:
    size = megabytes * 1024 * 1024
    (root / "memo_heavy.pkl").write_bytes(b"\x80\x04N" + b"\x94" * (size - 4) + b".")
    (root / "n0_pairs.pkl").write_bytes(b"\x80\x04" + b"N0" * ((size - 4) // 2) + b"N.")
    strings = [f"s{i:07d}" for i in range(size // 13)]
    (root / "strings.pkl").write_bytes(pickle.dumps(strings, protocol=4))
    member = b"\x80\x04" + b"N0" * (250 * 1024) + b"N."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(100):
            archive.writestr(f"part{index}.pkl", member)
    (root / "n0_members.zip").write_bytes(buffer.getvalue())
    return {
        "memo_heavy.pkl": f"{megabytes} MiB: PROTO, NONE, MEMOIZE x{size - 4:,}",
        "n0_pairs.pkl": f"{megabytes} MiB of NONE/POP pairs",
        "strings.pkl": f"{(root / 'strings.pkl').stat().st_size / 2**20:.0f} MiB list of short strings",
        "n0_members.zip": f"{(root / 'n0_members.zip').stat().st_size / 1024:.0f} KiB zip, 100 x 500 KiB N0",
    }


def probe(path: Path, tool: str) -> dict[str, object]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path), tool],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return {
            "flagged": False,
            "error": True,
            "detail": "timeout 900 s",
            "seconds": 900.0,
            "cpu": 0.0,
            "peak_mib": 0.0,
        }
    if done.returncode != 0:
        out_of_memory = done.returncode < 0 or "MemoryError" in done.stderr
        killed = "out of memory (over 3 GiB)" if out_of_memory else f"exit {done.returncode}"
        return {
            "flagged": False,
            "error": True,
            "detail": killed,
            "seconds": 0.0,
            "cpu": 0.0,
            "peak_mib": 0.0,
        }
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def cell(result: dict[str, object]) -> str:
    verdict = "FAIL" if result["flagged"] else ("error" if result["error"] else "pass")
    detail = f" {result['detail']}" if result["detail"] else ""
    seconds, cpu, peak = (float(result[key]) for key in ("seconds", "cpu", "peak_mib"))  # type: ignore[arg-type]
    return f"{verdict}{detail} · {cpu:.2f} s CPU ({seconds:.2f} s wall) · {peak:.0f} MiB"


def table(root: Path, cases: dict[str, str], kind: str) -> dict[str, list[dict[str, object]]]:
    print(f"\n### {kind}\n")
    print("| file | what it is | " + " | ".join(TOOLS) + " |")
    print("|---|---|" + "---|" * len(TOOLS))
    results: dict[str, list[dict[str, object]]] = {tool: [] for tool in TOOLS}
    for name, what in cases.items():
        row = []
        for tool in TOOLS:
            result = probe(root / name, tool)
            results[tool].append(result)
            row.append(cell(result))
        print(f"| {name} | {what} | " + " | ".join(row) + " |", flush=True)
    return results


def summary(label: str, results: dict[str, list[dict[str, object]]], flagged_is_good: bool) -> None:
    for tool, rows in results.items():
        hits = sum(bool(r["flagged"]) or bool(r["error"]) for r in rows)
        errors = sum(bool(r["error"]) and not r["flagged"] for r in rows)
        seconds = sum(float(r["cpu"]) for r in rows)  # type: ignore[arg-type]
        peak = max(float(r["peak_mib"]) for r in rows)  # type: ignore[arg-type]
        what = "not passed" if flagged_is_good else "flagged"
        print(
            f"- {label}, {tool}: {what} {hits}/{len(rows)} (of which scan errors {errors});"
            f" scan CPU time {seconds:.1f} s in all; highest peak RSS {peak:.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large-mb", type=int, default=64)
    parser.add_argument("--only", choices=("malicious", "benign", "large"))
    args = parser.parse_args()
    try:
        import picklescan  # noqa: F401
    except ImportError:
        sys.exit("picklescan is not installed: .venv/bin/pip install picklescan==1.0.5")
    with tempfile.TemporaryDirectory() as tmp:
        canary = Path(tmp) / "canary-never-created"
        for kind in ("malicious", "benign", "large"):
            if args.only not in (None, kind):
                continue
            root = Path(tmp) / kind
            root.mkdir()
            if kind == "large":
                cases = large(root, args.large_mb)
            elif kind == "benign":
                cases = benign(root)
            else:
                cases = malicious(root, canary)
            results = table(root, cases, kind)
            print()
            summary(kind, results, flagged_is_good=kind != "benign")
        print(f"\nCanary created: {canary.exists()}")


if __name__ == "__main__":
    main()

"""`gates models --files-only` beside picklescan on the same model files, in one run.

Run: .venv/bin/pip install -e '.[bench,dev]'   # picklescan (benchmark-only), joblib
     .venv/bin/python benchmarks/bench_model_files.py [--runs 5] [--mb 8]

Builds, in a temp git repository: a real torch checkpoint of about ``--mb`` MiB (many
tensors, like a small transformer's state dict), the same in torch's legacy format, and
the malicious and damaged files from the test suite (each would run ``touch`` if loaded;
nothing here loads them). Then, per file, it runs both CLIs as subprocesses (interpreter
start included) and both scanners in-process, and prints Markdown tables: wall times with
ratios, and which tool flagged which file (picklescan default and ``--strict``).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import model_file_payloads as payloads  # noqa: E402 (after the path tweak)

BIN = Path(sys.executable).parent


def real_checkpoint(target: Path, megabytes: int, legacy: bool) -> None:
    import torch

    torch.manual_seed(0)
    width = 128  # ~300 tensors for 8 MiB, like a small transformer's state dict
    layers = max(1, (megabytes * 1024 * 1024) // (4 * (4 * width * width + 6 * width)))
    state: dict[str, object] = {}
    for layer in range(layers):
        for name in ("q", "k", "v", "o"):
            state[f"layers.{layer}.attn.{name}.weight"] = torch.randn(width, width)
            state[f"layers.{layer}.attn.{name}.bias"] = torch.zeros(width)
        state[f"layers.{layer}.norm.weight"] = torch.ones(width)
        state[f"layers.{layer}.norm.bias"] = torch.zeros(width)
    torch.save(state, target, _use_new_zipfile_serialization=not legacy)


def corpus(root: Path, megabytes: int) -> dict[str, str]:
    """Write the files; return name -> what it is ("clean" or the attack)."""
    canary = root.parent / "canary-never-created"
    cases: dict[str, tuple[bytes | None, str]] = {}
    real_checkpoint(root / "real_checkpoint.pt", megabytes, legacy=False)
    real_checkpoint(root / "real_checkpoint_legacy.pt", megabytes, legacy=True)
    clean = {"real_checkpoint.pt": "clean", "real_checkpoint_legacy.pt": "clean"}
    import joblib
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    joblib.dump({"coef": rng.random((200, 50)), "classes": np.array(["a", "b"])}, root / "arrays.joblib")
    joblib.dump(
        {"coef": rng.random((200, 50)), "hook": payloads.reduce_object(canary)},
        root / "payload_after_array.joblib",
    )
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU())
    torch.jit.save(torch.jit.script(net), root / "torchscript.pt")
    clean |= {"arrays.joblib": "clean", "torchscript.pt": "clean"}
    joblib_cases = {"payload_after_array.joblib": "joblib: payload after a numpy array"}

    def torch_zip(data_pkl: bytes) -> bytes:
        return payloads.torch_like_zip(data_pkl)

    reduce_pickle = pickle.dumps(payloads.reduce_object(canary), protocol=2)
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as outer:
        outer.writestr("inner/model.pt", torch_zip(reduce_pickle))
    object_npy = io.BytesIO()
    np.save(object_npy, np.array([payloads.reduce_object(canary)], dtype=object), allow_pickle=True)
    custom = b"\x80\x02cmypkg.models\nConfig\n)\x81."
    cases.update(
        {
            "reduce_os_system.pkl": (payloads.reduce_os_system(canary), "REDUCE os.system (protocol 0)"),
            "stack_global_memo.pkl": (payloads.stack_global_via_memo(canary), "STACK_GLOBAL via memo"),
            "inst_protocol0.pkl": (payloads.inst_protocol0(canary), "INST os.system"),
            "obj_protocol1.pkl": (payloads.obj_protocol1(canary), "OBJ posix.system"),
            "getattr_chain.pkl": (payloads.getattr_chain(canary), "builtins.getattr/__import__ chain"),
            "importlib.pkl": (payloads.importlib_import_module(canary), "importlib.import_module"),
            "py2_eval.pkl": (payloads.python2_builtin_eval(canary), "__builtin__.eval"),
            "pytorch_model.bin": (torch_zip(reduce_pickle), "torch zip under .bin"),
            "encrypted_flag.pt": (
                payloads.set_encrypted_flag(torch_zip(reduce_pickle), "archive/data.pkl"),
                "torch zip, member flagged encrypted",
            ),
            "nested.zip": (nested.getvalue(), "torch zip inside a zip"),
            "weights.txt": (reduce_pickle, "pickle under a .txt name"),
            "frame.pkl.gz": (gzip.compress(reduce_pickle), "gzip-wrapped pickle"),
            "object_array.npy": (object_npy.getvalue(), ".npy object array with payload"),
            "dotted_walk.pt": (
                b"\x80\x04\x8c\x05torch\x8c\x10_utils.os.system\x93\x8c\x02id\x85R.",
                "torch + '_utils.os.system' attribute walk",
            ),
            "custom_class.pkl": (custom, "unknown global mypkg.models.Config"),
            "trailing_bytes.bin": (
                payloads.reduce_os_system(canary) + b"\n# text after STOP\n",
                "protocol-0 pickle + bytes after STOP",
            ),
            "proto1_header.dat": (b"\x80\x01" + payloads.reduce_os_system(canary), "PROTO 1 header"),
            "truncated.pkl": (payloads.reduce_os_system(canary)[:-1], "truncated malicious pickle"),
            "corrupt.pt": (b"PK\x03\x04" + b"\x00junk" * 40, "corrupt zip"),
            "lfs_pointer.bin": (payloads.lfs_pointer(), "Git LFS pointer"),
        }
    )
    for name, (data, _) in cases.items():
        if data is not None:
            (root / name).write_bytes(data)
    tarred = io.BytesIO()
    with tarfile.open(fileobj=tarred, mode="w:gz") as archive:
        info = tarfile.TarInfo("export/model.pkl")
        info.size = len(reduce_pickle)
        archive.addfile(info, io.BytesIO(reduce_pickle))
    (root / "export.tar.gz").write_bytes(tarred.getvalue())
    joblib_cases["export.tar.gz"] = "pickle inside a .tar.gz"
    return clean | joblib_cases | {name: what for name, (_, what) in cases.items()}


def run(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def gates_verdict(name: str, root: Path) -> str:
    _, proc = run([str(BIN / "gates"), "models", "--files-only", "--format", "json", name], root)
    if proc.returncode not in (0, 1):
        return f"error (exit {proc.returncode})"
    [gate] = json.loads(proc.stdout)["gates"]
    rules = sorted({f["rule_id"] for f in gate["findings"]})
    return ("FAIL " + ",".join(rules)) if proc.returncode == 1 else "pass"


def picklescan_verdict(name: str, root: Path, strict: bool) -> str:
    _, proc = run([str(BIN / "picklescan"), *(["--strict"] if strict else []), "--path", name], root)
    return {0: "pass", 1: "FAIL", 2: "scan error"}.get(proc.returncode, f"exit {proc.returncode}")


def main() -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # torch.jit.script/save
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=8, help="size of the real checkpoint")
    args = parser.parse_args()
    if not (BIN / "picklescan").exists():
        sys.exit("picklescan is not installed: .venv/bin/pip install picklescan==1.0.5")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / "policy.yaml").write_text(
            "version: 1\nmodel_safety:\n  code_rules: false\n", encoding="utf-8"
        )
        cases = corpus(root, args.mb)
        print_timings(root, args.runs)
        print_detection(root, cases)


def print_timings(root: Path, runs: int) -> None:
    from picklescan.scanner import scan_file_path

    from gates.checks.models.model_files import scan_model_files
    from gates.policy.sections.model_files import ModelFilesSettings

    settings = ModelFilesSettings()
    print("| file | size | tool | CLI wall (median) | in-process scan (median) |")
    print("|---|---|---|---|---|")
    for name in ("real_checkpoint.pt", "real_checkpoint_legacy.pt"):
        size = (root / name).stat().st_size / (1024 * 1024)
        ours_cli = statistics.median(
            run([str(BIN / "gates"), "models", "--files-only", name], root)[0] for _ in range(runs)
        )
        theirs_cli = statistics.median(
            run([str(BIN / "picklescan"), "--path", name], root)[0] for _ in range(runs)
        )
        ours = median_time(lambda n=name: scan_model_files(root, [n], settings), runs)  # type: ignore[misc]
        theirs = median_time(lambda n=name: scan_file_path(str(root / n)), runs)  # type: ignore[misc]
        print(f"| {name} | {size:.1f} MiB | gates | {ours_cli * 1000:.0f} ms | {ours * 1000:.1f} ms |")
        print(
            f"| {name} | {size:.1f} MiB | picklescan | {theirs_cli * 1000:.0f} ms"
            f" ({theirs_cli / ours_cli:.2f}x gates) | {theirs * 1000:.1f} ms ({theirs / ours:.2f}x gates) |"
        )
    print()


def print_detection(root: Path, cases: dict[str, str]) -> None:
    print("| file | what it is | gates | picklescan | picklescan --strict |")
    print("|---|---|---|---|---|")
    caught = {"gates": 0, "picklescan": 0, "strict": 0}
    attacks = 0
    for name, what in cases.items():
        ours = gates_verdict(name, root)
        theirs = picklescan_verdict(name, root, strict=False)
        strict = picklescan_verdict(name, root, strict=True)
        if what != "clean":
            attacks += 1
            caught["gates"] += ours.startswith("FAIL")
            caught["picklescan"] += theirs != "pass"
            caught["strict"] += strict != "pass"
        print(f"| {name} | {what} | {ours} | {theirs} | {strict} |")
    print()
    print(
        f"Not passed (of {attacks} unsafe or unscannable files): gates {caught['gates']},"
        f" picklescan {caught['picklescan']}, picklescan --strict {caught['strict']}."
    )
    canary = root.parent / "canary-never-created"
    print(f"Canary created: {canary.exists()}")


if __name__ == "__main__":
    main()

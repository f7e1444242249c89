"""Each rule of the ML semgrep pack fires on its positive example and is silent on its negative."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from gates.checks.security.semgrep import OFFLINE_ENV, RULE_PACK, semgrep_argv

# Lines marked "# expect" are where the rule must fire, and the only ones.
POSITIVE = {
    "ml-gates.tarfile-extractall-without-filter": """
        import shutil
        import tarfile
        def unpack(archive, dest):
            with tarfile.open(archive) as tar:
                tar.extractall(dest)  # expect
            shard = tarfile.open(archive, "r:gz")
            shard.extract("labels.csv", dest)  # expect
            shutil.unpack_archive(archive, dest)  # expect
    """,
    "ml-gates.eval-exec-dynamic-code": """
        import builtins
        def build(cfg, args):
            act = eval(cfg["model"]["activation"])  # expect
            exec(args.hook)  # expect
            return builtins.eval(act)  # expect
    """,
    "ml-gates.subprocess-shell-dynamic-command": """
        import os
        import subprocess
        def train(args):
            subprocess.run(f"torchrun --nproc {args.gpus} train.py", shell=True)  # expect
            subprocess.check_output("ls " + args.data_dir, shell=True)  # expect
            os.system(f"nvidia-smi -i {args.gpu}")  # expect
    """,
    "ml-gates.tempfile-mktemp": """
        import tempfile
        ckpt = tempfile.mktemp(suffix=".pt")  # expect
    """,
    "ml-gates.weak-hash-integrity-check": """
        import hashlib
        def verify(data, expected):
            h = hashlib.md5(data, usedforsecurity=False)
            if h.hexdigest() != expected:  # expect
                raise ValueError("corrupt shard")
            assert hashlib.sha1(data).hexdigest() == expected  # expect
    """,
    "ml-gates.tls-verification-disabled": """
        import ssl
        import httpx
        import requests
        weights = requests.get("https://models.example.com/w.bin", verify=False, timeout=10)  # expect
        data = httpx.get("https://data.example.com/d.parquet", verify=False)  # expect
        session = requests.Session()
        session.verify = False  # expect
        ctx = ssl._create_unverified_context()  # expect
    """,
    "ml-gates.hardcoded-ml-credential": """
        import os
        import openai
        import wandb
        import huggingface_hub
        wandb.login(key="3f0a9c1e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a")  # expect
        huggingface_hub.login(token="hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345")  # expect
        os.environ["MLFLOW_TRACKING_PASSWORD"] = "s3cr3t-passw0rd"  # expect
        openai.api_key = "sk-abcdefghijklmnopqrstuvwxyz"  # expect
    """,
    "ml-gates.plain-http-artifact-download": """
        import urllib.request
        import requests
        import torch
        torch.hub.download_url_to_file("http://models.example.com/resnet.pth", "resnet.pth")  # expect
        urllib.request.urlretrieve("http://data.example.com/train.csv", "train.csv")  # expect
        blob = requests.get("http://models.example.com/w.bin", timeout=10)  # expect
    """,
    "ml-gates.gradio-public-share": """
        import gradio as gr
        demo = gr.Interface(fn=lambda x: x, inputs="text", outputs="text")
        demo.launch(share=True)  # expect
        demo.launch(server_port=7860, share=True)  # expect
    """,
}

NEGATIVE = {
    "ml-gates.tarfile-extractall-without-filter": """
        import tarfile
        def unpack(archive, dest):
            with tarfile.open(archive) as tar:
                tar.extractall(dest, filter="data")
    """,
    "ml-gates.eval-exec-dynamic-code": """
        import ast
        def build(cfg):
            return ast.literal_eval(cfg["model"]["layers"]), eval("1 + 1")
    """,
    "ml-gates.subprocess-shell-dynamic-command": """
        import subprocess
        def train(args):
            subprocess.run(["torchrun", "--nproc", str(args.gpus), "train.py"], check=True)
            subprocess.run("nvidia-smi", shell=True)
    """,
    "ml-gates.tempfile-mktemp": """
        import tempfile
        fd, ckpt = tempfile.mkstemp(suffix=".pt")
    """,
    "ml-gates.weak-hash-integrity-check": """
        import hashlib
        def verify(data, expected):
            if hashlib.sha256(data).hexdigest() != expected:
                raise ValueError("corrupt shard")
            cache_key = hashlib.md5(data, usedforsecurity=False).hexdigest()
            return cache_key
    """,
    "ml-gates.tls-verification-disabled": """
        import requests
        weights = requests.get("https://models.example.com/w.bin", verify="/etc/ca.pem", timeout=10)
    """,
    "ml-gates.hardcoded-ml-credential": """
        import os
        import huggingface_hub
        import wandb
        wandb.login(key=os.environ["WANDB_API_KEY"])
        os.environ["WANDB_API_KEY"] = ""
        huggingface_hub.login(token="<your token>")
        os.environ["EPOCHS"] = "100000000"
    """,
    "ml-gates.plain-http-artifact-download": """
        import torch
        torch.hub.download_url_to_file("https://models.example.com/resnet.pth", "resnet.pth")
        torch.hub.download_url_to_file("http://localhost:8000/resnet.pth", "local.pth")
    """,
    "ml-gates.gradio-public-share": """
        import gradio as gr
        demo = gr.Interface(fn=lambda x: x, inputs="text", outputs="text")
        demo.launch(share=False)
        demo.launch(share=True, auth=("team", "from-env"))
    """,
}


def _slug(rule_id: str) -> str:
    return rule_id.split(".", 1)[1].replace("-", "_")


@pytest.fixture(scope="module")
def pack_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, int]]]:
    """Run semgrep once over every example; map each file to the rule ids that fired."""
    root = tmp_path_factory.mktemp("rules")
    files = []
    for kind, examples in (("pos", POSITIVE), ("neg", NEGATIVE)):
        for rule_id, code in examples.items():
            name = f"{kind}_{_slug(rule_id)}.py"
            (root / name).write_text(textwrap.dedent(code), encoding="utf-8")
            files.append(name)
    semgrep = Path(sys.executable).parent / "semgrep"
    argv = [str(semgrep), *semgrep_argv([str(RULE_PACK)], files, 120)[1:]]
    proc = subprocess.run(
        argv, cwd=root, capture_output=True, text=True, env={**_env(), **OFFLINE_ENV}, check=False
    )
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    assert data["errors"] == []
    fired: dict[str, set[tuple[str, int]]] = {name: set() for name in files}
    for result in data["results"]:
        fired[result["path"]].add((result["check_id"], result["start"]["line"]))
    return fired


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_every_rule_in_the_pack_has_examples() -> None:
    ids = {
        rule["id"] for path in RULE_PACK.glob("*.yaml") for rule in yaml.safe_load(path.read_text())["rules"]
    }
    assert ids == set(POSITIVE) == set(NEGATIVE)


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", sorted(POSITIVE))
def test_rule_fires_on_positive(pack_results: dict[str, set[tuple[str, int]]], rule_id: str) -> None:
    source = textwrap.dedent(POSITIVE[rule_id]).splitlines()
    expected = {(rule_id, number) for number, line in enumerate(source, start=1) if line.endswith("# expect")}
    assert expected
    assert pack_results[f"pos_{_slug(rule_id)}.py"] == expected


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", sorted(NEGATIVE))
def test_rule_is_silent_on_negative(pack_results: dict[str, set[tuple[str, int]]], rule_id: str) -> None:
    assert pack_results[f"neg_{_slug(rule_id)}.py"] == set()


def test_rules_carry_a_cwe_and_an_ml_gates_id() -> None:
    for path in RULE_PACK.glob("*.yaml"):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            assert rule["id"].startswith("ml-gates."), rule["id"]
            assert rule["metadata"]["cwe"], rule["id"]


def test_pack_is_a_package_so_setuptools_ships_its_yaml() -> None:
    from importlib.resources import files

    import gates.rules

    assert files(gates.rules).joinpath("ml-security.yaml").is_file()
    assert Path(gates.rules.__file__).parent == RULE_PACK

"""Issue #14's patterns from real repositories, each built in a temp repo and run through the CLI.

The false-negative cases failed before the rules resolved names per scope, treated
parameters as bindings and call results as values; the false alarms were reported.
"""

from __future__ import annotations

import json

import pytest

POLICY = """\
version: 1
model_safety:
  model_files: {enabled: false}
"""


def _rules(repo, run_cli, files: dict[str, str]) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", POLICY)
    for path, text in files.items():
        repo.write(path, text)
    result = run_cli("models", "--code-only", "--format", "json")
    assert result.code in (0, 1), result.err
    gate = next(g for g in json.loads(result.out)["gates"] if g["name"] == "models")
    return [(f["rule_id"], f["line"]) for f in gate["findings"]]


# --- missed risks -----------------------------------------------------------------------

FALSE_NEGATIVES = {
    "call-result-is-not-a-model": (
        """\
        from huggingface_hub import snapshot_download

        def fetch(checkpoint_dir):
            checkpoint_dir = snapshot_download(checkpoint_dir)
            return checkpoint_dir
        """,
        ("MS301", 4),
    ),
    "getenv-default-is-an-id": (
        """\
        import os
        from transformers import AutoModel

        model_id = os.getenv("MODEL_ID", "org/name")
        model = AutoModel.from_pretrained(model_id)
        """,
        ("MS302", 5),
    ),
    "dataclass-field": (
        """\
        from dataclasses import dataclass, field
        from transformers import AutoTokenizer

        @dataclass
        class Args:
            name: str = field(default="org/name")

            def tokenizer(self, name):
                return AutoTokenizer.from_pretrained(name)
        """,
        ("MS302", 9),
    ),
    "parameter-can-be-false": (
        """\
        import torch

        def load(path, weights_only=False):
            if path.endswith(".safe"):
                weights_only = True
            return torch.load(path, weights_only=weights_only)
        """,
        ("MS101", 6),
    ),
    "names-resolve-per-scope": (
        """\
        import requests

        def fetch(url):
            session = requests.Session()
            return session.get(url)

        async def other(url):
            import aiohttp
            session = aiohttp.ClientSession()
            return await session.get(url, timeout=5)
        """,
        ("MS701", 5),
    ),
    "unpickler-subclass": (
        """\
        import pickle

        class Restricted(pickle.Unpickler):
            def find_class(self, module, name):
                return super().find_class(module, name)

        def read(f):
            return Restricted(f).load()
        """,
        ("MS201", 8),
    ),
    "pickle-module-parameter": (
        """\
        import pickle

        def _legacy_load(f, pickle_module, **pickle_load_args):
            return pickle_module.load(f, **pickle_load_args)

        def load(f, pickle_module=None):
            if pickle_module is None:
                pickle_module = pickle
            return _legacy_load(f, pickle_module)
        """,
        ("MS201", 4),
    ),
    "torch-hub-list": ("import torch\nprint(torch.hub.list('org/repo'))\n", ("MS501", 2)),
    "torch-hub-help": ("import torch\nprint(torch.hub.help('org/repo', 'm'))\n", ("MS501", 2)),
    "session-parameter-or-new": (
        """\
        import requests

        def fetch(url, session=None):
            if session is None:
                session = requests.Session()
            return session.get(url)
        """,
        ("MS701", 6),
    ),
    "session-method-in-with": (
        """\
        import requests

        def fetch(url):
            with requests.Session() as s:
                return s.post(url, data=b"x")

        def read(url):
            import httpx
            with httpx.Client() as s:
                return s.get(url)
        """,
        ("MS701", 5),
    ),
    "session-subclass": (
        """\
        import requests

        class Api(requests.Session):
            pass

        def fetch(url):
            return Api().get(url)
        """,
        ("MS701", 7),
    ),
    # peft's tests: another class binding self.base_model to a loaded model hid this download.
    "self-attribute-of-another-class": (
        """\
        from transformers import AutoModel

        class Offline:
            base_model = "org/tiny"

            def test_load(self):
                return AutoModel.from_pretrained(self.base_model)

        class Prepared:
            def setup(self):
                self.base_model = AutoModel.from_pretrained(
                    "org/x", revision="0123456789abcdef0123456789abcdef01234567"
                )
        """,
        ("MS301", 7),  # the class constant, read through self
    ),
    # trl's trainers: the parameter holding the id is rebound to the loaded model.
    "rebound-to-its-own-result": (
        """\
        from transformers import AutoModel

        def load(model, **kwargs):
            if isinstance(model, str):
                model = AutoModel.from_pretrained(model, **kwargs)
            return model
        """,
        ("MS302", 5),
    ),
    # functools.partial(torch.load, ...) calls torch.load with the partial's keywords.
    "partial-of-torch-load": (
        """\
        from functools import partial

        import torch

        def load_cpu_all(paths):
            load_cpu = partial(torch.load, map_location="cpu")
            return [load_cpu(p) for p in paths]
        """,
        ("MS101", 7),
    ),
    # taming-transformers: urlretrieve takes no timeout at all.
    "urlretrieve-has-no-timeout": (
        """\
        import urllib.request

        def fetch(url, dst):
            urllib.request.urlretrieve(url, dst)
        """,
        ("MS701", 4),
    ),
    # fastchat: a fallback import from a second library; either may be the one that runs.
    "name-imported-from-two-places": (
        """\
        try:
            from modelscope import snapshot_download
        except ImportError:
            from huggingface_hub import snapshot_download

        def fetch():
            return snapshot_download("org/model")
        """,
        ("MS301", 7),
    ),
    # llamafactory: dict(trust_remote_code=True) is the dict literal, expanded with **.
    "trust-remote-code-in-a-dict-call": (
        """\
        from transformers import AutoModel

        def load(model_path):
            opts = dict(trust_remote_code=True)
            return AutoModel.from_pretrained(model_path, **opts)
        """,
        ("MS401", 5),
    ),
    # deepspeed: a loader kept on self in one method, called in another.
    "loader-kept-on-self": (
        """\
        from functools import partial

        import torch

        class Loader:
            def __init__(self):
                self._load = partial(torch.load, map_location="cpu", weights_only=False)

            def get(self, path):
                return self._load(path)
        """,
        ("MS101", 10),
    ),
    # huggingface/datasets: a builder resolves the Hub repository at its default branch.
    "dataset-builder-unpinned": (
        """\
        from datasets import load_dataset_builder

        builder = load_dataset_builder("org/name")
        """,
        ("MS301", 3),
    ),
    # Hub ids may start with "_" (huggingface_hub accepts "_dummy").
    "hub-id-with-a-leading-underscore": (
        """\
        from datasets import load_dataset

        data = load_dataset("_dummy")
        """,
        ("MS301", 3),
    ),
    # coqui TTS's renaming unpickler, with error handling: a re-raise is no allowlist.
    "unpickler-that-re-raises": (
        """\
        import pickle

        class Compat(pickle.Unpickler):
            def find_class(self, module, name):
                try:
                    return super().find_class(module, name)
                except ModuleNotFoundError as err:
                    raise RuntimeError(module) from err

        def read(f):
            return Compat(f).load()
        """,
        ("MS201", 11),
    ),
    "unpickler-with-a-denylist": (
        """\
        import pickle

        class Deny(pickle.Unpickler):
            def find_class(self, module, name):
                if module in ("os", "posix"):
                    raise pickle.UnpicklingError(module)
                return super().find_class(module, name)

        def read(f):
            return Deny(f).load()
        """,
        ("MS201", 10),
    ),
    # gpt-neox: revision=f"step{n}" is a branch name whatever n is.
    "revision-that-is-never-a-commit": (
        """\
        import sys

        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/model", revision=f"step{sys.argv[1]}")
        """,
        ("MS301", 5),
    ),
    # bark, audiocraft: a file download takes a hub id, whatever the variable holds.
    "file-download-of-a-variable-id": (
        """\
        from huggingface_hub import hf_hub_download

        def fetch(repo, name):
            return hf_hub_download(repo_id=repo, filename=name)
        """,
        ("MS301", 4),
    ),
    # BLIP: ruamel.yaml's old API (conda's ruamel_yaml) loads like PyYAML's.
    "ruamel-yaml-legacy-load": (
        """\
        import ruamel_yaml as yaml

        def read_config(path):
            return yaml.load(open(path), Loader=yaml.Loader)
        """,
        ("MS601", 4),
    ),
    # olmo's sharded checkpoints: torch.load handed to an executor, called there.
    "torch-load-handed-to-an-executor": (
        """\
        from concurrent.futures import ThreadPoolExecutor

        import torch

        def load_shards(paths):
            pool = ThreadPoolExecutor()
            return [pool.submit(torch.load, p, map_location="cpu") for p in paths]
        """,
        ("MS101", 7),
    ),
    "pickle-load-mapped-over-files": (
        """\
        import pickle

        def read_all(files):
            return list(map(pickle.load, files))
        """,
        ("MS201", 4),
    ),
    # vLLM's LLM(model=...): a model keyword is a model argument.
    "trust-remote-code-with-a-model-keyword": (
        """\
        from vllm import LLM

        llm = LLM(model="org/custom-model", trust_remote_code=True)
        """,
        ("MS401", 3),
    ),
    # An alias Python accepts but a bytes regex's \b does not see as a word.
    "non-ascii-alias": (
        """\
        import torch

        class C:
            def __init__(self):
                self.载入 = torch.load

            def get(self, p):
                return self.载入(p)
        """,
        ("MS101", 8),
    ),
    # A find_class that never refuses restricts nothing.
    "unpickler-whose-find-class-only-delegates": (
        """\
        import pickle

        class Loose(pickle.Unpickler):
            def find_class(self, module, name):
                return super().find_class(module, name)

        def load_state(f):
            return Loose(f).load()
        """,
        ("MS201", 8),
    ),
    # composer's tests bind their libraries through pytest.importorskip.
    "module-bound-by-importorskip": (
        """\
        import pytest

        def test_tokenizer():
            transformers = pytest.importorskip("transformers")
            return transformers.AutoTokenizer.from_pretrained("org/some-model")
        """,
        ("MS301", 5),
    ),
    # optimum: HfApi's methods download as the module's functions do.
    "hfapi-snapshot-download": (
        """\
        from huggingface_hub import HfApi

        api = HfApi()
        folder = api.snapshot_download("org/some-model")
        """,
        ("MS301", 4),
    ),
    "hfapi-file-download": (
        """\
        from huggingface_hub import HfApi

        path = HfApi().hf_hub_download("org/some-model", "config.json")
        """,
        ("MS301", 3),
    ),
    # generative-models: every value the name is bound to is a hub id.
    "hub-id-bound-twice": (
        """\
        from huggingface_hub import hf_hub_download

        repo_id = "org/model-a"
        hf_hub_download(repo_id=repo_id, filename="a.safetensors")

        repo_id = "org/model-b"
        hf_hub_download(repo_id=repo_id, filename="b.safetensors")
        """,
        ("MS301", 7),
    ),
    # litgpt: a dataclass field's default is what a plain default says.
    "dataclass-field-default": (
        """\
        from dataclasses import dataclass, field

        from datasets import load_dataset

        @dataclass
        class Data:
            repo_id: str = field(default="org/data")

            def prepare(self):
                load_dataset(self.repo_id)
        """,
        ("MS301", 10),
    ),
    # optimum's tests: an unrelated class's attribute of the same name changes nothing.
    "class-constant-beside-an-unrelated-class": (
        """\
        from transformers import AutoTokenizer

        class A:
            model_name = "org/model-a"

            def test_a(self):
                AutoTokenizer.from_pretrained(self.model_name)

        class B:
            model_name = "local-name"

            def other(self):
                self.model_name = "x"
        """,
        ("MS301", 7),
    ),
    # accelerate's examples: a metric is a Python module from the Hub, imported and run.
    "evaluate-metric-unpinned": (
        """\
        import evaluate

        metric = evaluate.load("glue", "mrpc")
        """,
        ("MS301", 3),
    ),
    # trl's trainers build loader kwargs by item assignment: the call shows no flag.
    "trust-remote-code-stored-in-kwargs": (
        """\
        from transformers import AutoModel

        SHA = "0123456789abcdef0123456789abcdef01234567"
        opts = {}
        opts["trust_remote_code"] = True
        model = AutoModel.from_pretrained("org/custom", revision=SHA, **opts)
        """,
        ("MS401", 5),
    ),
    # accelerate's tests: a class constant read through self is an unpinned hub id (an error).
    "class-constant-read-through-self": (
        """\
        from transformers import AutoModel

        class LoadTest:
            model_name = "org/some-model"

            def setUp(self):
                self.model = AutoModel.from_pretrained(self.model_name)
        """,
        ("MS301", 7),
    ),
}


@pytest.mark.parametrize("case", sorted(FALSE_NEGATIVES))
def test_missed_risk_is_reported(repo, run_cli, case: str) -> None:  # type: ignore[no-untyped-def]
    source, expected = FALSE_NEGATIVES[case]
    assert expected in _rules(repo, run_cli, {"src/mod.py": source})


def test_utf7_cookie_is_decoded_and_reported(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    hidden = "# -*- coding: utf-7 -*-\nimport pickle\nx = 1 #+AAo-obj = pickle.loads(b'')\n"
    repo.write_bytes("src/evil.py", hidden.encode("ascii"))
    found = _rules(repo, run_cli, {})
    assert ("MS001", 1) in found
    assert ("MS201", 4) in found  # the call Python runs, on the line Python gives it
    assert [rule for rule, _ in found].count("MS201") == 1


def test_latin1_cookie_is_decoded_silently(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = "# coding: latin-1\nimport pickle\nname = 'caf\xe9'\nobj = pickle.loads(b'')\n"
    repo.write_bytes("src/old.py", source.encode("latin-1"))
    assert _rules(repo, run_cli, {}) == [("MS201", 4)]


def test_a_class_constant_rebound_where_the_gate_does_not_parse_is_not_trusted(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    # setUp holds no call to check, so it is not parsed; it may rebind the attribute (here to a
    # local directory), so the class constant is not taken for the value: a warning, no error.
    source = """\
        from transformers import AutoModel

        class LoadTest:
            model_name = "org/some-model"

            def setUp(self):
                self.model_name = self.tmp_path

            def test(self):
                return AutoModel.from_pretrained(self.model_name)
        """
    assert _rules(repo, run_cli, {"src/mod.py": source}) == [("MS302", 10)]


def test_each_branch_is_checked_as_its_own_import(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = """\
        def read_state(path):
            if path.endswith(".safetensors"):
                from safetensors.torch import load_file as load
                return load(path)
            from torch import load
            return load(path)

        def fetch(model_id, use_ms):
            if use_ms:
                from modelscope import snapshot_download
                return snapshot_download(model_id)
            from huggingface_hub import snapshot_download
            return snapshot_download(repo_id=model_id)
        """
    assert _rules(repo, run_cli, {"src/mod.py": source}) == [("MS101", 6), ("MS301", 13)]


def test_syntax_newer_than_the_parser_names_the_parser_version(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    import sys

    if sys.version_info >= (3, 12):
        pytest.skip("PEP 695 generics parse on this Python")
    repo.write("policy.yaml", POLICY)
    repo.write(
        "src/gen.py",
        "import torch\n\nclass Loader[T]:\n    def load(self, p):\n        return torch.load(p)\n",
    )
    result = run_cli("models", "--code-only", "--format", "json")
    finding = json.loads(result.out)["gates"][0]["findings"][0]
    assert finding["rule_id"] == "MS000"
    assert f"Python {sys.version_info.major}.{sys.version_info.minor} parser" in finding["message"]


def test_a_subclass_sees_what_its_base_class_binds_on_self(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = """\
        import requests

        class Base:
            def __init__(self):
                self.session = requests.Session()

        class Api(Base):
            def fetch(self, url):
                return self.session.get(url)

        class Unrelated:
            def fetch(self, url):
                return self.session.get(url)
        """
    assert _rules(repo, run_cli, {"src/api.py": source}) == [("MS701", 9)]


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_lines_ended_the_way_python_ends_them_are_read(repo, run_cli, newline: str) -> None:  # type: ignore[no-untyped-def]
    # Python ends a line at a lone "\r" too: a file written that way once read as one line to
    # the trigger scan, and the load on its fourth line was never looked at.
    source = "import torch\nimport os\ndef f(p):\n    return torch.load(p)\n"
    repo.write_bytes("src/cr.py", source.replace("\n", newline).encode("ascii"))
    assert _rules(repo, run_cli, {}) == [("MS101", 4)]


def test_a_suppression_in_a_lone_cr_file_covers_its_own_line(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = "import torch\nx = 1  # gates: ignore[MS101] not this line\nm = torch.load(p)\n"
    repo.write_bytes("src/cr.py", source.replace("\n", "\r").encode("ascii"))
    found = _rules(repo, run_cli, {})
    assert ("MS101", 3) in found
    assert ("MS902", 2) in found  # the comment suppresses nothing where it stands


def test_a_comment_line_with_a_trigger_word_still_leaves_code_checked(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    # Words on comment lines are not parsed for; a "#" later in a line proves nothing.
    source = """\
        import torch
        # state = torch.load(p)
        x = "#"; state = torch.load(p)
        y = torch.load(
            # load(
            p)
        """
    assert _rules(repo, run_cli, {"src/mod.py": source}) == [("MS101", 3), ("MS101", 4)]


# --- false alarms -----------------------------------------------------------------------

FALSE_ALARMS = {
    # trl's tests: the result of from_pretrained on an attribute receiver is a model object.
    "model-object-from-an-attribute-receiver": """\
        from transformers import AutoModel

        SHA = "0123456789abcdef0123456789abcdef01234567"

        class T:
            model_class = None

            def test(self):
                base = self.model_class.from_pretrained("org/base", revision=SHA)
                return AutoModel.from_pretrained(base)
        """,
    # picklability tests in open_clip, trl, detectron2, accelerate: bytes this process made.
    "pickle-round-trip": """\
        import pickle

        def test_picklable(obj):
            assert pickle.loads(pickle.dumps(obj)) is not None
            data = pickle.dumps(obj)
            assert pickle.loads(data) is not None
        """,
    # lm-eval: str() of a Path, and a Path kept on self.
    "str-of-a-path-and-a-path-on-self": """\
        from pathlib import Path
        from transformers import AutoTokenizer

        def f(p):
            d = Path(p)
            return AutoTokenizer.from_pretrained(str(d))

        class R:
            def __init__(self, p):
                self.model_dir = Path(p)
                self.tok = AutoTokenizer.from_pretrained(self.model_dir)
        """,
    "class-constant-revision-is-pinned": """\
        from transformers import AutoModel

        class LoadTest:
            model_name = "org/some-model"
            REV = "0123456789abcdef0123456789abcdef01234567"

            def test(self):
                return AutoModel.from_pretrained(self.model_name, revision=self.REV)
        """,
    "trust-remote-code-stored-false-or-forwarded": """\
        from transformers import AutoModel

        def load(name, trust_remote_code=False, **kwargs):
            kwargs["trust_remote_code"] = trust_remote_code
            kwargs["trust_remote_code"] = False
            return AutoModel.from_pretrained(name, **kwargs)
        """,
    "local-metric-script": """\
        import evaluate

        metric = evaluate.load("./metrics/my_metric.py")
        """,
    "partial-of-torch-load-with-weights-only": """\
        import functools

        import torch

        load_tensors = functools.partial(torch.load, weights_only=True)
        state = load_tensors("model.pt")
        """,
    "torch-load-handed-over-with-weights-only": """\
        from concurrent.futures import ThreadPoolExecutor

        import torch

        def load_shards(paths):
            pool = ThreadPoolExecutor()
            return [pool.submit(torch.load, p, weights_only=True) for p in paths]
        """,
    # composer's checkpoints: a find_class that refuses what it does not allow (Python's own advice).
    "restricted-unpickler": """\
        import pickle

        _ALLOWED = frozenset({("collections", "OrderedDict"), ("builtins", "set")})

        class RestrictedUnpickler(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) in _ALLOWED:
                    return super().find_class(module, name)
                raise pickle.UnpicklingError(f"global {module}.{name} is forbidden")

        def load_state(path):
            with open(path, "rb") as f:
                return RestrictedUnpickler(f).load()
        """,
    # huggingface/datasets: packaged builders read local files, whatever the format.
    "packaged-dataset-builders": """\
        from datasets import load_dataset

        a = load_dataset("hdf5", data_files=["x.h5"], split="train")
        b = load_dataset("tsfile", data_files="x.tsfile")
        c = load_dataset("niftifolder", data_files="x.nii")
        d = load_dataset("lance", data_files="x.lance")
        """,
    # datasets' xnumpy_load: numpy refuses pickles by default; the caller decides.
    "numpy-load-passing-kwargs-on": """\
        import numpy as np

        def np_load(path, **kwargs):
            return np.load(path, **kwargs)
        """,
    # llamafactory: a directory the function writes, then reads back.
    "output-path-is-local": """\
        from transformers import AutoConfig

        def reload(output_path="./output"):
            return AutoConfig.from_pretrained(output_path, trust_remote_code=True)
        """,
    # lm-eval: a parameter passed on through `or False` is the caller's choice.
    "trust-remote-code-forwarded-through-or-false": """\
        from transformers import AutoTokenizer

        def load_tok(name, trust_remote_code=False):
            return AutoTokenizer.from_pretrained(
                name, trust_remote_code=trust_remote_code or False
            )
        """,
    "own-classmethod": """\
        class GPT:
            @classmethod
            def from_pretrained(cls, model_type):
                return cls()

        model = GPT.from_pretrained("gpt2")
        """,
    "imported-own-class": "from model import GPT\nmodel = GPT.from_pretrained('gpt2')\n",
    "torch-embedding": (
        "import torch\nfrom torch import nn\n"
        "e = torch.nn.Embedding.from_pretrained(w)\nf = nn.Embedding.from_pretrained(w)\n"
    ),
    "fairseq-hub-utils": (
        "from fairseq import hub_utils\nx = hub_utils.from_pretrained('model.pt', 'x')\n"
        "from . import hub_utils as h\ny = h.from_pretrained('model.pt')\n"
    ),
    "same-module-function": """\
        from datasets import *

        def load_dataset(path):
            return open(path).read()

        data = load_dataset("org/name")
        """,
    "local-values": """\
        import os
        import tempfile
        from pathlib import Path
        from transformers import AutoModel

        def test_save(tmp_path, tmpdir, args):
            AutoModel.from_pretrained(tmp_path)
            AutoModel.from_pretrained(tmpdir)
            AutoModel.from_pretrained(args.output_dir)
            with tempfile.TemporaryDirectory() as tmpdirname:
                AutoModel.from_pretrained(tmpdirname)
            here = os.path.join(args.root, "m")
            AutoModel.from_pretrained(here)
            there = Path(args.root) / "m"
            AutoModel.from_pretrained(there)
            AutoModel.from_pretrained(tempfile.mkdtemp())

        def export(input_dir, output_dir, save_dir):
            AutoModel.from_pretrained(input_dir)
            AutoModel.from_pretrained(output_dir)
            AutoModel.from_pretrained(save_dir)
        """,
    "trust-remote-code-local-directory": """\
        import tempfile
        from transformers import AutoModel

        def test_round_trip(tmp_path):
            AutoModel.from_pretrained(tmp_path, trust_remote_code=True)
            with tempfile.TemporaryDirectory() as repo_dir:
                AutoModel.from_pretrained(repo_dir, trust_remote_code=True)

        def train(args):
            from datasets import load_dataset
            return load_dataset(args.train_data_dir, trust_remote_code=True)
        """,
    "trust-remote-code-pass-through": """\
        from transformers import AutoModel

        def load(name, revision, trust_remote_code=False):
            return AutoModel.from_pretrained(name, revision=revision, trust_remote_code=trust_remote_code)
        """,
}


@pytest.mark.parametrize("case", sorted(FALSE_ALARMS))
def test_false_alarm_is_not_reported(repo, run_cli, case: str) -> None:  # type: ignore[no-untyped-def]
    found = _rules(repo, run_cli, {"src/mod.py": FALSE_ALARMS[case]})
    if case.startswith("trust-remote-code"):
        found = [f for f in found if f[0].startswith("MS4")]
    assert found == []


def test_parameter_defaulting_to_true_is_still_remote_code(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = (
        "from transformers import AutoModel\n"
        "def load(trust_remote_code=True):\n"
        "    return AutoModel.from_pretrained(\n"
        "        'org/n', revision='0' * 40, trust_remote_code=trust_remote_code)\n"
    )
    assert ("MS401", 3) in _rules(repo, run_cli, {"src/mod.py": source})


def test_remote_code_on_a_call_without_a_visible_model_is_a_warning(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = "import x\ndef test(pipe):\n    pipe.load_components(trust_remote_code=True)\n"
    assert _rules(repo, run_cli, {"src/mod.py": source}) == [("MS402", 3)]


def test_remote_code_of_a_downloaded_snapshot_still_counts(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = (
        "from huggingface_hub import snapshot_download\nfrom diffusers import DiffusionPipeline\n"
        "def test(tmpdirname):\n"
        "    path = snapshot_download('org/custom', cache_dir=tmpdirname)\n"
        "    return DiffusionPipeline.from_pretrained(path, trust_remote_code=True)\n"
    )
    found = _rules(repo, run_cli, {"src/mod.py": source})
    assert ("MS301", 4) in found and ("MS401", 5) in found


def test_hugging_face_receivers_still_count(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = (
        "import transformers\nfrom transformers import AutoModel as A\nfrom diffusers import *\n"
        "cls = A\n"
        "a = transformers.AutoModel.from_pretrained('org/a')\n"
        "b = cls.from_pretrained('org/b')\n"
        "c = UNet2DModel.from_pretrained('org/c')\n"
        "def f(model_class):\n    return model_class.from_pretrained('org/d')\n"
    )
    found = _rules(repo, run_cli, {"src/mod.py": source})
    assert [f for f in found if f[0] == "MS301"] == [("MS301", 5), ("MS301", 6), ("MS301", 7), ("MS301", 9)]


def test_hook_and_full_run_agree_about_files_outside_the_sources(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    # paths.source decides for both: a staged tests/ file outside it is not checked by the
    # hook either (before, the hook failed on it while `gates check` passed).
    repo.write("policy.yaml", POLICY + "paths:\n  source: [src/]\n")
    repo.write("src/ok.py", "x = 1\n")
    repo.write("tests/test_io.py", "import torch\nstate = torch.load('m.pt')\n")
    hook = run_cli("models", "--code-only", "tests/test_io.py")
    full = run_cli("check", "--gate", "models")
    assert (hook.code, full.code) == (0, 0), hook.out + full.out
    repo.write("policy.yaml", POLICY)  # default sources: the whole tree, tests/ included
    hook = run_cli("models", "--code-only", "tests/test_io.py")
    full = run_cli("check", "--gate", "models")
    assert (hook.code, full.code) == (1, 1), hook.out + full.out

"""Trust presets: the files the ecosystem writes pass (by default or with the named opt-in
preset), calls beyond rebuilding stay findings, and messages fit the file (issue #15).

Streams are written opcode by opcode so these tests need no heavy library; the tests at
the end build the same files with the real libraries where they are installed.
"""

from __future__ import annotations

import argparse
import io
import pickle
import pickletools
from pathlib import Path
from typing import Any

import pytest

from gates.checks.models.model_files import ModelFileScan, scan_model_files
from gates.checks.models.pickle_presets import PRESETS, preset_allows
from gates.policy.sections.model_files import DEFAULT_TRUST, ModelFilesSettings
from tests import model_file_payloads as payloads


def _global(qualname: str) -> bytes:
    module, _, name = qualname.rpartition(".")
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _text(value: str) -> bytes:
    data = value.encode()
    return b"\x8c" + bytes([len(data)]) + data


def _enum(qualname: str, value: str) -> bytes:
    return _global(qualname) + _text(value) + b"\x85R"  # cls, (value,), REDUCE


def _rebuilt(qualname: str, state: bytes = b"}") -> bytes:
    return _global(qualname) + b")\x81" + state + b"b"  # cls, (), NEWOBJ, state, BUILD


def training_args_stream(*, call_instead_of_rebuild: bool = False) -> bytes:
    """What transformers 4.57 and 5.25 write for TrainingArguments (same globals, same uses)."""
    state = (
        b"}("
        + _text("output_dir")
        + _text("out")
        + _text("eval_strategy")
        + _enum("transformers.trainer_utils.IntervalStrategy", "steps")
        + _text("save_strategy")
        + _enum("transformers.trainer_utils.SaveStrategy", "epoch")
        + _text("hub_strategy")
        + _enum("transformers.trainer_utils.HubStrategy", "every_save")
        + _text("lr_scheduler_type")
        + _enum("transformers.trainer_utils.SchedulerType", "linear")
        + _text("optim")
        + _enum("transformers.training_args.OptimizerNames", "adamw_torch")
        + _text("accelerator_config")
        + _rebuilt("transformers.trainer_pt_utils.AcceleratorConfig")
        + _text("distributed_state")
        + _rebuilt(
            "accelerate.state.PartialState",
            b"}("
            + _text("device")
            + _global("torch.device")
            + _text("cpu")
            + b"\x85R"
            + _text("distributed_type")
            + _enum("accelerate.utils.dataclasses.DistributedType", "NO")
            + b"u",
        )
        + b"u"
    )
    cls = _global("transformers.training_args.TrainingArguments")
    if call_instead_of_rebuild:  # TrainingArguments("/tmp") runs __init__ and __post_init__
        return b"\x80\x02" + cls + _text("/tmp") + b"\x85R" + state + b"b."
    return b"\x80\x02" + cls + b")\x81" + state + b"b."


def _scan(root: Path, files: dict[str, bytes], **settings: Any) -> ModelFileScan:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return scan_model_files(root, list(files), ModelFilesSettings(**settings))


def test_the_default_presets_are_the_any_payload_ones() -> None:
    assert DEFAULT_TRUST == ("hf-trainer", "argparse")
    assert ModelFilesSettings().trust == ["hf-trainer", "argparse"]
    for preset in PRESETS.values():  # exact names only: no pattern is a preset
        assert all("*" not in name and name.count(".") >= 1 for name in preset.call | preset.rebuild)


def test_a_trainer_checkpoint_passes_by_default(tmp_path: Path) -> None:
    stream = training_args_stream()
    pickletools.dis(stream, out=io.StringIO())  # well-formed (checked without loading)

    result = _scan(tmp_path / "repo", {"training_args.bin": payloads.torch_like_zip(stream)})

    assert result.findings == []
    assert result.metrics["model_files_scanned"] == 1


def test_calling_a_rebuild_only_class_is_still_mf102(tmp_path: Path) -> None:
    result = _scan(
        tmp_path / "repo", {"training_args.bin": training_args_stream(call_instead_of_rebuild=True)}
    )

    [finding] = result.findings
    assert finding.rule_id == "MF102" and "transformers.training_args.TrainingArguments" in finding.message
    assert "accepts it only as the class of a rebuilt object" in finding.message
    assert "Trainer artefact" in finding.message and ".gitignore" in finding.message
    assert "safetensors" not in finding.message


def test_a_rebuild_only_class_used_as_a_value_is_mf102(tmp_path: Path, canary: Path) -> None:
    # BUILD twice: the first puts the class in the instance's __dict__ as "__setstate__",
    # the second calls it with the state: TrainingArguments(state) without any REDUCE.
    cls = _global("transformers.training_args.TrainingArguments")
    stream = b"\x80\x02" + cls + b"\x94)\x81}" + _text("__setstate__") + b"h\x00sb" + _text("/tmp") + b"b."

    result = _scan(tmp_path / "repo", {"args.bin": stream})

    assert [f.rule_id for f in result.findings] == ["MF102"]
    assert not canary.exists()


def test_dangerous_globals_stay_dangerous_whatever_is_trusted(tmp_path: Path, canary: Path) -> None:
    result = _scan(
        tmp_path / "repo",
        {"x.pkl": payloads.reduce_os_system(canary)},
        trust=["hf-trainer", "argparse", "pandas", "sklearn", "torch-modules"],
    )

    assert [f.rule_id for f in result.findings] == ["MF101"]


def test_argparse_namespace_checkpoints_pass_by_default(tmp_path: Path) -> None:
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    args = argparse.Namespace(arch="transformer_lm", lr=[0.0005], max_tokens=4096)
    torch.save({"args": args, "model": {"w": torch.zeros(2)}}, root / "checkpoint_best.pt")  # fairseq-style
    (root / "hparams.pkl").write_bytes(pickle.dumps(args, protocol=0))

    assert scan_model_files(root, ["checkpoint_best.pt", "hparams.pkl"], ModelFilesSettings()).findings == []
    strict = scan_model_files(root, ["checkpoint_best.pt"], ModelFilesSettings(trust=[]))
    assert [f.rule_id for f in strict.findings] == ["MF102"]


def test_a_whole_pickled_module_needs_the_opt_in_preset(tmp_path: Path) -> None:
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.LayerNorm(4), torch.nn.Dropout(0.1)
    )
    torch.save(model, root / "model.pt")

    default = scan_model_files(root, ["model.pt"], ModelFilesSettings())
    assert {f.rule_id for f in default.findings} == {"MF102"}
    assert all(
        "model.state_dict()" in f.message and "'torch-modules' preset" in f.message for f in default.findings
    )
    opted = scan_model_files(root, ["model.pt"], ModelFilesSettings(trust=["torch-modules"]))
    assert opted.findings == []


def test_preset_allows_is_exact() -> None:
    assert preset_allows("transformers.trainer_utils.IntervalStrategy", True, ["hf-trainer"]) == "hf-trainer"
    assert (
        preset_allows("transformers.training_args.TrainingArguments", False, ["hf-trainer"]) == "hf-trainer"
    )
    assert preset_allows("transformers.training_args.TrainingArguments", True, ["hf-trainer"]) is None
    assert preset_allows("transformers.training_args.TrainingArgumentsX", False, ["hf-trainer"]) is None
    assert preset_allows("transformers.training_args.TrainingArguments", False, ["argparse"]) is None


# ---- the real libraries, where installed (validation of the streams above) --------------------


def test_real_training_args_pass_by_default(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers")
    import torch

    root = tmp_path / "repo"
    root.mkdir()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), report_to=[], eval_strategy="steps"
    )
    torch.save(args, root / "training_args.bin")

    assert scan_model_files(root, ["training_args.bin"], ModelFilesSettings()).findings == []
    strict = scan_model_files(root, ["training_args.bin"], ModelFilesSettings(trust=[]))
    assert strict.findings and all("Trainer artefact" in f.message for f in strict.findings)


def test_real_dataframe_pickles_pass_with_the_pandas_preset(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    import numpy as np

    root = tmp_path / "repo"
    root.mkdir()
    frame = pd.DataFrame({"a": np.arange(5), "b": list("vwxyz"), "c": pd.Categorical(list("ababa"))})
    frame.to_pickle(root / "frame.pkl")
    frame["a"].to_pickle(root / "series.pkl")

    default = scan_model_files(root, ["frame.pkl", "series.pkl"], ModelFilesSettings())
    assert default.findings and all("Parquet" in f.message for f in default.findings)
    assert all("safetensors" not in f.message for f in default.findings)
    opted = scan_model_files(root, ["frame.pkl", "series.pkl"], ModelFilesSettings(trust=["pandas"]))
    assert opted.findings == []


def test_real_sklearn_models_pass_with_the_sklearn_preset(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    import joblib
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    root = tmp_path / "repo"
    root.mkdir()
    features = np.random.default_rng(0).random((40, 3))
    labels = (features[:, 0] > 0.5).astype(int)
    pipe = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]).fit(features, labels)
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(features, labels)
    joblib.dump(pipe, root / "pipe.joblib")
    joblib.dump(forest, root / "forest.joblib")
    (root / "forest.pkl").write_bytes(pickle.dumps(forest))
    names = ["pipe.joblib", "forest.joblib", "forest.pkl"]

    default = scan_model_files(root, names, ModelFilesSettings())
    assert {f.path for f in default.findings} == set(names)
    assert all("skops" in f.message and "ONNX" in f.message for f in default.findings)
    assert scan_model_files(root, names, ModelFilesSettings(trust=["sklearn"])).findings == []


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    return tmp_path / "canary-created-by-unpickling"


def test_the_default_rebuild_classes_define_no_hook_a_pickle_could_trigger() -> None:
    """The hf-trainer argument, checked on the installed libraries: rebuilding is
    ``object.__new__`` plus ``__dict__.update``, so no class may define ``__new__``,
    ``__setstate__`` or ``__setattr__``; ``__getattr__`` (PartialState) may only raise."""
    pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    import enum
    import importlib

    for qualname in sorted(PRESETS["hf-trainer"].rebuild | PRESETS["hf-trainer"].call):
        module, _, name = qualname.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue  # a name from another release of the library
        if qualname in PRESETS["hf-trainer"].call:
            assert isinstance(cls, enum.EnumMeta) and len(cls) > 0, qualname
            continue
        for hook in ("__new__", "__setstate__", "__setattr__", "__reduce__", "__reduce_ex__"):
            owners = [base for base in cls.__mro__ if base is not object and hook in vars(base)]
            assert owners == [], (qualname, hook, owners)
        if any("__getattr__" in vars(base) for base in cls.__mro__ if base is not object):
            with pytest.raises(AttributeError):
                cls.__new__(cls).__setstate__  # noqa: B018

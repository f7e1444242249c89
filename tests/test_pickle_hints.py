"""The advice at the end of a model-file message fits what the file holds (issue #15)."""

from __future__ import annotations

from gates.checks.models.pickle_hints import SAFETENSORS, hint


def test_safetensors_only_where_the_file_holds_tensors() -> None:
    tensors = {"torch._utils._rebuild_tensor_v2", "collections.OrderedDict"}
    assert hint("model.pt", "archive/data.pkl", tensors) == SAFETENSORS
    assert hint("weights.bin", "", set()) == SAFETENSORS  # a checkpoint name
    assert "safetensors" not in hint("config.pkl", "", {"collections.OrderedDict"})
    assert "JSON" in hint("config.pkl", "", set())


def test_each_library_gets_its_own_format() -> None:
    assert "skops" in hint("m.joblib", "", {"sklearn.pipeline.Pipeline", "numpy.ndarray"})
    assert "Parquet" in hint("frame.pkl", "", {"pandas.core.frame.DataFrame"})
    assert "state_dict()" in hint("m.pt", "archive/data.pkl", {"torch.nn.modules.linear.Linear"})


def test_training_args_is_a_trainer_artefact_by_name_or_content() -> None:
    assert ".gitignore" in hint("run/checkpoint-500/training_args.bin", "", set())
    trainer = {"transformers.training_args.TrainingArguments"}
    assert "Trainer artefact" in hint("args.bin", "archive/data.pkl", trainer)
    assert "safetensors" not in hint("training_args.bin", "", trainer)

"""The "better" half of a model-file message, fitted to what the file holds.

A DataFrame pickle is no tensor file, so "re-export as safetensors" is no help there. The
hint is chosen from the globals the same file (or archive member) names and its name.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePosixPath

_TENSOR_PREFIXES = ("torch._utils._rebuild", "torch._tensor", "torch.nn.parameter", "__torch__.")
_TRAINER_CLASSES = ("transformers.training_args", "transformers.trainer_")

SAFETENSORS = "re-export the weights as safetensors (safetensors.torch.save_file) and load those instead"


def hint(relative: str, member: str, qualnames: Collection[str]) -> str:
    """What to do instead, for a file that names ``qualnames`` (dotted module.name strings)."""
    name = PurePosixPath(member.split("!/")[-1] if member else relative).name.lower()
    if name == "training_args.bin" or any(q.startswith(_TRAINER_CLASSES) for q in qualnames):
        return (
            "training_args.bin is a Hugging Face Trainer artefact that inference never loads: add it to"
            " .gitignore, or keep the 'hf-trainer' preset in model_safety.model_files.trust"
        )
    if any(q.startswith("sklearn.") for q in qualnames):
        return (
            "save scikit-learn models with skops (skops.io.dump, which loads only the types you list)"
            " or export them to ONNX (skl2onnx)"
        )
    if any(q.startswith("pandas.") for q in qualnames):
        return "store DataFrames as Parquet (DataFrame.to_parquet) or CSV"
    if any(q.startswith("torch.nn.modules.") for q in qualnames):
        return (
            "this is a whole pickled module (torch.save(model)): save model.state_dict() as safetensors"
            " and rebuild the module in code"
        )
    if any(q.startswith(_TENSOR_PREFIXES) for q in qualnames) or name.endswith(
        (".pt", ".pth", ".ckpt", ".bin")
    ):
        return SAFETENSORS
    return "store plain data as JSON (or numpy arrays with np.save, allow_pickle=False) instead of a pickle"

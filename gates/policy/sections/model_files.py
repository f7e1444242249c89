"""``model_safety.model_files:`` scanning committed model files (pickles, checkpoints)."""

from __future__ import annotations

import re
from typing import Literal

from gates.policy.base import (
    SEVERITY_ORDER,
    PolicyValueError,
    SeverityName,
    StrictModel,
    policy_model,
    setting,
)

# Vetted allow-list presets (gates/checks/models/pickle_presets.py holds their exact
# globals; docs/gates/model-files.md the argument for each).
TrustPreset = Literal["hf-trainer", "argparse", "pandas", "sklearn", "torch-modules"]
DEFAULT_TRUST: tuple[TrustPreset, ...] = ("hf-trainer", "argparse")
_GLOBAL_PATTERN = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(\.\*)?")


@policy_model
class ModelFilesSettings(StrictModel):
    enabled: bool = setting(
        stricter="true", default=True, description="Scan committed model files by content."
    )
    allowed_globals: list[str] = setting(
        stricter="fewer",
        default_factory=list,
        description=(
            "Extra pickle globals to accept, as `module.name` or `module.*` (e.g. your own model "
            "classes). Known-dangerous globals (os, subprocess, builtins.eval, ...) stay errors."
        ),
    )
    trust: list[TrustPreset] = setting(
        stricter="fewer",
        default_factory=lambda: list(DEFAULT_TRUST),
        description=(
            "Vetted allow-list presets: exact lists of globals whose rebuilding runs no code the file"
            " chooses (docs/gates/model-files.md). On by default: hf-trainer, argparse; opt-in:"
            " pandas, sklearn, torch-modules. The list replaces the default, so keep the ones you want."
        ),
    )
    max_file_mb: float = setting(
        stricter="none",
        default=2048,
        gt=0,
        description="Model/pickle containers larger than this are reported as not scanned (MS203).",
    )
    max_decompressed_mb: float = setting(
        stricter="none",
        default=4096,
        gt=0,
        description="Bytes the scanner may read or decompress per file before reporting a possible zip bomb.",
    )
    max_compression_ratio: float = setting(
        stricter="lower",
        default=200,
        gt=1,
        description="Archive members (64 KiB or more) that expand more than this are a suspected zip bomb.",
    )
    max_depth: int = setting(
        stricter="higher",
        default=3,
        ge=1,
        description="How many archives deep (zip in zip, gzip in zip) the scanner follows.",
    )
    max_pickle_opcodes: int = setting(
        stricter="none",
        default=12_000_000,
        ge=1000,
        description=(
            "Pickle opcodes walked per file (all its pickles and members) before it is reported as not"
            " fully scanned (MF103); bounds time and memory on crafted streams."
        ),
    )
    max_pickle_memo: int = setting(
        stricter="none",
        default=200_000,
        ge=100,
        description=(
            "Memo entries per pickle the walker keeps (names, globals) or counts out of order; past it,"
            " a name read back from the memo is MF103, not guessed."
        ),
    )
    lfs_pointer_severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="error",
        description=(
            "Severity of MS204, a Git LFS pointer whose model was not scanned. Fetch LFS files in CI "
            "(`actions/checkout` with `lfs: true`) rather than lowering this."
        ),
    )

    def __post_init__(self) -> None:
        for item in self.allowed_globals:
            if not _GLOBAL_PATTERN.fullmatch(item):
                raise PolicyValueError("allowed_globals", f"{item!r} is not `module.name` or `module.*`")

"""``model_safety.model_files:`` scanning committed model files (pickles, checkpoints)."""

from __future__ import annotations

import re

from gates.policy.base import (
    SEVERITY_ORDER,
    PolicyValueError,
    SeverityName,
    StrictModel,
    policy_model,
    setting,
)

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
        description="Archive members (over 1 MiB) that expand more than this are a suspected zip bomb.",
    )
    max_depth: int = setting(
        stricter="higher",
        default=3,
        ge=1,
        description="How many archives deep (zip in zip, gzip in zip) the scanner follows.",
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

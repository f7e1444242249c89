"""``coreml:`` section: the models to convert and how to check them."""

from __future__ import annotations

from typing import Literal

from gates.policy.base import GateSection, PolicyValueError, StrictModel, policy_model, setting

# Deployment targets that can hold an ML program (coremltools 9: iOS15/macOS12 and later).
DeploymentTarget = Literal[
    "iOS15",
    "iOS16",
    "iOS17",
    "iOS18",
    "iOS26",
    "macOS12",
    "macOS13",
    "macOS14",
    "macOS15",
    "macOS26",
    "watchOS8",
    "watchOS9",
    "watchOS10",
    "watchOS11",
    "watchOS26",
    "tvOS15",
    "tvOS16",
    "tvOS17",
    "tvOS18",
    "tvOS26",
]
ComputeUnits = Literal["CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE", "ALL"]

# coremltools' own tests use 1e-4/1e-5 for fp32 on the CPU. Their fp16 scaling (x100, floored at
# 0.5/0.05) hides real regressions on small models, so fp16 gets a tighter, still-honest default.
STRICT_ATOL = 1e-4
STRICT_RTOL = 1e-5
HALF_ATOL = 1e-2
HALF_RTOL = 1e-2


@policy_model
class CoreMLModel(StrictModel):
    """One model to convert: where to build it and how to judge the converted package."""

    name: str = setting(
        stricter="none",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Short id used in metric names and as the package file name (<name>.mlpackage).",
    )
    factory: str = setting(
        stricter="none",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$",
        description=(
            "'pkg.module:function' importable from the repository root; the function takes no "
            "arguments and returns (model, example_inputs). See docs/gates/coreml.md."
        ),
    )
    capture: Literal["trace", "export"] = setting(
        stricter="none",
        default="trace",
        description="torch.jit.trace (stable) or torch.export + run_decompositions({}) (beta in coremltools)",
    )
    precision: Literal["fp16", "fp32"] = setting(
        stricter="none",
        default="fp16",
        description="Compute precision of the ML program (coremltools' default is fp16).",
    )
    deployment_target: DeploymentTarget = setting(
        stricter="none",
        default="iOS16",
        description="Minimum OS the package targets (an ML program needs iOS15/macOS12+).",
    )
    compute_units: ComputeUnits = setting(
        stricter="none",
        default="CPU_ONLY",
        description="Compute units for the macOS parity run. CPU_ONLY is stable; ALL can crash CI VMs.",
    )
    atol: float | None = setting(
        stricter="lower",
        effective="effective_atol",
        default=None,
        gt=0,
        description="Absolute tolerance. Default 1e-4 for fp32 on CPU_ONLY, else 1e-2.",
    )
    rtol: float | None = setting(
        stricter="lower",
        effective="effective_rtol",
        default=None,
        ge=0,
        description="Relative tolerance. Default 1e-5 for fp32 on CPU_ONLY, else 1e-2.",
    )
    min_cosine: float | None = setting(
        stricter="higher",
        default=None,
        gt=0,
        le=1,
        description="Lowest cosine similarity between Core ML and torch outputs. Off when unset.",
    )
    argmax_agreement: float | None = setting(
        stricter="higher",
        default=None,
        ge=0,
        le=1,
        description="Lowest share of positions whose argmax over the last axis agrees. Off when unset.",
    )
    argmax_outputs: list[str] | None = setting(
        stricter="only",
        default=None,
        description="Outputs argmax_agreement applies to (e.g. [logits]); default every output.",
    )
    output_names: list[str] | None = setting(
        stricter="none",
        default=None,
        description="Names of the Core ML outputs, in order. Default: 'output', or 'output_0', 'output_1'...",
    )

    @property
    def strict(self) -> bool:
        """Full fp32 on the CPU is the only setup where tight tolerances are fair."""
        return self.precision == "fp32" and self.compute_units == "CPU_ONLY"

    @property
    def effective_atol(self) -> float:
        if self.atol is not None:
            return self.atol
        return STRICT_ATOL if self.strict else HALF_ATOL

    @property
    def effective_rtol(self) -> float:
        if self.rtol is not None:
            return self.rtol
        return STRICT_RTOL if self.strict else HALF_RTOL

    def __post_init__(self) -> None:
        names = self.output_names
        if names is not None:
            if not names:
                raise PolicyValueError("output_names", "give at least one name, or leave output_names out")
            if len(set(names)) != len(names):
                raise PolicyValueError("output_names", "output names must be distinct")


@policy_model
class CoreMLSection(GateSection):
    models: list[CoreMLModel] = setting(
        stricter="more",
        match_key="name",
        default_factory=list,
        description="Models to convert; an empty list skips the gate.",
    )
    artifact_dir: str = setting(
        stricter="none",
        default=".gates/coreml",
        description="Where the .mlpackage files are saved (relative to the repository root); gitignore it.",
    )
    require_prediction: bool = setting(
        stricter="true",
        default=False,
        description=(
            "Make a run without Core ML prediction (any non-macOS host) an error instead of a noted skip. "
            "The macOS workflow sets it (or passes --require-prediction)."
        ),
    )

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for model in self.models:
            if model.name in seen:
                raise PolicyValueError(
                    "models", f"two models are named {model.name!r}; names must be distinct"
                )
            seen.add(model.name)

"""``gates coreml``: convert the policy's models to Core ML, check their structure, and their
parity with torch on macOS.

This module is imported to build ``gates --help``: torch and coremltools are imported only by
the converter subprocess (``worker.py``), never here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gates.findings import GateResult
from gates.gate import Gate, GateContext
from gates.policy.sections.coreml import CoreMLSection

REQUIRE_PREDICTION_ENV = "GATES_COREML_REQUIRE_PREDICTION"
_TRUE = {"1", "true", "yes", "on"}


def require_prediction(section: CoreMLSection, args: argparse.Namespace, env: dict[str, str]) -> bool:
    """The policy switch, the command-line flag or the environment variable, any of them."""
    if section.require_prediction or getattr(args, "require_prediction", False):
        return True
    return env.get(REQUIRE_PREDICTION_ENV, "").strip().lower() in _TRUE


class CoreMLGate(Gate):
    name = "coreml"
    section = "coreml"
    summary = "convert the policy's models to Core ML; check structure everywhere, parity on macOS"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--require-prediction",
            action="store_true",
            help=(
                "error when Core ML cannot predict here (any non-macOS host) instead of noting the "
                f"skipped parity check; same as coreml.require_prediction or {REQUIRE_PREDICTION_ENV}=1"
            ),
        )

    def run(self, ctx: GateContext) -> GateResult:
        from gates.checks.coreml import preflight
        from gates.checks.coreml.predict import prediction_unavailable_reason
        from gates.checks.coreml.results import Outcome, build_result
        from gates.checks.coreml.session import run_converter

        section: CoreMLSection = ctx.section
        if not section.models:
            return GateResult.skipped(self.name, "no models listed in coreml.models")
        problem = preflight.host_problem(sys.version_info[:2])
        if problem:
            return GateResult.failed_closed(self.name, problem)
        artifact_dir = Path(section.artifact_dir)
        if not artifact_dir.is_absolute():
            artifact_dir = ctx.root / artifact_dir
        unavailable = prediction_unavailable_reason()
        run = run_converter(
            section.models,
            root=ctx.root,
            artifact_dir=artifact_dir,
            predict=unavailable is None,
            timeout=section.timeout,
        )
        environment = run.environment or {}
        judged = preflight.judge_environment(environment)
        if judged.errors:
            return GateResult.failed_closed(self.name, "; ".join(judged.errors))
        outcome = Outcome(
            section=section,
            loaded=ctx.loaded,
            root=ctx.root,
            records=run.models,
            environment=environment,
            prediction_unavailable=unavailable,
            require_prediction=require_prediction(section, ctx.args, dict(ctx.env)),
            environment_warnings=judged.warnings,
        )
        result = build_result(outcome)
        if unavailable is None and judged.predictor_missing:
            result.notes.append(f"Core ML cannot predict on this host: {judged.predictor_missing}")
        return result


GATE = CoreMLGate()

"""The ``mutation`` gate: mutmut 3 mutation scores per path, changed-code mode, shards.

``gates mutation`` runs mutmut in a throwaway copy of the project (so the user's
pyproject.toml is never edited), reads every mutant's status from mutmut's ``.meta`` files
(``mutmut run`` exits 0 with survivors, so its exit code only says whether setup failed),
and reports the score against the policy's floors, with each survivor as a finding.

Extra actions share the command (the CLI gives every gate a positional PATH list, so they
are read from it rather than from argparse subparsers):

- ``gates mutation merge DIR...`` judges the results of ``--shard I/N`` jobs as one run;
- ``gates mutation doctor`` reports setup problems without running anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gates.errors import GatesError
from gates.findings import GateResult, Verdict
from gates.gate import Gate, GateContext
from gates.policy.sections.mutation import MutationSection

if TYPE_CHECKING:
    from .scoring import Evaluation

ACTIONS = ("merge", "doctor")


class MutationGate(Gate):
    name = "mutation"
    section = "mutation"
    summary = "mutmut mutation scores per path (floors, survivors); also: merge DIR..., doctor"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.epilog = (
            "actions: 'gates mutation merge DIR...' judges the results of --shard jobs as one run; "
            "'gates mutation doctor' checks the setup without running mutmut"
        )
        parser.add_argument(
            "--shard", metavar="I/N", help="test only the I-th of N deterministic slices of the mutants"
        )
        parser.add_argument(
            "--changed",
            action="store_true",
            help="mutate only functions changed since the base (policy: mutation.changed_only)",
        )
        parser.add_argument(
            "--results-dir",
            metavar="DIR",
            help="where to write mutation-results.json (default: mutation.results_dir)",
        )
        parser.add_argument(
            "--keep-work-dir", action="store_true", help="keep mutmut's work copy for 'mutmut browse'"
        )
        parser.set_defaults(gate_handler=handle_command)

    def run(self, ctx: GateContext) -> GateResult:
        section: MutationSection = ctx.section
        if getattr(ctx.args, "mutation_action", None) == "merge":
            return _merge(ctx, section, list(ctx.args.merge_dirs))
        return _run(ctx, section)


def _results_dir(ctx: GateContext, section: MutationSection) -> Path:
    given = getattr(ctx.args, "results_dir", None)
    return Path(given).resolve() if given else ctx.root / section.results_dir


def _run(ctx: GateContext, section: MutationSection) -> GateResult:
    from .engine import NothingToMutate, RunRequest, run_mutation
    from .scoring import evaluate
    from .shards import parse_shard

    shard_text = getattr(ctx.args, "shard", None)
    request = RunRequest(
        changed=section.changed_only or bool(getattr(ctx.args, "changed", False)) or ctx.staged,
        shard=parse_shard(shard_text) if shard_text else None,
        results_dir=_results_dir(ctx, section),
        keep_work_dir=section.keep_work_dir or bool(getattr(ctx.args, "keep_work_dir", False)),
    )
    try:
        output = run_mutation(ctx, section, request)
    except NothingToMutate as reason:
        return GateResult.skipped(GATE.name, str(reason))
    results = output.results
    evaluation = evaluate(results, section, ctx.policy.paths)
    notes = [*output.notes]
    notes += [f"doctor: {d.message}" for d in output.doctor.diagnoses]
    if output.work_dir is not None:
        notes.append(f"mutmut's work copy was kept at {output.work_dir} (cd there and run 'mutmut browse')")
    details: dict[str, object] = {
        "mode": results.mode,
        "results": str(request.results_dir / "mutation-results.json"),
    }
    if output.kill_check is not None:
        details["kill_check"] = output.kill_check
    if request.shard:
        index, count = request.shard
        # A shard judges a slice: floors and survivors are the merge job's to report. An
        # empty slice of a non-empty run is fine; an empty run is not.
        failed = bool(evaluation.error) and (bool(results.mutants) or results.universe_size == 0)
        result = GateResult(
            name=GATE.name,
            verdict=Verdict.ERROR if failed else Verdict.PASS,
            metrics=evaluation.metrics,
            tables=evaluation.tables,
            notes=[
                f"shard {index}/{count}: {len(results.mutants)} of {results.universe_size} mutants; "
                "'gates mutation merge' gives the verdict",
                *notes,
            ],
            error=evaluation.error if failed else None,
            details={**details, "shard": [index, count]},
        )
        return result
    return _judged(evaluation, notes, details)


def _judged(evaluation: Evaluation, notes: list[str], details: dict[str, object]) -> GateResult:
    """The result of a whole run or of merged shards: an error, or findings to judge."""
    if evaluation.error:
        return GateResult(
            name=GATE.name,
            verdict=Verdict.ERROR,
            error=evaluation.error,
            metrics=evaluation.metrics,
            tables=evaluation.tables,
            notes=notes,
            details=details,
        )
    return GateResult(
        name=GATE.name,
        verdict=Verdict.PASS,
        metrics=evaluation.metrics,
        findings=evaluation.findings,
        tables=evaluation.tables,
        notes=[*evaluation.notes, *notes],
        details={**details, **evaluation.details},
    )


def _merge(ctx: GateContext, section: MutationSection, directories: list[str]) -> GateResult:
    from .results import read_results
    from .scoring import evaluate
    from .shards import merge_results

    parts = [(d, read_results(Path(d))) for d in directories]
    merged = merge_results(parts)
    evaluation = evaluate(merged, section, ctx.policy.paths)
    notes = [f"merged {len(parts)} shard result(s): {', '.join(directories)}", *merged.notes]
    return _judged(evaluation, notes, {"mode": merged.mode})


def handle_command(args: argparse.Namespace) -> int:
    """``gates mutation [merge DIR... | doctor | PATH...]``."""
    from gates.cli import run_and_report

    paths = list(getattr(args, "paths", None) or [])
    action = paths[0] if paths and paths[0] in ACTIONS else None
    if action == "merge":
        if len(paths) < 2:
            raise GatesError("gates mutation merge needs the results directories of the shard jobs")
        if args.shard:
            raise GatesError("--shard does not apply to 'gates mutation merge'")
        args.mutation_action = "merge"
        args.merge_dirs = paths[1:]
        args.paths = []
        return run_and_report([GATE], args)
    if action == "doctor":
        from .doctor_command import run_doctor

        return run_doctor(args, paths[1:], sys.stdout)
    return run_and_report([GATE], args)


GATE = MutationGate()

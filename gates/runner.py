"""Runs gates and applies, in this one place: fingerprints, waivers, the baseline, the verdict."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from gates import __version__
from gates.baseline import BaselineEntry, apply_baseline, read_baseline
from gates.errors import GatesError
from gates.findings import (
    Finding,
    GateResult,
    Report,
    Severity,
    Verdict,
    assign_fingerprints,
)
from gates.gate import Gate, GateContext
from gates.policy.loader import LoadedPolicy
from gates.records import record
from gates.regular_files import read_repository_text
from gates.waivers import apply_waivers, unused_waiver_findings

ProgressCallback = Callable[[str, str, float], None]


@record
class RunOptions:
    root: Path
    files: list[str] | None = None
    cli_base: str | None = None
    staged: bool = False
    use_baseline: bool = True
    # Trusted mode (gates/policy_changes.py): the base's baseline entries, not the file on disk.
    baseline_entries: list[BaselineEntry] | None = None
    args: argparse.Namespace = field(default_factory=argparse.Namespace)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    progress: ProgressCallback | None = None


def run_gates(gates: Sequence[Gate], loaded: LoadedPolicy, options: RunOptions) -> Report:
    """Run independent gates concurrently, then the ones that read other results."""
    results: dict[str, GateResult] = {}
    baseline = _read_baseline_for(loaded, options)
    independent = [g for g in gates if not g.depends_on]
    dependent = [g for g in gates if g.depends_on]

    def one(gate: Gate) -> GateResult:
        ctx = GateContext(
            root=options.root,
            loaded=loaded,
            section_name=gate.section,
            files=options.files,
            cli_base=options.cli_base,
            staged=options.staged,
            env=options.env,
            args=options.args,
            results=dict(results),
        )
        return run_one(gate, ctx, baseline, options.progress)

    if len(independent) == 1:
        # A hook runs one gate: no thread pool to import or start.
        results[independent[0].name] = one(independent[0])
    elif independent:
        from concurrent.futures import ThreadPoolExecutor

        workers = min(len(independent), os.cpu_count() or 2)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for gate, result in zip(independent, pool.map(one, independent), strict=True):
                results[gate.name] = result
    for gate in dependent:
        results[gate.name] = one(gate)
    ordered = [results[g.name] for g in gates]
    return Report(
        gates=ordered,
        tool_version=__version__,
        policy_path=loaded.display_path,
        policy_file=_repo_relative(loaded.path, options.root),
        policy_lines={
            g.name: loaded.key_marks[(g.section,)].line for g in gates if (g.section,) in loaded.key_marks
        },
    )


def _repo_relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _read_baseline_for(loaded: LoadedPolicy, options: RunOptions) -> list[BaselineEntry] | None:
    settings = loaded.policy.baseline
    if not (options.use_baseline and settings.enabled):
        return None
    if options.baseline_entries is not None:
        return options.baseline_entries
    return read_baseline(options.root / settings.path)


def run_one(
    gate: Gate,
    ctx: GateContext,
    baseline: list[BaselineEntry] | None,
    progress: ProgressCallback | None = None,
) -> GateResult:
    section = gate.settings(ctx.policy)
    if not section.enabled:
        return GateResult.skipped(gate.name, f"disabled in the policy ({gate.section}.enabled)")
    if progress:
        progress(gate.name, "running", 0.0)
    started = time.monotonic()
    try:
        _require_named_paths(ctx)
        result = gate.run(ctx)
    except GatesError as exc:
        result = GateResult.failed_closed(gate.name, str(exc))
    except Exception as exc:  # a bug in a gate must fail closed, not pass or crash the run
        if os.environ.get("GATES_DEBUG"):
            import traceback  # only a crash needs it

            traceback.print_exc()
        result = GateResult.failed_closed(
            gate.name,
            f"internal error in the {gate.name} gate: {type(exc).__name__}: {exc} "
            "(set GATES_DEBUG=1 for the traceback, and please report it)",
        )
    result.duration_s = time.monotonic() - started
    finish(result, gate, ctx, baseline)
    if progress:
        progress(gate.name, result.verdict.value, result.duration_s)
    return result


def _require_named_paths(ctx: GateContext) -> None:
    """A named path that does not exist is an error in every gate, also in those that read no
    named file (pip-audit, coreml, readiness): `gates coreml typo.py` passed as if it checked."""
    from gates.files import missing_path_message

    for name in ctx.files or ():
        if not os.path.lexists(ctx.root / name):
            raise GatesError(missing_path_message(name))


def finish(result: GateResult, gate: Gate, ctx: GateContext, baseline: list[BaselineEntry] | None) -> None:
    """Fingerprints -> waivers -> baseline -> verdict, the same for every gate."""
    section = gate.settings(ctx.policy)
    assign_fingerprints(result.findings, line_reader(ctx.root))
    unused = apply_waivers(result.findings, section.waivers)
    whole = ctx.full_scope and not result.partial_scope and result.verdict is not Verdict.ERROR
    if whole:
        unused_findings = unused_waiver_findings(gate.name, gate.section, unused, section.waivers, ctx.loaded)
        # They point into the policy file: they need fingerprints too (the JSON schema and SARIF ask).
        assign_fingerprints(unused_findings, line_reader(ctx.root))
        result.findings.extend(unused_findings)
    if baseline is not None:
        mine = [e for e in baseline if e.gate == gate.name]
        fixed = apply_baseline(result.findings, mine)
        if whole:
            result.metrics["baseline_fixed"] = len(fixed)
            if fixed:
                result.notes.append(
                    f"{len(fixed)} baselined finding(s) no longer occur; "
                    "run 'gates baseline update' to shrink the baseline"
                )
    _count(result)
    if result.verdict in (Verdict.ERROR, Verdict.SKIPPED):
        return
    threshold = Severity(section.fail_on or ctx.policy.fail_on)
    blocking = [f for f in result.new_findings() if f.severity.at_least(threshold)]
    result.verdict = Verdict.FAIL if blocking else Verdict.PASS


def _count(result: GateResult) -> None:
    findings: list[Finding] = result.findings
    result.metrics["findings"] = len(findings)
    result.metrics["findings_new"] = sum(1 for f in findings if f.suppressed_by is None)
    result.metrics["findings_suppressed"] = sum(1 for f in findings if f.suppressed_by is not None)


def line_reader(root: Path) -> Callable[[str], list[str] | None]:
    """A repository file's lines for fingerprints (cached; None when it cannot be read)."""

    @lru_cache(maxsize=512)
    def read(path: str) -> list[str] | None:
        try:
            return read_repository_text(root, path).splitlines()
        except OSError:
            return None

    return read

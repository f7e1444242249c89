"""Running the code rules over a set of files: cache lookups, parallel parsing, findings."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from dataclasses import field
from pathlib import Path

from gates.checks.models.analyzer import FileAnalysis, analyze_file, parse_lines
from gates.checks.models.cache import ResultCache, content_hash
from gates.checks.models.calls import AnalysisSettings, TrustedModel
from gates.checks.models.catalog import RULES
from gates.errors import GatesError
from gates.findings import SUPPRESSED_INLINE, Finding, Severity
from gates.policy.loader import LoadedPolicy
from gates.policy.sections.model_safety import ModelSafetySection
from gates.records import record
from gates.regular_files import read_regular_bytes

GATE_NAME = "models"
# Below this much source to parse (bytes), a worker process costs more than it saves: its
# start and imports take ~0.15 s CPU, parsing takes ~0.1 s per MB. Measured on fairseq
# (1.7 MB to parse: 0.5 s CPU in-process, 0.6 s with a worker, slower in wall time too)
# and diffusers (33 MB: a worker took the wall time from 3.7 s to 2.9 s with a core idle, for
# 7-9% more CPU).
PARALLEL_FROM_BYTES = 8_000_000


@record
class CodeScan:
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, int | float] = field(default_factory=dict)


def analysis_settings(section: ModelSafetySection, loaded: LoadedPolicy | None = None) -> AnalysisSettings:
    unknown = [rule for rule in section.severity if rule not in RULES]
    if unknown:
        where = loaded.where(("model_safety", "severity", unknown[0]), key=True) + ": " if loaded else ""
        raise GatesError(
            f"{where}model_safety.severity names unknown rule {unknown[0]!r}; "
            f"known rules: {', '.join(RULES)} (see docs/rules/README.md)"
        )
    version = (
        tuple(int(p) for p in section.min_torch_version.split(".")) if section.min_torch_version else None
    )
    return AnalysisSettings(
        require_explicit_weights_only=section.require_explicit_weights_only,
        min_torch_version=version,
        trusted_remote_code=tuple(TrustedModel(t.model, t.revision) for t in section.trust_remote_code_allow),
        severities=tuple(sorted(section.severity.items())),
    )


def scan_code(
    root: Path,
    files: Sequence[str],
    settings: AnalysisSettings,
    *,
    use_cache: bool,
    prune_cache: bool = False,
) -> CodeScan:
    cache = ResultCache.load(root, settings) if use_cache else None
    results: dict[str, FileAnalysis] = {}
    pending: list[tuple[str, bytes, str]] = []
    for relative in files:
        try:
            data = read_regular_bytes(root / relative)
        except OSError as exc:
            raise GatesError(f"{relative}: cannot read ({exc.strerror}); fix the path or exclude it") from exc
        digest = content_hash(data)
        cached = cache.get(root, relative, digest) if cache else None
        if cached is not None:
            results[relative] = cached
        else:
            pending.append((relative, data, digest))
    with collector_paused():
        analyses = _analyze_all(root, pending, settings)
    for (relative, _, digest), analysis in zip(pending, analyses, strict=True):
        results[relative] = analysis
        if cache is not None:
            cache.put(relative, digest, analysis)
    if cache is not None:
        if prune_cache:
            cache.prune(set(files))
        cache.save()
    scan = CodeScan()
    for relative in files:
        scan.findings.extend(_findings(relative, results[relative]))
    scan.metrics = {
        "code_files": len(files),
        "code_files_parsed": sum(1 for r in results.values() if r.parsed),
        "code_cache_hits": cache.hits if cache else 0,
        "code_findings": len(scan.findings),
        "code_unparsable": sum(1 for f in scan.findings if f.rule_id == "MS000"),
    }
    return scan


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing allocates millions of AST nodes, each allocation counting towards a cyclic
    garbage collection that walks every live object: 9% of the CPU time on diffusers. The
    trees are freed by reference counting as soon as a file is done (peak memory measured
    the same without the collector), so it is paused for the scan."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyze_all(
    root: Path, pending: list[tuple[str, bytes, str]], settings: AnalysisSettings
) -> list[FileAnalysis]:
    workers = min(os.cpu_count() or 1, 4)
    results = [FileAnalysis() for _ in pending]  # what analyze_file gives a file no rule can fire in
    # The cheap word scan runs here, so only files that need parsing are shipped to workers
    # (about one in ten in a typical tree).
    scanned = [(index, parse_lines(data)) for index, (_, data, _) in enumerate(pending)]
    chosen = [(index, lines) for index, lines in scanned if lines is not None]
    if sum(len(pending[index][1]) for index, _ in chosen) < PARALLEL_FROM_BYTES or workers < 2:
        for index, lines in chosen:
            relative, data, _ = pending[index]
            results[index] = analyze_file(root, relative, data, settings, lines)
        return results
    # Not a multiprocessing pool: its spawned children import from the scanned repository
    # (see workers.py). Not fork either: the runner may have other gates' threads running.
    from gates.checks.models.workers import analyze_in_workers

    jobs = [(pending[index][0], pending[index][1]) for index, _ in chosen]
    found = [lines for _, lines in chosen]
    analyses = analyze_in_workers(root, jobs, settings, workers, lines=found)
    for (index, _), analysis in zip(chosen, analyses, strict=True):
        results[index] = analysis
    return results


def _findings(path: str, analysis: FileAnalysis) -> list[Finding]:
    out = []
    for raw in analysis.findings:
        rule = RULES[raw.rule]
        finding = Finding(
            gate=GATE_NAME,
            rule_id=raw.rule,
            severity=Severity(raw.severity),
            message=raw.message,
            path=path,
            line=raw.line,
            end_line=raw.end_line,
            column=raw.column,
            help_uri=rule.help_uri,
            aliases=rule.aliases,
        )
        if raw.suppressed is not None:
            finding.suppressed_by = SUPPRESSED_INLINE
            finding.suppression_reason = raw.suppressed
        out.append(finding)
    return out

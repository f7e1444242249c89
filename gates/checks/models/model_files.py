"""Committed model files: find every pickle by content and judge the globals it names.

The caller passes every candidate file. Each one is sniffed from its first bytes (zip,
pickle, ``.npy``, safetensors, compressed wrappers, LFS pointers) and skipped cheaply when
it holds no model. Pickles are walked opcode by opcode and never loaded.

Rules (ids differ from the code rules' MS ids):

- MF101 a known-dangerous global (``os.system``, ``builtins.eval``, ``importlib``...);
- MF102 a global outside the allowlist, or a call the scanner cannot attribute to a name;
- MF103 a file or member that could not be scanned (truncated, corrupt, oversized, bomb);
- MF104 a Git LFS pointer: the model it stands for was not scanned.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path

from gates.checks.models.pickle_formats import PICKLE_SUFFIXES, PREFIX_BYTES, Kind, sniff
from gates.checks.models.pickle_globals import Verdict, judge, normalize
from gates.checks.models.pickle_hints import hint
from gates.checks.models.pickle_observations import FileScan, Observation, ObservationKind, ScanLimits
from gates.checks.models.pickle_presets import preset_allows, preset_for
from gates.checks.models.pickle_reach import reach
from gates.findings import Finding, Severity
from gates.links import RULES_DOCS
from gates.policy.sections.model_files import ModelFilesSettings
from gates.records import record
from gates.regular_files import open_regular

GATE_NAME = "models"
DOCS_BASE = RULES_DOCS
DANGEROUS_GLOBAL = "MF101"
GLOBAL_NOT_ALLOWED = "MF102"
NOT_SCANNABLE = "MF103"
LFS_NOT_SCANNED = "MF104"

_MIB = 1024 * 1024


@record
class ModelFileScan:
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, int | float] = field(default_factory=dict)


def _limits(settings: ModelFilesSettings, deadline: float | None, timeout: float) -> ScanLimits:
    return ScanLimits(
        max_file_bytes=int(settings.max_file_mb * _MIB),
        max_decompressed_bytes=int(settings.max_decompressed_mb * _MIB),
        max_compression_ratio=settings.max_compression_ratio,
        max_depth=settings.max_depth,
        max_pickle_opcodes=settings.max_pickle_opcodes,
        max_pickle_memo=settings.max_pickle_memo,
        deadline=deadline,
        timeout=timeout,
    )


def scan_model_files(
    root: Path, relative_paths: Iterable[str], settings: ModelFilesSettings, timeout: float | None = None
) -> ModelFileScan:
    """Scan each file under ``root``; files that hold no model or pickle are skipped.

    ``timeout`` (``model_safety.timeout``) bounds the whole scan: the file being walked when
    it runs out, and every later file that holds a model, is MF103 (not scanned), never a pass.
    """
    deadline = time.monotonic() + timeout if timeout is not None else None
    limits = _limits(settings, deadline, timeout or 0)
    result = ModelFileScan()
    counts = {
        "model_files_candidates": 0,
        "model_files_scanned": 0,
        "model_files_safetensors": 0,
        "model_files_not_scanned_lfs": 0,
        "model_files_unscannable": 0,
        "model_files_unsafe": 0,
        "model_files_pickles": 0,
        "model_files_archive_members": 0,
        "model_files_bytes_read": 0,
    }
    for relative in relative_paths:
        path = root / relative
        if not path.is_file():
            continue
        counts["model_files_candidates"] += 1
        if not _may_hold_a_model(path):
            continue
        from gates.checks.models.pickle_containers import scan_file

        if deadline is not None and time.monotonic() > deadline:
            scan = FileScan(observations=[_out_of_time(timeout or 0)])
        else:
            scan = scan_file(path, relative, limits)
        if scan.kind is None and not scan.observations:
            continue
        counts["model_files_scanned"] += 1
        counts["model_files_pickles"] += scan.pickles
        counts["model_files_archive_members"] += scan.members
        counts["model_files_bytes_read"] += scan.bytes_read
        findings = _findings_for(path, relative, scan, settings)
        kinds = {o.kind for o in scan.observations}
        if scan.kind is not None and scan.kind.value == "safetensors" and not findings:
            counts["model_files_safetensors"] += 1
        if ObservationKind.LFS_POINTER in kinds:
            counts["model_files_not_scanned_lfs"] += 1
        if ObservationKind.UNSCANNABLE in kinds:
            counts["model_files_unscannable"] += 1
        if any(f.rule_id in (DANGEROUS_GLOBAL, GLOBAL_NOT_ALLOWED) for f in findings):
            counts["model_files_unsafe"] += 1
        result.findings.extend(findings)
    result.metrics.update(counts)
    return result


def _out_of_time(timeout: float) -> Observation:
    return Observation(
        ObservationKind.UNSCANNABLE,
        "",
        f"was not scanned: the scan ran out of time before it (model_safety.timeout: {timeout:g} s;"
        " raise it to scan every file)",
    )


def _may_hold_a_model(path: Path) -> bool:
    """The cheap first look at a file's first bytes: scan it, or skip it."""
    try:
        with open_regular(path) as handle:
            prefix = handle.read(PREFIX_BYTES)
    except OSError:
        return True  # let the scanner report it as unreadable
    kind = sniff(prefix)
    if kind is not Kind.PICKLE_HEADERLESS or path.suffix.lower() in PICKLE_SUFFIXES:
        return kind is not None
    # Most text starts with a byte that is also an opcode. Following the prefix as an
    # unpickler would settles it: text fails within a few bytes (an impossible opcode, a
    # stack underflow, a GLOBAL whose name is no identifier) before anything could run.
    stream = io.BytesIO(prefix)
    found = reach(stream)
    cut_short = found.decode_error and stream.tell() >= len(prefix) == PREFIX_BYTES
    return found.effect or found.clean_stop or cut_short


def _findings_for(path: Path, relative: str, scan: FileScan, settings: ModelFilesSettings) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    digest: str | None = None
    named: dict[str, set[str]] = {}
    for obs in scan.observations:
        if obs.kind is ObservationKind.GLOBAL and obs.module is not None:
            named.setdefault(obs.member, set()).add(normalize(obs.module, obs.name))
    for obs in scan.observations:
        better = hint(relative, obs.member, named.get(obs.member, set()))
        built = _finding(relative, obs, settings, better)
        if built is None:
            continue
        rule_id, severity, subject, message = built
        key = (rule_id, obs.member, subject)
        if key in seen:
            continue  # one finding per global per member, however often it is named
        seen.add(key)
        if digest is None:
            digest = _sha256(path, int(settings.max_file_mb * _MIB))
        findings.append(
            Finding(
                gate=GATE_NAME,
                rule_id=rule_id,
                severity=severity,
                message=message,
                path=relative,
                help_uri=f"{DOCS_BASE}/{rule_id}.md",
                # Bound to the file's content: a waiver or baseline entry for one checkpoint
                # does not carry over to a different file committed under the same name.
                fingerprint=_fingerprint(rule_id, relative, obs.member, subject, digest),
            )
        )
    return findings


def _finding(
    relative: str, obs: Observation, settings: ModelFilesSettings, better: str
) -> tuple[str, Severity, str, str] | None:
    places = [f"member '{obs.member}'"] if obs.member else []
    if obs.pickle_index:  # legacy torch files and pickle.dump loops hold several pickles
        places.append(f"pickle #{obs.pickle_index + 1}")
    where = relative + (f" ({', '.join(places)})" if places else "")
    if obs.kind is ObservationKind.GLOBAL:
        if obs.module is None:
            return (
                GLOBAL_NOT_ALLOWED,
                Severity.ERROR,
                obs.name,
                f"{where}: the pickle names a global the scanner cannot resolve ({obs.name}, {obs.opcode} at"
                f" byte {obs.position}); loading it runs code chosen at load time. Better: {better}.",
            )
        judgement = judge(obs.module, obs.name, settings.allowed_globals)
        if judgement.verdict is Verdict.ALLOWED:
            return None
        if judgement.verdict is Verdict.NOT_ALLOWED and preset_allows(
            judgement.qualname, obs.invoked, settings.trust
        ):
            return None
        use = "calls" if obs.called else "imports"
        if judgement.verdict is Verdict.DANGEROUS:
            return (
                DANGEROUS_GLOBAL,
                Severity.ERROR,
                judgement.qualname,
                f"{where}: the pickle {use} {judgement.qualname}, which {judgement.reason}"
                f" ({obs.opcode} at byte {obs.position}); loading this file can run arbitrary code."
                f" Do not load it; if it is yours, {better}.",
            )
        return (
            GLOBAL_NOT_ALLOWED,
            Severity.ERROR,
            judgement.qualname,
            f"{where}: the pickle {use} {judgement.qualname}, which is not on the allowlist"
            f" ({obs.opcode} at byte {obs.position}){_preset_note(judgement.qualname, obs, settings)}."
            f" If it is your own trusted class, add '{normalize(obs.module, obs.name)}' to"
            f" model_safety.model_files.allowed_globals. Better: {better}.",
        )
    if obs.kind is ObservationKind.DYNAMIC_CALL:
        subject = f"{obs.opcode}@{obs.position}"
        return (
            GLOBAL_NOT_ALLOWED,
            Severity.ERROR,
            subject,
            f"{where}: the pickle calls a computed value ({obs.opcode} at byte {obs.position}) instead of a"
            f" named global, a pattern used to hide the real callable. Better: {better}.",
        )
    if obs.kind is ObservationKind.UNSCANNABLE:
        return (
            NOT_SCANNABLE,
            Severity.ERROR,
            obs.message,
            f"{where} {obs.message}. A file the gate cannot read is not known to be safe: fix or"
            f" remove it. Better: {better}.",
        )
    severity = Severity(settings.lfs_pointer_severity)
    return (
        LFS_NOT_SCANNED,
        severity,
        obs.message,
        f"{where} {obs.message}. Fetch LFS objects before the gate runs (actions/checkout with"
        " `lfs: true`, or `git lfs pull`) so the model can be scanned; prefer safetensors.",
    )


def _preset_note(qualname: str, obs: Observation, settings: ModelFilesSettings) -> str:
    preset = preset_for(qualname)
    if preset is None:
        return ""
    if preset in settings.trust:
        # Listed, but used beyond rebuilding: called with arguments, or handed around as a value.
        return (
            f"; the '{preset}' preset accepts it only as the class of a rebuilt object, and this pickle"
            " calls it or uses it as a value"
        )
    return f"; the opt-in '{preset}' preset in model_safety.model_files.trust lists it"


def _sha256(path: Path, max_bytes: int) -> str:
    """The file's SHA-256; for a file over the scan limit, of its size, head and tail only
    (hashing gigabytes the scanner refused to read would cost more than the scan)."""
    digest = hashlib.sha256()
    try:
        with open_regular(path) as handle:
            size = path.stat().st_size
            if size > max_bytes:
                digest.update(f"partial:{size}:".encode())
                digest.update(handle.read(1 << 20))
                handle.seek(max(size - (1 << 20), 0))
                digest.update(handle.read(1 << 20))
            else:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    except OSError:
        return "unreadable"
    return digest.hexdigest()


def _fingerprint(rule_id: str, relative: str, member: str, subject: str, digest: str) -> str:
    key = "\x1f".join(["ml-gates", rule_id, relative, member, subject, digest])
    return hashlib.sha256(key.encode()).hexdigest()[:32]

"""Checking one Python file: parse, resolve names, run every rule, apply inline suppressions.

The result is plain data (JSON-ready) so it can be cached by content hash and shipped
between processes. Nothing here imports or executes the scanned code.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gates.checks.models import (
    http_timeouts,
    huggingface,
    keras,
    torch_hub,
    torch_load,
    unpickling,
    yaml_load,
)
from gates.checks.models.calls import AnalysisSettings, Checker, FileContext, Hit, short_name
from gates.checks.models.catalog import RULES, UNSUPPRESSIBLE
from gates.checks.models.names import collect_names
from gates.checks.models.suppressions import parse_suppressions
from gates.checks.models.trust_remote_code import ALWAYS as TRUST_REMOTE_CODE

# (top-level modules one of which the file must mention, or None for "any"; call names).
_FAMILIES: list[tuple[tuple[str, ...] | None, list[tuple[frozenset[str], Checker]]]] = [
    (("torch",), torch_load.CHECKS + torch_hub.CHECKS),
    (("pickle", "cPickle", "dill", "cloudpickle", "joblib", "jsonpickle", "shelve", "pandas", "numpy"),
     unpickling.CHECKS),
    (None, huggingface.CHECKS),
    (("yaml",), yaml_load.CHECKS),
    (("requests", "httpx", "urllib", "urllib2", "six"), http_timeouts.CHECKS),
    (("keras", "tensorflow", "tf_keras"), keras.CHECKS),
]  # fmt: skip


def _dispatch() -> dict[str, list[Checker]]:
    table: dict[str, list[Checker]] = {}
    for _, checks in _FAMILIES:
        for names, checker in checks:
            for name in names:
                if checker not in table.setdefault(name, []):
                    table[name].append(checker)
    return table


DISPATCH = _dispatch()


def _word_pattern(words: Iterable[str]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")\b")


def _prefilter() -> list[tuple[re.Pattern[bytes] | None, re.Pattern[bytes]]]:
    """Words a file must contain for any rule to fire, so most files are skipped unparsed.

    Any call a rule resolves ends in one of the rule's call names and goes through an
    import that names the module, so both words appear in the file's text.
    """
    tests: list[tuple[re.Pattern[bytes] | None, re.Pattern[bytes]]] = [
        (None, re.compile(rb"trust_remote_code|gates\s*:\s*ignore"))
    ]
    for modules, checks in _FAMILIES:
        calls = _word_pattern(n for group, _ in checks for n in group)
        tests.append((_word_pattern(modules) if modules else None, calls))
    return tests


_PREFILTER: list[tuple[re.Pattern[bytes] | None, re.Pattern[bytes]]] = []


def might_match(data: bytes) -> bool:
    if not _PREFILTER:
        _PREFILTER.extend(_prefilter())
    return any(calls.search(data) and (mods is None or mods.search(data)) for mods, calls in _PREFILTER)


@dataclass
class RawFinding:
    rule: str
    line: int
    end_line: int
    column: int
    message: str
    severity: str
    suppressed: str | None = None  # the reason of the inline suppression that covers it
    fix: tuple[str, str] | None = None


@dataclass
class FileAnalysis:
    findings: list[RawFinding] = field(default_factory=list)
    probes: dict[str, bool] = field(default_factory=dict)
    parsed: bool = False

    def to_json(self) -> dict[str, object]:
        return {"findings": [asdict(f) for f in self.findings], "probes": self.probes, "parsed": self.parsed}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FileAnalysis:
        raw = data["findings"]
        assert isinstance(raw, list)
        findings = []
        for item in raw:
            fix = item.get("fix")
            findings.append(RawFinding(**{**item, "fix": tuple(fix) if fix else None}))
        probes = data.get("probes") or {}
        assert isinstance(probes, dict)
        return cls(findings, dict(probes), bool(data.get("parsed")))


def analyze_file(root: Path, path: str, data: bytes, settings: AnalysisSettings) -> FileAnalysis:
    if not might_match(data):
        return FileAnalysis()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes in scanned code
            tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        detail = getattr(exc, "msg", None) or str(exc)
        finding = RawFinding("MS000", line, line, 1, f"cannot parse: {detail}; nothing in it was checked",
                             _severity("MS000", settings) or "error")  # fmt: skip
        return FileAnalysis([finding], parsed=True)
    ctx = FileContext(collect_names(tree), root, path, settings)
    hits = list(_hits(tree, ctx))
    findings = _to_findings(hits, settings)
    source = data.decode("utf-8", "replace")
    if "gates" in source:
        findings = _apply_suppressions(findings, source, settings)
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return FileAnalysis(findings, ctx.probes, parsed=True)


def _hits(tree: ast.Module, ctx: FileContext) -> Iterator[Hit]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        short = short_name(node)
        qual = ctx.names.qualname(node.func)
        last = qual.rsplit(".", 1)[-1] if qual else None
        checkers = list(DISPATCH.get(short or "", ()))
        if last and last != short:
            checkers.extend(c for c in DISPATCH.get(last, ()) if c not in checkers)
        for checker in checkers:
            yield from checker(node, qual, ctx)
        if node.keywords:
            yield from TRUST_REMOTE_CODE(node, qual, ctx)


def _severity(rule: str, settings: AnalysisSettings) -> str | None:
    """The rule's severity after policy overrides; None when the policy turned it off."""
    for rule_id, severity in settings.severities:
        if rule_id == rule:
            return None if severity == "off" else severity
    return RULES[rule].severity.value


def _to_findings(hits: Iterable[Hit], settings: AnalysisSettings) -> list[RawFinding]:
    seen: set[tuple[str, int, int]] = set()
    findings = []
    for hit in hits:
        node = hit.node
        key = (hit.rule, node.lineno, node.col_offset)
        severity = _severity(hit.rule, settings)
        if key in seen or severity is None:
            continue
        seen.add(key)
        end = node.end_lineno or node.lineno
        findings.append(RawFinding(hit.rule, node.lineno, end, node.col_offset + 1, hit.message, severity,
                                   fix=hit.fix))  # fmt: skip
    return findings


def _apply_suppressions(
    findings: list[RawFinding], source: str, settings: AnalysisSettings
) -> list[RawFinding]:
    suppressions = parse_suppressions(source)
    if not suppressions:
        return findings
    for finding in findings:
        if finding.rule in UNSUPPRESSIBLE:
            continue
        ids = (finding.rule, *RULES[finding.rule].aliases)
        for suppression in suppressions:
            if suppression.covers(ids, finding.line, finding.end_line):
                finding.suppressed = suppression.reason
                suppression.used.add(finding.rule)
                break
    extra: list[RawFinding] = []
    for suppression in suppressions:
        line = suppression.line
        if not suppression.valid:
            missing = "a rule id, e.g. [MS101]," if not suppression.rules else "a reason"
            rule = "MS901"
            message = (
                f"'# gates: ignore' needs {missing} so it suppresses nothing: "
                "write '# gates: ignore[RULE] why'"
            )
        elif not suppression.used:
            rule = "MS902"
            unknown = sorted(r for r in suppression.rules if r not in RULES and not _is_alias(r))
            why = f" (unknown rule id {', '.join(unknown)})" if unknown else ""
            listed = ", ".join(sorted(suppression.rules))
            message = f"'# gates: ignore[{listed}]' suppresses nothing{why}; remove it"
        else:
            continue
        severity = _severity(rule, settings)
        if severity is not None:
            extra.append(RawFinding(rule, line, line, 1, message, severity))
    return findings + extra


def _is_alias(rule_id: str) -> bool:
    return any(rule_id in rule.aliases for rule in RULES.values())


Analyzer = Callable[[Path, str, bytes, AnalysisSettings], FileAnalysis]

"""Checking one Python file: parse, resolve names, run every rule, apply inline suppressions.

The result is plain data (JSON-ready) so it can be cached by content hash and shipped
between processes. Nothing here imports or executes the scanned code.
"""

from __future__ import annotations

import ast
import bisect
import codecs
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field
from pathlib import Path

from gates.checks.models.blocks import Block, assemble, split_blocks
from gates.checks.models.calls import AnalysisSettings, FileContext, Hit, short_name
from gates.checks.models.catalog import RULES, UNSUPPRESSIBLE
from gates.checks.models.deferred import check_deferred
from gates.checks.models.names import ScopedNames
from gates.checks.models.outline import Outline, Scope, attributes_in, outline
from gates.checks.models.suppressions import parse_suppressions
from gates.checks.models.triggers import (
    DISPATCH,
    KEYWORD_CHECKERS,
    alias_words,
    candidate_lines,
    has_suppression,
    is_api,
    python_newlines,
    used_lines,
)
from gates.checks.models.trust_remote_code import check_flag_store
from gates.records import record


@record
class RawFinding:
    rule: str
    line: int
    end_line: int
    column: int
    message: str
    severity: str
    suppressed: str | None = None  # the reason of the inline suppression that covers it
    fix: tuple[str, str] | None = None
    fix_safe: bool = False


@record
class FileAnalysis:
    findings: list[RawFinding] = field(default_factory=list)
    probes: dict[str, bool] = field(default_factory=dict)
    parsed: bool = False

    def to_json(self) -> dict[str, object]:
        # vars(), not asdict(): the fields are flat; asdict's recursive copy shows in a 2,000-file run.
        findings = [dict(vars(f)) for f in self.findings]
        return {"findings": findings, "probes": self.probes, "parsed": self.parsed}

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


def analyze_file(
    root: Path, path: str, data: bytes, settings: AnalysisSettings, lines: frozenset[int] | None = None
) -> FileAnalysis:
    """``lines``: ``used_lines(data)`` when the caller has it already (the word scan that chose
    the file), so a file is scanned once, not twice."""
    try:
        return _analyze(root, path, python_newlines(data), settings, lines)
    except RecursionError:
        # ast.parse and the walkers recurse once per nesting level: a file nested deeper than
        # the interpreter allows is this file's problem, reported on it; the others are scanned.
        message = "cannot parse: nested too deeply for the parser (RecursionError); nothing in it was checked"
        finding = RawFinding("MS000", 1, 1, 1, message, _severity("MS000", settings) or "error")
        return FileAnalysis([finding], parsed=True)


def parse_lines(data: bytes) -> frozenset[int] | None:
    """``used_lines(data)`` when a rule could fire in ``data``; None when none can, and
    :func:`analyze_file` would parse nothing."""
    data = python_newlines(data)
    lines = used_lines(data)
    # A coding cookie may hide calls from a byte scan (utf-7): such files are always analysed.
    if lines or has_suppression(data) or _COOKIE.match(data):
        return lines
    return None


def _analyze(
    root: Path, path: str, data: bytes, settings: AnalysisSettings, known: frozenset[int] | None
) -> FileAnalysis:
    early: list[RawFinding] = []
    if _COOKIE.match(data):
        # Python decodes the file as its PEP 263 cookie says; so must we, or a utf-7 file
        # hides "pickle.loads(...)" behind "#+AAo-" from a UTF-8 reader.
        try:
            recoded, finding = _recode(data, settings)
        except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
            return FileAnalysis([_unparsable(exc, settings)], parsed=True)
        if recoded is not data:
            # The lines of the bytes the caller scanned may not hold (utf-7 can hide a "\r" too).
            data, known = python_newlines(recoded), None
        early = [finding] if finding else []
    lines = used_lines(data) if known is None else known
    if not lines and not has_suppression(data):
        return FileAnalysis(early, parsed=bool(early))  # no rule can fire: not even parsed
    try:
        scoped, calls, stores = _parse_relevant(data, path, lines)
    except (SyntaxError, ValueError) as exc:
        return FileAnalysis([*early, _unparsable(exc, settings)], parsed=True)
    ctx = FileContext(scoped.module, root, path, settings)
    hits = list(_hits(calls, scoped, ctx))
    for store, scope in stores:
        ctx.names = scoped.for_scope(scope)
        hits.extend(check_flag_store(store, ctx))
    findings = early + _to_findings(hits, settings)
    if has_suppression(data):
        source = data.decode("utf-8", "replace")
        findings = _apply_suppressions(findings, source, settings)
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return FileAnalysis(findings, ctx.probes, parsed=True)


def _unparsable(exc: Exception, settings: AnalysisSettings) -> RawFinding:
    line = getattr(exc, "lineno", None) or 1
    detail = getattr(exc, "msg", None) or str(exc)
    if isinstance(exc, SyntaxError):
        # Newer syntax (class C[T]: ..., PEP 695) is "invalid" to an older parser: say which one.
        detail += (
            f" (to the Python {sys.version_info.major}.{sys.version_info.minor} parser ml-gates runs on)"
        )
    return RawFinding("MS000", line, line, 1, f"cannot parse: {detail}; nothing in it was checked",
                      _severity("MS000", settings) or "error")  # fmt: skip


# A coding cookie can only be on line 1 or 2 (PEP 263).
_COOKIE = re.compile(rb"(?:[^\n]*\n)?[ \t\f]*#[^\n]*?coding[:=]")
_COOKIE_NAME = re.compile(rb"(coding[:=][ \t]*)([-\w.]+)")
_ASCII_TEXT = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def _recode(data: bytes, settings: AnalysisSettings) -> tuple[bytes, RawFinding | None]:
    """``data`` as UTF-8 with its cookie saying so, and an MS001 finding for an exotic codec."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        return data, None
    lines = data.decode(encoding).splitlines(keepends=True)
    cookie_line = 0
    for index, text in enumerate(lines[:2]):
        replaced = _COOKIE_NAME.sub(rb"\1utf-8", text.encode("utf-8"), count=1).decode("utf-8")
        if replaced != text:
            lines[index], cookie_line = replaced, index + 1
            break
    recoded = "".join(lines).encode("utf-8")
    severity = _severity("MS001", settings)
    if _ASCII_TEXT.decode(encoding, "replace") == _ASCII_TEXT.decode("ascii") or severity is None:
        return recoded, None
    line = cookie_line or 1
    message = (
        f"the coding cookie names {encoding!r}, which does not read plain ASCII as ASCII: Python "
        "runs code a reviewer does not see; save the file as UTF-8"
    )
    return recoded, RawFinding("MS001", line, line, 1, message, severity)


def _parse(source: str | bytes, path: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes in scanned code
        return ast.parse(source, filename=path)


def _with_aliases(data: bytes, lines: frozenset[int], parts: Outline, names: ScopedNames) -> frozenset[int]:
    extra = alias_words(parts, names.module.aliases)
    return lines | candidate_lines(data, extra) if extra else lines


def _parse_relevant(
    data: bytes, path: str, base_lines: frozenset[int]
) -> tuple[ScopedNames, list[tuple[ast.Call, Scope]], list[tuple[ast.Assign, Scope]]]:
    """Names and candidate calls, parsing only the top-level blocks that can matter."""
    lines = base_lines
    try:
        # A parsed method may alias a loader (self._load = torch.load) that another, unparsed
        # method calls: its words then mark more lines, and the selection is made again.
        for _ in range(3):
            parts, unparsed = _parse_selection(data, path, base_lines, lines)
            names = ScopedNames(parts, is_api)
            found = _with_aliases(data, base_lines, parts, names) | lines
            if found == lines or not any(_spans_any(b, sorted(found - lines)) for b in unparsed):
                break
            lines = found
    except (SyntaxError, ValueError, UnicodeDecodeError):
        # The textual split was fooled (or the file is not UTF-8): parse it whole.
        parts = outline(_parse(data, path))
        names = ScopedNames(parts, is_api)
        found = _with_aliases(data, base_lines, parts, names)
    calls = parts.calls_on(found)
    names.attributes_read(_attributes_read(calls, parts.flag_stores))
    return names, calls, parts.flag_stores


def _parse_selection(
    data: bytes, path: str, base_lines: frozenset[int], known: frozenset[int]
) -> tuple[Outline, list[Block]]:
    """The outline of the module-level code and of the definitions spanning ``known`` lines
    (or lines the module-level code makes interesting), and the blocks left unparsed."""
    text = data.decode("utf-8")
    blocks = split_blocks(text)
    definitions = [b for b in blocks if b.is_definition]
    parts = outline(_parse(assemble(text, (b for b in blocks if not b.is_definition)), path))
    names = ScopedNames(parts, is_api)
    lines = sorted(_with_aliases(data, base_lines, parts, names) | known)
    wanted = [b for b in definitions if _spans_any(b, lines)]
    stubs: list[Block] = []
    if wanted:
        keep, stubs = _methods_needed(text, wanted, lines)
        parts.merge(outline(_parse(assemble(text, keep, stubs), path)))
    chosen = set(wanted)
    unparsed = [b for b in definitions if b not in chosen] + stubs
    for block in definitions:
        if block not in chosen:
            _add_definition_header(text[block.start : block.end], parts, path)
    parts.text, parts.unparsed = text, _owned(text, unparsed, wanted)
    return parts, unparsed


def _attributes_read(
    calls: list[tuple[ast.Call, Scope]], stores: list[tuple[ast.Assign, Scope]]
) -> frozenset[str]:
    """The attribute names the checked calls (and stored flags) pass or call on: only these
    class attributes (``self.model_name``) are worth resolving."""
    nodes: list[ast.AST] = [call for call, _ in calls] + [store.value for store, _ in stores]
    return frozenset(attribute for node in nodes for attribute in attributes_in(node))


def _methods_needed(text: str, wanted: list[Block], lines: list[int]) -> tuple[list[Block], list[Block]]:
    """In wanted classes, keep the header, class-level statements and the methods that matter."""
    keep: list[Block] = []
    stubs: list[Block] = []
    for block in wanted:
        if not text.startswith("class ", block.start):
            keep.append(block)
            continue
        inner = split_blocks(text, block.start, block.end, "    ")
        keep.append(inner[0])
        for part in inner[1:]:
            if not part.is_definition or _spans_any(part, lines) or _FIND_CLASS.match(text, part.start):
                keep.append(part)
            else:
                stubs.append(part)
    return keep, stubs


# An Unpickler's find_class decides which globals the data may name: kept, so the rule can
# tell a restricted unpickler (it can refuse) from one that runs anything.
_FIND_CLASS = re.compile(r"    (?:@[^\n]*\n\s*)*def\s+find_class\b")


def _spans_any(block: Block, lines: list[int]) -> bool:
    index = bisect.bisect_left(lines, block.first_line)
    return index < len(lines) and lines[index] <= block.last_line


_CLASS_HEADER = re.compile(r"class\s+(\w+)\s*(?:\(([^()]*)\))?\s*:")
_DECORATED_CLASS = re.compile(r"(?:@[^\n]*\n\s*)*class\s+(\w+)")


def _owned(text: str, unparsed: list[Block], wanted: list[Block]) -> list[tuple[str | None, int, int]]:
    """Each unparsed block with the class it belongs to (see ``Outline.unparsed``)."""
    spans: list[tuple[str | None, int, int]] = []
    for block in unparsed:
        home = next((w for w in wanted if w.start <= block.start < w.end), block)
        match = _DECORATED_CLASS.match(text, home.start)
        if match:
            owner: str | None = match.group(1)
        elif home is block and not text.startswith(" ", block.start):
            owner = ""  # a module-level function: it binds no class's self
        else:
            owner = None
        spans.append((owner, block.start, block.end))
    return spans


_DEF_HEADER = re.compile(r"(?:@[^\n]*\n\s*)*(?:async\s+)?def\s+(\w+)")


def _add_definition_header(source: str, parts: Outline, path: str) -> None:
    """A class we do not parse may still be a safe YAML loader (or an Unpickler) others
    derive from; a function we do not parse still shadows a library name it shares."""
    match = _CLASS_HEADER.match(source)
    if match:
        parts.defined.add(match.group(1))
        if match.group(2) and match.group(2).strip():
            header = _parse(f"class {match.group(1)}({match.group(2)}):\n    pass\n", path)
            parts.classes.extend(n for n in header.body if isinstance(n, ast.ClassDef))
        return
    match = _DEF_HEADER.match(source)
    if match:
        parts.defined.add(match.group(1))


def _hits(calls: list[tuple[ast.Call, Scope]], scoped: ScopedNames, ctx: FileContext) -> Iterator[Hit]:
    for node, _ in calls:
        if node.args and isinstance(node.args[0], ast.Call):
            ctx.consumers[id(node.args[0])] = node
    for node, scope in calls:
        ctx.names = scoped.for_scope(scope)
        short = short_name(node)
        # A name imported from two places is checked as the import of its own branch when one
        # precedes it in its scope, else as each (any of the branches may run).
        possible = _branch_quals(node, scope, scoped, ctx.names.qualnames(node.func))
        quals: list[str | None] = [*possible] or [None]
        for qual in quals:
            last = qual.rsplit(".", 1)[-1] if qual else None
            checkers = list(DISPATCH.get(short or "", ()))
            if last and last != short:
                checkers.extend(c for c in DISPATCH.get(last, ()) if c not in checkers)
            for checker in checkers:
                yield from checker(node, qual, ctx)
            if node.keywords:
                for checker in KEYWORD_CHECKERS:
                    yield from checker(node, qual, ctx)
        yield from check_deferred(node, ctx)


def _branch_quals(node: ast.Call, scope: Scope, scoped: ScopedNames, quals: list[str]) -> list[str]:
    if len(quals) < 2:
        return quals
    root = node.func
    while isinstance(root, ast.Attribute | ast.Call):
        root = root.value if isinstance(root, ast.Attribute) else root.func
    if not isinstance(root, ast.Name):
        return quals
    chosen = scoped.import_before(root.id, node.lineno, scope)
    if chosen is None:
        return quals
    mine = [q for q in quals if q == chosen or q.startswith((chosen + ".", chosen + "("))]
    return mine or quals


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
                                   fix=hit.fix, fix_safe=hit.fix_safe))  # fmt: skip
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

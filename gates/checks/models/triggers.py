"""Which words make a file, or a line of it, worth parsing.

A rule can only fire on a call whose name (or a local alias of it) is written in the
file, through an import that names the module. Both come from the rules' declared APIs
(``catalog.py``): ``torch.hub.list`` makes ``list`` worth looking for in a file that
mentions ``torch``; names whose modules the file never mentions are not even looked for
(a star import activates them all). Cheap byte regexes, no parsing.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from functools import lru_cache

from gates.checks.models.calls import Checker
from gates.checks.models.catalog import RULES
from gates.checks.models.outline import Outline


def api_parts(api: str) -> tuple[str, str]:
    """``torch.hub.list`` -> ("torch", "list"); ``requests.Session().get`` -> ("requests", "get")."""
    return api.split(".", 1)[0], api.rsplit(".", 1)[-1].removesuffix("()")


def trigger_word(api: str) -> str:
    """The text that marks a line as using ``api``: its name, or, for a name every file calls
    as a builtin (``list``, ``help``, ``open``), the name with its parent (``hub.list``)."""
    parts = api.replace("()", "").split(".")
    return ".".join(parts[-2:]) if parts[-1] in _BUILTINS and len(parts) > 1 else parts[-1]


_BUILTINS = frozenset(dir(builtins))


def _tables() -> tuple[dict[str, list[Checker]], dict[str, frozenset[str]], list[Checker]]:
    dispatch: dict[str, list[Checker]] = {}
    modules: dict[str, set[str]] = {}
    keyword_checkers: list[Checker] = []
    for rule in RULES.values():
        if rule.checker is None:
            continue
        for api in sorted(rule.apis):
            module, name = api_parts(api)
            modules.setdefault(trigger_word(api), set()).add(module)
            if "()." in api:
                # requests.Session().get: the line making the session matters too. A method that
                # only does self.session = requests.Session() must be parsed, or another
                # method's self.session.get(url) cannot be told apart from dict.get.
                modules.setdefault(trigger_word(api.split("().", 1)[0]), set()).add(module)
            if rule.checker not in dispatch.setdefault(name, []):
                dispatch[name].append(rule.checker)
        if rule.keywords and rule.checker not in keyword_checkers:
            keyword_checkers.append(rule.checker)
    return dispatch, {k: frozenset(v) for k, v in modules.items()}, keyword_checkers


# Call name -> the checkers to run on it; trigger word -> the modules one of which the file
# must mention; the checkers that look at every call's keywords.
DISPATCH, NAME_MODULES, KEYWORD_CHECKERS = _tables()
ALWAYS_WORDS = frozenset(k for rule in RULES.values() for k in rule.keywords)
_MODULE_WORDS = tuple(sorted({m.encode() for modules in NAME_MODULES.values() for m in modules}))
_WORDS_OF = {
    module: frozenset(w for w, modules in NAME_MODULES.items() if module.decode() in modules)
    for module in _MODULE_WORDS
}
_ALL_WORDS = frozenset(NAME_MODULES)
# The modules of each word, those most files mention first.
_COMMON = ("torch", "transformers", "diffusers", "numpy", "requests", "yaml", "pickle")
_RANK = {module: rank for rank, module in enumerate(_COMMON)}
_MODULES_OF = {
    word: tuple(m.encode() for m in sorted(modules, key=lambda m: (_RANK.get(m, len(_COMMON)), m)))
    for word, modules in NAME_MODULES.items()
}
# A star import can bring any covered name in without naming it.
_STAR = b"import *"
_SUPPRESSION = re.compile(rb"#\s*gates\s*:\s*ignore")


def python_newlines(data: bytes) -> bytes:
    """``data`` with every line ended by ``\n``. Python ends a line at ``\r\n``, ``\r`` or
    ``\n``; the scans here count ``\n``, so a file of lone ``\r`` line ends would otherwise
    be one line to them and a ``torch.load`` on its fourth line would never be looked at."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def has_suppression(data: bytes) -> bool:
    return _SUPPRESSION.search(data) is not None


def _trie(words: list[str]) -> str:
    """An alternation sharing prefixes (``load(?:_all|s)?``): the regex engine then tries one
    branch per character instead of every word at every position (a third faster on 45 MB)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return emit(root)


@lru_cache(maxsize=64)
def use_pattern(words: frozenset[str]) -> re.Pattern[bytes]:
    """Where a name is *used* as code: called, imported, or aliased (``f = torch.load``).

    Prose in comments and docstrings rarely looks like that, so big classes that only
    talk about loading are not parsed. ``trust_remote_code`` matters as a keyword too.
    """
    alt = _trie(sorted(words)).encode()
    always = b"|".join(re.escape(w.encode()) for w in sorted(ALWAYS_WORDS))
    # Lookaheads run only where a name matched, so this stays a fast word scan.
    return re.compile(
        rb"\b" + _leading_letters(words | ALWAYS_WORDS) + rb"(?:(" + alt + rb")\b"
        rb"(?=\s*\("  # a call, also "load\n(" split over lines
        rb"|[ \t]*(?:$|[#;),]|as\b))"  # import ... load [as x] / f = torch.load
        rb"|(?:" + always + rb")\b)",
        re.MULTILINE,
    )


def _leading_letters(words: frozenset[str]) -> bytes:
    """A lookahead for the words' first two characters, one class each: at a word boundary
    it rules out most positions in two steps, before the alternation tries its branches
    one by one (12% faster over diffusers' 45 MB, same matches)."""
    if not words:
        return b""
    classes = [{w[0] for w in words}]
    if all(len(w) > 1 for w in words):
        classes.append({w[1] for w in words})
    return b"(?=" + b"".join(b"[" + re.escape("".join(sorted(c))).encode() + b"]" for c in classes) + b")"


def active_words(data: bytes) -> frozenset[str]:
    """The call names worth looking for in this file, given the modules it mentions."""
    if _STAR in data:
        return frozenset(NAME_MODULES) | ALWAYS_WORDS
    # A substring test is much cheaper than a word regex, and errs on the side of looking.
    words = set(ALWAYS_WORDS)
    for module in _MODULE_WORDS:
        if module in data:
            words.update(_WORDS_OF[module])
    return frozenset(words)


_COMMENT_START = re.compile(rb"[ \t\f]*#")


def code_matches(data: bytes, pattern: re.Pattern[bytes]) -> Iterator[tuple[int, re.Match[bytes]]]:
    """``pattern``'s matches with their line numbers, leaving out those on comment lines (the
    first non-blank is ``#``: a comment, or a line inside a string; either way no code, so a word
    there needs no parsing; a ``#`` later in a line proves nothing: ``x = "#"; torch.load(p)``).

    Linear in ``data``: each line's start is looked for only between two matches, so a one-line
    minified file with many matches costs no more than its length."""
    line, position, comment = 1, 0, _COMMENT_START.match(data) is not None
    for match in pattern.finditer(data):
        start = match.start()
        newlines = data.count(b"\n", position, start)
        if newlines:
            line += newlines
            comment = _COMMENT_START.match(data, data.rfind(b"\n", position, start) + 1) is not None
        position = start
        if not comment:
            yield line, match


def used_lines(data: bytes) -> frozenset[int]:
    """``candidate_lines(data, active_words(data))`` in one pass: every trigger word is looked
    for, and only the modules of the words found are then looked up (most files use none).

    ``data`` ends its lines with ``\n`` only (see ``python_newlines``)."""
    found: dict[str, set[int]] = {}
    for line, match in code_matches(data, use_pattern(_ALL_WORDS)):
        word = match.group(1)
        found.setdefault(word.decode() if word else "", set()).add(line)
    if not found:
        return frozenset()
    star = _STAR in data
    lines: set[int] = set()
    present: dict[bytes, bool] = {}

    def mentioned(module: bytes) -> bool:
        # Each test of an absent module reads the whole file: stop at the first one found.
        if module not in present:
            present[module] = module in data
        return present[module]

    for word, at in found.items():
        if not word or star or any(mentioned(m) for m in _MODULES_OF[word]):
            lines.update(at)
    return frozenset(lines)


def might_match(data: bytes) -> bool:
    """False when no rule can fire on this file: it is then not parsed at all."""
    return has_suppression(data) or use_pattern(active_words(data)).search(data) is not None


_ALL_APIS = frozenset(api for rule in RULES.values() for api in rule.apis)
# ``requests.Session`` is a class whose instances' methods are APIs (``requests.Session().get``).
_API_CLASSES = frozenset(api.split("().", 1)[0] for api in _ALL_APIS if "()." in api)


def is_api(qual: str) -> bool:
    """A class a rule covers, so a class derived from it is covered too."""
    return qual in _API_CLASSES or (qual in _ALL_APIS and qual.rsplit(".", 1)[-1][:1].isupper())


def _last(node: ast.expr | None) -> str | None:
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def alias_words(parts: Outline, aliases: dict[str, str]) -> frozenset[str]:
    """Local names bound to something a rule dispatches on (``f = torch.load``, ``import load as L``,
    ``class U(pickle.Unpickler)``), in any scope. Syntactic, so it errs on the side of looking."""
    words = {
        key.rsplit(".", 1)[-1]
        for key, qual in aliases.items()
        if qual.removesuffix("()").rsplit(".", 1)[-1] in DISPATCH
    }
    words.update(
        cls.name
        for cls in parts.classes
        if any(_last(base) in DISPATCH or _last(base) in words for base in cls.bases)
    )
    for _ in range(2):
        for target, value, _scope in parts.bindings:
            # f = torch.load, g = f: a function alias (calls' results need no word of their own:
            # s = requests.Session() is used as s.get, and "get" is already looked for), and
            # f = functools.partial(torch.load, ...), whose calls are torch.load's.
            if _is_partial(value):
                assert isinstance(value, ast.Call)
                value = value.args[0]
            if not isinstance(value, ast.Name | ast.Attribute):
                continue
            name = _last(value)
            if name is not None and (name in DISPATCH or name in words):
                last = _last(target)
                if last is not None:
                    words.add(last)
    return frozenset(words - DISPATCH.keys())


def _is_partial(value: ast.expr | None) -> bool:
    """Syntactically ``partial(f, ...)`` or ``<x>.partial(f, ...)``: errs on the side of looking."""
    return (
        isinstance(value, ast.Call)
        and bool(value.args)
        and _last(value.func) == "partial"
        and isinstance(value.args[0], ast.Name | ast.Attribute)
    )


def candidate_lines(data: bytes, words: frozenset[str]) -> frozenset[int]:
    """Line numbers that use one of ``words`` (a flagged call spans such a line).

    A non-ASCII alias (``载入 = torch.load``) is matched wherever it occurs: a bytes pattern's
    ``\b`` knows only ASCII word characters, so it never saw one, and the call it names hid."""
    ascii_words = frozenset(w for w in words if w.isascii())
    others = sorted(words - ascii_words, key=len, reverse=True)
    patterns = [use_pattern(ascii_words)] if ascii_words else []
    if others:
        patterns.append(re.compile(b"|".join(re.escape(w.encode()) for w in others)))
    lines: set[int] = set()
    for pattern in patterns:
        lines |= _lines_of(data, pattern)
    return frozenset(lines)


def _lines_of(data: bytes, pattern: re.Pattern[bytes]) -> set[int]:
    return {line for line, _ in code_matches(data, pattern)}

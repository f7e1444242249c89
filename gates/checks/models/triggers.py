"""Which words make a file, or a line of it, worth parsing.

A rule can only fire on a call whose name (or a local alias of it) is written in the
file, through an import that names the module. So each family pairs the module words
the file must mention with the call names it dispatches on; the names of families whose
modules the file never mentions are not even looked for. Cheap byte regexes, no parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from gates.checks.models import (
    http_timeouts,
    huggingface,
    keras,
    torch_hub,
    torch_load,
    unpickling,
    yaml_load,
)
from gates.checks.models.calls import Checker
from gates.records import frozen_record


@frozen_record
class Family:
    modules: tuple[str, ...] | None  # one must appear in the file; None: no import needed
    names: frozenset[str]
    checker: Checker


def _family(modules: tuple[str, ...] | None, names: Iterable[str], checker: Checker) -> Family:
    return Family(modules, frozenset(names), checker)


_PICKLERS = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib")
FAMILIES: tuple[Family, ...] = (
    _family(("torch",), ["load", "load_state_dict_from_url", "load_url"], torch_load.check_torch_load),
    _family(("torch",), ["load", "load_state_dict_from_url", "load_url", "download_url_to_file"],
            torch_hub.check_torch_hub),
    _family(_PICKLERS, ["load", "loads", "Unpickler"], unpickling.check_pickles),
    _family(("jsonpickle",), ["decode", "Unpickler"], unpickling.check_pickles),
    _family(("shelve",), ["open", "DbfilenameShelf", "Shelf", "BsdDbShelf"], unpickling.check_pickles),
    _family(("pandas",), ["read_pickle"], unpickling.check_pickles),
    _family(("numpy",), ["load"], unpickling.check_pickles),
    _family(None, ["from_pretrained", "hf_hub_download", "snapshot_download", "load_dataset",
                   "SentenceTransformer", "CrossEncoder"], huggingface.check_huggingface),
    _family(("transformers",), ["pipeline"], huggingface.check_huggingface),
    _family(("timm",), ["create_model"], huggingface.check_huggingface),
    _family(("yaml",), ["load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"],
            yaml_load.check_yaml),
    _family(("requests", "httpx"), [*http_timeouts.VERBS, "stream", "Client", "AsyncClient"],
            http_timeouts.check_http),
    _family(("urllib", "urllib2", "six"), ["urlopen"], http_timeouts.check_http),
    _family(("keras", "tensorflow", "tf_keras"), ["load_model"], keras.check_keras),
)  # fmt: skip


def _dispatch() -> dict[str, list[Checker]]:
    table: dict[str, list[Checker]] = {}
    for family in FAMILIES:
        for name in family.names:
            if family.checker not in table.setdefault(name, []):
                table[name].append(family.checker)
    return table


DISPATCH = _dispatch()
ALWAYS_WORDS = frozenset({"trust_remote_code"})
_SUPPRESSION = re.compile(rb"#\s*gates\s*:\s*ignore")


def has_suppression(data: bytes) -> bool:
    return _SUPPRESSION.search(data) is not None


@lru_cache(maxsize=64)
def use_pattern(words: frozenset[str]) -> re.Pattern[bytes]:
    """Where a name is *used* as code: called, imported, or aliased (``f = torch.load``).

    Prose in comments and docstrings rarely looks like that, so big classes that only
    talk about loading are not parsed. ``trust_remote_code`` matters as a keyword too.
    """
    alt = b"|".join(re.escape(w.encode()) for w in sorted(words))
    # Lookaheads run only where a name matched, so this stays a fast word scan.
    return re.compile(
        rb"\b(?:" + alt + rb")\b"
        rb"(?=\s*\("  # a call, also "load\n(" split over lines
        rb"|[ \t]*(?:$|[#;),]|as\b))"  # import ... load [as x] / f = torch.load
        rb"|\btrust_remote_code\b",
        re.MULTILINE,
    )


_MODULE_WORDS = {m for f in FAMILIES for m in f.modules or ()}


def active_words(data: bytes) -> frozenset[str]:
    """The call names worth looking for in this file, given the modules it mentions."""
    # A substring test is much cheaper than a word regex, and errs on the side of looking.
    mentioned = {m for m in _MODULE_WORDS if m.encode() in data}
    words = set(ALWAYS_WORDS)
    for family in FAMILIES:
        if family.modules is None or mentioned.intersection(family.modules):
            words.update(family.names)
    return frozenset(words)


def might_match(data: bytes) -> bool:
    """False when no rule can fire on this file: it is then not parsed at all."""
    return has_suppression(data) or use_pattern(active_words(data)).search(data) is not None


def alias_words(aliases: dict[str, str]) -> frozenset[str]:
    """Local names bound to something a rule dispatches on (``f = torch.load``, ``import load as L``)."""
    return frozenset(
        key.rsplit(".", 1)[-1]
        for key, qual in aliases.items()
        if qual.removesuffix("()").rsplit(".", 1)[-1] in DISPATCH and key.rsplit(".", 1)[-1] not in DISPATCH
    )


def candidate_lines(data: bytes, words: frozenset[str]) -> frozenset[int]:
    """Line numbers that use one of ``words`` (a flagged call spans such a line)."""
    lines: set[int] = set()
    line, position = 1, 0
    for match in use_pattern(words).finditer(data):
        line += data.count(b"\n", position, match.start())
        position = match.start()
        lines.add(line)
    return frozenset(lines)

"""How far an unpickler gets in a headerless stream, and whether it reaches an effect first."""

from __future__ import annotations

import collections
import io
import pickle
from pathlib import Path

import pytest

from gates.checks.models.pickle_reach import Reach, lookup_can_succeed, reach
from tests import model_file_payloads as payloads


def _reach(data: bytes) -> Reach:
    return reach(io.BytesIO(data))


@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [
        ("os", "system", True),
        ("overage", "report", True),  # any identifier may exist in some module
        ("os", "path.join", True),  # protocol 4 follows dots
        ("mod", "café", True),  # non-ASCII identifiers are identifiers
        ("overage.json", ".coverage", False),
        ("at,dog", "1,2", False),
        ("lean:", "\trm -rf build", False),
        ("os", "system\r", False),  # CRLF text keeps the \r in the name
        ("os", "", False),
        ("", "d", False),  # __import__('') raises
    ],
)
def test_lookup_can_succeed(module: str, name: str, expected: bool) -> None:
    assert lookup_can_succeed(module, name) is expected


@pytest.mark.parametrize(
    "text",
    [
        b"coverage.json\n.coverage\n.venv\n",  # GLOBAL whose name is no identifier, then STOP
        b"c\nd\n.\n",  # empty module name
        b"hello.",  # BINGET of a memo key never stored
        b"a,b,c\n1,2,3\n",  # APPEND on an empty stack
        b".venv\n",  # STOP on an empty stack
        b"0.1.0\n",  # POP with nothing to pop and no mark
        b"dist/\n",  # DICT without a mark
        b"import os\nclass A:\n",  # INST whose name is no identifier
        b"cos\n.system\n(S'echo'\ntR.",  # the lookup fails before REDUCE is reached
    ],
)
def test_text_fails_before_any_effect(text: bytes) -> None:
    found = _reach(text)
    assert not found.effect and not found.clean_stop and not found.decode_error


def test_decoding_errors_and_truncation() -> None:
    assert _reach(b"I think so\n").decode_error  # INT operand is no number
    assert _reach(b"coverage\nreport\n").decode_error  # a resolvable GLOBAL, then the end
    assert not _reach(b"coverage\nreport\n").effect


def test_pure_data_is_a_clean_stop_without_effect() -> None:
    for protocol in (0, 1):
        found = _reach(pickle.dumps({"a": [1, 2.5, "s", None, (1, 2)]}, protocol=protocol))
        assert found.clean_stop and not found.effect, protocol
    assert _reach(b"N.").clean_stop
    assert _reach(b"(N0N.").clean_stop  # POP on an empty segment removes the mark


def test_unsupported_protocol_fails() -> None:
    assert not _reach(b"\x80\x09N.").clean_stop


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"cos\nsystem\n.", "a looked-up callable returned to the caller"),
        (b"cos\nsystem\n(S'echo'\ntR", "REDUCE runs before the missing STOP is noticed"),
        (b"cos\nsystem\n(S'echo'\ntRN.", "extra items left at STOP"),
        (b"cos\nenviron\nS'LD_PRELOAD'\nS'/tmp/x.so'\ns", "SETITEM on os.environ, no STOP"),
        (b"(S'echo'\nios\nsystem\n", "INST calls as it looks up"),
        (b"cmod\nobj\n(dS'k'\nS'v'\nsb", "BUILD on a looked-up object"),
        (b"cmod\nregistry\nS'x'\na", "APPEND calls the object's append"),
    ],
)
def test_effects_after_a_lookup(data: bytes, why: str) -> None:
    assert _reach(data).effect, why


def test_returning_a_lookup_is_reported_as_the_only_effect() -> None:
    # A .gitignore with "cache", "logs", ".env" loads as GLOBAL ache.logs, then STOP.
    found = _reach(b"cache\nlogs\n.env\n")
    assert found.effect and found.returned_only
    assert found.lookups == (("ache", "logs"),)
    # Every lookup made is kept, including one popped before the one returned.
    assert _reach(b"cos\nsystem\n0cache\nlogs\n.").lookups == (("os", "system"), ("ache", "logs"))
    # STACK_GLOBAL takes its names from the stack: they are not known here.
    assert _reach(b"\x80\x04\x8c\x02os\x8c\x06system\x93.").lookups == (None,)


def test_a_call_is_not_a_mere_return() -> None:
    for data in (b"cos\nsystem\n(S'echo'\ntR.", b"cmod\nregistry\nS'x'\na.", b"(S'echo'\nios\nsystem\n."):
        found = _reach(data)
        assert found.effect and not found.returned_only, data


def test_malicious_payloads_reach_an_effect(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    for build in (
        payloads.reduce_os_system,
        payloads.inst_protocol0,
        payloads.obj_protocol1,
        payloads.python2_builtin_eval,
        payloads.getattr_chain,
        payloads.stack_global_via_memo,
    ):
        payload = build(canary)
        assert _reach(payload).effect, build.__name__
        assert _reach(payload[:-1]).effect, build.__name__  # without STOP too
    assert _reach(pickle.dumps(collections.OrderedDict(a=1), protocol=1)).effect
    assert not canary.exists()


def test_calls_on_plain_data_are_no_effect() -> None:
    # Without a lookup nothing on the stack is callable: REDUCE on a string only raises.
    assert not _reach(b"S'x'\n(tR.").effect

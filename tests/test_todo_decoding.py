"""The todo gate reads files as Python does (PEP 263), and a file it cannot read is an error (#13 item 19)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Repo
from tests.test_todo_gate import todo_json

POLICY = 'version: 1\npaths:\n  source: ["src/"]\ntodo:\n  scope: source\n'


def _messages(gate: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["path"], f["line"]) for f in gate["findings"]]


def test_a_latin1_file_with_its_coding_cookie_is_scanned(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", POLICY)
    source = "# -*- coding: latin-1 -*-\nNAME = 'café'\n# TODO: handle the café's é\nx = 1\n"
    repo.write_bytes("src/legacy.py", source.encode("latin-1"))
    code, gate = todo_json(run_cli)
    assert code == 0, gate
    assert _messages(gate) == [("todo.marker", "src/legacy.py", 3)]
    assert "café" in gate["findings"][0]["message"]


def test_a_utf8_bom_and_crlf_line_ends_keep_the_line_numbers(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", POLICY)
    repo.write_bytes("src/bom.py", b"\xef\xbb\xbfx = 1\r\ny = 'caf\xc3\xa9'\r\n# FIXME: here\r\n")
    code, gate = todo_json(run_cli)
    assert code == 0, gate
    assert _messages(gate) == [("todo.marker", "src/bom.py", 3)]


def test_bytes_that_are_not_the_declared_encoding_are_unparsable_at_their_line(
    repo: Repo, run_cli: Any
) -> None:
    repo.write("policy.yaml", POLICY)
    repo.write_bytes("src/bad.py", b"x = 1\ny = 2\nz = '\xff\xfe'  # TODO\n")
    code, gate = todo_json(run_cli)
    assert code == 1
    (finding,) = gate["findings"]
    assert (finding["rule_id"], finding["line"]) == ("todo.unparsable", 3)
    assert "not valid utf-8" in finding["message"] and "PEP 263" in finding["message"]


def test_an_unknown_declared_encoding_is_unparsable(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", POLICY)
    repo.write_bytes("src/odd.py", b"# coding: no-such-codec\nx = '\xe9'  # TODO\n")
    code, gate = todo_json(run_cli)
    assert code == 1
    (finding,) = gate["findings"]
    assert finding["rule_id"] == "todo.unparsable"
    assert "no-such-codec" in finding["message"]


def test_a_named_file_that_cannot_be_read_is_exit_2_not_a_finding(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", POLICY)
    repo.write("src/ok.py", "# TODO: fine\n")
    code, gate = todo_json(run_cli, "src/ok.py", "src/gone.py")
    assert code == 2 and gate["verdict"] == "error"
    assert "src/gone.py: no such file or directory" in gate["error"]
    assert gate["findings"] == []

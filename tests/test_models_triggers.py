"""The byte-level triggers that decide which files and lines get parsed."""

from __future__ import annotations

from gates.checks.models.triggers import (
    active_words,
    candidate_lines,
    might_match,
    python_newlines,
    used_lines,
)


def test_files_without_a_used_covered_name_are_skipped() -> None:
    assert not might_match(b"import torch\n# we load the weights later\nx = torch.zeros(3)\n")
    assert not might_match(b"def load(p):\n    return p\n")  # no module that has a covered load
    assert might_match(b"import torch\nstate = torch.load(p)\n")
    assert might_match(b"from torch import load as L\n")
    assert might_match(b"x = 1  # gates: ignore[MS101] stale\n")
    assert might_match(b"kw = {'trust_remote_code': True}\n")


def test_families_activate_only_with_their_module() -> None:
    assert "get" not in active_words(b"d = {}\nd.get(1)\n")
    assert "get" in active_words(b"import requests\n")
    # from_pretrained counts only where a Hugging Face library (or a star import) is mentioned.
    assert "from_pretrained" not in active_words(b"")
    assert "from_pretrained" in active_words(b"from transformers import AutoModel\n")
    assert "from_pretrained" in active_words(b"from .models import *\n")
    assert "hub.list" in active_words(b"import torch\n")  # torch.hub.list, lost once by a refactor


def test_candidate_lines_are_uses_not_prose() -> None:
    source = b'import torch\n"""torch.load is dangerous"""\nf = torch.load\ny = torch.load(\n  p)\n'
    assert candidate_lines(source, frozenset({"load"})) == frozenset({3, 4})


def test_comment_lines_are_not_parsed_for() -> None:
    source = b"import torch\n    # torch.load(p)\n\t# f = torch.load\nx = '#'; torch.load(p)\n"
    assert used_lines(source) == frozenset({4})
    assert candidate_lines(source, frozenset({"load"})) == frozenset({4})


def test_every_line_end_python_knows_becomes_a_newline() -> None:
    assert python_newlines(b"a\r\nb\rc\n") == b"a\nb\nc\n"
    data = b"no carriage return\n"
    assert python_newlines(data) is data

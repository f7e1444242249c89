"""Reading the labelled corpus under tests/data/models_corpus (shared by the models tests)."""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "models_corpus"
_EXPECT = re.compile(r"#\s*expect:\s*(?P<rules>MS\d{3}(?:,MS\d{3})*)")


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.py"))


def expected(path: Path) -> dict[int, set[str]]:
    """Line -> rule ids the line must produce."""
    out: dict[int, set[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            out[number] = set(match.group("rules").split(","))
    return out


def marked(path: Path, marker: str) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {n for n, line in enumerate(lines, start=1) if re.search(rf"#.*\b{marker}\b", line)}

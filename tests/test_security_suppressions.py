"""Inline suppression audit: which # nosec / # nosemgrep comments give a reason."""

from __future__ import annotations

from pathlib import Path

from gates.checks.security.suppressions import audit, suppressions_in

SOURCE = """\
import subprocess
subprocess.run(["ls"])  # nosec
subprocess.run(["ls"])  # nosec B603
subprocess.run(["ls"])  # nosec B603 -- fixed argv, no shell
x = eval(s)  # nosemgrep: ml-gates.eval-exec-dynamic-code  # trusted test fixture
y = eval(s)  # nosem
text = "# nosec inside a string is not a comment"
z = 1  # type: ignore  # nosec
"""


def test_reasons_and_bare_markers() -> None:
    found = [(s.kind, s.line, s.reason) for s in suppressions_in(SOURCE, "a.py")]
    assert found == [
        ("nosec", 2, None),
        ("nosec", 3, None),
        ("nosec", 4, "fixed argv, no shell"),
        ("nosemgrep", 5, "trusted test fixture"),
        ("nosemgrep", 6, None),
        ("nosec", 8, None),
    ]


def test_unparsable_source_yields_nothing(tmp_path: Path) -> None:
    assert suppressions_in('x = """never closed  # nosec\n', "b.py") == []


def test_audit_reads_only_the_given_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1  # nosec\n")
    (tmp_path / "b.py").write_text("y = 2  # nosec\n")
    assert [s.path for s in audit(tmp_path, ["a.py", "missing.py"])] == ["a.py"]

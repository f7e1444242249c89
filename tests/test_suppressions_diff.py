"""gates/suppressions_diff.py: which inline suppression comments a change adds."""

from __future__ import annotations

import re

from gates.policy.sections.coverage import DEFAULT_PRAGMA
from gates.suppressions_diff import added_suppressions, comment_markers, may_add

PRAGMA = re.compile(DEFAULT_PRAGMA)


def _added(base: str | None, head: str, lines: list[int]) -> list[tuple[int, str]]:
    return [(a.line, a.kind) for a in added_suppressions(base, head, lines, PRAGMA)]


def test_each_kind_of_comment_is_recognised() -> None:
    head = (
        "import subprocess\n"
        "subprocess.call(x)  # nosec B603 -- fixed argv\n"
        "eval(y)  # nosemgrep: python.eval\n"
        "torch.load(p)  # gates: ignore[MS101] trusted file\n"
        "def f():  # pragma: no cover\n"
        "    pass\n"
    )
    assert _added("", head, [2, 3, 4, 5]) == [
        (2, "nosec"),
        (3, "nosemgrep"),
        (4, "gates: ignore"),
        (5, "coverage pragma"),
    ]


def test_markers_inside_strings_do_not_count() -> None:
    assert comment_markers('text = "# nosec"\n', PRAGMA) == []


def test_an_edited_line_keeps_its_comment_without_a_report() -> None:
    base = "call(a)  # nosec B603 -- fixed\n"
    head = "call(a, b)  # nosec B603 -- fixed\n"
    assert _added(base, head, [1]) == []


def test_a_moved_comment_is_not_new_but_a_second_copy_is() -> None:
    base = "x = 1\ncall(a)  # nosec\n"
    moved = "call(a)  # nosec\nx = 1\n"
    assert _added(base, moved, [1]) == []
    doubled = "x = 1\ncall(a)  # nosec\ncall(b)  # nosec\n"
    assert _added(base, doubled, [3]) == [(3, "nosec")]


def test_comments_on_untouched_lines_are_never_reported() -> None:
    head = "call(a)  # nosec\n"
    assert _added(None, head, []) == []


def test_an_unparsable_file_still_shows_its_comments() -> None:
    head = "def broken(:\n    call()  # nosec\n"
    assert _added(None, head, [2]) == [(2, "nosec")]


def test_rule_ids_matter_for_nosec_but_spelling_does_not_for_pragmas() -> None:
    """`# nosec B603` -> `# nosec` suppresses more; `no cover` -> `nocover` excludes the same."""
    assert _added("call(a)  # nosec B603\n", "call(b)  # nosec\n", [1]) == [(1, "nosec")]
    assert _added("if a:  # pragma: no cover\n", "if b:  # pragma: nocover\n", [1]) == []


def test_the_first_look_only_passes_files_whose_changed_lines_may_hold_one() -> None:
    head = "x = 1  # a comment\ny = 2  # nosec\n"
    assert not may_add(head, [1], PRAGMA)
    assert may_add(head, [2], PRAGMA)
    assert not may_add(head, [9], PRAGMA)  # a line number past the end (a deletion) is no error


def test_a_comment_that_only_mentions_the_models_marker_is_not_one() -> None:
    """The models gate reads `# gates: ignore` only at a comment's start."""
    head = 'x = 1  # see "# gates: ignore[X]" in the docs\ny = 2  # gates: ignore[MS101] reviewed\n'
    assert _added(None, head, [1, 2]) == [(2, "gates: ignore")]

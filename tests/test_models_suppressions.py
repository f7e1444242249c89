"""Parsing '# gates: ignore[...]' comments."""

from __future__ import annotations

from gates.checks.models.suppressions import parse_suppressions


def test_rules_and_reason_are_parsed() -> None:
    (s,) = parse_suppressions("x = f()  # gates: ignore[MS101, B614] written by our trainer\n")
    assert s.rules == frozenset({"MS101", "B614"})
    assert s.reason == "written by our trainer"
    assert s.valid


def test_bare_and_reasonless_comments_are_invalid() -> None:
    bare, no_reason, other_comment = parse_suppressions(
        "a()  # gates: ignore\nb()  # gates: ignore[MS101]\nc()  # gates: ignore[MS101]  # unrelated note\n"
    )
    assert not bare.valid and not no_reason.valid and not other_comment.valid


def test_standalone_comment_applies_to_the_next_statement() -> None:
    (s,) = parse_suppressions("# gates: ignore[MS201] our own cache\n\nload(x)\n")
    assert s.applies_to == 3
    assert s.covers(("MS201",), 3, 3)
    assert not s.covers(("MS101",), 3, 3)


def test_marker_inside_a_string_is_not_a_suppression() -> None:
    assert parse_suppressions('x = "# gates: ignore[MS101] not a comment"\n') == []


def test_trailing_comment_covers_a_multiline_call() -> None:
    (s,) = parse_suppressions("load(  # gates: ignore[MS101] reviewed\n    p,\n)\n")
    assert s.covers(("MS101",), 1, 3)

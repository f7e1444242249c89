"""The TODO scanner: comments versus strings, placeholders, stubs and the blocking tag."""

from __future__ import annotations

import textwrap

import pytest

from gates.checks.todo.scanner import MarkerSpec, TodoItem, UnparsableSource, scan_source

SPEC = MarkerSpec(markers=("TODO", "FIXME", "XXX", "PLACEHOLDER", "for now"), blocking_marker="blocking")


def scan(source: str, spec: MarkerSpec = SPEC) -> list[TodoItem]:
    return scan_source(textwrap.dedent(source), spec)


def kinds(items: list[TodoItem]) -> list[tuple[int, str, bool]]:
    return [(i.line, i.kind, i.blocking) for i in items]


def test_markers_in_strings_and_docstrings_are_not_comment_todos() -> None:
    items = scan(
        '''\
        """Module docstring: TODO list the options."""
        MESSAGE = "TODO: this is a string, not a comment"
        HELP = "fix it for now"
        def f():
            """FIXME in a docstring."""
            return "x  # TODO inside a string"
        value = 1  # TODO: a real comment
        '''
    )
    assert kinds(items) == [(7, "marker", False)]
    assert items[0].text == "TODO: a real comment"


def test_every_default_marker_is_found_as_a_whole_word_case_insensitively() -> None:
    items = scan(
        """\
        # TODO one
        # fixme two
        # XXX three
        # PLACEHOLDER four
        # good enough for now
        # todos, mastodon, xxxl and nowhere are not markers
        """
    )
    assert [i.marker for i in items] == ["TODO", "fixme", "XXX", "PLACEHOLDER", "for now"]


def test_case_sensitive_markers_skip_lowercase() -> None:
    spec = MarkerSpec(markers=("TODO",), blocking_marker="blocking", case_sensitive=True)
    assert kinds(scan("# todo lower\n# TODO upper\n", spec)) == [(2, "marker", False)]


@pytest.mark.parametrize(
    ("comment", "blocking"),
    [
        ("# TODO(blocking): wire the loader", True),
        ("# TODO(alice, blocking): wire the loader", True),
        ("# FIXME[blocking] wire the loader", True),
        ("# TODO blocking: wire the loader", True),
        ("# TODO: blocking - wire the loader", True),
        ("# TODO: this is not blocking anything", False),
        ("# TODO(alice): later", False),
    ],
)
def test_blocking_tag_must_follow_the_marker(comment: str, blocking: bool) -> None:
    (item,) = scan(comment + "\n")
    assert item.blocking is blocking


def test_not_implemented_stubs_but_not_abstract_methods() -> None:
    source = """\
        import abc
        from typing import Protocol, overload

        def stub():
            '''Docstring first.'''
            raise NotImplementedError

        def partial(kind):
            if kind == "a":
                return 1
            raise NotImplementedError(f"kind {kind}")

        class Base(abc.ABC):
            def hook(self):
                raise NotImplementedError

        class Reader(Protocol):
            def read(self):
                raise NotImplementedError

        class Plain:
            @abc.abstractmethod
            def must(self):
                raise NotImplementedError

            @overload
            def over(self, x: int) -> int: ...

            def todo_method(self):
                raise NotImplementedError()
        """
    assert kinds(scan(source)) == [(6, "stub", False), (30, "stub", False)]
    anywhere = MarkerSpec(markers=("TODO",), blocking_marker="blocking", not_implemented="anywhere")
    assert [i.line for i in scan(source, anywhere)] == [6, 11, 30]
    off = MarkerSpec(markers=("TODO",), blocking_marker="blocking", not_implemented="off")
    assert scan(source, off) == []


def test_pass_bodies_count_only_when_marked_and_replace_the_comment() -> None:
    items = scan(
        """\
        def unmarked():
            pass

        def marked():
            pass  # placeholder until the real loader lands

        def marked_on_def():  # XXX(blocking) write this
            ...

        try:
            import fast
        except ImportError:
            pass  # optional speed-up, fine
        """
    )
    assert kinds(items) == [(5, "placeholder-body", False), (7, "placeholder-body", True)]


def test_placeholder_values_but_not_marker_lists() -> None:
    items = scan(
        """\
        API_URL = "PLACEHOLDER"
        MARKERS = ["TODO", "FIXME"]
        def f(name="TODO"):
            if name == "TODO":
                return "XXX"
            return call(model="FIXME")
        """
    )
    assert kinds(items) == [
        (1, "placeholder-string", False),
        (3, "placeholder-string", False),
        (5, "placeholder-string", False),
        (6, "placeholder-string", False),
    ]


def test_placeholder_strings_are_case_sensitive() -> None:
    assert kinds(scan('name = "todo"\nstate = "Placeholder"\nkey = "TODO"\n')) == [
        (3, "placeholder-string", False)
    ]


def test_placeholder_strings_can_be_turned_off() -> None:
    spec = MarkerSpec(markers=("TODO",), blocking_marker="blocking", placeholder_strings=False)
    assert scan('X = "TODO"\n', spec) == []


def test_untokenizable_source_names_the_line() -> None:
    with pytest.raises(UnparsableSource) as caught:
        scan('x = 1  # TODO\ny = """never closed\n')
    assert caught.value.line == 2


def test_unparsable_source_names_the_line_when_a_structural_check_needs_the_tree() -> None:
    with pytest.raises(UnparsableSource) as caught:
        scan("x = 1\ndef broken(:\n    raise NotImplementedError\n")
    assert caught.value.line == 2


def test_comments_need_no_parse() -> None:
    # Grammar errors do not hide comments: the tokenizer reads them without the parser.
    assert kinds(scan("x = = 1  # TODO fix\n")) == [(1, "marker", False)]


def test_text_without_markers_is_not_parsed_since_nothing_can_match() -> None:
    # Skipping the parse is what keeps large trees fast; a broken file with no marker text
    # holds no TODO either way (other gates report syntax errors).
    assert scan("def broken(:\n    pass\n") == []

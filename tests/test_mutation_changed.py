from __future__ import annotations

import textwrap

from gates.checks.mutation.changed import changed_functions, full_run_trigger, function_spans, select_changed

SOURCE = textwrap.dedent(
    """\
    import functools

    RATE = 2


    @functools.lru_cache
    def cached(x):
        def inner(y):
            return y + 1
        return inner(x)


    class Box:
        size = 3

        def grow(self):
            return self.size * RATE

        class Inner:
            def hidden(self):
                return 1


    async def fetch():
        return 1
    """
)


def test_spans_cover_decorators_and_only_what_mutmut_mutates() -> None:
    spans = {s.key: (s.start, s.end) for s in function_spans(SOURCE)}
    assert spans == {
        "x_cached": (6, 10),
        "xǁBoxǁgrow": (16, 17),
        "x_fetch": (24, 25),
    }


def test_changed_lines_map_to_the_enclosing_top_level_function() -> None:
    assert changed_functions(SOURCE, [9]) == {"x_cached"}  # inside a nested function
    assert changed_functions(SOURCE, [6]) == {"x_cached"}  # the decorator
    assert changed_functions(SOURCE, [17, 25]) == {"xǁBoxǁgrow", "x_fetch"}
    assert changed_functions(SOURCE, [3, 14, 21]) == set()  # module, class and nested-class code


def test_select_changed_ignores_files_without_changed_functions() -> None:
    chosen = select_changed({"a.py": [3], "b.py": [17], "c.py": [1]}, {"a.py": SOURCE, "b.py": SOURCE})
    assert chosen == {"b.py": {"xǁBoxǁgrow"}}


def test_config_and_lock_changes_trigger_a_full_run() -> None:
    triggers = ["pyproject.toml", "*.lock", "requirements*.txt", "conftest.py"]
    assert full_run_trigger(["src/a.py", "uv.lock"], triggers) == "uv.lock"
    assert full_run_trigger(["requirements-dev.txt"], triggers) == "requirements-dev.txt"
    assert full_run_trigger(["tests/conftest.py"], triggers) == "tests/conftest.py"
    assert full_run_trigger(["src/a.py", "README.md"], triggers) is None

"""Explaining mutmut's failures in a few lines (the real runs are in test_mutation_gate/truth)."""

from __future__ import annotations

from gates.checks.mutation.process import ProcessOutcome, explain_failure


def test_rejected_test_ids_name_the_cause_and_show_only_a_few() -> None:
    ids = [f"tests/test_n.py::test_intword[\\u65e5{i}]" for i in range(400)]
    output = (
        f"running\nbad: Failed to run pytest with args: {['--rootdir=.', '-x', *ids]!r}. If your config\n"
    )
    message = explain_failure(ProcessOutcome(1, output, False, 1.0))
    assert "400 test id(s)" in message and "and 397 more" in message
    assert "non-ASCII" in message and "mutmut #556" in message
    assert "mutation.tests" not in message  # the user did not choose these ids
    assert len(message) < 1000


def test_renamed_tests_are_named_as_such() -> None:
    output = "Failed to run pytest with args: ['-x', 'tests/test_a.py::test_gone']. If your config\n"
    message = explain_failure(ProcessOutcome(1, output, False, 1.0))
    assert "tests/test_a.py::test_gone" in message and "no longer exist" in message


def test_a_long_line_in_the_tail_is_cut() -> None:
    outcome = ProcessOutcome(1, "x" * 20000 + "\nlast line\n", False, 1.0)
    tail = outcome.tail()
    assert len(tail) < 500 and "(20000 characters)" in tail and tail.endswith("last line")

"""JUnit parsing: counts, groups by module/directory/category, and fail-closed errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.checks.readiness.junit import read_junit
from gates.errors import GatesError


def junit(cases: list[tuple[str, str, str]]) -> str:
    """(classname, name, outcome) -> a pytest-style JUnit file."""
    body = []
    for classname, name, outcome in cases:
        inner = {
            "passed": "",
            "failed": '<failure message="assert 1 == 2">def test():\n&gt;  assert 1 == 2\n'
            "E  assert 1 == 2\n\ntests/x.py:3: AssertionError</failure>",
            "keyerror": "<failure message=\"KeyError: 'a'\">tests/x.py:9: KeyError</failure>",
            "error": '<error message="failed on setup with &quot;fixture missing&quot;">'
            "file tests/x.py, line 4\n  fixture 'db' not found</error>",
            "skipped": '<skipped type="pytest.skip" message="no gpu">no gpu</skipped>',
        }[outcome]
        body.append(f'<testcase classname="{classname}" name="{name}" time="0.01">{inner}</testcase>')
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        + "".join(body)
        + "</testsuite></testsuites>"
    )


SPREAD = [
    ("tests.models.test_loader", "test_a", "failed"),
    ("tests.models.test_loader", "test_b", "failed"),
    ("tests.models.test_loader.TestCache", "test_c", "keyerror"),
    ("tests.models.test_export", "test_d", "error"),
    ("tests.data.test_io", "test_e", "failed"),
    ("tests.data.test_io", "test_f", "passed"),
    ("tests.test_cli", "test_g", "passed"),
    ("tests.test_cli", "test_h", "skipped"),
    ("tests.test_cli", "test_i", "passed"),
    ("tests.test_cli", "test_j", "passed"),
]


def write(tmp_path: Path, text: str, name: str = "junit.xml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def test_counts_and_pass_rate(tmp_path: Path) -> None:
    health = read_junit(tmp_path, write(tmp_path, junit(SPREAD)))
    assert (health.passed, health.failed, health.errors, health.skipped) == (4, 4, 1, 1)
    assert health.executed == 9
    assert health.pass_rate == pytest.approx(100 * 4 / 9)


def test_failures_grouped_by_module_directory_and_category(tmp_path: Path) -> None:
    health = read_junit(tmp_path, write(tmp_path, junit(SPREAD)))
    assert health.groups("module") == [
        ("tests/models/test_loader.py", 3),
        ("tests/data/test_io.py", 1),
        ("tests/models/test_export.py", 1),
    ]
    assert health.groups("directory") == [("tests/models", 4), ("tests/data", 1)]
    assert health.groups("category") == [("AssertionError", 3), ("KeyError", 1), ("setup error", 1)]


def test_classname_resolves_to_the_file_on_disk(tmp_path: Path) -> None:
    # A package path with a CapWords folder must not be mistaken for a class.
    (tmp_path / "tests" / "Suite").mkdir(parents=True)
    (tmp_path / "tests" / "Suite" / "test_x.py").write_text("", encoding="utf-8")
    report = write(tmp_path, junit([("tests.Suite.test_x.TestY", "test_z", "failed")]))
    assert read_junit(tmp_path, report).cases[0].module == "tests/Suite/test_x.py"


def test_file_attribute_wins(tmp_path: Path) -> None:
    text = junit([("a.b", "t", "failed")]).replace('classname="a.b"', 'classname="a.b" file="./src/t_a.py"')
    assert read_junit(tmp_path, write(tmp_path, text)).cases[0].module == "src/t_a.py"


def test_collection_error_names_its_module(tmp_path: Path) -> None:
    # What pytest writes when a test module fails to import (and then nothing else runs).
    text = (
        '<testsuites><testsuite name="pytest"><testcase classname="" name="tests.test_broken">'
        '<error message="collection failure">Traceback:\ntests/test_broken.py:1: in &lt;module&gt;\n'
        "    import nonexistent_mod\nE   ModuleNotFoundError: No module named 'nonexistent_mod'"
        "</error></testcase></testsuite></testsuites>"
    )
    health = read_junit(tmp_path, write(tmp_path, text))
    assert health.groups("module") == [("tests/test_broken.py", 1)]
    assert health.groups("category") == [("ModuleNotFoundError", 1)]
    assert (health.errors, health.pass_rate) == (1, 0.0)


def test_single_testsuite_root(tmp_path: Path) -> None:
    text = '<testsuite name="x"><testcase classname="t.test_a" name="ok"/></testsuite>'
    health = read_junit(tmp_path, write(tmp_path, text))
    assert (len(health.cases), health.pass_rate) == (1, 100.0)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "junit.xml: JUnit report not found; run the tests with 'pytest --junitxml=junit.xml'"),
        ("", "junit.xml: JUnit report is empty"),
        ("<testsuites><testsuite>", "junit.xml:1:23: corrupt JUnit XML"),
        ("<testsuites><testsuite name='x'/></testsuites>", "junit.xml: JUnit report lists no test cases"),
        ("<coverage/>", "junit.xml: not a JUnit report (root element <coverage>"),
        (
            '<!DOCTYPE x [<!ENTITY a "b">]><testsuites>&a;</testsuites>',
            "junit.xml: refused unsafe XML",
        ),
    ],
)
def test_unusable_reports_are_clear_errors(tmp_path: Path, content: str | None, expected: str) -> None:
    if content is not None:
        write(tmp_path, content)
    with pytest.raises(GatesError) as caught:
        read_junit(tmp_path, "junit.xml")
    assert str(caught.value).startswith(expected)

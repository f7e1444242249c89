"""Running the code rules over a set of files (code_scan.py): the collector pause is undone,
and the trigger lines the scan hands to the analyser give what a fresh scan gives."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.code_scan import collector_paused, scan_code


def _tree(tmp_path: Path) -> list[str]:
    (tmp_path / "a.py").write_text("import torch\ntorch.load(p)\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    return ["a.py", "b.py"]


def test_a_scan_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    files = _tree(tmp_path)
    assert gc.isenabled()
    scan = scan_code(tmp_path, files, AnalysisSettings(), use_cache=False)
    assert [f.rule_id for f in scan.findings] == ["MS101"]
    assert gc.isenabled()
    gc.disable()
    try:
        scan_code(tmp_path, files, AnalysisSettings(), use_cache=False)
        assert not gc.isenabled()  # a caller's choice to keep it off is kept
    finally:
        gc.enable()


def test_the_collector_comes_back_when_the_scan_fails() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


SOURCES = {
    "plain.py": b"import torch\n\n\ndef f(p):\n    return torch.load(p)\n",
    # The bytes as written put the call on line 3; decoded as the cookie says, it is on line 4.
    "utf7.py": b"# -*- coding: utf-7 -*-\nimport pickle\nx = 1 #+AAo-obj = pickle.loads(b'')\n",
    "latin1.py": "# -*- coding: latin-1 -*-\nimport torch\n# caf\u00e9\ntorch.load(p)\n".encode("latin-1"),
    "suppressed.py": b"import torch\ntorch.load(p)  # gates: ignore[MS101] checked\n",
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_lines_the_scan_hands_on_give_what_a_fresh_scan_gives(tmp_path: Path, name: str) -> None:
    from gates.checks.models.analyzer import analyze_file, parse_lines

    data = SOURCES[name]
    lines = parse_lines(data)
    assert lines is not None  # every one of these files is analysed
    handed = analyze_file(tmp_path, name, data, AnalysisSettings(), lines)
    fresh = analyze_file(tmp_path, name, data, AnalysisSettings())
    assert handed.to_json() == fresh.to_json()
    assert handed.findings  # each holds a call the rules flag (suppressed or not)

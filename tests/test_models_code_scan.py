"""Running the code rules over a set of files (code_scan.py): the collector pause is undone."""

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

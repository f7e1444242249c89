"""``gates models --fix`` and ``--diff``: formatting and comments kept, idempotent."""

from __future__ import annotations

from pathlib import Path

from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.fix_command import fix_source

SOURCE = """\
import torch, yaml as y, requests

# a comment that must stay
m = torch.load(p)  # keep me
c = y.load(open("x"))
r = requests.get(
    url,
    headers=h,  # trailing comment
)
r2 = requests.get(url, timeout=None)
x = torch.load(p, map_location="cpu")  # gates: ignore[MS101] trusted
z = torch.load(p, weights_only=False)
w = torch.load(p, **opts)
"""

EXPECTED = """\
import torch, yaml as y, requests

# a comment that must stay
m = torch.load(p, weights_only=True)  # keep me
c = y.load(open("x"), Loader=y.SafeLoader)
r = requests.get(
    url,
    headers=h,  # trailing comment
    timeout=30,
)
r2 = requests.get(url, timeout=None)
x = torch.load(p, map_location="cpu")  # gates: ignore[MS101] trusted
z = torch.load(p, weights_only=False)
w = torch.load(p, **opts)
"""


def _fix(
    source: str, timeout: float = 30, settings: AnalysisSettings | None = None, unsafe: bool = True
) -> str:
    return fix_source(Path("."), "a.py", source, settings or AnalysisSettings(), timeout, unsafe=unsafe)


def test_fix_adds_missing_keywords_and_keeps_formatting() -> None:
    assert _fix(SOURCE) == EXPECTED


def test_fix_is_idempotent() -> None:
    assert _fix(_fix(SOURCE)) == _fix(SOURCE)


def test_fix_uses_the_policy_timeout_and_handles_unicode_columns() -> None:
    source = 'import requests\ntitle = "héllo"; r = requests.get("https://x")\n'
    assert (
        _fix(source, 2.5) == 'import requests\ntitle = "héllo"; r = requests.get("https://x", timeout=2.5)\n'
    )


def test_fix_from_import_yaml_is_left_for_a_human() -> None:
    source = "from yaml import load\nload(text)\n"
    assert _fix(source) == source


def test_cli_diff_prints_and_writes_nothing_then_fix_writes(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "policy.yaml", "version: 1\nmodel_safety:\n  http_timeout: 12\n  model_files: {enabled: false}\n"
    )
    target = repo.write("train.py", "import torch\nm = torch.load(p)\n")
    result = run_cli("models", "--diff")
    assert result.code == 1
    assert "# unsafe fixes (--fix --unsafe-fixes): 1 file(s)" in result.out
    assert "# safe fixes" not in result.out
    assert "+m = torch.load(p, weights_only=True)" in result.out
    assert "--- a/train.py" in result.out
    assert target.read_text() == "import torch\nm = torch.load(p)\n"
    # The checkpoint may hold more than tensors: --fix alone leaves it, and says so.
    result = run_cli("models", "--fix")
    assert target.read_text() == "import torch\nm = torch.load(p)\n"
    assert "unsafe fixes left" in result.err
    result = run_cli("models", "--fix", "--unsafe-fixes")
    assert result.code == 0, result.out
    assert target.read_text() == "import torch\nm = torch.load(p, weights_only=True)\n"
    assert run_cli("models", "--diff").code == 0


def test_fix_single_line_trailing_comma_and_no_args() -> None:
    source = "import torch, yaml\na = torch.load(p, )\nb = yaml.load(\n    text,\n)\n"
    fixed = "import torch, yaml\na = torch.load(p, weights_only=True, )\n"
    fixed += "b = yaml.load(\n    text,\n    Loader=yaml.SafeLoader,\n)\n"
    assert _fix(source) == fixed


def test_multi_line_call_without_trailing_comma_keeps_its_layout() -> None:
    source = 'import torch\nx = torch.load(\n    path,  # p\n    map_location="cpu"  # last\n)\n'
    fixed = 'import torch\nx = torch.load(\n    path,  # p\n    map_location="cpu",  # last\n'
    fixed += "    weights_only=True\n)\n"
    assert _fix(source) == fixed
    source = (
        "import torch\ny = torch.load(path,\n               map_location=m)\nz = torch.load(\n    path)\n"
    )
    fixed = "import torch\ny = torch.load(path,\n               map_location=m, weights_only=True)\n"
    fixed += "z = torch.load(\n    path, weights_only=True)\n"
    assert _fix(source) == fixed


def test_no_weights_only_beside_pickle_module_or_before_torch_1_13() -> None:
    source = "import torch, dill\na = torch.load(p, pickle_module=dill)\nb = torch.load(p, None, dill)\n"
    assert _fix(source) == source
    old = AnalysisSettings(min_torch_version=(1, 12))
    assert _fix("import torch\nm.load_state_dict(torch.load(p))\n", settings=old).count("weights_only") == 0
    hub = "import torch\nm.load_state_dict(torch.hub.load_state_dict_from_url(u))\n"
    assert "weights_only" not in _fix(hub, settings=AnalysisSettings(min_torch_version=(1, 13)))
    assert "weights_only=True" in _fix(hub, settings=AnalysisSettings(min_torch_version=(2, 0)))


def test_only_a_strict_load_state_dict_makes_the_fix_safe() -> None:
    safe = "import torch\nmodel.load_state_dict(torch.load(p))\n"
    safe += "model.load_state_dict(torch.load(p), strict=True)\n"
    assert _fix(safe, unsafe=False).count("weights_only=True") == 2
    for unsafe in (
        "import torch\nckpt = torch.load(p)\n",
        "import torch\nmodel.load_state_dict(torch.load(p), strict=False)\n",
        "import torch\nmodel.load_state_dict(torch.load(p)['model'])\n",
        "import torch\nmodel = torch.load(p)\nmodel.load_state_dict(model)\n",
    ):
        assert _fix(unsafe, unsafe=False) == unsafe
        assert "weights_only=True" in _fix(unsafe, unsafe=True)


def test_fix_keeps_the_file_mode(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\nmodel_safety:\n  model_files: {enabled: false}\n")
    script = repo.write(
        "extract.py", "#!/usr/bin/env python\nimport torch\nm.load_state_dict(torch.load(p))\n"
    )
    script.chmod(0o755)
    run_cli("models", "--fix")
    assert "weights_only=True" in script.read_text()
    assert script.stat().st_mode & 0o777 == 0o755


def test_cli_unsafe_fixes_respect_pickle_module_min_torch_and_layout(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    policy = "version: 1\nmodel_safety:\n  model_files: {enabled: false}\n"
    repo.write("policy.yaml", policy)
    dill_load = "import torch, dill\nm = torch.load(p, pickle_module=dill)\n"
    layout = 'import torch\nx = torch.load(\n    path,\n    map_location="cpu"\n)\n'
    a = repo.write("a.py", dill_load)
    b = repo.write("b.py", layout)
    run_cli("models", "--fix", "--unsafe-fixes")
    assert a.read_text() == dill_load  # weights_only beside pickle_module is a RuntimeError
    assert (
        b.read_text()
        == 'import torch\nx = torch.load(\n    path,\n    map_location="cpu",\n    weights_only=True\n)\n'
    )
    repo.write("policy.yaml", policy + '  min_torch_version: "1.12"\n')
    c = repo.write("c.py", "import torch\nm.load_state_dict(torch.load(p))\n")
    result = run_cli("models", "--fix", "--unsafe-fixes", "--format", "json")
    assert c.read_text() == "import torch\nm.load_state_dict(torch.load(p))\n"  # no weights_only before 1.13
    assert "min_torch_version is below 1.13" in result.out

"""mutmut's ``[tool.mutmut]`` settings for one run, written into the work copy's pyproject.toml.

The user's own pyproject.toml is never touched: the gate runs mutmut in a copy of the project
and rewrites only the copy. The user's mutmut settings are kept unless the policy decides them
(what to mutate, which tests, pytest arguments, extra files), and key names are translated to
the installed mutmut's spelling (3.6 renamed ``paths_to_mutate`` to ``source_paths`` and folded
``tests_dir`` into ``pytest_add_cli_args_test_selection``).
"""

from __future__ import annotations

import configparser
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.errors import ToolError
from gates.records import record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Version = tuple[int, ...]
SOURCE_PATHS_RENAMED_IN: Version = (3, 6)
# Keys whose values the policy decides; the user's values for them are replaced, not merged.
DECIDED_KEYS = ("paths_to_mutate", "source_paths", "tests_dir", "pytest_add_cli_args_test_selection")
_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_LIST_KEYS = ("paths_to_mutate", "source_paths", "tests_dir", "also_copy", "do_not_mutate", "only_mutate")


def parse_version(text: str) -> Version:
    parts: list[int] = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


@record
class RunSettings:
    """What the policy decides for one mutmut run."""

    source_paths: list[str]
    do_not_mutate: list[str]
    test_selection: list[str]
    pytest_args: list[str] = field(default_factory=list)
    also_copy: list[str] = field(default_factory=list)


def read_user_settings(project: Path) -> tuple[dict[str, Any], str]:
    """The user's mutmut settings and where they came from (pyproject wins, as in mutmut)."""
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ToolError(f"{pyproject}: not valid TOML ({exc}); fix it before running mutmut") from None
        table = data.get("tool", {}).get("mutmut")
        if isinstance(table, dict):
            return dict(table), "pyproject.toml [tool.mutmut]"
    setup_cfg = project / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except configparser.Error as exc:
            raise ToolError(f"{setup_cfg}: not a valid INI file ({exc})") from None
        if parser.has_section("mutmut"):
            return _from_setup_cfg(dict(parser.items("mutmut"))), "setup.cfg [mutmut]"
    return {}, "none"


def _from_setup_cfg(raw: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _LIST_KEYS or key.startswith("pytest_add_cli_args"):
            settings[key] = [line.strip() for line in value.splitlines() if line.strip()]
        elif value.lower() in ("true", "false"):
            settings[key] = value.lower() == "true"
        else:
            settings[key] = value
    return settings


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def merged_settings(user: Mapping[str, Any], run: RunSettings, version: Version) -> dict[str, Any]:
    """The ``[tool.mutmut]`` table for this run, in the installed mutmut's key names."""
    merged = {k: v for k, v in user.items() if k not in DECIDED_KEYS}
    source_key = "source_paths" if version >= SOURCE_PATHS_RENAMED_IN else "paths_to_mutate"
    merged[source_key] = list(run.source_paths)
    merged["pytest_add_cli_args_test_selection"] = list(run.test_selection)
    merged["do_not_mutate"] = _dedupe(as_list(user.get("do_not_mutate")) + run.do_not_mutate)
    merged["pytest_add_cli_args"] = _dedupe(as_list(user.get("pytest_add_cli_args")) + run.pytest_args)
    merged["also_copy"] = _dedupe(as_list(user.get("also_copy")) + run.also_copy)
    return merged


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise ToolError(f"cannot write mutmut setting value {value!r} back to TOML")


def without_mutmut_table(text: str) -> str:
    """``text`` with every ``[tool.mutmut]`` (and ``[tool.mutmut.*]``) table removed."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        header = _TABLE_HEADER.match(line)
        if header:
            name = re.sub(r"\s+", "", header.group(1)).replace('"', "").replace("'", "")
            skipping = name == "tool.mutmut" or name.startswith("tool.mutmut.")
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def render_pyproject(original: str | None, settings: Mapping[str, Any]) -> str:
    """The work copy's pyproject.toml: the original with ``[tool.mutmut]`` replaced, verified."""
    base = without_mutmut_table(original) if original else ""
    table = "\n".join(f"{json.dumps(key)} = {toml_value(value)}" for key, value in settings.items())
    text = f"{base.rstrip()}\n\n[tool.mutmut]\n{table}\n".lstrip()
    try:
        parsed = tomllib.loads(text)
        before = tomllib.loads(original) if original else {}
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(
            f"could not rewrite [tool.mutmut] in pyproject.toml ({exc}); keep mutmut's settings in one "
            "[tool.mutmut] table (not dotted keys under [tool])"
        ) from None
    if parsed.get("tool", {}).get("mutmut") != json.loads(json.dumps(dict(settings))):
        raise ToolError("rewriting [tool.mutmut] in the work copy's pyproject.toml lost settings")
    before.get("tool", {}).pop("mutmut", None)
    parsed.get("tool", {}).pop("mutmut", None)
    if not parsed.get("tool"):
        parsed.pop("tool", None)
    if not before.get("tool"):
        before.pop("tool", None)
    if parsed != before:
        raise ToolError(
            "rewriting [tool.mutmut] in the work copy's pyproject.toml changed other settings; "
            "move [tool.mutmut] to its own table"
        )
    return text


def write_run_config(work: Path, settings: Mapping[str, Any]) -> None:
    """Write the settings into the work copy (pyproject wins over setup.cfg in mutmut)."""
    pyproject = work / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None
    text = render_pyproject(original, settings)
    # The copy may be a hard link in other setups; replace the file, never write through it.
    pyproject.unlink(missing_ok=True)
    pyproject.write_text(text, encoding="utf-8")

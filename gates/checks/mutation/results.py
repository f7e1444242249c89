"""Mutant results: read from mutmut's ``mutants/**/*.meta`` files, saved and merged as JSON.

We never trust ``mutmut run``'s exit code for the score: every mutant's status comes from
the exit code mutmut stored for it in the ``.meta`` file next to the mutated source.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, field
from pathlib import Path
from typing import Any

from gates.errors import ToolError
from gates.fsutil import atomic_write_text
from gates.records import record
from gates.regular_files import read_regular_bytes

from .statuses import status_of

RESULTS_FILE = "mutation-results.json"
RESULTS_FORMAT = 1
CLASS_SEPARATOR = "ǁ"
MUTANT_MARKER = "__mutmut_"


@record
class Mutant:
    name: str  # mutmut's key, e.g. pkg.mod.x_func__mutmut_3
    path: str  # repository-relative source file
    function_key: str  # mutmut's mangled function name: x_func or xǁClsǁmeth
    exit_code: int | None
    line: int | None = None
    diff: str | None = None

    @property
    def status(self) -> str:
        return status_of(self.exit_code)

    @property
    def function(self) -> str:
        """The function as a reader knows it: ``func`` or ``Cls.meth``."""
        return display_function(self.function_key)


def display_function(function_key: str) -> str:
    if function_key.startswith("x" + CLASS_SEPARATOR):
        _, cls, meth = function_key.split(CLASS_SEPARATOR, 2)
        return f"{cls}.{meth}"
    return function_key.removeprefix("x_")


def function_key_of(mutant_name: str) -> str:
    mangled = mutant_name.partition(MUTANT_MARKER)[0]
    return mangled.rpartition(".")[2]


def read_meta_files(mutants_dir: Path) -> list[Mutant]:
    """Every mutant mutmut generated, with its stored exit code (None: not checked)."""
    found: list[Mutant] = []
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        source = meta.relative_to(mutants_dir).as_posix().removesuffix(".meta")
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            codes = data["exit_code_by_key"]
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise ToolError(f"mutmut's result file {meta} is unreadable ({exc}); rerun the gate") from None
        if not isinstance(codes, dict):
            raise ToolError(f"mutmut's result file {meta} has no exit_code_by_key table; rerun the gate")
        for name, code in codes.items():
            found.append(Mutant(name, source, function_key_of(name), exit_code_of(code, f"{meta}: {name}")))
    return found


def exit_code_of(value: object, where: str) -> int | None:
    """A stored exit code: an integer or null, nothing else.

    JSON ``true`` is a Python ``bool``, a subclass of ``int`` equal to 1: read loosely it
    would count as "killed". Floats and strings are refused for the same reason.
    """
    if value is None or type(value) is int:
        return value
    raise ToolError(f"{where}: exit code {value!r} is not an integer; rerun the gate")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ToolError(f"{where}: {value!r} is not a string")
    return value


def _optional_int(value: object, where: str) -> int | None:
    if value is None or type(value) is int:
        return value
    raise ToolError(f"{where}: {value!r} is not an integer")


def _whole(value: object, where: str) -> int:
    if type(value) is int:
        return value
    raise ToolError(f"{where}: {value!r} is not an integer")


def _mutant_from_json(data: object, where: str) -> Mutant:
    if not isinstance(data, dict):
        raise ToolError(f"{where}: a mutant entry is not an object")
    name = _text(data.get("name"), f"{where}: mutant name")
    here = f"{where}: {name}"
    diff = data.get("diff")
    return Mutant(
        name=name,
        path=_text(data.get("path"), f"{here}: path"),
        function_key=_text(data.get("function_key"), f"{here}: function_key"),
        exit_code=exit_code_of(data.get("exit_code"), here),
        line=_optional_int(data.get("line"), f"{here}: line"),
        diff=None if diff is None else _text(diff, f"{here}: diff"),
    )


def universe_id(names: list[str]) -> str:
    """Identifies the set of mutants a run was asked to judge, so shards of different runs never mix."""
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:16]


@record
class RunResults:
    """What one run (or one shard) judged: the artifact ``gates mutation merge`` reads."""

    mutmut_version: str
    mode: str  # "full" or "changed"
    universe: str
    universe_size: int
    shard: tuple[int, int] | None
    mutants: list[Mutant]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": RESULTS_FORMAT,
            "tool": "ml-gates mutation",
            "mutmut_version": self.mutmut_version,
            "mode": self.mode,
            "universe": self.universe,
            "universe_size": self.universe_size,
            "shard": list(self.shard) if self.shard else None,
            "notes": self.notes,
            "mutants": [asdict(m) for m in sorted(self.mutants, key=lambda m: m.name)],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def write(self, directory: Path) -> Path:
        path = directory / RESULTS_FILE
        atomic_write_text(path, self.to_json())
        return path


def read_results(path: Path) -> RunResults:
    """A results file written by a run, or a ToolError naming the file and the fix."""
    file = path / RESULTS_FILE if path.is_dir() else path
    try:
        # Only a regular file (a FIFO blocked `mutation merge` forever).
        data = json.loads(read_regular_bytes(file).decode("utf-8"))
    except RecursionError:
        raise ToolError(f"{file} is not a mutation results file (nested too deeply)") from None
    except FileNotFoundError:
        raise ToolError(
            f"{file} not found; pass the directories the shard jobs wrote (their --results-dir)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ToolError(f"{file} is not a mutation results file ({exc})") from None
    try:
        if type(data.get("format")) is not int or data.get("format") != RESULTS_FORMAT:
            raise ToolError(f"{file}: results format {data.get('format')!r} is not {RESULTS_FORMAT}")
        shard = data["shard"]
        return RunResults(
            mutmut_version=_text(data["mutmut_version"], f"{file}: mutmut_version"),
            mode=_text(data["mode"], f"{file}: mode"),
            universe=_text(data["universe"], f"{file}: universe"),
            universe_size=_whole(data["universe_size"], f"{file}: universe_size"),
            shard=(_whole(shard[0], f"{file}: shard"), _whole(shard[1], f"{file}: shard")) if shard else None,
            mutants=[_mutant_from_json(m, str(file)) for m in data["mutants"]],
            notes=[_text(n, f"{file}: notes") for n in data.get("notes", [])],
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ToolError(f"{file} is not a mutation results file ({type(exc).__name__}: {exc})") from None

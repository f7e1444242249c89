"""Finding the gates: every module under ``gates/checks/`` that defines ``GATE``.

A gate's module (or subpackage) is named after the gate: ``gates models`` lives in
``gates/checks/models``. That lets the CLI import just the one gate a hook asks for.
"""

from __future__ import annotations

import importlib
import os

import gates.checks
from gates.errors import GatesError
from gates.gate import Gate


def gate_module_names() -> list[str]:
    """Module names under gates/checks (``<name>.py`` or ``<name>/__init__.py``), found without
    importing them; a directory listing, as ``pkgutil.iter_modules`` makes it, minus its import."""
    names = set()
    for directory in gates.checks.__path__:
        for entry in os.scandir(directory):
            name, suffix = os.path.splitext(entry.name)
            if suffix == ".py" or (not suffix and os.path.isfile(os.path.join(entry.path, "__init__.py"))):
                names.add(name)
    return sorted(name for name in names if name.isidentifier() and not name.startswith("_"))


def load_gate(module_name: str) -> Gate:
    module = importlib.import_module(f"gates.checks.{module_name}")
    gate = getattr(module, "GATE", None)
    if not isinstance(gate, Gate):
        raise GatesError(f"gates/checks/{module_name} defines no GATE; it is not a gate module")
    if gate.name != module_name:
        raise GatesError(f"gates/checks/{module_name} defines gate {gate.name!r}; name them alike")
    return gate


def all_gates() -> list[Gate]:
    """Every gate, those that read other gates' results last."""
    found = [load_gate(name) for name in gate_module_names()]
    return sorted(found, key=lambda g: (bool(g.depends_on), g.name))


def gates_by_name() -> dict[str, Gate]:
    return {gate.name: gate for gate in all_gates()}

"""Run inside the work copy by ``python mutmut_child.py ACTION`` (never imported by the gate).

It drives mutmut's own functions so what it produces is exactly what ``mutmut run`` and
``mutmut show`` would: ``generate`` writes the mutants and their ``.meta`` files without
running any test (so the gate can pick mutants for a shard or a diff before testing), and
``diffs`` prints the ``mutmut show`` diff of each mutant named on stdin, as JSON.

Only the standard library and mutmut are imported: the script runs from its own directory,
so a project package that happens to be called ``gates`` cannot shadow anything.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _load_mutmut() -> Any:
    # Like the ``mutmut`` console script: the project is not importable from the cwd.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd(), here)]
    import mutmut.__main__ as main

    for loader in ("ensure_config_loaded",):
        if hasattr(main, loader):
            getattr(main, loader)()
    config_class = getattr(main, "Config", None)
    if config_class is not None and hasattr(config_class, "ensure_loaded"):
        config_class.ensure_loaded()
    return main


def generate(max_children: int) -> None:
    os.environ["MUTANT_UNDER_TEST"] = "mutant_generation"
    main = _load_mutmut()
    os.makedirs("mutants", exist_ok=True)
    main.copy_src_dir()
    main.copy_also_copy_files()
    main.setup_source_paths()
    main.store_lines_covered_by_tests()
    main.create_mutants(max_children)


def diffs(names: list[str]) -> None:
    main = _load_mutmut()
    shown: dict[str, str] = {}
    for name in names:
        try:
            mutant = main.find_mutant(name)
            shown[name] = main.get_diff_for_mutant(name, path=mutant.path)
        except Exception as exc:  # one unreadable mutant must not hide the others' diffs
            shown[name] = f"(no diff: {type(exc).__name__}: {exc})"
    sys.stdout.write("\n@@GATES-DIFFS@@\n" + json.dumps(shown) + "\n")


if __name__ == "__main__":
    action = sys.argv[1]
    if action == "generate":
        generate(int(sys.argv[2]))
    elif action == "diffs":
        diffs([line.strip() for line in sys.stdin if line.strip()])
    else:
        raise SystemExit(f"unknown action {action!r}")

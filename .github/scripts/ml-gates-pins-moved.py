"""Print the packages whose installed version changed between two `pip freeze` outputs.

Usage: ml-gates-pins-moved.py BEFORE AFTER. Prints "name old -> new, ..." (nothing when
nothing moved). ml-gates itself and packages that were not installed before are ignored:
they are what the install adds.
"""

from __future__ import annotations

import re
import sys

_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==|@)\s*(.+)$")


def versions(path: str) -> dict[str, str]:
    found = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = _NAME.match(line.strip())
            if match:
                found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2).strip()
    return found


def main() -> None:
    before, after = versions(sys.argv[1]), versions(sys.argv[2])
    moved = [
        f"{name} {old} -> {after.get(name, 'removed')}"
        for name, old in sorted(before.items())
        if name != "ml-gates" and after.get(name) != old
    ]
    print(", ".join(moved))


if __name__ == "__main__":
    main()

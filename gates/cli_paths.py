"""The one rule for paths typed on the command line: relative to where the user typed them.

Paths written in the policy are relative to the repository root; paths on the command line
(``--policy``, ``--report``, ``--output``, named files, ...) are relative to the current
directory, as in any other command. Gates work with root-relative paths, so named files are
translated here, once, for every command that takes them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def paths_from_cwd(paths: Sequence[str] | None, root: Path) -> list[str] | None:
    """Named files as root-relative paths (absolute ones unchanged); None when none were named.

    Symlinks are left unresolved: the file selection judges them, not this translation.
    """
    if not paths:
        return None
    try:
        here = Path.cwd().resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return list(paths)
    if here == Path("."):
        return list(paths)
    return [p if os.path.isabs(p) else os.path.normpath(here / p) for p in paths]

"""File helpers: atomic writes so a crash never leaves a half-written report or baseline, and
the per-user cache directory."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir(kind: str) -> Path | None:
    """Where caches of ``kind`` live, outside any repository so that no commit can plant one:
    ``$GATES_CACHE_DIR/<kind>``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, then
    ``ml-gates/<kind>``. None when ``GATES_NO_CACHE`` is set."""
    if os.environ.get("GATES_NO_CACHE"):
        return None
    base = os.environ.get("GATES_CACHE_DIR")
    if base:
        return Path(base) / kind
    home_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home_cache) / "ml-gates" / kind


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same directory and a rename."""
    import tempfile  # imported here: most hook runs write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise

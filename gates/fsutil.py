"""File helpers: atomic writes so a crash never leaves a half-written report or baseline, and
the per-user cache directory."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from gates.errors import GatesError

# Temp files of an atomic write are named ``.<target>.gates-tmp-<pid>-<token>``: the pid tells
# a later write whether the writer is gone (killed mid-write), so its leftover can be removed.
_TMP_MARK = ".gates-tmp-"


class WriteError(GatesError):
    """A report, baseline or other output could not be written; names the path and OS reason."""


def user_cache_dir(kind: str) -> Path | None:
    """Where caches of ``kind`` live, outside any repository so that no commit can plant one:
    ``$GATES_CACHE_DIR/<kind>``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, then
    ``ml-gates/<kind>``. None when ``GATES_NO_CACHE`` is set, or when the directory would lie
    inside the current git work tree or is writable by other users.

    Relative values are ignored, as the XDG spec says: resolved against the cwd they would put
    the cache inside the repository being checked, where a committed entry could be read as ours.
    """
    if os.environ.get("GATES_NO_CACHE"):
        return None
    base = os.environ.get("GATES_CACHE_DIR", "")
    if os.path.isabs(base):
        directory = Path(base) / kind
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        home_cache = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
        directory = home_cache / "ml-gates" / kind
    return directory if _trusted_cache_dir(directory) else None


def _trusted_cache_dir(directory: Path) -> bool:
    """False when a cache here could be planted: inside the checkout being run on (an absolute
    GATES_CACHE_DIR under the workspace in CI), or writable by other users."""
    try:
        resolved = directory.resolve()
        cwd = Path.cwd().resolve()
    except (OSError, RuntimeError):
        return False
    for top in (cwd, *cwd.parents):
        if (top / ".git").exists():
            if resolved == top or top in resolved.parents:
                return False
            break
    probe = resolved
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        info = probe.stat()
    except OSError:
        return False
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid() and probe == resolved:
        return False
    return not info.st_mode & 0o002 or bool(info.st_mode & 0o1000)  # world-writable only if sticky


def _file_in_the_way(target: Path) -> Path:
    """The first parent of ``target`` that exists and is not a directory."""
    for parent in reversed(target.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return target.parent


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same directory and a rename.

    The file keeps the permissions of the one it replaces (a new one gets the umask's), a
    failure is a :class:`WriteError` naming the path and the reason, and the target is then
    untouched: never a half-written file.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        # mkdir's own reason ("File exists") hides the real one: a parent is a file.
        raise WriteError(
            f"cannot write {target}: {_file_in_the_way(target)} is a file, not a directory"
        ) from None
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {_reason(exc)}") from None
    if target.is_dir():
        raise WriteError(f"cannot write {target}: it is a directory; name a file")
    _remove_stale_temps(target.parent)
    tmp = target.parent / f".{target.name}{_TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}"
    try:
        # os.open with 0o666 lets the umask decide a new file's mode, as a plain open() would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {_reason(exc)}") from None
    try:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, AttributeError):
            os.fchmod(fd, os.stat(target).st_mode & 0o7777)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WriteError(f"cannot write {target}: {_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _remove_stale_temps(directory: Path) -> None:
    """Remove temp files that writers killed mid-write left here (their process is gone)."""
    try:
        entries = [e for e in os.scandir(directory) if _TMP_MARK in e.name and e.name.startswith(".")]
    except OSError:
        return
    for entry in entries:
        pid_text = entry.name.rsplit(_TMP_MARK, 1)[1].split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True

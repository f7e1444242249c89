"""Selecting the files a gate scans, the same way for hooks (explicit files) and CI (whole tree).

Only regular files inside the repository are ever selected. A symlink whose target lies
outside the root is reported and not read (its target is no part of the repository: a
fresh clone has a dangling link there, and reading it would quote files the repository
does not hold). A FIFO, socket or device is never opened (a FIFO blocks its reader).
A directory named on the command line stands for its files, as bandit and ruff read it.
A named path that does not exist, or lies outside the repository, is an error.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path, PurePosixPath

from gates.errors import GatesError
from gates.policy.paths import Paths, is_excluded, is_source
from gates.records import record
from gates.regular_files import file_kind, inside, open_regular

SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".tox"}


@record
class Selection:
    """The files to scan, and what was left out that a reader of the report should know."""

    files: list[str] = field(default_factory=list)
    # One sentence per path that exists but was not read (a symlink out of the repository,
    # a FIFO found by the walk outside git).
    skipped: list[str] = field(default_factory=list)
    # Directories named on the command line: selecting nothing from them is not a pass.
    named_dirs: list[str] = field(default_factory=list)
    # What was named itself and not read: said whatever its suffix (a named link to a directory
    # outside the repository has no `.py` to keep its note, and the gate passed on nothing).
    named_skipped: list[str] = field(default_factory=list)


def to_relative(root: Path, path: str | os.PathLike[str]) -> str:
    """A path as the repository sees it: relative to the root, with forward slashes."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(root.resolve())
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix().removeprefix("./")


def _skip_reason(root: Path, relative: str) -> str | None:
    """None when ``relative`` is a regular file inside the repository; else why it is not read.

    The empty string means "nothing to say" (a dangling link, a directory git lists as a
    gitlink or a symlink to a directory).
    """
    path = root / relative
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISLNK(mode):
        if not inside(root, path):
            return f"{relative}: a symlink to a path outside the repository; its target was not read"
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return ""  # dangling: there is nothing to read
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return ""
    return f"{relative}: {file_kind(mode)}, not a regular file; not read"


def _repository_selection(root: Path, under: str = "", suffixes: tuple[str, ...] | None = None) -> Selection:
    """The whole tree, or only what lies under ``under`` (a named directory): outside git the
    walk starts there, so `gates todo ~/proj/src` typed in / walks that, not the filesystem.
    With ``suffixes``, only names ending so (the rest would cost a ``stat`` each, for nothing)."""
    spec = ["--", f":(literal){under}"] if under else []
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", *spec],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if proc.returncode == 0:
        names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    else:
        names = []
        for dirpath, dirnames, filenames in os.walk(root / under):
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
            rel = Path(dirpath).relative_to(root)
            names.extend((rel / name).as_posix() for name in filenames)
    selection = Selection()
    for name in dict.fromkeys(names):  # a conflicted file is listed once per stage
        if suffixes is not None and not name.endswith(suffixes):
            continue
        reason = _skip_reason(root, name)
        if reason is None:
            selection.files.append(name)
        elif reason:
            selection.skipped.append(reason)
    return selection


def _path_of(reason: str) -> str:
    return reason.split(": ", 1)[0]


def missing_path_message(name: str) -> str:
    """The one error for a named path that does not exist, in every gate."""
    hint = (
        " (every argument after '--' is a path: the hooks' entries end with '--', so give a"
        " hook options in its `entry`, not in `args`)"
        if name.startswith("-")
        else ""
    )
    return f"{name}: no such file or directory; fix the path{hint}"


def _python_shebang(path: Path) -> bool:
    try:
        with open_regular(path) as handle:
            first = handle.read(128).split(b"\n", 1)[0]
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def repository_files(root: Path) -> list[str]:
    """Tracked plus untracked-but-not-ignored regular files inside the root; a walk outside git."""
    return _repository_selection(root).files


def _named(root: Path, names: Iterable[str], paths: Paths) -> Selection:
    """Explicit paths: files as given, directories as the files under them; excludes applied."""
    selection = Selection()
    real_root = root.resolve()
    for name in names:
        relative = to_relative(root, name)
        normal = os.path.normpath(relative) if relative else "."
        if Path(normal).is_absolute() or normal == ".." or normal.startswith("../"):
            raise GatesError(f"{name}: outside the repository {real_root}; name files inside it")
        relative = "" if normal == "." else Path(normal).as_posix()
        if relative and is_excluded(relative, paths):
            continue
        path = root / relative
        if not os.path.lexists(path):
            raise GatesError(missing_path_message(name))
        if not inside(root, path):
            outside = f"{relative}: a symlink to a path outside the repository; its target was not read"
            selection.skipped.append(outside)
            selection.named_skipped.append(outside)
            continue
        if path.is_dir():
            selection.named_dirs.append(relative or ".")
            tree = _repository_selection(root, relative)
            prefix = f"{relative}/" if relative else ""
            selection.files += [f for f in tree.files if f.startswith(prefix) and not is_excluded(f, paths)]
            selection.skipped += [
                s for s in tree.skipped if s.startswith(prefix) and not is_excluded(_path_of(s), paths)
            ]
            continue
        reason = _skip_reason(root, relative)
        if reason is None:
            selection.files.append(relative)
        elif reason:
            kind = file_kind(os.stat(path).st_mode)
            raise GatesError(f"{name}: not a regular file ({kind}); only regular files are scanned")
        else:
            raise GatesError(f"{name}: a symlink to a missing file; fix or remove the link")
    return selection


def select_files(
    root: Path,
    paths: Paths,
    *,
    explicit: Iterable[str] | None = None,
    suffixes: tuple[str, ...] | None = (".py",),
) -> Selection:
    """Repository-relative files to scan, sorted, with what was left out and why.

    Explicit files (pre-commit passes them) skip the ``source`` filter but never the
    ``exclude`` list, so the policy's excludes hold in hooks as they do in CI.
    """
    if explicit is not None:
        selection = _named(root, explicit, paths)
    else:
        # Without named files no shebang is read, so what does not end in a suffix is dropped below.
        selection = _repository_selection(root, suffixes=suffixes)
        selection.files = [p for p in selection.files if is_source(p, paths)]
        selection.skipped = [s for s in selection.skipped if is_source(_path_of(s), paths)]
    chosen = set(selection.files)
    if suffixes is not None:
        # A named file without an extension is Python when its shebang says so, as pre-commit's
        # `types: [python]` decides: a staged `bin/train` script is not skipped.
        shebang_ok = explicit is not None and ".py" in suffixes
        chosen = {
            p
            for p in chosen
            if p.endswith(suffixes)
            or (shebang_ok and "." not in PurePosixPath(p).name[1:] and _python_shebang(root / p))
        }
        selection.skipped = [
            s for s in selection.skipped if _path_of(s).endswith(suffixes) or s in selection.named_skipped
        ]
    selection.files = sorted(chosen)
    selection.skipped = sorted(set(selection.skipped))
    return selection


def list_files(
    root: Path,
    paths: Paths,
    *,
    explicit: Iterable[str] | None = None,
    suffixes: tuple[str, ...] | None = (".py",),
) -> list[str]:
    """The files of :func:`select_files`, for callers that report nothing about the rest."""
    return select_files(root, paths, explicit=explicit, suffixes=suffixes).files


def skipped_note(selection: Selection, limit: int = 5) -> str | None:
    """One note for the report naming what exists but was not read, or None."""
    if not selection.skipped:
        return None
    shown = "; ".join(selection.skipped[:limit])
    more = f"; and {len(selection.skipped) - limit} more" if len(selection.skipped) > limit else ""
    return f"not read ({len(selection.skipped)}): {shown}{more}"


def empty_dirs_message(selection: Selection, what: str) -> str:
    """The error for directories named on the command line that hold nothing to scan."""
    named = ", ".join(selection.named_dirs)
    return (
        f"{named}: no {what} to scan in the named director{'y' if len(selection.named_dirs) == 1 else 'ies'}"
        " (paths.exclude and .gitignore applied, as in a full run); name the files themselves, or"
        " fix the path"
    )

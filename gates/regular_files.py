"""Reading scanned files: regular files inside the repository, never anything else.

A FIFO opened for reading blocks until a writer appears, so a plain ``open()`` of a
planted FIFO hangs a gate forever. Files are opened with ``O_NONBLOCK`` (which makes the
open itself return at once for a FIFO) and the *open descriptor* is checked with
``fstat``: a check on the path before opening could be raced by swapping the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


class NotRegularFile(OSError):
    """Raised for a FIFO, socket or device: only regular files are read."""

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", os.fspath(path))


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words, for messages."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symlink"
    return "not a regular file"


def _open_checked(path: str | os.PathLike[str]) -> tuple[int, int]:
    """A descriptor of ``path`` opened for reading, and its size; NotRegularFile if it is not
    a regular file (then nothing stays open)."""
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, file_kind(info.st_mode))
        if _NONBLOCK:
            import fcntl

            # Regular files ignore O_NONBLOCK today; clear it so reads stay plain blocking reads.
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
        return fd, info.st_size
    except BaseException:
        os.close(fd)
        raise


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file; else raise NotRegularFile."""
    fd, _ = _open_checked(path)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def unreadable_reason(path: str | os.PathLike[str]) -> str | None:
    """Why a path that exists in some form is no readable regular file; None if it is one or
    does not exist at all (a directory, FIFO or dangling link is not "not found": the caller
    must not fall back to a default for it)."""
    if not os.path.lexists(path):
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"a symlink that leads nowhere ({exc.strerror})"
    return None if stat.S_ISREG(mode) else file_kind(mode)


def read_regular_bytes(path: str | os.PathLike[str]) -> bytes:
    # Plain os.read on the descriptor, not a file object: the models gate reads every Python
    # file of a tree on each run, and the buffered reader cost a third of that (warm runs).
    fd, size = _open_checked(path)
    try:
        chunks = [os.read(fd, size + 1)]  # one read for a file that did not grow meanwhile
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 16))
        return b"".join(chunks)
    finally:
        os.close(fd)


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, with every symlink resolved, is ``root`` or lies under it."""
    real_root = os.path.realpath(root)
    try:
        real = os.path.realpath(path)
    except OSError:
        # A link git cannot follow for us either (`x.py -> /proc/1/cwd`: readlink is EACCES):
        # where it leads is unknown, so it is not inside, and is never read.
        return False
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def read_repository_text(root: Path, relative: str) -> str:
    """A repository file's text (undecodable bytes replaced) for readers handed paths by git
    or a tool rather than by :mod:`gates.files`; OSError when it is outside the root or not
    a regular file, so a committed symlink to ``/etc/...`` or to a FIFO is never followed."""
    path = root / relative
    if not inside(root, path):
        raise OSError(errno.EXDEV, "a symlink to a path outside the repository", str(path))
    return read_regular_bytes(path).decode("utf-8", errors="replace")

"""The plain gitignore patterns, matched without importing pathspec.

Every default and most policies use only patterns such as ``.venv/``, ``**/node_modules/``,
``gates/runner.py`` or ``.`` (everything, written ``**`` by then). Importing pathspec costs a
run ~8 ms of CPU, as much as the rest of the policy, so for such patterns we build the very
regular expression pathspec's ``GitIgnoreSpec`` builds for them (pathspec 1.x,
``GitIgnoreSpecPattern``): with no negation among them a path matches when any one matches,
so their alternation gives the same answer. Any other pattern (a wildcard, ``!``, ``\\``, a
space, a non-ASCII name) makes the whole list go to pathspec, as before.
``tests/test_policy_literal_globs.py`` checks both agree on every pattern shape handled here.
"""

from __future__ import annotations

import os
import re

# A path segment without gitignore syntax: no wildcard, bracket, escape, "!", "#" or space.
_LITERAL_SEGMENT = re.compile(r"[A-Za-z0-9_.+@=,~%-]+")
# pathspec makes a path relative and POSIX before matching (pathspec.util.normalize_file).
_FOREIGN_SEPARATORS = [sep for sep in (os.sep, os.altsep) if sep and sep != "/"]


def literal_regex(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex matching what the gitignore ``patterns`` match, or None if one is not plain."""
    parts = []
    for pattern in patterns:
        part = _pattern_regex(pattern)
        if part is None:
            return None
        parts.append(part)
    return re.compile("|".join(f"(?:{part})" for part in parts))


def normalize(path: str) -> str:
    """``path`` as pathspec matches it: POSIX separators, no leading ``/`` or ``./``."""
    for sep in _FOREIGN_SEPARATORS:
        path = path.replace(sep, "/")
    if path.startswith("/"):
        return path[1:]
    if path.startswith("./"):
        return path[2:]
    return path


def _pattern_regex(pattern: str) -> str | None:
    if pattern == "**":
        return "."  # every (non-empty) path
    anchored = pattern.startswith("/")  # "/x": x at the root only
    body = pattern[1:] if anchored else pattern
    floating = body.startswith("**/")  # "**/x": x at any depth
    if floating:
        if anchored:
            return None  # "/**/x": rare; pathspec decides
        body = body[3:]
    directory = body.endswith("/")  # "x/": a directory x and everything below it
    if directory:
        body = body[:-1]
    segments = body.split("/")
    if not all(_LITERAL_SEGMENT.fullmatch(segment) for segment in segments):
        return None
    # gitignore: a pattern with no slash but a trailing one matches at any depth.
    floating = floating or (not anchored and len(segments) == 1)
    prefix = "^(?:.+/)?" if floating else "^"
    # A directory pattern needs something below it; a file pattern also matches a
    # directory of that name and what it holds.
    suffix = "/" if directory else "(?:/|$)"
    return prefix + "/".join(re.escape(segment) for segment in segments) + suffix

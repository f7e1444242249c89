"""The shared ``paths`` section and the glob matching every gate uses for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from gates.policy.base import StrictModel, policy_model, setting
from gates.policy.literal_globs import literal_regex, normalize

DEFAULT_EXCLUDES = [
    ".git/",
    ".venv/",
    "venv/",
    "**/node_modules/",
    "**/__pycache__/",
    "build/",
    "dist/",
    "mutants/",
    ".gates/cache/",
]


@policy_model
class Paths(StrictModel):
    """Which files the gates look at. Globs use gitignore syntax."""

    source: list[str] = setting(
        stricter="more",
        default_factory=lambda: ["."],
        description="Source roots (directories or globs) the gates scan.",
    )
    critical: list[str] = setting(
        stricter="more",
        default_factory=list,
        description="Critical paths: stricter coverage/mutation floors and readiness health.",
    )
    tests: list[str] = setting(
        stricter="none", default_factory=lambda: ["tests/"], description="Where the tests live."
    )
    exclude: list[str] = setting(
        stricter="fewer",
        default_factory=lambda: list(DEFAULT_EXCLUDES),
        description=(
            "Never scanned, also when pre-commit passes the file explicitly. Added to the defaults "
            "(.git/, .venv/, venv/, node_modules/, __pycache__/, build/, dist/, mutants/, .gates/cache/); "
            "a '!pattern' entry scans a default-excluded path again."
        ),
    )

    def __post_init__(self) -> None:
        # Extend, never replace: a policy listing its own excludes must not start scanning
        # an untracked venv/ or node_modules/ (gitignore order: a later '!x' re-includes).
        own = [p for p in self.exclude if p not in DEFAULT_EXCLUDES]
        object.__setattr__(self, "exclude", [*DEFAULT_EXCLUDES, *own])


@lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    literal = literal_regex(patterns)
    if literal is not None:  # the defaults and most policies: pathspec's regex, without pathspec
        return lambda path: literal.search(normalize(path)) is not None
    import pathspec  # only for wildcards and negations: it is slow to import

    return pathspec.GitIgnoreSpec.from_lines(patterns).match_file


def _as_glob(pattern: str) -> str:
    # "." and "src" name directories: everything below them matches.
    if pattern in (".", "./", ""):
        return "**"
    return pattern


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """True if repository-relative ``path`` matches any gitignore-style pattern."""
    globs = tuple(_as_glob(p) for p in patterns)
    return bool(globs) and _matcher(globs)(path)


def is_excluded(path: str, paths: Paths) -> bool:
    return matches_any(path, paths.exclude)


def is_source(path: str, paths: Paths) -> bool:
    return matches_any(path, paths.source) and not is_excluded(path, paths)


def is_critical(path: str, paths: Paths) -> bool:
    return matches_any(path, paths.critical) and not is_excluded(path, paths)

"""Which mapped report files count: under the policy's source paths, not excluded, not omitted.

The decision is the shared ``is_source`` plus ``coverage.omit``. When every pattern names
a directory (ends with '/', or is '.'), the answer depends only on a file's directory, so it
is computed once per directory: on 5,000 files in 50 directories, 50 matches instead of 5,000.
"""

from __future__ import annotations

from gates.policy.paths import Paths, is_source, matches_any

# A file name no directory pattern can match (they all require a '/' after the name).
_PROBE = "~ml-gates-probe~"


def _directory_pattern(pattern: str) -> bool:
    return pattern in (".", "./", "") or pattern.endswith("/")


class Scope:
    def __init__(self, paths: Paths, omit: list[str]) -> None:
        self._paths = paths
        self._omit = list(omit)
        patterns = [*paths.source, *paths.exclude, *self._omit]
        self._by_directory = all(_directory_pattern(p) for p in patterns)
        self._cache: dict[str, bool] = {}

    def _decide(self, path: str) -> bool:
        return is_source(path, self._paths) and not (self._omit and matches_any(path, self._omit))

    def __call__(self, path: str) -> bool:
        if not self._by_directory:
            return self._decide(path)
        directory = path.rpartition("/")[0]
        known = self._cache.get(directory)
        if known is None:
            known = self._decide(f"{directory}/{_PROBE}" if directory else _PROBE)
            self._cache[directory] = known
        return known

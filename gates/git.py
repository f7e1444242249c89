"""Git helpers the gates share: the repo root, the base, the merge-base, changed files and lines.

Changed lines come from diff-cover's own diff parser, fed by a git runner that works in
the repository root and detects renames, so our line sets agree with diff-cover's.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from gates.errors import GitError
from gates.records import frozen_record
from gates.regular_files import inside, open_regular

FETCH_HINT = "fetch the full history (actions/checkout with 'fetch-depth: 0', or 'git fetch --unshallow')"


# Every git call runs with these, so the output we parse has one format whatever the user's
# or repository's git config says (diff.noprefix or diff.mnemonicPrefix would break diff
# headers, colour would put escapes in them, quotepath would escape non-ASCII paths).
PINNED_CONFIG = (
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "diff.renames=true",
    "color.ui=never",
    "color.diff=never",
    "core.quotepath=false",
    "core.pager=cat",
)
# Options every ``git diff`` of ours carries, for what config alone cannot pin: no external
# diff driver or textconv filter, paths from the top, and the standard a/ b/ prefixes.
DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


def git_argv(*args: str) -> list[str]:
    """``git`` with the pinned config, then ``args`` (``diff`` gets :data:`DIFF_OPTIONS`)."""
    argv = ["git"]
    for setting in PINNED_CONFIG:
        argv += ["-c", setting]
    if args and args[0] == "diff":
        return [*argv, "diff", *DIFF_OPTIONS, *args[1:]]
    return [*argv, *args]


def run_git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``root`` with its output format pinned; a failure is a one-line GitError."""
    return _git(root, *args, check=check)


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            git_argv(*args),
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=_git_env(),
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; install git") from None
    if check and proc.returncode != 0:
        lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        # git prints its usage text for some errors; the first line says what was wrong.
        shown = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
        raise GitError(f"git {' '.join(args)} failed: {shown or (lines[:1] or ['no output'])[0]}")
    return proc


# Environment variables that change what ``git diff`` prints, whatever the command line says.
_UNPINNED_ENV = ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER")


def _git_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _UNPINNED_ENV}


def has_head(root: Path) -> bool:
    """False on an unborn branch (a repository before its first commit)."""
    return _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).returncode == 0


def _require_repository(root: Path) -> None:
    if _git(root, "rev-parse", "--git-dir", check=False).returncode != 0:
        raise GitError(
            f"{root} is not inside a git repository; changed-code checks need git history: run in a clone"
        )


def repo_root(start: Path | None = None) -> Path:
    """The top of the git work tree containing ``start`` (default: the current directory)."""
    proc = _git(start or Path.cwd(), "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise GitError(f"{start or Path.cwd()} is not inside a git repository; run 'git init'")
    return Path(proc.stdout.strip())


# Variables that move the work tree away from where a .git entry is; only git itself knows then.
_GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES")


def find_root(start: Path | None = None) -> Path:
    """The git root if there is one, else ``start``: gates that need no history still run."""
    here = (start or Path.cwd()).resolve()
    if not any(name in os.environ for name in _GIT_LOCATION_VARIABLES):
        # In an ordinary checkout (a work tree, a worktree or a submodule: .git is a directory
        # or a file) the top is the nearest directory holding .git; finding it without
        # starting git saves every hook run a process.
        for directory in (here, *here.parents):
            if (directory / ".git").exists():
                return directory
    try:
        return repo_root(here)
    except GitError:
        return here


@frozen_record
class BaseRef:
    ref: str
    source: str  # where the ref came from, for messages: "--base", "pull request", ...


def resolve_base(cli_base: str | None, policy_base: str, env: Mapping[str, str] | None = None) -> BaseRef:
    """``--base``, then the PR's base in CI, then pre-push's from-ref, then the policy default."""
    env = os.environ if env is None else env
    if cli_base:
        return BaseRef(cli_base, "--base")
    if env.get("GITHUB_BASE_REF"):
        return BaseRef(f"origin/{env['GITHUB_BASE_REF']}", "the pull request's base")
    from_ref = env.get("PRE_COMMIT_FROM_REF", "")
    if from_ref and set(from_ref) != {"0"}:
        return BaseRef(from_ref, "pre-push (PRE_COMMIT_FROM_REF)")
    return BaseRef(policy_base, "the policy's 'base'")


def is_shallow(root: Path) -> bool:
    proc = _git(root, "rev-parse", "--is-shallow-repository", check=False)
    return proc.stdout.strip() == "true"


def merge_base(root: Path, base: BaseRef) -> str:
    """The commit where HEAD left ``base``. Clear errors for a missing base or shallow clone."""
    exists = _git(root, "rev-parse", "--verify", "--quiet", f"{base.ref}^{{commit}}", check=False)
    if exists.returncode != 0:
        # Say what is really missing: the repository, the first commit, or the base.
        _require_repository(root)
        if not has_head(root):
            raise GitError(
                "there is no commit yet (HEAD does not exist), so there is no base to compare with; "
                "commit first, or check the staged changes with --staged"
            )
        hint = FETCH_HINT if is_shallow(root) else "fetch it, or pass --base REF"
        raise GitError(f"base '{base.ref}' (from {base.source}) is not in this clone; {hint}")
    proc = _git(root, "merge-base", base.ref, "HEAD", check=False)
    if proc.returncode != 0:
        if not has_head(root):
            raise GitError(
                "there is no commit yet (HEAD does not exist), so there is no base to compare with; "
                "commit first, or check the staged changes with --staged"
            )
        if is_shallow(root):
            raise GitError(f"no merge-base between HEAD and '{base.ref}' in this shallow clone; {FETCH_HINT}")
        raise GitError(f"HEAD and '{base.ref}' share no history; pass --base REF")
    return proc.stdout.strip()


@frozen_record
class FileChange:
    path: str  # path after the change (for a deletion: the deleted path)
    status: str  # A, M, D, R, C or T
    old_path: str | None = None  # for renames and copies
    similarity: int | None = None  # 0-100 for renames and copies


def changed_files(root: Path, base_commit: str | None, *, staged: bool = False) -> list[FileChange]:
    """Files changed since ``base_commit`` (committed, staged and unstaged), renames detected.

    With ``staged=True`` (pre-commit) only what is in the index, against HEAD.
    """
    specs = [["--cached"]] if staged else [[f"{base_commit}...HEAD"], ["--cached"], []]
    changes: dict[str, FileChange] = {}
    for spec in specs:
        try:
            out = _git(root, "diff", "--name-status", "-z", "-M", *spec).stdout
        except GitError:
            _require_repository(root)
            raise
        parts = out.split("\0")
        i = 0
        while i < len(parts) and parts[i]:
            status = parts[i]
            if status[0] in "RC":
                old, new = parts[i + 1], parts[i + 2]
                changes[new] = FileChange(new, status[0], old, int(status[1:] or 0))
                i += 3
            else:
                changes[parts[i + 1]] = FileChange(parts[i + 1], status[0])
                i += 2
    return sorted(changes.values(), key=lambda c: c.path)


def _binary_paths(root: Path, args: tuple[str, ...]) -> list[str]:
    """Paths (old and new sides) that ``git diff args`` shows as binary, from ``--numstat``."""
    out = _git(root, "diff", "--numstat", "-z", "-M", *args).stdout
    parts = out.split("\0")
    paths: list[str] = []
    i = 0
    while i < len(parts) and parts[i]:
        added, _deleted, name = parts[i].split("\t", 2)
        names = [name] if name else parts[i + 1 : i + 3]  # a rename: old and new follow
        i += 1 if name else 3
        if added == "-":
            paths += names
    return paths


def _looks_like_text(root: Path, relative: str) -> bool:
    """git's own test (no NUL in the first 8000 bytes), on the work-tree file."""
    try:
        with open_regular(root / relative) as handle:
            return b"\0" not in handle.read(8000)
    except OSError:
        return False


def line_diff(root: Path, *args: str) -> str:
    """``git diff -U0 -M args`` whose text files are diffed as text whatever .gitattributes says.

    A ``-diff`` or ``binary`` attribute (which a pull request can commit in its own
    .gitattributes) turns a text file's hunks into "Binary files ... differ": its changed
    lines, suppression comments and TODOs would vanish from every changed-code check. Files
    git reports as binary but whose content is text, by git's own test, are diffed again
    with ``--text``; real binaries (model weights) are not, so they are never dumped.
    """
    out = _git(root, "diff", "-U0", "-M", *args).stdout
    if "Binary files " not in out:
        return out
    textual = [
        p
        for p in dict.fromkeys(_binary_paths(root, args))
        if inside(root, root / p) and _looks_like_text(root, p)
    ]
    if not textual:
        return out
    literal = [f":(literal){p}" for p in textual]
    rest = _git(
        root, "diff", "-U0", "-M", *args, "--", ".", *(f":(exclude,literal){p}" for p in textual)
    ).stdout
    forced = _git(root, "diff", "-U0", "-M", "--text", *args, "--", *literal).stdout
    return rest + forced


class _RepoGitDiff:
    """The git runner diff-cover's reporter expects, but run in ``root`` with rename detection."""

    range_notation = "..."

    def __init__(self, root: Path, *, staged: bool = False) -> None:
        self._root = root
        self._staged = staged

    def _diff(self, *args: str) -> str:
        return line_diff(self._root, *args)

    def diff_committed(self, compare_branch: str) -> str:
        if self._staged:
            # Pre-commit mode: only the index counts, and before the first commit there is no
            # HEAD to diff from (git would answer with its usage text).
            return ""
        return self._diff(f"{compare_branch}...HEAD")

    def diff_staged(self) -> str:
        return self._diff("--cached")

    def diff_unstaged(self) -> str:
        return self._diff()

    def untracked(self) -> list[str]:
        return []


def changed_lines(root: Path, base_commit: str | None, *, staged: bool = False) -> dict[str, list[int]]:
    """Added or modified line numbers per repository-relative path (new-file numbering).

    A pure rename owes no lines. With ``staged=True`` only the index against HEAD counts.
    """
    from diff_cover.diff_reporter import GitDiffReporter  # only gates that diff pay for it

    reporter = GitDiffReporter(
        compare_branch=base_commit or "HEAD",
        git_diff=_RepoGitDiff(root, staged=staged),
        ignore_staged=False,
        ignore_unstaged=staged,
    )
    try:
        paths = reporter.src_paths_changed()
        return {path: sorted(reporter.lines_changed(path)) for path in paths}
    except GitError:
        _require_repository(root)
        raise
    except Exception as exc:  # diff-cover raises its own GitDiffError/ValueError types
        raise GitError(f"could not read the git diff: {exc}") from None


def file_at(root: Path, commit: str, path: str) -> str | None:
    """The text of repository-relative ``path`` at ``commit``; None when it has no such file."""
    kind = _git(root, "cat-file", "-t", f"{commit}:{path}", check=False)
    if kind.returncode != 0 or kind.stdout.strip() != "blob":
        return None
    return _git(root, "cat-file", "blob", f"{commit}:{path}").stdout


def resolve_commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names; a clear error when this clone does not have it."""
    proc = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if proc.returncode != 0:
        hint = FETCH_HINT if is_shallow(root) else "fetch it, or check the name"
        raise GitError(f"'{ref}' is not a commit in this clone; {hint}")
    return proc.stdout.strip()

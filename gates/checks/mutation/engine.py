"""One mutation run: copy the project, configure mutmut, generate, pick, test, read, save.

The steps, and why they are in this order:

1. the doctor's checks (a problem it cannot fix is an error before any work);
2. a fresh copy of the project, whose pyproject.toml gets this run's ``[tool.mutmut]``;
3. mutmut's own mutant generation, without tests, so the gate knows every mutant's name;
4. the mutants to test: all, the changed functions' (changed-code mode), one shard of them;
5. ``mutmut run`` on those names, within the time budget, its exit code only telling
   whether a setup step failed;
6. every mutant's status read from the ``.meta`` files, and survivors' ``mutmut show`` diffs.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import field
from pathlib import Path

from gates.errors import ToolError
from gates.gate import GateContext
from gates.policy.paths import matches_any
from gates.policy.sections.mutation import MutationSection
from gates.records import record

from . import statuses as st
from .changed import full_run_trigger, select_changed
from .config import RunSettings, as_list, merged_settings, parse_version, read_user_settings, write_run_config
from .doctor import DoctorReport, diagnose
from .locate import mutated_line
from .process import (
    ProcessOutcome,
    child_argv,
    explain_failure,
    installed_mutmut_version,
    mutmut_run_argv,
    run_in_work,
)
from .results import Mutant, RunResults, read_meta_files, universe_id
from .scope import Scope, escape_glob, resolve_scope
from .shards import shard_of

STATS_FILE = "mutmut-stats.json"
DIFF_MARKER = "@@GATES-DIFFS@@"
# pytest escapes non-ASCII text in test ids (ids=str on "é" gives test[\xe9]); mutmut stores
# those ids and passes them back to pytest in the same process, where they are escaped again
# and not found, and records the failed run as a kill (mutmut #556). With this ini option
# pytest keeps the ids as written.
NO_ID_ESCAPING = ["-o", "disable_test_id_escaping_and_forfeit_all_rights_to_community_support=true"]


class NothingToMutate(Exception):
    """Changed-code mode found no changed function: the gate is skipped, not failed."""


@record
class RunRequest:
    changed: bool
    shard: tuple[int, int] | None
    results_dir: Path
    keep_work_dir: bool


@record
class RunOutput:
    results: RunResults
    doctor: DoctorReport
    notes: list[str] = field(default_factory=list)
    work_dir: Path | None = None
    kill_check: dict[str, object] | None = None


class Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 1:
            raise ToolError(self.exhausted_message())
        return remaining

    def exhausted_message(self, judged: str = "") -> str:
        return (
            f"the mutation run did not finish within its time budget (mutation.timeout = {self.seconds:g}s)"
            f"{judged}; raise mutation.timeout, narrow mutation.paths, or split the work with "
            "--shard I/N or changed-code mode (--changed)"
        )


def run_mutation(ctx: GateContext, section: MutationSection, request: RunRequest) -> RunOutput:
    budget = Budget(float(section.timeout))
    scope = resolve_scope(ctx.root, ctx.policy.paths, section, ctx.files)
    if not scope.files:
        raise NothingToMutate("none of the given files is in the mutation scope")
    also_copy = list(section.also_copy)
    doctor = diagnose(
        ctx.root,
        source_paths=scope.source_paths,
        also_copy=also_copy,
        test_files=scope.test_files,
        pytest_args=list(section.pytest_args),
        fixing=True,
    )
    if doctor.errors:
        raise ToolError("; ".join(d.message for d in doctor.errors))
    version = installed_mutmut_version() or "0"
    notes: list[str] = []
    selection = _changed_selection(ctx, section, scope, notes) if request.changed else None
    work = _make_work_copy(ctx.root, scope, [*also_copy, *doctor.also_copy])
    try:
        user, _ = read_user_settings(work)
        # In changed-code mode only the changed files need mutants at all.
        unchanged = [] if selection is None else [f for f in scope.files if f not in selection]
        run = RunSettings(
            source_paths=scope.source_paths,
            do_not_mutate=[*scope.do_not_mutate, *(escape_glob(f) for f in unchanged)],
            test_selection=scope.test_selection,
            pytest_args=[
                *section.pytest_args,
                *(["--no-cov"] if doctor.needs_no_cov else []),
                *NO_ID_ESCAPING,
            ],
            also_copy=[*also_copy, *doctor.also_copy],
        )
        settings = merged_settings(user, run, parse_version(version))
        write_run_config(work, settings)
        max_children = section.max_children or os.cpu_count() or 2
        generated = run_in_work(child_argv("generate", str(max_children)), work, timeout=budget.left())
        if generated.timed_out:
            raise ToolError(budget.exhausted_message(" (while generating mutants)"))
        if generated.returncode != 0:
            raise ToolError(f"mutmut could not generate mutants: {explain_failure(generated)}")
        chosen_files = set(scope.files) - set(unchanged)
        generated_mutants = [m for m in read_meta_files(work / "mutants") if m.path in chosen_files]
        universe = _pick(generated_mutants, selection)
        if request.changed and selection is not None and not universe:
            raise NothingToMutate("the changed functions have no mutants")
        names = sorted(m.name for m in universe)
        to_run = shard_of(names, *request.shard) if request.shard else names
        mode = "changed" if selection is not None else "full"
        if request.changed and selection is None:
            mode = "changed-fallback"
        by_name = {m.name: m for m in universe}
        mutants: list[Mutant] = []
        kill_check: dict[str, object] | None = None
        if to_run:
            scoped = _scoped_tests(work, request.results_dir, universe, ctx, notes) if selection else None
            if scoped:
                write_run_config(work, {**settings, "pytest_add_cli_args_test_selection": scoped})
            run_all = len(to_run) == len(generated_mutants)
            outcome = run_in_work(
                mutmut_run_argv([] if run_all else to_run, max_children), work, timeout=budget.left()
            )
            if scoped and not outcome.timed_out and outcome.returncode != 0:
                notes.append(
                    "the tests chosen from the last full run's stats failed to run; retried with all tests"
                )
                write_run_config(work, settings)
                outcome = run_in_work(mutmut_run_argv(to_run, max_children), work, timeout=budget.left())
            mutants = _judged(work, to_run, by_name, outcome, budget)
            _note_non_ascii_ids(work, notes)
            kill_check = _check_kills(work, mutants, section, settings, max_children, budget, notes)
            _attach_diffs(ctx.root, work, mutants, budget)
            if mode == "full":
                _save_stats(work, request.results_dir)
        results = RunResults(
            mutmut_version=version,
            mode=mode,
            universe=universe_id(names),
            universe_size=len(names),
            shard=request.shard,
            mutants=mutants,
            notes=notes,
        )
        results.write(request.results_dir)
        return RunOutput(results, doctor, notes, work if request.keep_work_dir else None, kill_check)
    finally:
        if not request.keep_work_dir:
            shutil.rmtree(work, ignore_errors=True)


def _make_work_copy(root: Path, scope: Scope, also_copy: list[str]) -> Path:
    from .workspace import MUTMUT_ALSO_COPIES, copy_files, ignored_files, make_work_copy

    user, _ = read_user_settings(root)
    # mutmut copies its source paths and also_copy entries from disk, git-ignored files
    # included (a generated _version.py, data the tests read): the copy must hold them too.
    entries = [
        *scope.source_paths,
        *MUTMUT_ALSO_COPIES,
        *also_copy,
        *as_list(user.get("also_copy")),
        *(p.name for p in root.glob("test*.py")),
    ]
    extra = ignored_files(root, entries)
    work = make_work_copy(root)
    try:
        copy_files(root, work, extra)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work


def _changed_selection(
    ctx: GateContext, section: MutationSection, scope: Scope, notes: list[str]
) -> dict[str, set[str]] | None:
    """Changed functions per file, or None when a config/lock change means: mutate everything."""
    changed_paths = {c.path for c in ctx.changed_files} | {
        c.old_path for c in ctx.changed_files if c.old_path
    }
    trigger = full_run_trigger(changed_paths, section.full_run_triggers)
    if trigger:
        notes.append(
            f"changed-code mode fell back to every mutant: {trigger} changed (mutation.full_run_triggers)"
        )
        return None
    sources: dict[str, str] = {}
    for path in scope.files:
        if path in ctx.changed_lines:
            try:
                sources[path] = (ctx.root / path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ToolError(f"{path}: cannot read it ({exc})") from None
    try:
        selection = select_changed(ctx.changed_lines, sources)
    except SyntaxError as exc:
        raise ToolError(
            f"{exc.filename or 'a changed file'}:{exc.lineno}: not valid Python ({exc.msg})"
        ) from None
    if not selection:
        raise NothingToMutate(f"no function in the mutation scope changed since {ctx.base.ref}")
    notes.append(
        "changed-code mode: "
        + ", ".join(f"{path} ({len(keys)} function(s))" for path, keys in sorted(selection.items()))
    )
    return selection


def _pick(mutants: list[Mutant], selection: dict[str, set[str]] | None) -> list[Mutant]:
    if selection is None:
        return list(mutants)
    return [m for m in mutants if m.function_key in selection.get(m.path, set())]


def _scoped_tests(
    work: Path, results_dir: Path, universe: list[Mutant], ctx: GateContext, notes: list[str]
) -> list[str] | None:
    """The tests that cover the changed functions, from the last full run's mutmut-stats.json,
    plus every changed test file (new tests are not in old stats)."""
    stats_path = results_dir / STATS_FILE
    try:
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
        by_function: dict[str, list[str]] = stats["tests_by_mangled_function_name"]
    except (OSError, ValueError, KeyError, TypeError):
        notes.append(
            f"no {STATS_FILE} from a full run in {results_dir}: every selected test ran for the stats"
        )
        return None
    wanted_functions = {m.name.partition("__mutmut_")[0] for m in universe}
    tests: set[str] = set()
    for function, covering in by_function.items():
        if function in wanted_functions:
            tests |= set(covering)
    tests = {t for t in tests if (work / t.split("::")[0]).is_file()}
    changed_tests = [
        c.path for c in ctx.changed_files if c.status != "D" and matches_any(c.path, ctx.policy.paths.tests)
    ]
    tests |= {t for t in changed_tests if t.endswith(".py") and (work / t).is_file()}
    if not tests:
        return None
    notes.append(f"changed-code mode ran {len(tests)} test(s) covering the changed functions ({STATS_FILE})")
    return sorted(tests)


def _judged(
    work: Path, names: list[str], by_name: dict[str, Mutant], outcome: ProcessOutcome, budget: Budget
) -> list[Mutant]:
    stored = {m.name: m for m in read_meta_files(work / "mutants")}
    mutants = [stored.get(n, Mutant(n, by_name[n].path, by_name[n].function_key, None)) for n in names]
    if outcome.timed_out:
        judged = sum(1 for m in mutants if m.status != st.NOT_CHECKED)
        raise ToolError(budget.exhausted_message(f" ({judged} of {len(mutants)} mutants judged)"))
    if outcome.returncode != 0:
        raise ToolError(explain_failure(outcome))
    return mutants


def _note_non_ascii_ids(work: Path, notes: list[str]) -> None:
    from .verify import covering_tests

    ids = sorted({t for tests in covering_tests(work).values() for t in tests if not t.isascii()})
    if ids:
        notes.append(
            f"{len(ids)} test id(s) hold non-ASCII text (e.g. {ids[0]}): pytest ran with "
            "disable_test_id_escaping_and_forfeit_all_rights_to_community_support so mutmut finds "
            "them by id (re-run in mutmut's process, escaped ids are not found and the failed run "
            "counts as a kill: mutmut #556)"
        )


def _check_kills(
    work: Path,
    mutants: list[Mutant],
    section: MutationSection,
    settings: dict[str, object],
    max_children: int,
    budget: Budget,
    notes: list[str],
) -> dict[str, object] | None:
    """Re-run a sample of the kills in fresh processes; a kill that does not reproduce is an error."""
    from .scoring import few
    from .verify import check_kills

    if section.verify_kills == 0:
        notes.append("kills were not re-checked (mutation.verify_kills: 0)")
        return None
    selection = as_list(settings.get("pytest_add_cli_args_test_selection"))
    check = check_kills(
        work,
        mutants,
        size=section.verify_kills,
        test_selection=selection,
        pytest_args=as_list(settings.get("pytest_add_cli_args")),
        workers=max_children,
        time_left=budget.left,
    )
    if check.timed_out:
        raise ToolError(budget.exhausted_message(" (while re-checking kills in fresh processes)"))
    how = (
        "each mutant applied with MUTANT_UNDER_TEST in mutmut's mutants/ tree and its tests run "
        "with pytest -x in a new process"
    )
    if check.survived:
        raise ToolError(
            f"{len(check.survived)} of {len(check.sampled)} sampled kills did not reproduce ({how}): "
            f"{few(check.survived)} passed their tests there, so mutmut's kill was not a test failure "
            "and its score is too high. Usual causes: tests that depend on order or on state from "
            "earlier tests in the same process, or test ids pytest cannot find again. Fix: run those "
            "mutants' tests by hand in the work copy (--keep-work-dir), make the tests independent, "
            "or rerun with mutation.max_children: 1"
        )
    if check.not_run:
        _, cause = next(iter(sorted(check.not_run.items())))
        raise ToolError(
            f"{len(check.not_run)} of {len(check.sampled)} sampled kills could not be re-checked "
            f"({how}): their tests did not run ({cause}; e.g. {few(sorted(check.not_run))}). A kill "
            "whose tests never ran is not a kill. Fix: run that mutant's tests by hand in the work copy "
            "(--keep-work-dir) and fix what pytest reports (mutation.tests, mutation.pytest_args)"
        )
    if check.sampled:
        sample = "all" if len(check.sampled) == check.killed else "a random sample of"
        notes.append(
            f"kills re-checked in fresh processes: {sample} {len(check.sampled)} of {check.killed} "
            f"killed mutants ({how}); all {len(check.reproduced)} reproduced (seed {check.seed})"
        )
    return check.details()


def _attach_diffs(root: Path, work: Path, mutants: list[Mutant], budget: Budget) -> None:
    """``mutmut show``'s diff and the source line for each survivor."""
    survivors = [m for m in mutants if m.status == st.SURVIVED]
    if not survivors:
        return
    stdin = "\n".join(m.name for m in survivors) + "\n"
    outcome = run_in_work(
        child_argv("diffs"), work, timeout=budget.left(), stdin=stdin, log_name="gates-diffs.log"
    )
    if outcome.timed_out or outcome.returncode != 0 or DIFF_MARKER not in outcome.output:
        raise ToolError(f"could not read the survivors' diffs from mutmut: {outcome.tail()}")
    diffs: dict[str, str] = json.loads(outcome.output.rsplit(DIFF_MARKER, 1)[1])
    sources: dict[str, str] = {}
    for mutant in survivors:
        mutant.diff = diffs.get(mutant.name)
        if mutant.path not in sources:
            sources[mutant.path] = (root / mutant.path).read_text(encoding="utf-8")
        if mutant.diff:
            mutant.line = mutated_line(sources[mutant.path], mutant.function_key, mutant.diff)


def _save_stats(work: Path, results_dir: Path) -> None:
    stats = work / "mutants" / STATS_FILE
    if stats.is_file():
        results_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(stats, results_dir / STATS_FILE)

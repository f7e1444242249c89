"""The ``gates`` command. Imports stay light here: gates and heavy libraries load on demand.

Exit codes: 0 pass, 1 a gate failed, 2 a usage, configuration or tool error.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

from gates import __version__

# Not `typing.TYPE_CHECKING`: importing typing and argparse would slow `gates --version`,
# which hooks and scripts call often. Type checkers treat this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from gates.findings import Report
    from gates.gate import Gate

EXIT_USAGE = 2


def _add_common(parser: argparse.ArgumentParser, *, paths: bool = True, trusted: bool = True) -> None:
    from gates.cli_options import FormatAction, OutputAction
    from gates.report import FORMATS

    parser.add_argument(
        "--policy", metavar="FILE", help="policy file (default: policy.yaml, then .gates/policy.yaml)"
    )
    parser.add_argument("--base", metavar="REF", help="base ref for changed-code checks")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        action=FormatAction,
        dest="outputs_format",
        help="output format; repeat for several, each with its own --output",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        action=OutputAction,
        dest="outputs_file",
        help="write the preceding --format to FILE instead of stdout",
    )
    parser.add_argument("--no-baseline", action="store_true", help="audit: let baselined findings block too")
    if trusted:
        parser.add_argument(
            "--trusted-base",
            metavar="REF",
            help="run on the policy and baseline of REF (git show), not the ones this change edits",
        )
    parser.add_argument(
        "--staged",
        action="store_true",
        help="pre-commit mode: changed lines are what is staged (default under pre-commit)",
    )
    if paths:
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="only these files, or the files under these directories (pre-commit passes files); "
            "excludes still apply",
        )


def _add_diff_options(parser: argparse.ArgumentParser) -> None:
    from gates.cli_options import FormatAction, OutputAction
    from gates.report import FORMATS

    parser.add_argument(
        "--policy", metavar="FILE", help="the working tree's policy file (default: discovered)"
    )
    parser.add_argument(
        "--base", metavar="REF", help="compare with the merge-base of REF (default: as for checks)"
    )
    parser.add_argument("--format", choices=FORMATS, action=FormatAction, dest="outputs_format")
    parser.add_argument("--output", metavar="FILE", action=OutputAction, dest="outputs_file")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; for ``gates <gate> ...`` only that gate's module is imported and only
    its subcommand is built (hooks call these often, so they should not pay for the rest)."""
    from gates.cli_parser import ArgumentParser  # argparse's, without its shutil import
    from gates.registry import all_gates, gate_module_names, load_gate

    gate_command = command if command in gate_module_names() else None
    if gate_command is not None:
        gates = [load_gate(gate_command)]
    elif command in ("policy", "rules", "explain"):
        gates = []
    else:
        gates = all_gates()

    parser = ArgumentParser(
        prog="gates",
        description="Quality and safety gates for ML repositories, on one policy file.",
    )
    parser.add_argument("--version", action="version", version=f"ml-gates {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    if gate_command is None:  # `gates <gate>` parses with that gate's subcommand alone
        _add_commands(sub)
    for gate in gates:
        gate_parser = sub.add_parser(gate.name, help=gate.summary, description=gate.summary)
        _add_common(gate_parser)
        gate.add_arguments(gate_parser)
        gate_parser.set_defaults(gate_name=gate.name)
    return parser


def _add_commands(sub: Any) -> None:
    """Every subcommand that is not a gate."""
    check = sub.add_parser("check", help="run every enabled gate and aggregate one report")
    _add_common(check)
    check.add_argument(
        "--gate", action="append", dest="only", metavar="NAME", help="run only this gate (repeatable)"
    )

    policy = sub.add_parser("policy", help="validate, show, describe or create the policy file")
    policy_sub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    validate = policy_sub.add_parser("validate", help="check a policy file; list every problem")
    validate.add_argument("files", nargs="*", metavar="FILE", help="policy files (default: discovered)")
    validate.add_argument("--policy", metavar="FILE", help="the policy file, as for every other command")
    show = policy_sub.add_parser("show", help="print the effective policy, defaults filled in")
    show.add_argument("--policy", metavar="FILE")
    policy_sub.add_parser("schema", help="print the policy's JSON Schema")
    diff = policy_sub.add_parser(
        "diff", help="list what the working tree's policy, baseline and suppressions weaken or strengthen"
    )
    _add_diff_options(diff)
    init = policy_sub.add_parser("init", help="write a commented starter policy.yaml")
    init.add_argument("path", nargs="?", default="policy.yaml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    sub.add_parser("rules", help="list the code rules: id, name, severity, fix safety, peer ids")
    explain = sub.add_parser("explain", help="print a rule's page (offline): what, why, example, fix")
    explain.add_argument("rule", metavar="RULE", help="rule id (MS101), name or peer id (B614)")

    baseline = sub.add_parser("baseline", help="record today's findings so only new ones block")
    baseline_sub = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    update = baseline_sub.add_parser("update", help="rewrite the baseline from a full run")
    _add_common(update, paths=False, trusted=False)
    update.add_argument(
        "--gate",
        action="append",
        dest="only",
        metavar="NAME",
        help="update only this gate's entries (repeatable)",
    )
    update.add_argument(
        "--coverage",
        action="append_const",
        const="coverage",
        dest="only",
        help="same as --gate coverage (also raises the coverage ratchet)",
    )
    update.add_argument(
        "--report", metavar="FILE", help="the coverage report to read instead of the policy's coverage.report"
    )


def main(argv: Sequence[str] | None = None) -> int:
    # The interpreter's last cyclic collection at exit walks every module, function and class
    # the run imported, ~5 ms of a hook, to free nothing anyone reads: freeze them first. (No
    # output of ours waits for a finalizer: files are written and closed explicitly, stdout
    # flushed below.) One registration per process, also when tests call main repeatedly.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        code = _main(argv)
        sys.stdout.flush()
    except OSError as exc:
        # A full disk or closed pipe on stdout (`policy show`, `policy schema`, `mutation
        # doctor`, `--version` print directly): exit 2 naming it, not a traceback with exit 1.
        if exc.filename is not None:
            raise
        _detach_stdout()
        print(f"gates: error: cannot write to standard output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return code


def _detach_stdout() -> None:
    """Point stdout at nothing, so Python's flush at exit cannot fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        # Answer before building the parser: hooks and scripts call this often.
        print(f"ml-gates {__version__}")
        return 0
    from gates.errors import GatesError, PolicyError

    args: argparse.Namespace | None = None
    try:
        parser = build_parser(args_list[0] if args_list else None)
        args, unknown = parser.parse_known_args(args_list)
        if unknown:
            parser.error(_unknown_arguments(unknown, args_list[0]))
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        from gates.cli_options import check_outputs

        check_outputs(getattr(args, "outputs", None))
        return _dispatch(args)
    except PolicyError as exc:
        print(str(exc), file=sys.stderr)
        _github_error(args, str(exc))
        return EXIT_USAGE
    except GatesError as exc:
        print(f"gates: error: {exc}", file=sys.stderr)
        _github_error(args, str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("gates: interrupted", file=sys.stderr)
        return 130


def _unknown_arguments(unknown: list[str], command: str) -> str:
    """argparse's message, plus the way out when an "option" is really a file name."""
    message = f"unrecognized arguments: {' '.join(unknown)}"
    files = [name for name in unknown if name.startswith("-") and os.path.lexists(name)]
    if files:
        message += f"; {files[0]} is a file: put '--' before file names ('gates {command} -- {files[0]}')"
    return message


def _github_error(args: argparse.Namespace | None, message: str) -> None:
    """With ``--format github``, an error before any gate ran still reaches the job summary."""
    outputs = getattr(args, "outputs", None) or []
    if not any(fmt == "github" for fmt, _ in outputs):
        return
    from gates.errors import GatesError
    from gates.report.github_format import error_annotation, write_error_summary

    print(error_annotation(message))
    try:
        write_error_summary(message, os.environ)
    except GatesError as exc:  # the summary file itself is unwritable: say so once; exit 2 stands
        if str(exc) != message:
            print(f"gates: error: {exc}", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "policy":
        from gates import policy_commands

        return policy_commands.run(args)
    if args.command == "baseline":
        return _baseline_update(args)
    if args.command in ("rules", "explain"):
        return _rules_command(args)
    handler = getattr(args, "gate_handler", None)
    if handler is not None:
        code: int = handler(args)
        return code
    from gates.registry import load_gate

    # `gates <gate>` imports that gate's module only (a hook must not import every gate).
    chosen = _selected_gates(args.only) if args.command == "check" else [load_gate(args.gate_name)]
    return run_and_report(chosen, args)


def _selected_gates(only: Sequence[str] | None) -> list[Gate]:
    """Every gate, or those ``--gate`` names; an unknown name is a usage error, never a no-op."""
    from gates.registry import all_gates, gates_by_name

    chosen = all_gates()
    if only:
        known = gates_by_name()
        unknown = [n for n in only if n not in known]
        if unknown:
            from gates.errors import GatesError

            raise GatesError(f"no gate named {unknown[0]!r}; choose from {', '.join(known)}")
        chosen = [g for g in chosen if g.name in only]
    return chosen


def _rules_command(args: argparse.Namespace) -> int:
    from gates.checks.models.rule_docs import explain, rules_table

    text = rules_table() if args.command == "rules" else explain(args.rule)
    if text is None:
        print(f"gates: error: no rule {args.rule!r}; `gates rules` lists them", file=sys.stderr)
        return EXIT_USAGE
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # `gates rules | head`: the reader left; say nothing more (and no traceback at exit).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def run_gates_for(
    gates: Sequence[Gate], args: argparse.Namespace, *, use_baseline: bool | None = None
) -> Report:
    """Load the policy and run ``gates`` with the options on the command line."""
    from pathlib import Path

    from gates.git import find_root
    from gates.policy.loader import load_policy
    from gates.runner import RunOptions, run_gates

    root = find_root(Path.cwd())
    loaded = load_policy(args.policy, root)
    env = dict(os.environ)
    staged = bool(args.staged) or (env.get("PRE_COMMIT") == "1" and not env.get("PRE_COMMIT_FROM_REF"))
    from gates.cli_paths import paths_from_cwd

    paths = paths_from_cwd(getattr(args, "paths", None) or None, root)
    trusted_ref = getattr(args, "trusted_base", None)
    cli_base = args.base or trusted_ref
    guard = None
    changed_code = not staged and (cli_base or env.get("GITHUB_BASE_REF"))
    if use_baseline is None and (trusted_ref or changed_code):
        # A changed-code run: the change's own policy, baseline and suppressions are judged too.
        from gates import policy_changes
        from gates.git import resolve_base

        base = resolve_base(cli_base, loaded.policy.base, env)
        guard = policy_changes.prepare(
            root, loaded, base, explicit_policy=args.policy, trusted_ref=trusted_ref
        )
        if guard.trusted is not None:
            loaded = guard.trusted.at.loaded
    options = RunOptions(
        root=root,
        files=list(paths) if paths else None,
        cli_base=cli_base,
        staged=staged,
        use_baseline=not args.no_baseline if use_baseline is None else use_baseline,
        baseline_entries=guard.trusted.baseline if guard and guard.trusted else None,
        args=args,
        env=env,
        progress=_progress_printer() if sys.stderr.isatty() and not env.get("CI") else None,
    )
    report = run_gates(gates, loaded, options)
    report.base = cli_base
    if guard is not None:
        policy_changes.attach(report, guard)
    return report


def run_and_report(gates: Sequence[Gate], args: argparse.Namespace) -> int:
    report = run_gates_for(gates, args)
    emit(report, args)
    return report.exit_code


def emit(report: Report, args: argparse.Namespace) -> None:
    """Write every requested format; the exit code stays the report's."""
    from pathlib import Path

    from gates.fsutil import atomic_write_text
    from gates.report import RenderOptions, render

    outputs = getattr(args, "outputs", None) or [["text", None]]
    for fmt, destination in outputs:
        to_tty = destination is None and sys.stdout.isatty()
        color = fmt == "text" and to_tty and "NO_COLOR" not in os.environ
        text = render(str(fmt), report, RenderOptions(color=color, env=dict(os.environ)))
        if destination is None:
            _write_stdout(text)
        else:
            atomic_write_text(Path(destination), text)


def _write_stdout(text: str) -> None:
    """Print the report; a full disk or closed pipe is exit 2 naming stdout, not a traceback."""
    from gates.fsutil import WriteError

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        _detach_stdout()
        raise WriteError(f"cannot write the report to standard output: {exc.strerror or exc}") from None


def _progress_printer() -> Any:
    def show(gate: str, state: str, seconds: float) -> None:
        suffix = f" ({seconds:.1f}s)" if state != "running" else ""
        print(f"  {gate}: {state}{suffix}", file=sys.stderr, flush=True)

    return show


def _baseline_update(args: argparse.Namespace) -> int:
    from gates.baseline import baseline_lock, entries_for, read_baseline, write_baseline
    from gates.findings import Verdict

    gates = _selected_gates(args.only)
    args.paths = None
    report = run_gates_for(gates, args, use_baseline=False)
    errors = [g for g in report.gates if g.verdict is Verdict.ERROR]
    if errors:
        emit(report, args)
        # The end of a long report is what people read: name each gate and its fix here.
        print("gates: error: baseline not written; these gates could not run:", file=sys.stderr)
        for failed in errors:
            print(f"  {failed.name}: {failed.error}", file=sys.stderr)
        names = " ".join(f"--gate {g.name}" for g in errors)
        print(
            f"fix them (or disable them in the policy), check with 'gates check {names}', "
            "then run 'gates baseline update' again",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from pathlib import Path

    from gates.git import find_root
    from gates.policy.loader import load_policy

    root = find_root(Path.cwd())
    loaded = load_policy(args.policy, root)
    path = root / loaded.policy.baseline.path
    ran = {g.name for g in report.gates if g.verdict is not Verdict.SKIPPED}
    fresh = [e for g in report.gates for e in entries_for(g)]
    # Read, merge and write under one lock: a concurrent update for another gate would
    # otherwise write a file that lacks this run's entries, or this run lack its.
    with baseline_lock(path):
        kept = [e for e in read_baseline(path) if e.gate not in ran]
        write_baseline(path, kept + fresh)
        for gate in gates:
            hook = getattr(gate, "update_baseline", None)
            result = report.gate(gate.name)
            if hook is not None and result is not None and result.verdict is not Verdict.SKIPPED:
                hook(root, loaded, result)
    print(f"baseline: {len(fresh)} finding(s) from {', '.join(sorted(ran)) or 'no gate'} -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

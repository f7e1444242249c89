"""The ``models`` gate: unsafe model loading in Python code, and in committed model files.

Only light imports here: this module is imported to build ``gates --help``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gates.files import Selection, empty_dirs_message, skipped_note
from gates.findings import GateResult, Verdict
from gates.gate import Gate, GateContext

if TYPE_CHECKING:
    from gates.policy.sections.model_safety import ModelSafetySection


class ModelsGate(Gate):
    name = "models"
    section = "model_safety"
    summary = "unsafe model loading in code (torch.load, pickle, unpinned HF downloads...) and model files"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--code-only", action="store_true", help="only the code rules (MS101...)")
        scope.add_argument("--files-only", action="store_true", help="only committed model files")
        parser.add_argument(
            "--fix", action="store_true", help="apply the safe fixes (weights_only=True into load_state_dict)"
        )
        parser.add_argument(
            "--unsafe-fixes",
            action="store_true",
            help="with --fix, also apply fixes that may change behaviour (weights_only, Loader, timeout)",
        )
        parser.add_argument(
            "--diff", action="store_true", help="print the safe and the unsafe fixes, labelled; write nothing"
        )
        parser.set_defaults(gate_handler=_handle)

    def run(self, ctx: GateContext) -> GateResult:
        section: ModelSafetySection = ctx.section
        code_only = bool(getattr(ctx.args, "code_only", False))
        files_only = bool(getattr(ctx.args, "files_only", False))
        result = GateResult(name=self.name, verdict=Verdict.PASS)
        ran = False
        skipped: list[str] = []
        if section.code_rules and not files_only:
            from gates.checks.models.code_scan import analysis_settings, scan_code

            settings = analysis_settings(section, ctx.loaded)
            selection = ctx.source_selection((".py", ".pyi"))
            files = selection.files
            skipped += selection.skipped
            outside: list[str] = []
            if ctx.files is not None:
                # One policy, one verdict: a hook checks a staged file only if the full run
                # would (paths.source), so tests/ outside the sources fail neither or both.
                from gates.policy.paths import is_source

                outside = [f for f in files if not is_source(f, ctx.policy.paths)]
                files = [f for f in files if is_source(f, ctx.policy.paths)]
                skipped += [
                    f"{f}: outside paths.source, which the code rules check (as a full run does)"
                    for f in outside
                ]
            if not files and ctx.full_scope:
                # Nothing parsed is not "no unsafe loading": the policy's paths point at no code.
                return GateResult.failed_closed(
                    self.name,
                    f"code rules: paths.source {ctx.policy.paths.source} (minus paths.exclude) holds no"
                    " Python file to check; fix paths.source, or set model_safety.code_rules: false"
                    " (or pass --files-only)",
                )
            if not files and selection.named_dirs:
                message = empty_dirs_message(selection, "Python file")
                if outside:
                    message = (
                        f"{', '.join(selection.named_dirs)}: its Python files lie outside paths.source"
                        f" {list(ctx.policy.paths.source)}, the only files the code rules check (in a"
                        " full run too); add it to paths.source, or name a directory under it"
                    )
                return GateResult.failed_closed(self.name, message)
            scan = scan_code(ctx.root, files, settings, use_cache=section.cache, prune_cache=ctx.full_scope)
            result.findings.extend(scan.findings)
            result.metrics.update(scan.metrics)
            ran = True
        if section.model_files.enabled and not code_only:
            from gates.checks.models.model_file_scope import model_file_candidates
            from gates.checks.models.model_files import scan_model_files

            candidates = model_file_candidates(ctx)
            skipped += candidates.skipped
            if not candidates.files and candidates.named_dirs:
                return GateResult.failed_closed(self.name, empty_dirs_message(candidates, "file"))
            scanned = scan_model_files(
                ctx.root, candidates.files, section.model_files, timeout=section.timeout
            )
            result.findings.extend(scanned.findings)
            result.metrics.update(scanned.metrics)
            ran = True
        if not ran:
            what = "model_files is disabled" if files_only else "code_rules is disabled"
            return GateResult.skipped(self.name, f"nothing to do: model_safety.{what}")
        note = skipped_note(Selection(skipped=sorted(set(skipped))))
        if note:
            result.notes.append(note)
        return result


def _handle(args: argparse.Namespace) -> int:
    from gates.cli import run_and_report

    if args.fix or args.diff or args.unsafe_fixes:
        from gates.checks.models.fix_command import run_fix

        code = run_fix(args)
        if args.diff or code != 0:
            return code
    return run_and_report([GATE], args)


GATE = ModelsGate()

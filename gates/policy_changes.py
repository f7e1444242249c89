"""A change may not quietly weaken the gates that judge it.

On a changed-code run the policy, the baseline and the inline suppression comments are
compared with the merge-base. Every weakening becomes a finding of the ``policy`` result,
placed first in the report, at the changed line of the policy file, the baseline or the
source, with the severity the *base's* ``policy_changes`` section gives it: the change under
review cannot lower the alarm about itself. Waivers and the baseline are never applied to
these findings, for the same reason.

Trusted mode (``--trusted-base REF``) goes further: the gates run on the policy and the
baseline of REF, so nothing the change edits in them counts, and an inline suppression the
change adds is an error (a comment cannot be read from the base; it can be refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from gates import git
from gates.base_policy import PolicyAt, TrustedBase, baseline_at, load_policy_at, load_trusted, repo_relative
from gates.baseline import BaselineEntry, read_baseline
from gates.errors import GatesError
from gates.findings import Finding, GateResult, Report, Severity, Table, Verdict, assign_fingerprints
from gates.links import blob_url
from gates.policy.diff import CHANGED, STRICTER, WEAKER, Change, Loc, compare_policies
from gates.policy.loader import LoadedPolicy
from gates.policy.paths import is_source
from gates.records import record
from gates.regular_files import read_repository_text
from gates.runner import line_reader
from gates.suppressions_diff import AddedSuppression, added_suppressions, may_add

_SeverityOf = Callable[[str], str]
RESULT_NAME = "policy"
BASE_INVALID_RULE = "policy.base-invalid"


@record
class PolicyGuard:
    """Compares the working tree with the merge-base and turns weakenings into findings."""

    root: Path
    base: PolicyAt | None  # None: the base could not be found (``problem`` says why)
    head: LoadedPolicy
    trusted: TrustedBase | None = None
    problem: str | None = None

    def changes(self) -> list[Change]:
        if self.base is None:
            raise GatesError(self.problem or "no base to compare with")
        return compare_policies(self.base.policy, self.head.policy)

    def result(self) -> GateResult:
        if self.base is None:
            raise GatesError(self.problem or "no base to compare with")
        return self._result(self.base)

    def _result(self, base: PolicyAt) -> GateResult:
        settings = base.policy.policy_changes
        findings: list[Finding] = []
        rows: list[list[str]] = []
        stricter: list[str] = []
        neutral: list[str] = []
        changes = self.changes()
        # First adoption: the change adds the policy file the base never had. Nobody at the
        # base chose the defaults it is compared with (the starter itself turns mutation and
        # coreml off), so its settings are reviewed as a whole: warnings, never a block.
        # Baseline entries and suppression comments it adds still count as usual.
        adopting = base.path is None and self.head.path is not None
        policy_severity: _SeverityOf = (
            (lambda kind: "warning" if settings.severity_of(kind) == "error" else settings.severity_of(kind))
            if adopting
            else settings.severity_of
        )
        for change in changes:
            path, line = self._policy_location(change.loc, base)
            where = f"{path}:{line}" if path and line else (path or "")
            if change.direction == WEAKER:
                findings.append(self._finding(change.kind, change.message, path, line, policy_severity))
            elif change.direction == STRICTER:
                stricter.append(change.message)
            else:
                neutral.append(change.message)
            rows.append([change.message, _EFFECT[change.direction], f"`{where}`" if where else ""])
        baseline_added, baseline_removed = self._baseline_changes(base)
        for entry, path, line in baseline_added:
            message = (
                f"baseline entry added: {entry.gate} {entry.rule_id} at {entry.path or '(no path)'} "
                f"({entry.message}); a new finding was recorded as known instead of fixed"
            )
            findings.append(self._finding("baseline-added", message, path, line, settings.severity_of))
        if baseline_removed:
            stricter.append(
                f"{baseline_removed} baseline entr{'y' if baseline_removed == 1 else 'ies'} removed"
            )
        for message, path, line in self._ratchet_lowered(base):
            findings.append(
                self._finding(
                    "threshold-lowered", message, path, line, settings.severity_of, outside_trust=True
                )
            )
        suppressions = self._suppression_changes(base)
        for path, added in suppressions:
            for item in added:
                message = f"inline suppression added ({item.kind}): {item.comment}"
                findings.append(
                    self._finding(
                        "suppression-added",
                        message,
                        path,
                        item.line,
                        settings.severity_of,
                        outside_trust=True,
                    )
                )
        notes = [f"compared with {base.label}"]
        if base.path is None:
            notes.append("the base has no policy file: compared with the embedded defaults it ran with")
        if adopting:
            notes.append(
                "this change adds the policy file (first adoption): its settings are reported as "
                "warnings, not blocks; review the whole file"
            )
        if base.problem is not None:
            findings.append(self._base_invalid(base))
        if self.trusted is not None:
            notes.append(
                f"trusted mode: the gates ran on the policy and baseline of {self.trusted.at.label}; "
                "this change's edits to them do not count"
            )
        notes += [f"stricter: {text}" for text in stricter]
        notes += [f"changed (no direction): {text}" for text in neutral]
        assign_fingerprints(findings, line_reader(self.root))
        weakenings = [f for f in findings if f.rule_id != BASE_INVALID_RULE]
        blocking = any(f.severity is Severity.ERROR for f in findings)
        result = GateResult(
            name=RESULT_NAME,
            verdict=Verdict.FAIL if blocking else Verdict.PASS,
            findings=findings,
            notes=notes,
            metrics={
                "weakenings": len(weakenings),
                "strengthenings": len(stricter),
                "changes_without_direction": len(neutral),
                "baseline_added": len(baseline_added),
                "suppressions_added": sum(len(added) for _, added in suppressions),
                "findings": len(findings),
                "findings_new": len(findings),
                "findings_suppressed": 0,
            },
            details={"stricter": stricter, "changed": neutral, "base": base.commit},
        )
        if rows:
            order = {"weakens": 0, "strengthens": 1, "no direction": 2}
            rows.sort(key=lambda row: order[row[1]])
            result.tables.append(
                Table("Policy changes against the base", ["change", "effect", "where"], rows)
            )
        return result

    def _finding(
        self,
        kind: str,
        message: str,
        path: str | None,
        line: int | None,
        severity_of: _SeverityOf,
        *,
        outside_trust: bool = False,
    ) -> Finding:
        """``outside_trust``: the change edits something trusted mode cannot read from the base
        (a comment in the code, the coverage ratchet's file), so there it is refused outright."""
        chosen = severity_of(kind)
        if self.trusted is not None and outside_trust:
            chosen = "error"
            message += "; trusted mode does not accept this from the change"
        return Finding(
            gate=RESULT_NAME,
            rule_id=f"policy.{kind}",
            severity=Severity(chosen),
            message=f"weakens the gates: {message}",
            path=path,
            line=line,
            help_uri=blob_url("docs/policy-changes.md"),
        )

    def _base_invalid(self, base: PolicyAt) -> Finding:
        path = self._head_policy_path()
        return Finding(
            gate=RESULT_NAME,
            rule_id=BASE_INVALID_RULE,
            severity=Severity.WARNING,
            message=(
                f"the policy at the base ({base.label}, {base.path}) is invalid, so this "
                f"change was compared with the embedded defaults instead: {base.problem}"
            ),
            path=path or base.path,
            line=1,
        )

    def _head_policy_path(self) -> str | None:
        return None if self.head.path is None else repo_relative(self.root, self.head.path)

    def _policy_location(self, loc: Loc, base: PolicyAt) -> tuple[str | None, int | None]:
        path = self._head_policy_path()
        if path is None:  # the change deleted the policy file: point at the file it deleted
            return base.path, None
        where = self.head.where(loc)
        return path, int(where.rsplit(":", 2)[1])

    def _baseline_changes(self, base: PolicyAt) -> tuple[list[tuple[BaselineEntry, str, int | None]], int]:
        settings = self.head.policy.baseline
        if not settings.enabled:
            return [], 0
        before = {(e.gate, e.fingerprint) for e in baseline_at(self.root, base)}
        target = self.root / settings.path
        after = read_baseline(target)
        try:
            lines = read_repository_text(self.root, settings.path).splitlines()
        except OSError:
            lines = []
        added = []
        for entry in after:
            if (entry.gate, entry.fingerprint) in before:
                continue
            line = next((n for n, text in enumerate(lines, start=1) if entry.fingerprint in text), None)
            added.append((entry, settings.path, line))
        removed = len(before - {(e.gate, e.fingerprint) for e in after})
        return added, removed

    def _ratchet_lowered(self, base: PolicyAt) -> list[tuple[str, str, int | None]]:
        """The coverage ratchet's committed baseline lowered or removed: updating it only ever
        raises it, so a lower figure was written by hand (or the file deleted to drop the check)."""
        settings = self.head.policy.coverage.ratchet
        before_path = base.policy.coverage.ratchet.path
        before_text = git.file_at(self.root, base.commit, before_path)
        if not settings.enabled or before_text is None:
            return []
        from gates.checks.coverage import percent
        from gates.checks.coverage.ratchet import parse_snapshot, read_snapshot

        before = parse_snapshot(before_text, f"base:{before_path}")
        after = read_snapshot(self.root / settings.path, settings.path)
        if after is None:
            return [
                (
                    f"coverage ratchet baseline {settings.path} removed: the ratchet no longer applies",
                    before_path,
                    None,
                )
            ]
        try:
            lines = read_repository_text(self.root, settings.path).splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []

        def line_of(text: str) -> int | None:
            return next((n for n, line in enumerate(lines, start=1) if text in line), None)

        lowered: list[tuple[str, str, int | None]] = []
        pairs = [("total line coverage", before.lines, after.lines, '"line"')]
        if before.branches is not None and after.branches is not None:
            pairs.append(("total branch coverage", before.branches, after.branches, '"branch"'))
        for path in sorted(set(before.files) & set(after.files)):
            pairs.append((path, before.files[path], after.files[path], json.dumps(path)))
        for what, old, new, marker in pairs:
            if percent.ratio(new) < percent.ratio(old):
                message = (
                    f"coverage ratchet baseline lowered: {what} from {percent.show(old, 2)} "
                    f"to {percent.show(new, 2)} in {settings.path}"
                )
                lowered.append((message, settings.path, line_of(marker)))
        return lowered

    def _suppression_changes(self, base: PolicyAt) -> list[tuple[str, list[AddedSuppression]]]:
        pragma = re.compile(base.policy.coverage.exclusion_creep.pragma)
        lines = git.changed_lines(self.root, base.commit)
        found: list[tuple[str, list[AddedSuppression]]] = []
        for change in git.changed_files(self.root, base.commit):
            if change.status == "D" or not change.path.endswith((".py", ".pyi")) or change.path not in lines:
                continue
            if not (
                is_source(change.path, base.policy.paths) or is_source(change.path, self.head.policy.paths)
            ):
                continue  # no gate reads the file, so a comment in it suppresses nothing
            try:
                # Never through a committed link out of the repository (it would quote the
                # target), nor a FIFO (it would block the run).
                head = read_repository_text(self.root, change.path)
            except OSError:
                continue
            if not may_add(head, lines[change.path], pragma):
                continue
            before = git.file_at(self.root, base.commit, change.old_path or change.path)
            added = added_suppressions(before, head, lines[change.path], pragma)
            if added:
                found.append((change.path, added))
        return found


_EFFECT = {WEAKER: "weakens", STRICTER: "strengthens", CHANGED: "no direction"}


def prepare(
    root: Path,
    head: LoadedPolicy,
    base: git.BaseRef,
    *,
    explicit_policy: str | None,
    trusted_ref: str | None = None,
) -> PolicyGuard:
    """The comparison for this run; in trusted mode also the base's policy and baseline."""
    trusted = load_trusted(root, trusted_ref, explicit_policy) if trusted_ref else None
    try:
        commit = git.merge_base(root, base)
    except GatesError as exc:
        # The gates that need the base report this too; the comparison fails closed with them.
        return PolicyGuard(root=root, base=None, head=head, trusted=trusted, problem=str(exc))
    at = load_policy_at(root, commit, f"{base.ref} (merge-base {commit[:12]})", explicit_policy)
    return PolicyGuard(root=root, base=at, head=head, trusted=trusted)


def attach(report: Report, guard: PolicyGuard) -> None:
    """Put the policy result first, so it heads the summary and the annotations."""
    try:
        result = guard.result()
    except GatesError as exc:
        result = GateResult.failed_closed(RESULT_NAME, f"could not compare the policy with the base: {exc}")
    except Exception as exc:  # a bug (a setting without a direction, say) fails closed, as in a gate
        result = GateResult.failed_closed(
            RESULT_NAME,
            f"internal error comparing the policy with the base: {type(exc).__name__}: {exc} "
            "(please report it)",
        )
    report.gates.insert(0, result)
    if guard.trusted is not None:
        report.policy_path = f"{guard.trusted.at.path or '<default policy>'} at {guard.trusted.at.label}"

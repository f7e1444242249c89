"""The contract between the runner and a gate.

A gate is a module under ``gates/checks/`` that defines ``GATE = SomeGate()``, where
``SomeGate`` subclasses :class:`Gate`. The module is found by name, so adding a gate
means writing that one module (plus its policy section). A gate:

- reads its settings from ``ctx.section`` (its part of the policy) and nothing else;
- returns a :class:`~gates.findings.GateResult` whose findings carry severities;
- raises :class:`~gates.errors.GatesError` (or returns ``GateResult.failed_closed``) when it
  could not check; the runner turns that into an ``error`` verdict;
- never prints, never applies waivers or the baseline, and leaves pass/fail to the runner,
  which derives it from the findings and the policy's ``fail_on``.
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from gates import git
from gates.files import Selection, select_files
from gates.findings import GateResult
from gates.policy.base import GateSection
from gates.policy.loader import LoadedPolicy
from gates.policy.model import Policy
from gates.records import record


@record
class GateContext:
    """Everything a gate may know about this run."""

    root: Path
    loaded: LoadedPolicy
    section_name: str
    # Repository-relative files named on the command line (pre-commit passes them);
    # None means "the whole scope the policy describes".
    files: list[str] | None = None
    cli_base: str | None = None
    # Pre-commit mode: the diff is what is staged (``git diff --cached``).
    staged: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    # Gate-specific command-line options (what ``Gate.add_arguments`` declared).
    args: argparse.Namespace = field(default_factory=argparse.Namespace)
    # Results of the gates named in ``Gate.depends_on``, from the same run.
    results: dict[str, GateResult] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        return self.loaded.policy

    @property
    def section(self) -> Any:
        return getattr(self.policy, self.section_name)

    @property
    def full_scope(self) -> bool:
        """True when the gate sees everything the policy covers (not a pre-commit subset)."""
        return self.files is None and not self.staged

    @cached_property
    def base(self) -> git.BaseRef:
        return git.resolve_base(self.cli_base, self.policy.base, self.env)

    @cached_property
    def merge_base(self) -> str:
        return git.merge_base(self.root, self.base)

    @cached_property
    def changed_lines(self) -> dict[str, list[int]]:
        """Added or modified lines per path since the merge-base (staged only in pre-commit)."""
        base = None if self.staged else self.merge_base
        return git.changed_lines(self.root, base, staged=self.staged)

    @cached_property
    def changed_files(self) -> list[git.FileChange]:
        base = None if self.staged else self.merge_base
        return git.changed_files(self.root, base, staged=self.staged)

    def source_files(self, suffixes: tuple[str, ...] | None = (".py",)) -> list[str]:
        """The files to scan: the explicit ones, else the policy's source roots; excludes applied."""
        return self.source_selection(suffixes).files

    def source_selection(self, suffixes: tuple[str, ...] | None = (".py",)) -> Selection:
        """:meth:`source_files` with what exists but was not read, and the directories named."""
        return select_files(self.root, self.policy.paths, explicit=self.files, suffixes=suffixes)


class Gate(ABC):
    name: ClassVar[str]  # the subcommand and the name in reports
    section: ClassVar[str]  # the attribute of the policy holding this gate's settings
    summary: ClassVar[str]  # one line for --help
    # Gates whose results this one reads (readiness); they run first.
    depends_on: ClassVar[tuple[str, ...]] = ()

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:  # noqa: B027 (optional hook)
        """Declare gate-specific options for ``gates <name>``. Most gates have none."""

    def settings(self, policy: Policy) -> GateSection:
        section: GateSection = getattr(policy, self.section)
        return section

    @abstractmethod
    def run(self, ctx: GateContext) -> GateResult:
        """Check and return findings and metrics (see the module docstring)."""

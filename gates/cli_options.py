"""argparse actions for ``--format F [--output FILE]`` pairs."""

from __future__ import annotations

import argparse
from typing import Any


class FormatAction(argparse.Action):
    """``--format F`` may repeat; each may be followed by its own ``--output FILE``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        outputs: list[list[str | None]] = list(getattr(namespace, "outputs", None) or [])
        outputs.append([values, None])
        namespace.outputs = outputs


class OutputAction(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        outputs: list[list[str | None]] = list(getattr(namespace, "outputs", None) or [])
        if not outputs:
            outputs.append(["text", None])
        if outputs[-1][1] is not None:
            parser.error("--output must follow the --format it belongs to")
        outputs[-1][1] = values
        namespace.outputs = outputs


def check_outputs(outputs: list[list[str | None]] | None) -> None:
    """Two formats on stdout would interleave into something neither parser can read.

    Text and GitHub annotations may share it: that is a workflow log, and GitHub picks the
    ``::error`` lines out of whatever else the step prints.
    """
    on_stdout = [str(fmt) for fmt, destination in outputs or [] if destination is None]
    if len(on_stdout) > 1 and not set(on_stdout) <= {"text", "github"}:
        from gates.errors import GatesError

        raise GatesError(
            f"--format {' and --format '.join(on_stdout)} would both print to stdout; "
            f"give all but one an --output FILE (e.g. --format {on_stdout[-1]} "
            f"--output report.{on_stdout[-1]})"
        )

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

"""Reporters turn a :class:`~gates.findings.Report` into text. They never change the verdict.

Each format is one module with ``render(report, options) -> str``; the module is imported
only when that format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import field

from gates.findings import Report
from gates.records import frozen_record

FORMATS = ("text", "json", "sarif", "github", "markdown")


@frozen_record
class RenderOptions:
    color: bool = False
    env: Mapping[str, str] = field(default_factory=dict)


def render(fmt: str, report: Report, options: RenderOptions) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"gates.report.{fmt}_format")
    text: str = module.render(report, options)
    return text

"""Which files the committed-model scan looks at.

Model files often live outside the source roots (``models/``, ``checkpoints/``), so
every file in the repository is a candidate, minus the policy's excludes; the scanner
sniffs content itself. Explicit files (pre-commit) are taken as given, excludes applied.
"""

from __future__ import annotations

import dataclasses

from gates.files import Selection, select_files
from gates.gate import GateContext


def model_file_candidates(ctx: GateContext) -> Selection:
    everywhere = dataclasses.replace(ctx.policy.paths, source=["."])
    return select_files(ctx.root, everywhere, explicit=ctx.files, suffixes=None)

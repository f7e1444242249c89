"""Deterministic shards of the mutants, and merging their results into one run's."""

from __future__ import annotations

import re

from gates.errors import GatesError, ToolError

from .results import Mutant, RunResults

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4); a usage error for anything else."""
    match = _SHARD.match(text)
    if not match:
        raise GatesError(f"--shard {text!r}: write it as I/N, e.g. --shard 1/4")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise GatesError(f"--shard {text!r}: I must be between 1 and N (N >= 1)")
    return index, count


def shard_of(names: list[str], index: int, count: int) -> list[str]:
    """Every ``count``-th mutant of the sorted list, starting at ``index``: the same on every machine,
    and neighbouring mutants (same function, similar cost) spread over the shards."""
    return sorted(names)[index - 1 :: count]


def merge_results(parts: list[tuple[str, RunResults]]) -> RunResults:
    """One run's results from its shards; refuses shards of different runs or missing shards."""
    if not parts:
        raise GatesError("gates mutation merge needs at least one results directory")
    first_label, first = parts[0]
    for label, part in parts:
        for attribute in ("mutmut_version", "mode", "universe", "universe_size"):
            if getattr(part, attribute) != getattr(first, attribute):
                raise ToolError(
                    f"{label} and {first_label} come from different runs ({attribute}: "
                    f"{getattr(part, attribute)!r} vs {getattr(first, attribute)!r}); "
                    "merge the shards of one commit and one policy"
                )
    counts = {part.shard[1] if part.shard else 1 for _, part in parts}
    if len(counts) != 1:
        raise ToolError(f"the results were split into different shard counts ({sorted(counts)})")
    count = counts.pop()
    seen: dict[int, str] = {}
    for label, part in parts:
        index = part.shard[0] if part.shard else 1
        if index in seen:
            raise ToolError(f"shard {index}/{count} given twice ({seen[index]} and {label})")
        seen[index] = label
    missing = [i for i in range(1, count + 1) if i not in seen]
    if missing:
        raise ToolError(
            f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing; pass every shard's "
            "results directory (a failed shard job must be rerun)"
        )
    mutants: dict[str, Mutant] = {}
    for label, part in parts:
        for mutant in part.mutants:
            if mutant.name in mutants:
                raise ToolError(f"mutant {mutant.name} appears in two shards (again in {label})")
            mutants[mutant.name] = mutant
    if len(mutants) != first.universe_size:
        raise ToolError(
            f"the shards hold {len(mutants)} mutants but the run had {first.universe_size}; "
            "a shard's results are incomplete"
        )
    notes = list(dict.fromkeys(n for _, part in parts for n in part.notes))
    return RunResults(
        mutmut_version=first.mutmut_version,
        mode=first.mode,
        universe=first.universe,
        universe_size=first.universe_size,
        shard=None,
        mutants=sorted(mutants.values(), key=lambda m: m.name),
        notes=notes,
    )

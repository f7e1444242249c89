"""Where a mutant is: the source line its ``mutmut show`` diff changes, and a one-line summary."""

from __future__ import annotations

from .changed import function_spans


def _first_hunk(diff: str) -> list[str]:
    body: list[str] = []
    in_hunk = False
    for line in diff.splitlines():
        if line.startswith("@@"):
            if in_hunk:
                break
            in_hunk = True
            continue
        if in_hunk and line[:1] in (" ", "-", "+"):
            body.append(line)
    return body


def mutated_line(source: str, function_key: str, diff: str) -> int | None:
    """The 1-based line in ``source`` of the first line the mutant changes, if it can be found.

    mutmut diffs the function alone (a method dedented), so the hunk's lines are searched for
    inside the function's span, comparing lines without their indentation.
    """
    hunk = _first_hunk(diff)
    before = [line for line in hunk if line[:1] in (" ", "-")]
    original = [line[1:].strip() for line in before]
    first_removed = next((i for i, line in enumerate(before) if line.startswith("-")), None)
    lines = [line.strip() for line in source.splitlines()]
    span = next((s for s in function_spans(source) if s.key == function_key), None)
    if span is None:
        return None
    if first_removed is None or not original:
        return span.start
    # Comments above a function are part of mutmut's diff, so look a little above its span.
    for start in range(max(0, span.start - 1 - len(original)), span.end):
        if lines[start : start + len(original)] == original:
            return start + 1 + first_removed
    return span.start


def summarize(diff: str) -> str:
    """``old`` -> ``new`` for the first changed line pair, for a one-line finding message."""
    hunk = _first_hunk(diff)
    removed = next((line[1:].strip() for line in hunk if line.startswith("-")), "")
    added = next((line[1:].strip() for line in hunk if line.startswith("+")), "")
    if not removed and not added:
        return ""
    return f"`{removed}` -> `{added}`"

"""Comparing two policies: which changes make a verdict easier to pass, and which harder.

Nothing here knows a setting by name. Every field declares, next to its default, which way
is stricter (``setting(stricter=...)`` in gates/policy/base.py); this module walks the two
policies field by field and applies that declaration. A field without one is a bug that
``tests/test_policy_diff.py`` catches, so a new setting cannot slip past the comparison.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from gates.policy.base import Waiver
from gates.policy.model import Policy
from gates.policy.plain import to_plain, yaml_key
from gates.records import frozen_record

Loc = tuple[str | int, ...]

WEAKER = "weaker"
STRICTER = "stricter"
CHANGED = "changed"  # a setting without a direction changed: listed, never blocks

_SEVERITY_WORDS = {"off", "note", "warning", "error"}
_ORDINAL_WORDS = {*_SEVERITY_WORDS, "info", "low", "medium", "high", "count"}


@frozen_record
class Change:
    direction: str  # WEAKER, STRICTER or CHANGED
    kind: str  # a kind of gates/policy/sections/policy_changes.py (or "changed")
    setting: str  # dotted, as written in the YAML: coverage.diff.line_min
    message: str
    loc: Loc  # where it stands in the changed policy (a parent when it was removed)


def compare_policies(base: Policy, head: Policy) -> list[Change]:
    """Every difference between ``base`` and ``head`` that a field's direction can judge."""
    changes: list[Change] = []
    _compare_model(base, head, (), _Roots(base, head), changes)
    return changes


def policy_fields(
    model: type[Any] = Policy, prefix: str = ""
) -> Iterator[tuple[str, dataclasses.Field[Any]]]:
    """Every leaf setting of the policy (nested tables are walked, not listed), dotted."""
    hints = typing.get_type_hints(model)
    for spec in dataclasses.fields(model):
        dotted = f"{prefix}{yaml_key(spec)}"
        inner = _model_in(hints[spec.name])
        if inner is not None and "stricter" not in spec.metadata:
            yield from policy_fields(inner, f"{dotted}.")
            continue
        yield dotted, spec
        if inner is not None:  # a list or mapping of tables: their fields need directions too
            yield from policy_fields(inner, f"{dotted}[].")


def _model_in(annotation: Any) -> type[Any] | None:
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _model_in(arg)
        if inner is not None:
            return inner
    return None


@frozen_record
class _Roots:
    base: Policy
    head: Policy


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return str(to_plain(value, yaml_keys=True))
    return str(value)


def _compare_model(base: Any, head: Any, loc: Loc, roots: _Roots, out: list[Change]) -> None:
    for spec in dataclasses.fields(head):
        floc = (*loc, yaml_key(spec))
        b, h = getattr(base, spec.name), getattr(head, spec.name)
        if "stricter" not in spec.metadata:
            if dataclasses.is_dataclass(h):
                _compare_model(b, h, floc, roots, out)
                continue
            raise TypeError(f"policy setting {_dotted(floc)} declares no 'stricter' direction")
        effective = spec.metadata.get("effective")
        if b is None and h is None and not effective:
            continue  # both inherit: the inherited setting's own change is reported once
        if effective:
            b, h = getattr(base, effective), getattr(head, effective)
        b = _resolve_unset(b, spec, base, roots.base)
        h = _resolve_unset(h, spec, head, roots.head)
        if b == h:
            continue
        direction = spec.metadata["stricter"]
        if direction == "waivers":
            _compare_waivers(b, h, floc, out)
        elif direction == "none" and not (isinstance(h, list) and spec.metadata.get("match_key")):
            out.append(
                Change(
                    CHANGED,
                    CHANGED,
                    _dotted(floc),
                    f"{_dotted(floc)} changed from {_shown(b)} to {_shown(h)}",
                    floc,
                )
            )
        elif isinstance(h, dict) or isinstance(b, dict):
            _compare_mapping(b or {}, h or {}, spec, floc, out)
        elif isinstance(h, list) or isinstance(b, list):
            _compare_list(b or [], h or [], spec, floc, roots, out)
        else:
            _compare_scalar(b, h, spec, floc, out)


def _resolve_unset(value: Any, spec: dataclasses.Field[Any], owner: Any, root: Policy) -> Any:
    """An unset value that inherits another setting takes that setting's value."""
    unset = spec.metadata.get("unset")
    if value is not None or not isinstance(unset, str) or unset in ("loosest", "strictest"):
        return value
    if unset != spec.name and hasattr(owner, unset):
        return getattr(owner, unset)
    return getattr(root, unset)


def _rank(value: Any, spec: dataclasses.Field[Any]) -> tuple[int, tuple[float, ...]] | None:
    """Position on the field's scale, higher = stricter; None when it cannot be placed.

    An unset value sits below (off, the default) or above (``unset="strictest"``) every value.
    """
    direction = spec.metadata["stricter"]
    if value is None:
        return (1, ()) if spec.metadata.get("unset") == "strictest" else (-1, ())
    if isinstance(direction, tuple):
        return (0, (float(direction.index(value)),)) if value in direction else None
    if direction in ("true", "false"):
        return (0, (float(bool(value) == (direction == "true")),))
    if isinstance(value, str):  # a version such as min_torch_version: '2.6'
        try:
            numbers = [float(part) for part in value.split(".")]
        except ValueError:
            return None
        numbers += [0.0] * (3 - len(numbers))
    elif isinstance(value, (int, float)):
        numbers = [float(value)]
    else:
        return None
    sign = 1.0 if direction == "higher" else -1.0
    return (0, tuple(sign * n for n in numbers))


def _compare_scalar(b: Any, h: Any, spec: dataclasses.Field[Any], loc: Loc, out: list[Change]) -> None:
    rb, rh = _rank(b, spec), _rank(h, spec)
    name = _dotted(loc)
    if rb is None or rh is None or rb == rh:
        out.append(Change(CHANGED, CHANGED, name, f"{name} changed from {_shown(b)} to {_shown(h)}", loc))
        return
    weaker = rh < rb
    kind = _kind(spec, h if weaker else b)
    verb = _verb(spec, weaker)
    text = f"{name} {verb}" if isinstance(h, bool) else f"{name} {verb} from {_shown(b)} to {_shown(h)}"
    out.append(Change(WEAKER if weaker else STRICTER, kind, name, text, loc))


def _kind(spec: dataclasses.Field[Any], looser_value: Any) -> str:
    declared = spec.metadata.get("change_kind")
    if declared:
        return str(declared)
    direction = spec.metadata["stricter"]
    if direction in ("true", "false"):
        return "check-disabled"
    if isinstance(direction, tuple):
        if looser_value == "off":
            return "rule-disabled"
        if set(direction) <= _SEVERITY_WORDS and direction[0] != "error":  # not fail_on
            return "severity-lowered"
        return "threshold-lowered"
    if direction in ("higher", "lower"):
        return "threshold-lowered"
    return "scope-narrowed"


def _verb(spec: dataclasses.Field[Any], weaker: bool) -> str:
    direction = spec.metadata["stricter"]
    if direction in ("true", "false"):
        turned_on = (direction == "true") != weaker
        return "turned on" if turned_on else "turned off"
    if direction == "lower":
        return "raised" if weaker else "lowered"
    if isinstance(direction, tuple):
        if not set(direction) <= _ORDINAL_WORDS:
            return "changed"  # todo.scope, removed_code: the effect column says which way
        if direction[0] in ("error", "high"):  # fail_on, an analyser's minimum: higher is looser
            return "raised" if weaker else "lowered"
    return "lowered" if weaker else "raised"


def _compare_mapping(
    b: dict[str, Any], h: dict[str, Any], spec: dataclasses.Field[Any], loc: Loc, out: list[Change]
) -> None:
    unset = spec.metadata.get("unset")
    default: Callable[[str], Any] = unset if callable(unset) else (lambda _key: None)
    for key in sorted(set(b) | set(h)):
        bv = b[key] if key in b else default(key)
        hv = h[key] if key in h else default(key)
        if bv != hv:
            _compare_scalar(bv, hv, spec, (*loc, key), out)


def _compare_list(
    b: list[Any], h: list[Any], spec: dataclasses.Field[Any], loc: Loc, roots: _Roots, out: list[Change]
) -> None:
    direction = spec.metadata["stricter"]
    name = _dotted(loc)
    match_key = spec.metadata.get("match_key")
    if match_key:
        b_by = {getattr(item, match_key): item for item in b}
        h_index = {getattr(item, match_key): index for index, item in enumerate(h)}
        for key, index in h_index.items():
            if key in b_by:
                _compare_model(b_by[key], h[index], (*loc, index), roots, out)
        added = [(key, (*loc, index)) for key, index in h_index.items() if key not in b_by]
        removed = [(key, loc) for key in b_by if key not in h_index]
    else:
        b_set = [_hashable(item) for item in b]
        h_set = [_hashable(item) for item in h]
        added = [(h[i], (*loc, i)) for i, item in enumerate(h_set) if item not in b_set]
        removed = [(b[i], loc) for i, item in enumerate(b_set) if item not in h_set]
    if direction == "only" and not b and h:
        shown = ", ".join(_shown(item) for item in h)
        out.append(
            Change(WEAKER, _kind(spec, None), name, f"{name} narrowed from everything to {shown}", loc)
        )
        return
    if direction == "only" and b and not h:
        out.append(Change(STRICTER, _kind(spec, None), name, f"{name} widened to everything", loc))
        return
    added_weakens = direction == "fewer"
    for item, where in added:
        verdict = CHANGED if direction == "none" else (WEAKER if added_weakens else STRICTER)
        kind = CHANGED if verdict == CHANGED else _kind(spec, None)
        out.append(Change(verdict, kind, name, f"{name}: added {_shown(item)}", where))
    for item, where in removed:
        verdict = CHANGED if direction == "none" else (STRICTER if added_weakens else WEAKER)
        kind = CHANGED if verdict == CHANGED else _kind(spec, None)
        out.append(Change(verdict, kind, name, f"{name}: removed {_shown(item)}", where))


def _hashable(item: Any) -> Any:
    return repr(to_plain(item)) if dataclasses.is_dataclass(item) else item


def _waiver_identity(waiver: Waiver) -> tuple[str | None, str | None, str | None]:
    return (waiver.rule, waiver.path, waiver.fingerprint)


def _waiver_text(waiver: Waiver) -> str:
    what = ", ".join(
        f"{name} {value!r}"
        for name, value in (("rule", waiver.rule), ("path", waiver.path), ("fingerprint", waiver.fingerprint))
        if value
    )
    owner = f"owner {waiver.owner}" if waiver.owner else "no owner"
    return f"{what} until {waiver.expires.isoformat()} ({owner}; reason {waiver.reason!r})"


def _compare_waivers(b: list[Waiver], h: list[Waiver], loc: Loc, out: list[Change]) -> None:
    name = _dotted(loc)
    before = {_waiver_identity(w): w for w in b}
    after = {_waiver_identity(w) for w in h}
    for index, waiver in enumerate(h):
        old = before.get(_waiver_identity(waiver))
        where = (*loc, index)
        if old is None:
            out.append(
                Change(WEAKER, "waiver-added", name, f"waiver added to {name}: {_waiver_text(waiver)}", where)
            )
        elif waiver.expires > old.expires:
            out.append(
                Change(
                    WEAKER,
                    "waiver-extended",
                    name,
                    f"waiver in {name} extended from {old.expires.isoformat()} "
                    f"to {waiver.expires.isoformat()}: {_waiver_text(waiver)}",
                    (*where, "expires"),
                )
            )
        elif waiver.expires < old.expires:
            out.append(
                Change(
                    STRICTER,
                    "waiver-extended",
                    name,
                    f"waiver in {name} shortened from {old.expires.isoformat()} "
                    f"to {waiver.expires.isoformat()}",
                    (*where, "expires"),
                )
            )
        elif waiver != old:
            out.append(
                Change(CHANGED, CHANGED, name, f"waiver in {name} reworded: {_waiver_text(waiver)}", where)
            )
    for identity, waiver in before.items():
        if identity not in after:
            out.append(
                Change(
                    STRICTER, "waiver-added", name, f"waiver removed from {name}: {_waiver_text(waiver)}", loc
                )
            )

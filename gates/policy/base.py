"""Building blocks shared by every policy section: strict models, waivers, the gate section.

The policy models are plain frozen dataclasses, so a run that takes its policy from the
cache (``gates/policy/cache.py``) never imports pydantic: a pre-commit hook cannot afford
it. pydantic still does all the validating (``gates/policy/validation.py``): it reads each
field's constraints and description from the ``setting(...)`` metadata below, and
``__pydantic_config__`` forbids unknown keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from typing import Any, ClassVar, Literal, TypeVar

from gates.records import dataclass_transform, signature_doc, with_value_methods

SeverityName = Literal["error", "warning", "note"]

# Which way a setting is stricter: "higher" / "lower" (numbers; unset = off, the loosest),
# "true" / "false" (booleans), a tuple of values loosest first (an ordered choice), "more"
# (a list or mapping: an added entry is stricter), "fewer" (an added entry is weaker:
# exclusions, skips, allow-lists), "only" (a selection where empty means everything),
# "waivers", or "none" (no direction: names, report paths; a change is listed, never blocks).
Stricter = str | tuple[str, ...]
SEVERITY_ORDER = ("note", "warning", "error")  # loosest first, for severities of findings
FAIL_ON_ORDER = ("error", "warning", "note")  # loosest first: fail_on 'error' lets warnings pass

_T = TypeVar("_T")


def setting(
    default: Any = MISSING,
    *,
    default_factory: Callable[[], Any] | Any = MISSING,
    description: str | None = None,
    yaml_key: str | None = None,
    stricter: Stricter | None = None,
    **constraints: Any,
) -> Any:
    """One policy field: its default, its description, and pydantic constraints (ge, le, gt,
    min_length, pattern). ``yaml_key`` names the key in YAML when it differs from the field name.

    ``stricter`` says which way a change makes verdicts harder to pass (see ``Stricter``);
    ``gates policy diff`` (gates/policy/diff.py) reads it, and a test fails for a field without it.
    Its companions go in ``constraints`` and are kept out of pydantic's way: ``match_key`` (the
    field that identifies an item of a list of tables), ``unset`` ("loosest", "strictest", the
    name of a root field it inherits, or a callable key -> value for mappings), ``effective``
    (a property holding the value in force) and ``change_kind`` (the finding's kind).
    """
    # pydantic takes only the metadata keys it knows, so the direction keys never reach it.
    metadata = dict(constraints)
    if stricter is not None:
        metadata["stricter"] = stricter
    if description is not None:
        metadata["description"] = description
    if yaml_key is not None:
        metadata["alias"] = yaml_key
    return field(default=default, default_factory=default_factory, metadata=metadata)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(setting,))
def policy_model(cls: type[_T]) -> type[_T]:
    """Make ``cls`` one table of the policy: a read-only, keyword-only record (gates/records.py).

    Its ``__init__`` is one shared function, not one generated (and compiled) per class:
    every run builds all ~30 tables, and generating their ``__init__`` was ~5 ms of start-up.
    """
    signature_doc(cls, keyword_only=True)
    table: Any = dataclass(kw_only=True, init=False, eq=False, repr=False)(cls)
    init_fields = tuple((spec.name, spec.default, spec.default_factory) for spec in fields(table))
    setattr(table, _INIT_FIELDS, init_fields)
    if "__init__" not in table.__dict__:
        table.__init__ = _keyword_init
    shaped: type[_T] = with_value_methods(table, frozen=True)
    return shaped


_INIT_FIELDS = "__policy_init_fields__"  # (name, default, default_factory) of each field, in order


def _keyword_init(self: Any, **values: Any) -> None:
    """What dataclass would generate: keyword-only, defaults filled in, then ``__post_init__``."""
    for name, default, factory in getattr(self, _INIT_FIELDS):
        if name in values:
            value = values.pop(name)
        elif factory is not MISSING:
            value = factory()
        elif default is not MISSING:
            value = default
        else:
            raise TypeError(
                f"{type(self).__qualname__}.__init__() missing required keyword argument {name!r}"
            )
        object.__setattr__(self, name, value)
    if values:
        unexpected = next(iter(values))
        raise TypeError(
            f"{type(self).__qualname__}.__init__() got an unexpected keyword argument {unexpected!r}"
        )
    post_init = getattr(self, "__post_init__", None)
    if post_init is not None:
        post_init()


class StrictModel:
    """Unknown keys are errors, so a typo never silently turns a check off."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


class PolicyValueError(ValueError):
    """A cross-field check failed; ``field`` lets the error point at that key in the file."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@policy_model
class Waiver(StrictModel):
    """Accepts matching findings for a stated reason until a date. Same shape in every gate.

    Every matcher that is given must match (rule AND path AND fingerprint).
    """

    rule: str | None = setting(
        stricter="none",
        default=None,
        description="Rule id, advisory id or alias (CVE, GHSA, PYSEC); shell-style wildcards allowed.",
    )
    path: str | None = setting(
        stricter="none", default=None, description="Repository-relative path or gitignore-style glob."
    )
    fingerprint: str | None = setting(
        stricter="none", default=None, description="The fingerprint of one finding, as shown in JSON output."
    )
    reason: str = setting(stricter="none", min_length=1, description="Why this is accepted. Required.")
    expires: date = setting(stricter="none", description="ISO date (YYYY-MM-DD); after it the waiver blocks.")
    owner: str | None = setting(stricter="none", default=None, description="Who answers for the waiver.")

    def __post_init__(self) -> None:
        if not (self.rule or self.path or self.fingerprint):
            raise ValueError("a waiver needs at least one of 'rule', 'path' or 'fingerprint'")


@policy_model
class GateSection(StrictModel):
    """Settings every gate section has."""

    enabled: bool = setting(
        stricter="true",
        change_kind="gate-disabled",
        default=True,
        description="Run this gate in `gates check`.",
    )
    fail_on: SeverityName | None = setting(
        stricter=FAIL_ON_ORDER,
        unset="fail_on",
        default=None,
        description="Lowest severity that blocks; defaults to the top-level `fail_on`.",
    )
    timeout: int = setting(
        stricter="none",
        default=900,
        gt=0,
        description="Seconds an external tool may run before it is an error.",
    )
    waivers: list[Waiver] = setting(stricter="waivers", default_factory=list)

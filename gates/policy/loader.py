"""Find, parse and validate ``policy.yaml``, reporting every problem at ``file:line:column``.

``yaml_source`` turns the YAML into plain data and remembers where each key and value
stood; pydantic validates (``validation``); its error locations are mapped back to those
positions. A policy text that validated before comes from ``cache`` without parsing or
validating, and so without importing PyYAML or pydantic.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import typing
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any

from gates.errors import PolicyError
from gates.policy.base import PolicyValueError
from gates.policy.model import Policy, default_policy
from gates.policy.plain import yaml_key
from gates.records import frozen_record, record

POLICY_CANDIDATES = ("policy.yaml", ".gates/policy.yaml")
# How reports name the policy when no file was found (the JSON report's "policy" value).
DEFAULTS_NAME = "<default policy>"

Loc = tuple[str | int, ...]


@frozen_record
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@record
class LoadedPolicy:
    """A validated policy plus where it came from, so later checks can point into the file."""

    policy: Policy
    path: Path | None  # None: the embedded default policy
    value_marks: dict[Loc, Mark] = field(default_factory=dict)
    key_marks: dict[Loc, Mark] = field(default_factory=dict)

    @property
    def display_path(self) -> str:
        """The policy's path as the user would type it: relative to the cwd when inside it."""
        if self.path is None:
            return DEFAULTS_NAME
        try:
            return str(self.path.resolve().relative_to(Path.cwd().resolve()))
        except (ValueError, OSError):
            return str(self.path)

    def where(self, loc: Loc, *, key: bool = False) -> str:
        """``file:line:column`` of the value (or key) at ``loc``, falling back to parents."""
        marks = self.key_marks if key else self.value_marks
        probe = loc
        while probe:
            if probe in marks:
                mark = marks[probe]
                return f"{self.display_path}:{mark.line}:{mark.column}"
            probe = probe[:-1]
        return f"{self.display_path}:1:1"


def find_policy(explicit: str | os.PathLike[str] | None, root: Path) -> Path | None:
    """``--policy FILE``, then ``policy.yaml``, then ``.gates/policy.yaml``; None: use defaults.

    A candidate that exists in any form but is not a readable regular file (a directory, a
    dangling symlink, a symlink loop) is an error, never a silent fall back to the defaults.
    """
    if explicit is not None:
        path = Path(explicit)
        if not os.path.lexists(path):
            raise PolicyError(f"{path}:1:1: policy file not found; check the --policy path")
        _require_regular_file(path)
        return path
    for candidate in POLICY_CANDIDATES:
        path = root / candidate
        if os.path.lexists(path):
            _require_regular_file(path)
            return path
    return None


def _require_regular_file(path: Path) -> None:
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as exc:
        what = "a symlink loop" if exc.errno == errno.ELOOP else None
        if what is None and path.is_symlink():
            what = "a symlink to nothing"
        reason = what or (exc.strerror or str(exc))
        raise PolicyError(f"{path}:1:1: cannot read the policy file ({reason}); fix or remove it") from None
    if stat.S_ISDIR(mode):
        raise PolicyError(f"{path}:1:1: the policy path is a directory; it must be a YAML file")
    if not stat.S_ISREG(mode):
        raise PolicyError(f"{path}:1:1: the policy path is not a regular file; it must be a YAML file")


def load_policy(
    explicit: str | os.PathLike[str] | None = None,
    root: Path | None = None,
    *,
    today: date | None = None,
) -> LoadedPolicy:
    path = find_policy(explicit, root or Path.cwd())
    if path is None:
        return LoadedPolicy(policy=default_policy(), path=None)
    return parse_policy_file(path, today=today)


def parse_policy_file(path: Path, *, today: date | None = None) -> LoadedPolicy:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}:1:1: cannot read the policy file ({exc})") from None
    return parse_policy_text(text, path, today=today)


def parse_policy_text(text: str, path: Path, *, today: date | None = None) -> LoadedPolicy:
    loaded = _from_cache(text, path)
    if loaded is None:
        # Only a cache miss parses YAML and validates, so only a miss imports PyYAML and pydantic.
        from gates.policy.validation import ValidationError, validate
        from gates.policy.yaml_source import load_yaml

        loaded = LoadedPolicy(policy=default_policy(), path=path)
        try:
            data = load_yaml(text, loaded)
            loaded.policy = validate(Policy, data)
        except ValidationError as exc:
            raise PolicyError(*[_describe(error, loaded) for error in exc.errors()]) from None
        except RecursionError:  # the YAML composer and the validator recurse per level
            raise PolicyError(
                f"{path}:1:1: nested too deeply to read (RecursionError); no policy needs this "
                "depth: flatten it"
            ) from None
        from gates.policy import cache as policy_cache

        policy_cache.write(loaded.policy, text, _marks_to_json(loaded))
    # Expiry depends on today's date, so it is checked on every load, cached or not.
    _reject_expired_waivers(loaded, today or date.today())
    return loaded


def _from_cache(text: str, path: Path) -> LoadedPolicy | None:
    # Imported here: a run with no policy file (the defaults) needs no hashlib or json for it.
    from gates.policy import cache as policy_cache

    hit = policy_cache.read(Policy, text)
    if hit is None:
        return None
    policy, extras = hit
    try:
        value_marks = {tuple(loc): Mark(line, col) for loc, line, col in extras["value_marks"]}
        key_marks = {tuple(loc): Mark(line, col) for loc, line, col in extras["key_marks"]}
    except (KeyError, TypeError, ValueError):
        return None
    return LoadedPolicy(policy=policy, path=path, value_marks=value_marks, key_marks=key_marks)


def _marks_to_json(loaded: LoadedPolicy) -> dict[str, Any]:
    return {
        "value_marks": [[list(loc), m.line, m.column] for loc, m in loaded.value_marks.items()],
        "key_marks": [[list(loc), m.line, m.column] for loc, m in loaded.key_marks.items()],
    }


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the policy"


def _describe(error: Any, loaded: LoadedPolicy) -> str:
    """One line for one pydantic error: position, what is wrong, and the fix."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    problem = (error.get("ctx") or {}).get("error")
    if isinstance(problem, PolicyValueError):
        loc = (*loc, problem.field)
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        import difflib  # only a broken policy needs suggestions

        key = str(loc[-1])
        known = _known_keys(loc[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(known)}"
        return f"{loaded.where(loc, key=True)}: unknown key '{key}' in {_dotted(loc[:-1])}; {hint}"
    if kind.startswith("missing"):
        return f"{loaded.where(loc[:-1])}: missing required key '{loc[-1]}' in {_dotted(loc[:-1])}; add it"
    if kind.startswith("date"):
        return (
            f"{loaded.where(loc)}: malformed date {error.get('input')!r} for {_dotted(loc)}; "
            "write it as YYYY-MM-DD"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    got = error.get("input")
    shown = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
    fix = _TYPE_FIXES.get(kind.split("_")[0], "")
    return f"{loaded.where(loc)}: {_dotted(loc)}: {message}{shown}{fix}"


_TYPE_FIXES = {
    "int": "; write a whole number",
    "float": "; write a number",
    "bool": "; write true or false",
    "string": "; write a string (quote it)",
    "list": "; write a list, e.g. [a, b]",
    "dict": "; write a mapping of keys",
    "dataclass": "; write a mapping of keys",
    "model": "; write a mapping of keys",
    "literal": "; use one of the allowed values",
}


def _known_keys(loc: Loc) -> list[str]:
    model: Any = Policy
    for part in loc:
        if isinstance(part, int):
            continue
        if not _is_model(model):
            return []
        types_by_key = {yaml_key(spec): hint for spec, hint in _fields_with_types(model)}
        if part not in types_by_key:
            return []
        model = _innermost_model(types_by_key[part])
    return sorted(yaml_key(spec) for spec in dataclasses.fields(model)) if _is_model(model) else []


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and dataclasses.is_dataclass(candidate)


def _fields_with_types(model: type[Any]) -> list[tuple[dataclasses.Field[Any], Any]]:
    hints = typing.get_type_hints(model)
    return [(spec, hints[spec.name]) for spec in dataclasses.fields(model)]


def _innermost_model(annotation: Any) -> Any:
    """The model class inside ``Model | None``, ``list[Model]`` or ``dict[str, Model]``."""
    if _is_model(annotation):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _innermost_model(arg)
        if _is_model(inner):
            return inner
    return None


def _reject_expired_waivers(loaded: LoadedPolicy, today: date) -> None:
    problems: list[str] = []
    for spec in dataclasses.fields(loaded.policy):
        section_name = spec.name
        section = getattr(loaded.policy, section_name)
        for index, waiver in enumerate(getattr(section, "waivers", None) or []):
            if waiver.expires < today:
                loc: Loc = (section_name, "waivers", index, "expires")
                problems.append(
                    f"{loaded.where(loc)}: waiver expired on {waiver.expires.isoformat()} "
                    f"({waiver.reason!r}); fix the finding, or renew 'expires' with a fresh reason"
                )
    if problems:
        raise PolicyError(*problems)

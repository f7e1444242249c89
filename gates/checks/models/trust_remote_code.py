"""MS401/MS402: ``trust_remote_code=True`` runs the model repository's Python code."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, arguments, describe
from gates.checks.models.huggingface import (
    FULL_SHA,
    HUB_FUNCTIONS,
    SHORT_NAMES,
    Target,
    from_pretrained_target,
    is_hub_receiver,
    model_ref,
)
from gates.checks.models.names import UNKNOWN

KEYWORD = "trust_remote_code"
_MODEL_KEYWORDS = ("pretrained_model_name_or_path", "model", "model_name_or_path", "model_name", "model_id")


def check_trust_remote_code(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if not call.keywords:
        return
    args = arguments(call, ctx.names)
    node = args.keywords.get(KEYWORD)
    if node is None:
        return
    node = _unwrap_bool(node)
    value = ctx.names.value(node)
    if value is UNKNOWN and ctx.names.is_parameter(node):
        # A library passing its caller's choice through: the caller's call is the finding.
        assert isinstance(node, ast.Name)
        default = ctx.names.parameters[node.id]
        if default is None or ctx.names.value(default) is not True:
            return
        value = True  # the parameter defaults to True: callers that omit it run remote code
    if value is UNKNOWN:
        yield Hit("MS402", call, f"trust_remote_code={describe(node)} cannot be resolved; make it False")
        return
    if value is not True:
        return
    model, revision, kind = _model_and_revision(call, qual, ctx)
    if kind == "local":
        return  # code from a directory of this machine (tmp_path, "./my_model"), not a hub repository
    for trusted in ctx.settings.trusted_remote_code:
        if trusted.model == model and trusted.revision == revision:
            return
    if model is None and not _is_hub_loader(call, qual, ctx):
        # pipe.load_components(trust_remote_code=True), spec.load(...): no model argument we
        # can see, so we cannot tell a hub repository from a local one (tests pass tmp dirs).
        yield Hit(
            "MS402",
            call,
            "trust_remote_code=True on a call whose model this check cannot see; make sure it only "
            "loads repositories allowlisted in model_safety.trust_remote_code_allow",
        )
        return
    if model is None:
        why = "the model id cannot be resolved"
    elif revision is None or not FULL_SHA.fullmatch(revision):
        why = f"{model!r} is not pinned to a 40-hex revision"
    else:
        why = f"{model!r}@{revision[:12]} is not in model_safety.trust_remote_code_allow"
    repository = "dataset" if HUB_FUNCTIONS.get(qual or "", Target("", None)).what == "dataset" else "model"
    yield Hit(
        "MS401",
        call,
        f"trust_remote_code=True runs Python code from the {repository} repository; {why}. "
        f"Allowlist the {repository} with its pinned revision in the policy, or drop the flag",
    )


def _unwrap_bool(node: ast.expr) -> ast.expr:
    """``bool(x)``, ``x or False`` and ``False or x`` pass ``x`` on: its value decides."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "bool"
        and len(node.args) == 1
        and not node.keywords
    ):
        return node.args[0]
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
        rest = [v for v in node.values if not (isinstance(v, ast.Constant) and v.value is False)]
        if len(rest) == 1:
            return rest[0]
    return node


def _is_hub_loader(call: ast.Call, qual: str | None, ctx: FileContext) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
        return is_hub_receiver(func.value, ctx)
    return qual in HUB_FUNCTIONS or (qual is None and isinstance(func, ast.Name) and func.id in SHORT_NAMES)


def _model_and_revision(
    call: ast.Call, qual: str | None, ctx: FileContext
) -> tuple[str | None, str | None, str]:
    args = arguments(call, ctx.names)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "from_pretrained":
        target = from_pretrained_target(call, ctx)
    else:
        # Another library's loader (vLLM's LLM(model=...)): its model is its first argument or
        # one of the keywords such loaders name it by.
        keyword = next((k for k in _MODEL_KEYWORDS if k in args.keywords), "pretrained_model_name_or_path")
        target = HUB_FUNCTIONS.get(qual or "", Target(keyword, 0))
    ref = model_ref(call, args, target, ctx)
    revision = ctx.names.value(args.keywords.get("revision"))
    return ref.value, revision if isinstance(revision, str) else None, ref.kind


def check_flag_store(store: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    """``kwargs["trust_remote_code"] = True``: the flag reaches a loader through ``**kwargs``,
    where the call shows no keyword to check (trl, lm-eval build their loader kwargs this way)."""
    if ctx.names.value(_unwrap_bool(store.value)) is not True:
        return
    target = next(t for t in store.targets if isinstance(t, ast.Subscript))
    yield Hit(
        "MS401",
        target,
        "trust_remote_code=True stored for a later call: the loader it reaches through **kwargs runs "
        "Python code from the repository. Pass trust_remote_code=True at the call, for a model "
        "allowlisted with its pinned revision in model_safety.trust_remote_code_allow, or drop it",
    )

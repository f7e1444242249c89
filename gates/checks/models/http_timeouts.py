"""MS701: HTTP calls without a timeout hang a training or CI job forever on a stalled server."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, argument, arguments

VERBS = frozenset({"get", "options", "head", "post", "put", "patch", "delete", "request"})
_SESSIONS = ("requests.Session()", "requests.session()", "requests.sessions.Session()")
REQUESTS = frozenset(
    {f"requests.{verb}" for verb in VERBS}
    | {f"requests.api.{verb}" for verb in VERBS}
    | {f"{session}.{verb}" for session in _SESSIONS for verb in VERBS}
)
URLOPEN = frozenset({"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen"})
# No timeout parameter at all: the socket's global default (usually none) applies.
URLRETRIEVE = frozenset(
    {"urllib.request.urlretrieve", "urllib.urlretrieve", "six.moves.urllib.request.urlretrieve"}
)
_HTTPX_CALLS = VERBS | {"stream", "Client", "AsyncClient"}
HTTPX = frozenset(
    {f"httpx.{name}" for name in _HTTPX_CALLS}
    | {f"httpx.{client}().{verb}" for client in ("Client", "AsyncClient") for verb in VERBS | {"stream"}}
)


def check_http(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if qual is None:
        return
    if qual in REQUESTS:
        args = arguments(call, ctx.names)
        timeout = args.keywords.get("timeout")
        if timeout is None:
            via = " (it may come through **kwargs; pass it explicitly)" if args.opaque_star else ""
            fix = None if args.opaque_star else ("timeout", "")
            yield Hit("MS701", call, f"{qual} without timeout= can wait forever{via}", fix)
        elif _is_none(timeout, ctx):
            yield Hit("MS701", call, f"{qual} with timeout=None can wait forever")
    elif qual in URLOPEN:
        args = arguments(call, ctx.names)
        timeout = argument(call, args, "timeout", 2)
        if timeout is None and not args.opaque_star:
            yield Hit(
                "MS701",
                call,
                f"{qual} without timeout= uses the global default, usually none",
                ("timeout", ""),
            )
        elif timeout is not None and _is_none(timeout, ctx):
            yield Hit("MS701", call, f"{qual} with timeout=None can wait forever")
    elif qual in URLRETRIEVE:
        # No fix: urlretrieve takes no timeout, so adding one would raise TypeError.
        yield Hit(
            "MS701",
            call,
            f"{qual} takes no timeout and can wait forever on a stalled server; download with "
            "urllib.request.urlopen(url, timeout=...) or requests.get(url, timeout=...) instead",
        )
    elif qual in HTTPX:
        timeout = arguments(call, ctx.names).keywords.get("timeout")
        if timeout is not None and _is_none(timeout, ctx):
            yield Hit("MS701", call, f"{qual} with timeout=None disables httpx's default timeout")


def _is_none(node: ast.expr, ctx: FileContext) -> bool:
    return ctx.names.value(node) is None

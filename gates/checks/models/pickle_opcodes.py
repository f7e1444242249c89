"""Reduce a pickle stream to the globals it references, by walking opcodes. Never unpickles.

``pickletools.genops`` decodes opcodes without executing them. A small symbolic stack
follows the values that matter: strings (so ``STACK_GLOBAL`` operands resolve, including
through the memo) and globals (so ``REDUCE``/``NEWOBJ``/``OBJ`` know what they call).
Every global referenced counts, called or not: importing a module already runs its code,
and an uncalled ``os.system`` can be handed to another callable.
"""

from __future__ import annotations

import pickletools
from dataclasses import dataclass, field
from typing import IO, Protocol, cast

from gates.checks.models.pickle_limits import LimitExceeded

_STRING_OPS = frozenset(
    {"STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8"}
)
_PUT_OPS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_GET_OPS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_EXT_OPS = frozenset({"EXT1", "EXT2", "EXT4"})


class PickleSource(Protocol):
    """What ``pickletools.genops`` reads from."""

    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...
    def tell(self) -> int: ...


@dataclass(frozen=True)
class GlobalRef:
    """One global a pickle names. ``module`` is None when the name could not be resolved."""

    module: str | None
    name: str
    opcode: str
    position: int


@dataclass(frozen=True)
class DynamicCall:
    """A REDUCE/NEWOBJ/OBJ whose callable is a computed value, not a named global."""

    opcode: str
    position: int


@dataclass
class PickleWalk:
    globals: list[GlobalRef] = field(default_factory=list)
    dynamic_calls: list[DynamicCall] = field(default_factory=list)
    # Globals that REDUCE/NEWOBJ/INST/OBJ call (by qualname), for the message.
    called: set[str] = field(default_factory=set)
    opcodes: int = 0
    first_ops: list[tuple[str, object]] = field(default_factory=list)
    complete: bool = False  # reached STOP
    error: str | None = None  # why decoding stopped early
    protocol: int = 0


class _Mark:
    pass


_MARK = _Mark()


@dataclass(frozen=True)
class _Str:
    value: str


@dataclass(frozen=True)
class _Global:
    ref: GlobalRef


class _Other:
    pass


_OTHER = _Other()
_Value = _Mark | _Str | _Global | _Other


class _Stack:
    """A tolerant symbolic stack: underflow yields opaque values instead of raising."""

    def __init__(self) -> None:
        self.items: list[_Value] = []

    def push(self, value: _Value) -> None:
        self.items.append(value)

    def pop(self) -> _Value:
        return self.items.pop() if self.items else _OTHER

    def top(self) -> _Value:
        return self.items[-1] if self.items else _OTHER

    def pop_to_mark(self) -> list[_Value]:
        for index in range(len(self.items) - 1, -1, -1):
            if self.items[index] is _MARK:
                popped = self.items[index + 1 :]
                del self.items[index:]
                return popped
        popped = self.items
        self.items = []
        return popped


def _qualname(ref: GlobalRef) -> str:
    return f"{ref.module}.{ref.name}" if ref.module is not None else ref.name


def walk_pickle(stream: PickleSource, keep_first_ops: int = 0) -> PickleWalk:
    """Walk one pickle from the stream's position up to and including its STOP opcode.

    Decoding errors (truncation, an unknown opcode) end the walk with ``error`` set; the
    globals met before the error are kept, because a loader would already have run them.
    """
    walk = PickleWalk()
    stack = _Stack()
    memo: dict[object, _Value] = {}
    try:
        for opcode, arg, pos in pickletools.genops(cast(IO[bytes], stream)):
            walk.opcodes += 1
            name = opcode.name
            position = pos if pos is not None else -1
            if len(walk.first_ops) < keep_first_ops:
                walk.first_ops.append((name, arg))
            if name in _STRING_OPS:
                stack.push(_Str(arg) if isinstance(arg, str) else _OTHER)
            elif name == "GLOBAL" or name == "INST":
                module, _, attr = str(arg).partition(" ")
                ref = GlobalRef(module, attr, name, position)
                walk.globals.append(ref)
                if name == "INST":
                    stack.pop_to_mark()
                    walk.called.add(_qualname(ref))
                    stack.push(_OTHER)
                else:
                    stack.push(_Global(ref))
            elif name == "STACK_GLOBAL":
                attr_value, module_value = stack.pop(), stack.pop()
                if isinstance(module_value, _Str) and isinstance(attr_value, _Str):
                    ref = GlobalRef(module_value.value, attr_value.value, name, position)
                else:
                    ref = GlobalRef(None, "<computed module/name>", name, position)
                walk.globals.append(ref)
                stack.push(_Global(ref))
            elif name in _EXT_OPS:
                ref = GlobalRef(None, f"<copyreg extension code {arg}>", name, position)
                walk.globals.append(ref)
                stack.push(_Global(ref))
            elif name in ("REDUCE", "NEWOBJ", "NEWOBJ_EX"):
                operands = {"REDUCE": 1, "NEWOBJ": 1, "NEWOBJ_EX": 2}[name]
                for _ in range(operands):
                    stack.pop()
                _record_call(walk, stack.pop(), name, position)
                stack.push(_OTHER)
            elif name == "OBJ":
                items = stack.pop_to_mark()
                _record_call(walk, items[0] if items else _OTHER, name, position)
                stack.push(_OTHER)
            elif name in _PUT_OPS:
                memo[arg] = stack.top()
            elif name == "MEMOIZE":
                memo[len(memo)] = stack.top()
            elif name in _GET_OPS:
                stack.push(memo.get(arg, _OTHER))
            elif name == "MARK":
                stack.push(_MARK)
            elif name == "POP":
                stack.pop()
            elif name == "POP_MARK":
                stack.pop_to_mark()
            elif name == "DUP":
                stack.push(stack.top())
            elif name == "PROTO":
                walk.protocol = int(arg) if isinstance(arg, int) else 0
            elif name == "STOP":
                walk.complete = True
            else:
                _apply_generic(stack, opcode)
    except LimitExceeded:
        raise
    except Exception as exc:  # genops raises ValueError, struct.error, UnicodeError...
        walk.error = str(exc) or type(exc).__name__
    return walk


def _record_call(walk: PickleWalk, target: _Value, opcode: str, position: int) -> None:
    if isinstance(target, _Global):
        walk.called.add(_qualname(target.ref))
    else:
        walk.dynamic_calls.append(DynamicCall(opcode, position))


def _apply_generic(stack: _Stack, opcode: pickletools.OpcodeInfo) -> None:
    """Pop and push per the opcode's documented stack effect; results are opaque."""
    before = opcode.stack_before
    if pickletools.markobject in before:
        stack.pop_to_mark()
        for _ in range(before.index(pickletools.markobject)):
            stack.pop()
    else:
        for _ in before:
            stack.pop()
    for item in opcode.stack_after:
        stack.push(_MARK if item is pickletools.markobject else _OTHER)

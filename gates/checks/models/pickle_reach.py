"""How far a real unpickler gets in a stream without a protocol header, and what it does there.

Most text starts with a byte that is also a protocol-0 opcode, and ``pickle.load`` accepts
any opcode first, so a ``.gitignore`` can decode as "GLOBAL, then STOP". Whether such a
stream is a pickle is settled by what loading it could do, not by whether it decodes:

- the unpickler raises at the first structural error (stack or mark underflow, a memo key
  never stored, an undecodable operand) and at the first GLOBAL/INST whose attribute name
  is no identifier path (``getattr(module, ".coverage")`` cannot succeed), so nothing
  after that point ever runs;
- before that point, only an object obtained by a lookup can run code: calling it
  (REDUCE, INST, OBJ, NEWOBJ, BUILD...), handing it to container methods (SETITEM on
  ``os.environ``, APPEND, hashing in DICT), or returning it at STOP to a caller who calls it.

Returning is the weakest of these: ``cache``, ``logs``, ``.env`` in a ``.gitignore`` reads as
"GLOBAL ache.logs, STOP". So ``Reach`` says when returning is the only effect and which
names were looked up, for the caller to weigh (``pickle_containers``).

A stream that reaches none of those effects is not reported. What is left is the import
of the named module by a lookup that then fails, the same as for a stream cut short
before its first call.
"""

from __future__ import annotations

import pickle
import pickletools
from typing import IO, cast

from gates.checks.models.pickle_opcodes import PickleSource
from gates.records import frozen_record

# Opcodes that call, or invoke methods of, objects already on the stack.
_EFFECT_OPS = frozenset(
    {"REDUCE", "BUILD", "OBJ", "NEWOBJ", "NEWOBJ_EX", "SETITEM", "SETITEMS", "APPEND", "APPENDS"}
    | {"ADDITEMS", "DICT", "FROZENSET", "BINPERSID", "STOP"}
)
# Opcodes that produce an object chosen by the stream (a lookup or a registry entry).
_LOOKUP_OPS = frozenset({"GLOBAL", "STACK_GLOBAL", "EXT1", "EXT2", "EXT4"})
_PUT_OPS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_GET_OPS = frozenset({"GET", "BINGET", "LONG_BINGET"})


@frozen_record
class Reach:
    """What loading the stream would do before it stops or fails."""

    effect: bool  # a looked-up object is called, handed to a method, or returned
    clean_stop: bool  # reached STOP without failing (a loadable pickle, effect or not)
    decode_error: bool  # stopped because the bytes do not decode (or ran out)
    stopped_at: int  # offset of the opcode where loading stops, fails, or has its effect
    returned_only: bool = False  # the effect is STOP returning what a lookup produced
    # (module, name) of each lookup before the effect; None where the name is computed
    # (STACK_GLOBAL takes it from the stack, EXT* from the copyreg registry).
    lookups: tuple[tuple[str, str] | None, ...] = ()


def lookup_can_succeed(module: str, name: str) -> bool:
    """Can ``find_class(module, name)`` return an object? Not when the name is no identifier
    path (each dotted part an identifier; dots are kept because protocol 4 follows them) or
    the module name is empty (``__import__('')`` raises)."""
    return bool(module) and bool(name) and all(part.isidentifier() for part in name.split("."))


def _operands(arg: object) -> tuple[str, str]:
    module, _, name = str(arg).partition(" ")
    return module, name


def _effects() -> dict[str, tuple[bool, int, int]]:
    table: dict[str, tuple[bool, int, int]] = {}
    for op in pickletools.opcodes:
        before = op.stack_before
        marked = pickletools.markobject in before
        pops = before.index(pickletools.markobject) if marked else len(before)
        table[op.name] = (marked, pops, len(op.stack_after))
    return table


_STACK_EFFECTS = _effects()


class _Fail(Exception):
    """The real unpickler raises here."""


class _Stack:
    """Item counts per mark segment, the way both unpicklers fence the stack at marks."""

    def __init__(self) -> None:
        self.segments = [0]

    def pop(self, count: int) -> None:
        if self.segments[-1] < count:
            raise _Fail
        self.segments[-1] -= count

    def pop_mark(self) -> None:
        if len(self.segments) == 1:
            raise _Fail
        self.segments.pop()

    def push(self, count: int = 1) -> None:
        self.segments[-1] += count


# Past this many memo keys the stream is taken as a pickle (text never gets near it), and
# the budgeted walk that follows decides; the set of keys is what would grow.
_MAX_MEMO_KEYS = 100_000
_MAX_OPCODES = 1_000_000
_MAX_MARKS = 100_000


def reach(stream: PickleSource) -> Reach:
    """Follow the stream as ``pickle.load`` would, up to its first effect, failure or STOP."""
    stack = _Stack()
    memo: set[object] = set()
    # Once any lookup may have succeeded, an arbitrary object is on the stack.
    lookups: list[tuple[str, str] | None] = []
    position = 0
    count = 0
    try:
        for opcode, arg, pos in pickletools.genops(cast(IO[bytes], stream)):
            position = pos if pos is not None else position
            count += 1
            if count > _MAX_OPCODES or len(stack.segments) > _MAX_MARKS:
                return Reach(True, False, False, position)  # no text gets here: a pickle
            name = opcode.name
            if name in _GET_OPS:
                if arg not in memo:
                    raise _Fail
                stack.push()
                continue
            if name in _PUT_OPS or name == "MEMOIZE":
                stack.pop(1)  # needs an item in the current segment
                stack.push()
                memo.add(len(memo) if name == "MEMOIZE" else arg)
                if len(memo) > _MAX_MEMO_KEYS:
                    return Reach(True, False, False, position)
                continue
            if name == "PROTO" and isinstance(arg, int) and arg > pickle.HIGHEST_PROTOCOL:
                raise _Fail
            if name == "FRAME":
                # Framing only exists from protocol 4 on, after a PROTO header: here it is
                # crafted, and what the C unpickler reads past it may differ from this walk.
                # Counted as a pickle, so the full walk reports it (MF103).
                return Reach(True, False, False, position)
            if name == "MARK":
                stack.segments.append(0)
                continue
            if name == "POP":
                if stack.segments[-1]:
                    stack.pop(1)
                else:
                    stack.pop_mark()  # POP on an empty segment removes the mark
                continue
            if name == "INST":
                if lookup_can_succeed(*_operands(arg)):
                    return Reach(True, False, False, position)  # looks up and calls
                raise _Fail
            if name == "GLOBAL" and not lookup_can_succeed(*_operands(arg)):
                raise _Fail
            marked, pops, pushes = _STACK_EFFECTS[name]
            if marked:
                stack.pop_mark()
            stack.pop(pops)
            if name in _EFFECT_OPS and lookups:
                returned = name == "STOP"
                return Reach(True, False, False, position, returned, tuple(lookups))
            if name == "STOP":
                return Reach(False, True, False, position)
            if name in _LOOKUP_OPS:
                lookups.append(_operands(arg) if name == "GLOBAL" else None)
            stack.push(pushes)
    except _Fail:
        return Reach(False, False, False, position)
    except Exception:  # genops: truncation, an unknown opcode, an undecodable operand
        return Reach(False, False, True, position)
    return Reach(False, False, True, position)  # genops ends only at STOP or by raising

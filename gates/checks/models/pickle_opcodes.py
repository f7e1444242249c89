"""Reduce a pickle stream to the globals it references, by walking opcodes. Never unpickles.

``pickletools.genops`` decodes opcodes without executing them. A small symbolic stack
follows the values that matter: strings (so ``STACK_GLOBAL`` operands resolve, including
through the memo) and globals (so ``REDUCE``/``NEWOBJ``/``OBJ`` know what they call).
Every global referenced counts, called or not: importing a module already runs its code,
and an uncalled ``os.system`` can be handed to another callable.
"""

from __future__ import annotations

import pickletools
import re
from dataclasses import field
from typing import IO, Protocol, cast

from gates.checks.models.pickle_limits import LimitExceeded, WalkBudget
from gates.records import frozen_record, record

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


@frozen_record
class GlobalRef:
    """One global a pickle names. ``module`` is None when the name could not be resolved."""

    module: str | None
    name: str
    opcode: str
    position: int


@frozen_record
class DynamicCall:
    """A REDUCE/NEWOBJ/OBJ whose callable is a computed value, not a named global."""

    opcode: str
    position: int


@record
class PickleWalk:
    globals: list[GlobalRef] = field(default_factory=list)
    dynamic_calls: list[DynamicCall] = field(default_factory=list)
    # Globals that REDUCE/NEWOBJ/INST/OBJ call (by qualname), for the message.
    called: set[str] = field(default_factory=set)
    # The subset called with arguments (REDUCE, INST, OBJ), which runs the callable itself;
    # NEWOBJ only allocates with ``cls.__new__``.
    invoked: set[str] = field(default_factory=set)
    # Globals put on the stack more often than NEWOBJ consumes them: used as a value
    # (an argument, a dict entry, a returned object), where a later BUILD can call them
    # (an instance's ``__setstate__`` is looked up in its ``__dict__``, which a first
    # BUILD fills). Only globals outside this set count as "rebuilt only".
    loose: set[str] = field(default_factory=set)
    opcodes: int = 0
    first_ops: list[tuple[str, object]] = field(default_factory=list)
    complete: bool = False  # reached STOP
    error: str | None = None  # why decoding stopped early
    protocol: int = 0
    # Where the real unpickler may read the bytes differently from this walk (framing,
    # a misplaced PROTO): the first such place, as a sentence.
    differential: str | None = None
    # A budget that ran out inside the walk without stopping it (a memo value not kept).
    budget_note: str | None = None
    dynamic_calls_dropped: int = 0


class _Mark:
    __slots__ = ()


_MARK = _Mark()


# Plain slotted classes, not dataclasses: the walker makes one per opcode, so they are hot.
class _Global:
    __slots__ = ("newobj", "pushes", "ref")

    def __init__(self, ref: GlobalRef) -> None:
        self.ref = ref
        self.pushes = 0  # times put on the stack (GLOBAL, STACK_GLOBAL, GET, DUP)
        self.newobj = 0  # times NEWOBJ consumed it as the class


class _Other:
    __slots__ = ()


_OTHER = _Other()


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class _Tuple:
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Value, ...]) -> None:
        self.items = items


class _Dict:
    """A dict literal; only string keys are kept (enough to read joblib's array state)."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[str, _Value] = {}


class _Dtype:
    """``numpy.dtype(spec, ...)``; BUILD later gives its state (element size, fields)."""

    __slots__ = ("spec", "state")

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.state: _Value | None = None


class _ArrayWrapper:
    """joblib's NumpyArrayWrapper: after its BUILD, raw array bytes sit in the stream."""

    __slots__ = ()


class _Unkept:
    """A memo value the walk did not keep (the memo budget ran out): unknown, not harmless."""

    __slots__ = ()


_UNKEPT = _Unkept()

# Strings are plain ``str`` (no wrapper: one allocation fewer per string opcode).
_Value = _Mark | str | _Global | _Other | _Const | _Tuple | _Dict | _Dtype | _ArrayWrapper | _Unkept
_CONST_OPS = frozenset({"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT"})
_JOBLIB_WRAPPERS = frozenset(
    {"joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper"}
)
# Longer strings are data: no module or attribute name is this long, and keeping every
# string of a DataFrame pickle is what made memory grow with the file.
_MAX_NAME_CHARS = 256
# Tuples and dicts are followed only to read joblib's array state, which is small.
_MAX_KEPT_ITEMS = 32
_MAX_DYNAMIC_CALLS = 20


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
        popped = self.items[:]
        self.items.clear()  # in place: the walker holds a reference to this list
        return popped


class _Memo:
    """The memo as the unpickler numbers it, keeping only values the walk can use.

    ``MEMOIZE`` stores at ``len(memo)`` (the number of distinct keys ever stored, in both
    unpicklers), so the keys are counted exactly: a dense run ``0..dense-1`` (what every
    pickler writes) plus a set of keys outside it. Values are kept only when they can
    matter (names, globals, joblib's array header), up to ``cap``; after that a slot that
    was not kept reads as ``_UNKEPT`` (unknown) rather than as harmless data.
    """

    __slots__ = ("cap", "dense", "dropped", "sparse", "values")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.values: dict[object, _Value] = {}
        self.dense = 0
        self.sparse: set[object] = set()
        self.dropped = False

    def put(self, key: object, value: _Value) -> None:
        if key == self.dense:
            self.dense += 1
            sparse = self.sparse
            while sparse and self.dense in sparse:
                sparse.discard(self.dense)
                self.dense += 1
        elif not (isinstance(key, int) and 0 <= key < self.dense) and key not in self.sparse:
            if len(self.sparse) >= self.cap:
                raise LimitExceeded(
                    f"the pickle stores more than {self.cap:,} memo entries out of order (raise"
                    " model_safety.model_files.max_pickle_memo to scan it)",
                    expansion=False,
                )
            self.sparse.add(key)
        values = self.values
        if type(value) not in _KEPT:
            # Numbers too: picklers never memoize them, so nothing reads one back.
            if values:
                values.pop(key, None)
            if value is _UNKEPT:
                self.dropped = True  # what it held is unknown, so reads of it must be too
            return
        if len(values) >= self.cap and key not in values:
            self.dropped = True
            return
        values[key] = value

    def memoize(self, value: _Value) -> None:
        self.put(self.dense + len(self.sparse), value)

    def get(self, key: object) -> _Value:
        value = self.values.get(key)
        if value is None:
            return _UNKEPT if self.dropped else _OTHER
        return value


_KEPT = frozenset({str, _Global, _Tuple, _Dict, _Dtype, _ArrayWrapper})


def _qualname(ref: GlobalRef) -> str:
    return f"{ref.module}.{ref.name}" if ref.module is not None else ref.name


def walk_pickle(
    stream: PickleSource, keep_first_ops: int = 0, budget: WalkBudget | None = None
) -> PickleWalk:
    """Walk one pickle from the stream's position up to and including its STOP opcode.

    Decoding errors (truncation, an unknown opcode) end the walk with ``error`` set; the
    globals met before the error are kept, because a loader would already have run them.
    Framing is checked as the pure-Python unpickler checks it (PEP 3154): an opcode that
    runs across the end of its FRAME, a FRAME opened inside another, or bytes after STOP
    inside the last frame are read differently by the C unpickler depending on the file
    object it reads from, so they set ``differential``. ``budget`` bounds opcodes, kept
    memo values and time over every walk of one file; when it runs out ``LimitExceeded``
    propagates (the file is then reported as not fully scanned).
    """
    walk = PickleWalk()
    stack = _Stack()
    items = stack.items  # the hot paths work on the list directly
    push = items.append
    memo = _Memo(budget.max_memo if budget is not None else 1 << 30)
    kept = memo.values
    seen: dict[tuple[str | None, str], _Global] = {}
    count = 0
    check_at = WalkBudget.CHECK_EVERY
    frame_end = -1
    previous = 0
    try:
        for opcode, arg, pos in pickletools.genops(cast(IO[bytes], stream)):
            count += 1
            position = pos if pos is not None else -1
            if frame_end >= 0 and position >= frame_end:
                if position > frame_end:
                    _differ(
                        walk,
                        f"the opcode at byte {previous} runs across the end of its FRAME (byte {frame_end})",
                    )
                frame_end = -1
            previous = position
            if count >= check_at:
                check_at += WalkBudget.CHECK_EVERY
                if budget is not None:  # the stack, never longer than the opcodes, is bounded too
                    budget.spend(WalkBudget.CHECK_EVERY)
            kind = _KINDS[opcode]
            if keep_first_ops and count <= keep_first_ops:
                walk.first_ops.append((opcode.name, arg))
            # Most frequent first: nearly every value is memoized.
            if kind == _K_MEMOIZE:
                top = items[-1] if items else _OTHER
                if memo.sparse:
                    memo.put(memo.dense + len(memo.sparse), top)
                else:  # memo.put inlined: a fresh key at the end of the dense run
                    key = memo.dense
                    memo.dense = key + 1
                    if type(top) in _KEPT:
                        if len(kept) < memo.cap:
                            kept[key] = top
                        else:
                            memo.dropped = True
                    elif top is _UNKEPT:
                        memo.dropped = True
            elif kind == _K_STRING:
                push(arg if type(arg) is str and len(arg) <= _MAX_NAME_CHARS else _OTHER)
            elif kind == _K_GET:
                got = memo.get(arg)
                if type(got) is _Global:
                    got.pushes += 1
                push(got)
            elif kind == _K_PUT:
                memo.put(arg, items[-1] if items else _OTHER)
            elif kind == _K_CONST:
                push(_Const(arg))
            elif kind == _K_MARK:
                push(_MARK)
            elif kind == _K_LITERAL:
                push(_LITERAL_OPS[opcode.name])
            elif kind == _K_STRUCTURE:
                _apply_structure(stack, opcode.name)
            elif kind == _K_FRAME:
                if frame_end >= 0:
                    _differ(
                        walk, f"a FRAME opens at byte {position} before the frame ending at byte {frame_end}"
                    )
                frame_end = position + 9 + int(cast(int, arg))
            elif kind == _K_STOP:
                walk.complete = True
                if frame_end > position + 1:
                    _differ(
                        walk,
                        f"its last FRAME goes on past STOP (byte {position}) to byte {frame_end}: a loader"
                        " reading a file resumes after the frame, not after STOP",
                    )
            elif kind == _K_BUILD:
                state = stack.pop()
                built = stack.top()
                if isinstance(built, _Dtype):
                    built.state = state
                elif isinstance(built, _ArrayWrapper):
                    if frame_end >= 0:
                        if stream.tell() != frame_end:
                            _differ(walk, f"joblib array data starts inside a FRAME (byte {stream.tell()})")
                        frame_end = -1
                    skipped = _skip_joblib_array(stream, state, walk, budget)
                    if skipped is not None:
                        walk.error = skipped
                        break
            elif kind == _K_PROTO:
                walk.protocol = int(arg) if isinstance(arg, int) else 0
                if count != 1:
                    _differ(
                        walk,
                        f"PROTO at byte {position} is not the pickle's first opcode (no pickler writes that)",
                    )
            elif kind == _K_REFERENCE:
                _apply_reference(walk, stack, opcode.name, arg, position, seen)
            else:
                _apply_generic(stack, opcode.name)
    except LimitExceeded:
        raise
    except UnicodeDecodeError as exc:
        walk.error = str(exc)
        # pickletools decodes GLOBAL/INST names as ASCII, the C unpickler as UTF-8: a name
        # it cannot show may still be imported.
        _differ(
            walk,
            f"a name after byte {previous} is not ASCII, so pickletools cannot decode"
            " what the C unpickler imports",
        )
    except Exception as exc:  # genops raises ValueError, struct.error...
        walk.error = str(exc) or type(exc).__name__
    if walk.error is not None and 0 <= frame_end < stream.tell():
        # The opcode being read when decoding failed already ran past its frame: the C
        # reader would have read something else there.
        _differ(walk, f"an opcode after byte {previous} runs across the end of its FRAME (byte {frame_end})")
    if budget is not None:
        budget.spend(count % WalkBudget.CHECK_EVERY)
    walk.opcodes = count
    walk.loose = {_qualname(g.ref) for g in seen.values() if g.pushes > g.newobj}
    return walk


def _differ(walk: PickleWalk, text: str) -> None:
    if walk.differential is None:
        walk.differential = text


_LITERAL_OPS: dict[str, _Value] = {"NONE": _Const(None), "NEWTRUE": _Const(True), "NEWFALSE": _Const(False)}
_STRUCTURE_OPS = frozenset(
    {"EMPTY_TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "TUPLE", "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS"}
    | {"POP", "POP_MARK", "DUP"}
)
_REFERENCE_OPS = frozenset(
    {"GLOBAL", "INST", "STACK_GLOBAL", "EXT1", "EXT2", "EXT4", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ"}
)


(
    _K_MEMOIZE,
    _K_STRING,
    _K_GET,
    _K_PUT,
    _K_CONST,
    _K_MARK,
    _K_LITERAL,
    _K_STRUCTURE,
    _K_FRAME,
    _K_STOP,
    _K_BUILD,
    _K_PROTO,
    _K_REFERENCE,
    _K_GENERIC,
) = range(14)


def _kind(name: str) -> int:
    groups = (
        (_K_STRING, _STRING_OPS),
        (_K_GET, _GET_OPS),
        (_K_PUT, _PUT_OPS),
        (_K_CONST, _CONST_OPS),
        (_K_LITERAL, frozenset(_LITERAL_OPS)),
        (_K_STRUCTURE, _STRUCTURE_OPS),
        (_K_REFERENCE, _REFERENCE_OPS),
    )
    singles = {"MEMOIZE": _K_MEMOIZE, "MARK": _K_MARK, "FRAME": _K_FRAME, "STOP": _K_STOP}
    singles |= {"BUILD": _K_BUILD, "PROTO": _K_PROTO}
    if name in singles:
        return singles[name]
    return next((kind for kind, names in groups if name in names), _K_GENERIC)


# Dispatch on the opcode object genops yields (hashed by identity): one lookup per opcode.
_KINDS: dict[pickletools.OpcodeInfo, int] = {op: _kind(op.name) for op in pickletools.opcodes}


def _tuple_of(items: list[_Value]) -> _Value:
    return _Tuple(tuple(items)) if len(items) <= _MAX_KEPT_ITEMS else _OTHER


def _apply_structure(stack: _Stack, name: str) -> None:
    """Tuples and dicts are followed (joblib's array state lives in them); the rest is plumbing."""
    if name == "EMPTY_TUPLE":
        stack.push(_Tuple(()))
    elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
        popped = [stack.pop() for _ in range(int(name[-1]))]
        stack.push(_Tuple(tuple(reversed(popped))))
    elif name == "TUPLE":
        stack.push(_tuple_of(stack.pop_to_mark()))
    elif name == "EMPTY_DICT":
        stack.push(_Dict())
    elif name == "DICT":
        stack.push(_dict_from(stack.pop_to_mark(), _Dict()))
    elif name == "SETITEM":
        value, key = stack.pop(), stack.pop()
        _dict_from([key, value], stack.top())
    elif name == "SETITEMS":
        _dict_from(stack.pop_to_mark(), stack.top())
    elif name == "POP":
        stack.pop()
    elif name == "POP_MARK":
        stack.pop_to_mark()
    else:  # DUP
        top = stack.top()
        if isinstance(top, _Global):
            top.pushes += 1
        stack.push(top)


def _global(walk: PickleWalk, seen: dict[tuple[str | None, str], _Global], ref: GlobalRef) -> _Global:
    """One record per name however often the pickle repeats it (findings are per name too)."""
    key = (ref.module, ref.name)
    known = seen.get(key)
    if known is None:
        known = seen[key] = _Global(ref)
        walk.globals.append(ref)
    return known


def _apply_reference(
    walk: PickleWalk,
    stack: _Stack,
    name: str,
    arg: object,
    position: int,
    seen: dict[tuple[str | None, str], _Global],
) -> None:
    """Opcodes that name a global or call something: what the verdict is about."""
    if name == "GLOBAL" or name == "INST":
        module, _, attr = str(arg).partition(" ")
        found = _global(walk, seen, GlobalRef(module, attr, name, position))
        if name == "INST":
            stack.pop_to_mark()
            walk.called.add(_qualname(found.ref))
            walk.invoked.add(_qualname(found.ref))
            stack.push(_OTHER)
        else:
            found.pushes += 1
            stack.push(found)
    elif name == "STACK_GLOBAL":
        attr_value, module_value = stack.pop(), stack.pop()
        if isinstance(module_value, str) and isinstance(attr_value, str):
            ref = GlobalRef(module_value, attr_value, name, position)
        elif module_value is _UNKEPT or attr_value is _UNKEPT:
            _over_memo(walk, stack, position)
            ref = GlobalRef(None, "<memo value not kept>", name, position)
        else:
            ref = GlobalRef(None, "<computed module/name>", name, position)
        found = _global(walk, seen, ref)
        found.pushes += 1
        stack.push(found)
    elif name in _EXT_OPS:
        found = _global(walk, seen, GlobalRef(None, f"<copyreg extension code {arg}>", name, position))
        found.pushes += 1
        stack.push(found)
    elif name == "OBJ":
        popped = stack.pop_to_mark()
        _record_call(walk, stack, popped[0] if popped else _OTHER, name, position)
        stack.push(_OTHER)
    else:  # REDUCE, NEWOBJ, NEWOBJ_EX
        operands = [stack.pop() for _ in range(2 if name == "NEWOBJ_EX" else 1)]
        target = stack.pop()
        _record_call(walk, stack, target, name, position)
        stack.push(_constructed(target, operands[-1]))


def _over_memo(walk: PickleWalk, stack: _Stack, position: int) -> None:
    if walk.budget_note is None:
        walk.budget_note = (
            f"at byte {position} it uses a memo value the scanner did not keep (raise"
            " model_safety.model_files.max_pickle_memo to scan it)"
        )


def _dict_from(flat: list[_Value], target: _Value) -> _Value:
    if isinstance(target, _Dict):
        items = target.items
        for key, value in zip(flat[::2], flat[1::2], strict=False):
            if len(items) >= _MAX_KEPT_ITEMS:
                break  # joblib's array state has six keys; a large dict is data
            if isinstance(key, str):
                items[key] = value
    return target


def _constructed(target: _Value, args: _Value) -> _Value:
    """What a call produces, for the two results the walker needs to follow."""
    if not isinstance(target, _Global):
        return _OTHER
    qualname = _qualname(target.ref)
    if qualname == "numpy.dtype" and isinstance(args, _Tuple) and args.items:
        spec = args.items[0]
        if isinstance(spec, str):
            return _Dtype(spec)
    if qualname in _JOBLIB_WRAPPERS:
        return _ArrayWrapper()
    return _OTHER


def _has_object(value: _Value | None, depth: int = 0) -> bool:
    if value is None or depth > 8:
        return False
    if isinstance(value, _Dtype):
        return value.spec.lstrip("<>|=").startswith("O") or _has_object(value.state, depth + 1)
    if isinstance(value, _Tuple):
        return any(_has_object(item, depth + 1) for item in value.items)
    if isinstance(value, _Dict):
        return any(_has_object(item, depth + 1) for item in value.items.values())
    return False


# numpy's one-letter type codes and their sizes when the spec has no digits ('f' is float32).
_PLAIN_SIZES = {
    "?": 1, "b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 8, "L": 8, "q": 8, "Q": 8,
    "e": 2, "f": 4, "d": 8, "g": 16, "F": 8, "D": 16, "G": 32, "M": 8, "m": 8,
}  # fmt: skip
_SIZED_KINDS = frozenset("?bBiuf" + "cMm")  # digits give the size in bytes
_FLEXIBLE_KINDS = frozenset("SaVU")  # the size comes from the state (elsize) or the digits
_DTYPE_SPEC = re.compile(r"[<>|=]?([?a-zA-Z])(\d*)(\[\w+\])?")


def _itemsize(dtype: _Dtype) -> int | None:
    """The element size numpy gives ``dtype(spec)`` after its ``__setstate__``.

    numpy ignores the state's ``elsize`` for fixed-size types (``f8`` stays 8 bytes even if
    the state says 1), so only flexible types take it; reading it for ``f8`` would step
    over fewer bytes than joblib reads, and what joblib reads next would go unscanned. A
    spec the scanner cannot size this way (``float64``) is None: not fully scanned.
    """
    match = _DTYPE_SPEC.fullmatch(dtype.spec)
    if match is None:
        return None
    kind, digits = match.group(1), match.group(2)
    if kind in _FLEXIBLE_KINDS:
        state = dtype.state
        if isinstance(state, _Tuple) and len(state.items) > 5:
            elsize = state.items[5]
            if isinstance(elsize, _Const) and isinstance(elsize.value, int) and elsize.value > 0:
                return elsize.value
        if not digits:
            return None
        return int(digits) * (4 if kind == "U" else 1)
    if digits:
        return int(digits) if kind in _SIZED_KINDS else None
    return _PLAIN_SIZES.get(kind)


def _skip_joblib_array(
    stream: PickleSource, state: _Value, walk: PickleWalk, budget: WalkBudget | None
) -> str | None:
    """Step over the array joblib writes right after the wrapper; an error text if impossible.

    Object arrays are a nested pickle there (walked like any other); numeric arrays are an
    optional alignment pad (one length byte, then padding) and ``prod(shape) * itemsize``
    raw bytes.
    """
    if not isinstance(state, _Dict):
        return "joblib array wrapper without a readable state"
    dtype, shape = state.items.get("dtype"), state.items.get("shape")
    if not isinstance(dtype, _Dtype):
        return "joblib array wrapper without a readable dtype"
    if _has_object(dtype):
        nested = walk_pickle(stream, budget=budget)
        walk.globals.extend(nested.globals)
        walk.dynamic_calls.extend(nested.dynamic_calls)
        walk.called |= nested.called
        walk.invoked |= nested.invoked
        walk.loose |= nested.loose
        walk.differential = walk.differential or nested.differential
        walk.budget_note = walk.budget_note or nested.budget_note
        return None if nested.complete else f"joblib object array: {nested.error}"
    itemsize = _itemsize(dtype)
    if not isinstance(shape, _Tuple) or itemsize is None:
        return "joblib array wrapper without a readable shape or item size"
    count = 1
    for dim in shape.items:
        if not isinstance(dim, _Const) or not isinstance(dim.value, int) or dim.value < 0:
            return "joblib array wrapper without a readable shape"
        count *= dim.value
    alignment = state.items.get("numpy_array_alignment_bytes")
    if isinstance(alignment, _Const) and alignment.value is not None:
        pad = stream.read(1)
        if len(pad) != 1:
            return "joblib array data is truncated"
        count_bytes = pad[0] + count * itemsize
    else:
        count_bytes = count * itemsize
    while count_bytes > 0:
        chunk = stream.read(min(count_bytes, 1 << 20))
        if not chunk:
            return "joblib array data is truncated"
        count_bytes -= len(chunk)
    return None


def _record_call(walk: PickleWalk, stack: _Stack, target: _Value, opcode: str, position: int) -> None:
    if isinstance(target, _Global):
        walk.called.add(_qualname(target.ref))
        if opcode.startswith("NEWOBJ"):
            target.newobj += 1
        else:
            walk.invoked.add(_qualname(target.ref))
    elif target is _UNKEPT:
        _over_memo(walk, stack, position)
    elif len(walk.dynamic_calls) < _MAX_DYNAMIC_CALLS:
        walk.dynamic_calls.append(DynamicCall(opcode, position))
    else:
        walk.dynamic_calls_dropped += 1


def _effect(opcode: pickletools.OpcodeInfo) -> tuple[bool, int, tuple[_Value, ...]]:
    """(pops to a mark, further pops, pushes) from the opcode's documented stack effect."""
    before = opcode.stack_before
    marked = pickletools.markobject in before
    pops = before.index(pickletools.markobject) if marked else len(before)
    pushes = tuple(_MARK if item is pickletools.markobject else _OTHER for item in opcode.stack_after)
    return marked, pops, pushes


_EFFECTS = {op.name: _effect(op) for op in pickletools.opcodes}


def _apply_generic(stack: _Stack, name: str) -> None:
    """Pop and push per the opcode's documented stack effect; results are opaque."""
    marked, pops, pushes = _EFFECTS[name]
    if marked:
        stack.pop_to_mark()
    for _ in range(pops):
        stack.pop()
    stack.items.extend(pushes)

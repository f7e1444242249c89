"""The opcode walker: globals resolved through GLOBAL, STACK_GLOBAL (memo), INST/OBJ, calls."""

from __future__ import annotations

import collections
import io
import pickle
from pathlib import Path

from gates.checks.models.pickle_opcodes import walk_pickle
from tests import model_file_payloads as payloads


def _names(data: bytes) -> list[str]:
    walk = walk_pickle(io.BytesIO(data))
    return [f"{g.module}.{g.name}" for g in walk.globals]


def test_plain_data_has_no_globals() -> None:
    for protocol in range(6):
        walk = walk_pickle(io.BytesIO(pickle.dumps({"a": [1, 2.5, "s", None, (1, 2)]}, protocol=protocol)))
        assert walk.complete and walk.error is None and walk.globals == []


def test_every_protocol_names_ordered_dict() -> None:
    for protocol in range(6):
        data = pickle.dumps(collections.OrderedDict(a=1), protocol=protocol)
        assert _names(data) == ["collections.OrderedDict"], protocol


def test_stack_global_through_memo(tmp_path: Path) -> None:
    walk = walk_pickle(io.BytesIO(payloads.stack_global_via_memo(tmp_path / "c")))
    assert [(g.module, g.name, g.opcode) for g in walk.globals] == [
        ("subprocess", "check_call", "STACK_GLOBAL")
    ]
    assert walk.called == {"subprocess.check_call"}


def test_inst_and_obj_count_as_calls(tmp_path: Path) -> None:
    inst = walk_pickle(io.BytesIO(payloads.inst_protocol0(tmp_path / "c")))
    obj = walk_pickle(io.BytesIO(payloads.obj_protocol1(tmp_path / "c")))
    assert inst.called == {"os.system"} and inst.globals[0].opcode == "INST"
    assert obj.called == {"posix.system"}


def test_call_of_a_computed_value_is_recorded(tmp_path: Path) -> None:
    walk = walk_pickle(io.BytesIO(payloads.getattr_chain(tmp_path / "c")))
    assert _names(payloads.getattr_chain(tmp_path / "c")) == ["builtins.getattr", "builtins.__import__"]
    assert [c.opcode for c in walk.dynamic_calls] == ["REDUCE"]


def test_extension_codes_are_unresolved_globals() -> None:
    walk = walk_pickle(io.BytesIO(b"\x80\x02\x82\x05)R."))  # EXT1 5, empty tuple, REDUCE
    [ref] = walk.globals
    assert ref.module is None and "extension code 5" in ref.name


def test_truncation_keeps_globals_seen_before_it(tmp_path: Path) -> None:
    data = payloads.reduce_os_system(tmp_path / "c")[:-1]
    walk = walk_pickle(io.BytesIO(data))
    assert not walk.complete and walk.error is not None
    assert [f"{g.module}.{g.name}" for g in walk.globals] == ["os.system"]


def test_walk_stops_at_stop_for_concatenated_pickles() -> None:
    stream = io.BytesIO(pickle.dumps(1) + pickle.dumps(collections.OrderedDict()))
    first = walk_pickle(stream)
    second = walk_pickle(stream)
    assert first.globals == [] and [g.name for g in second.globals] == ["OrderedDict"]


def _joblib_like(spec: bytes, elsize: int, raw: bytes, after: bytes) -> bytes:
    """An outer pickle with a NumpyArrayWrapper of two elements, raw array bytes, then ``after``."""
    dtype = (
        b"cnumpy\ndtype\n\x8c" + bytes([len(spec)]) + spec + b"\x89\x88\x87R"  # dtype(spec, False, True)
        + b"(K\x03\x8c\x01<NNNJ" + elsize.to_bytes(4, "little", signed=True) + b"J\xff\xff\xff\xffK\x00tb"
    )  # fmt: skip
    state = b"}(\x8c\x05dtype" + dtype + b"\x8c\x05shapeK\x02\x85u"
    return b"\x80\x04cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81" + state + b"b" + raw + after


def test_joblib_array_bytes_are_sized_as_numpy_sizes_them(tmp_path: Path) -> None:
    # numpy ignores a state's element size for fixed-size types: f8 stays 8 bytes even when
    # the state says 1. Stepping 2 bytes instead of 16 would read the decoy STOP inside the
    # array and never see the call joblib runs after it.
    hidden = payloads.reduce_os_system(tmp_path / "c")[:-1] + b"0."  # the call, POP, STOP
    data = _joblib_like(b"f8", 1, b"\x00\x00." + b"\x00" * 13, hidden)

    walk = walk_pickle(io.BytesIO(data))

    assert walk.complete and walk.error is None
    assert "os.system" in {f"{g.module}.{g.name}" for g in walk.globals}


def test_flexible_dtypes_take_the_state_size_and_unknown_specs_stop_the_walk() -> None:
    text = walk_pickle(io.BytesIO(_joblib_like(b"U2", 8, b"\x00" * 16, b".")))
    unknown = walk_pickle(io.BytesIO(_joblib_like(b"float64", -1, b"\x00" * 16, b".")))

    assert text.complete and text.error is None
    assert unknown.error is not None and "item size" in unknown.error

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

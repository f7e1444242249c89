from __future__ import annotations

import pytest

from gates.checks.mutation.results import Mutant, RunResults, universe_id
from gates.checks.mutation.shards import merge_results, parse_shard, shard_of
from gates.errors import GatesError, ToolError

NAMES = [f"pkg.mod.x_f{i % 4}__mutmut_{i}" for i in range(1, 12)]


def test_parse_shard() -> None:
    assert parse_shard("2/4") == (2, 4)
    assert parse_shard(" 1 / 1 ") == (1, 1)
    for bad in ("0/2", "3/2", "a/b", "1", "1/0"):
        with pytest.raises(GatesError):
            parse_shard(bad)


def test_shards_partition_the_mutants_deterministically() -> None:
    parts = [shard_of(NAMES, i, 3) for i in (1, 2, 3)]
    assert sorted(n for p in parts for n in p) == sorted(NAMES)
    assert all(len(p) in (3, 4) for p in parts)
    assert parts == [shard_of(list(reversed(NAMES)), i, 3) for i in (1, 2, 3)]


def _shard(index: int, count: int, names: list[str] = NAMES) -> tuple[str, RunResults]:
    chosen = shard_of(names, index, count)
    mutants = [Mutant(n, "pkg/mod.py", n.split(".")[-1].split("__")[0], 1) for n in chosen]
    return f"dir{index}", RunResults("3.8.1", "full", universe_id(names), len(names), (index, count), mutants)


def test_merge_of_every_shard_is_the_whole_run() -> None:
    merged = merge_results([_shard(2, 2), _shard(1, 2)])
    assert [m.name for m in merged.mutants] == sorted(NAMES)
    assert merged.shard is None


def test_merge_refuses_missing_duplicate_or_foreign_shards() -> None:
    with pytest.raises(ToolError, match=r"shard\(s\) 2/3, 3/3 missing"):
        merge_results([_shard(1, 3)])
    with pytest.raises(ToolError, match="given twice"):
        merge_results([_shard(1, 2), _shard(1, 2), _shard(2, 2)])
    with pytest.raises(ToolError, match="different runs"):
        merge_results([_shard(1, 2), _shard(2, 2, NAMES[:-1])])
    with pytest.raises(ToolError, match="different shard counts"):
        merge_results([_shard(1, 2), _shard(2, 3)])


def test_results_round_trip_through_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gates.checks.mutation.results import read_results

    _, results = _shard(1, 2)
    results.write(tmp_path)
    again = read_results(tmp_path)
    assert again == results
    (tmp_path / "mutation-results.json").write_text("{}")
    with pytest.raises(ToolError, match=r"not a mutation results file|format"):
        read_results(tmp_path)
    with pytest.raises(ToolError, match="not found"):
        read_results(tmp_path / "nowhere")

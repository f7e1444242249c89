"""@record and @frozen_record behave as dataclass and dataclass(frozen=True) do."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import field
from unittest.mock import ANY

import pytest

from gates.records import frozen_record, record


@frozen_record
class Point:
    x: int
    y: int = 0


@frozen_record
class Point3(Point):
    z: int = 0


@record
class Bag:
    items: list[str] = field(default_factory=list)
    count: int = 0


@frozen_record
class Named:
    name: str

    def __repr__(self) -> str:
        return f"<{self.name}>"


def test_frozen_record_is_read_only() -> None:
    point = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.y  # type: ignore[misc]
    assert (point.x, point.y) == (1, 2)


def test_frozen_record_equality_and_hash_follow_the_fields() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != Point3(1, 2)  # another class is never equal, as with dataclass
    assert Point(1, 2) == ANY  # other classes still get their say
    assert len({Point(1, 2), Point(1, 2), Point(0)}) == 2
    assert hash(Point3(1, 2, 3)) == hash(Point3(1, 2, 3))


def test_record_is_mutable_compared_by_value_and_unhashable() -> None:
    bag = Bag()
    bag.items.append("a")
    bag.count = 1
    assert bag == Bag(["a"], 1)
    assert bag != Bag(["a"], 2)
    with pytest.raises(TypeError):
        hash(bag)


def test_repr_lists_fields_unless_the_class_has_its_own() -> None:
    assert repr(Point3(1, 2, 3)) == "Point3(x=1, y=2, z=3)"
    assert repr(Bag(["a"])) == "Bag(items=['a'], count=0)"
    assert repr(Named("n")) == "<n>"


def test_dataclass_helpers_and_pickle_still_work() -> None:
    point = Point3(1, 2, 3)
    moved = dataclasses.replace(point, x=9)
    assert moved == Point3(9, 2, 3)
    assert dataclasses.asdict(point) == {"x": 1, "y": 2, "z": 3}
    assert pickle.loads(pickle.dumps(point)) == point  # worker processes receive records pickled


def test_a_record_without_docstring_gets_dataclass_like_one_without_inspect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # dataclass builds that docstring with inspect.signature (~0.1 ms a class, ~2 ms once for
    # a class without __init__); ours is written first, so dataclass never asks.
    import inspect

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("inspect.signature called")

    monkeypatch.setattr(inspect, "signature", refuse)

    @frozen_record
    class Pair:
        left: int
        right: int = 0

    @record
    class Documented:
        """Kept as written."""

        value: int = 0

    assert Pair.__doc__ == "Pair(left, right)"
    assert Documented.__doc__ == "Kept as written."
    assert Pair(1) == Pair(1, 0)

"""``readiness:`` section: test health and the weighted readiness score."""

from __future__ import annotations

from gates.policy.base import GateSection, PolicyValueError, StrictModel, policy_model, setting


@policy_model
class ReadinessWeights(StrictModel):
    """Relative weights of the score's components; a missing component's weight is left out."""

    tests: float = setting(stricter="none", default=30, ge=0, description="Test health: the JUnit pass rate.")
    coverage: float = setting(
        stricter="none", default=30, ge=0, description="Total line coverage from the coverage gate."
    )
    todos: float = setting(
        stricter="none", default=25, ge=0, description="1 - blocking TODOs / all TODOs, from the todo gate."
    )
    critical_paths: float = setting(
        stricter="none",
        default=15,
        ge=0,
        description="Share of critical paths with no open problem in any gate.",
    )


@policy_model
class ReadinessBand(StrictModel):
    min: float = setting(stricter="none", ge=0, le=100, description="Lowest score in this band.")
    label: str = setting(stricter="none", min_length=1, description="What the band is called in reports.")


def _default_bands() -> list[ReadinessBand]:
    return [
        ReadinessBand(min=0, label="not ready"),
        ReadinessBand(min=40, label="partial"),
        ReadinessBand(min=60, label="mostly ready"),
        ReadinessBand(min=80, label="ready"),
    ]


@policy_model
class ReadinessSection(GateSection):
    weights: ReadinessWeights = setting(default_factory=ReadinessWeights)
    bands: list[ReadinessBand] = setting(
        stricter="none",
        default_factory=_default_bands,
        min_length=1,
        description="Score bands, each from its `min` up to the next band's; the lowest must start at 0.",
    )
    min_score: float = setting(
        stricter="higher",
        default=60,
        ge=0,
        le=100,
        description="A score below this is an error finding (the gate fails).",
    )
    junit_xml: str | None = setting(
        stricter="none",
        default=".gates/junit.xml",
        description=(
            "Repository-relative JUnit XML report (pytest --junitxml). Missing, empty or corrupt is an "
            "error. `null` leaves test health out of the score."
        ),
    )
    min_pass_rate: float = setting(
        stricter="higher",
        default=100,
        ge=0,
        le=100,
        description="Lowest pass rate (passed / executed tests), %.",
    )
    critical_tests_must_pass: bool = setting(
        stricter="true",
        default=True,
        description="A failed or erroring test of a critical path is an error finding.",
    )
    critical_tests: list[str] = setting(
        stricter="more",
        default_factory=list,
        description=(
            "Globs of test files that test the critical paths, added to the ones found by name "
            "(see docs/gates/readiness.md)."
        ),
    )
    history_file: str | None = setting(
        stricter="none",
        default=None,
        description="JSONL file each run is appended to (also `--history`); reports show the change.",
    )
    markdown_file: str | None = setting(
        stricter="none",
        default=None,
        description="Write the full assessment document here (also `--markdown-out`).",
    )

    def __post_init__(self) -> None:
        ordered = sorted(self.bands, key=lambda b: b.min)
        if not ordered:
            raise PolicyValueError("bands", "give at least one band")
        if ordered[0].min != 0:
            raise PolicyValueError("bands", "the lowest band must have min: 0")
        if len({b.min for b in ordered}) != len(ordered):
            raise PolicyValueError("bands", "two bands have the same min")
        # Reports walk the bands upwards; the file may list them in any order.
        object.__setattr__(self, "bands", ordered)

"""Fixtures for the policy engine: a markbook that writes evidence rows as the template does."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

from policy_engine import Evaluation, Policy, evaluate


@dataclass
class Gradebook:
    """A teacher's markbook in miniature: add evidence, then evaluate it like a recompute does."""

    students: list[str] = field(default_factory=lambda: ["s1"])
    outcomes: list[str] = field(default_factory=lambda: ["o1"])
    rows: list[dict[str, object]] = field(default_factory=list)

    def add(
        self,
        score: float | str,
        date: str = "2024-10-01",
        *,
        student: str = "s1",
        outcome: str = "o1",
        assessment: str | None = None,
        kind: str = "summative",
    ) -> Gradebook:
        mark = score.upper() if isinstance(score, str) else ""
        order = len(self.rows) + 1
        self.rows.append({
            "student_id": student,
            "outcome_id": outcome,
            "date": pd.Timestamp(date),
            "score": float("nan") if mark else float(score),
            "mark": mark,
            "assessment": assessment or f"Task {order}",
            "type": kind,
            "order": order,
            "cell": f"Scores!C{order + 1}",
        })
        return self

    def frame(self) -> pd.DataFrame:
        columns = ["student_id", "outcome_id", "date", "score", "mark", "assessment", "type",
                   "order", "cell"]
        frame = pd.DataFrame(self.rows, columns=columns)
        frame["date"] = frame["date"].astype("datetime64[ns]")
        frame["score"] = frame["score"].astype("float64")
        frame["order"] = frame["order"].astype("int64")
        for column in ("student_id", "outcome_id", "mark", "assessment", "type", "cell"):
            frame[column] = frame[column].astype("str")
        return frame

    def evaluate(self, policy: Policy | None = None, **kwargs: object) -> Evaluation:
        policies = kwargs.pop("policies", None) or {"Default": policy or Policy()}
        return evaluate(self.frame(), policies, students=self.students, outcomes=self.outcomes,
                        **kwargs)  # type: ignore[arg-type]

    def row(self, policy: Policy | None = None, **kwargs: object) -> pd.Series:
        return self.evaluate(policy, **kwargs).outcomes.iloc[0]


@pytest.fixture
def book() -> Gradebook:
    return Gradebook()


@pytest.fixture(scope="session")
def new_book() -> type[Gradebook]:
    """The Gradebook class itself, for property tests that build many books per test."""
    return Gradebook

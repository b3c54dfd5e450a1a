"""Turn a loaded suite into what the runner needs: every case's rendered messages and its
compiled scorers. Everything that can be wrong with a suite is found here, before any model
is asked, and reported with file, line and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaltui.scorers import compile_scorer
from evaltui.suites.models import Case, ScorerSpec, Suite
from evaltui.suites.template import render_messages


@dataclass(frozen=True, slots=True)
class PreparedCase:
    case: Case
    messages: list[dict[str, str]]
    scorers: tuple[Any, ...]  # CompiledScorer


@dataclass(frozen=True, slots=True)
class PreparedSuite:
    suite: Suite
    suite_dir: str
    cases: tuple[PreparedCase, ...]

    def select(
        self, *, tags: tuple[str, ...] = (), limit: int | None = None, ids: tuple[str, ...] = ()
    ) -> list[PreparedCase]:
        """The cases a run asks: with any of `tags`, among `ids` (when given), the first `limit`."""
        wanted = set(ids)
        chosen = [
            pc
            for pc in self.cases
            if (not tags or set(tags) & set(pc.case.tags)) and (not wanted or pc.case.id in wanted)
        ]
        return chosen[:limit] if limit is not None else chosen


def prepare(suite: Suite) -> PreparedSuite:
    suite_dir = str(Path(suite.path).parent) if suite.path else "."
    compiled: dict[int, tuple[Any, ...]] = {}

    def scorers_of(specs: list[ScorerSpec]) -> tuple[Any, ...]:
        key = id(specs)
        if key not in compiled:
            compiled[key] = tuple(
                compile_scorer(spec, suite_dir=suite_dir, field_prefix=_field_of(spec, i))
                for i, spec in enumerate(specs)
            )
        return compiled[key]

    cases = tuple(
        PreparedCase(case, render_messages(suite, case), scorers_of(suite.scorers_for(case)))
        for case in suite.cases
    )
    return PreparedSuite(suite, suite_dir, cases)


def _field_of(spec: ScorerSpec, index: int) -> str:
    return (spec.loc.field if spec.loc and spec.loc.field else None) or f"scorers[{index}]"

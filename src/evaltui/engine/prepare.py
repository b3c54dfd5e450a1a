"""Turn a loaded suite into what the runner needs: every case's rendered messages and its
compiled scorers. Everything that can be wrong with a suite is found here, before any model
is asked, and reported with file, line and field.

`prepare` walks every case once to find those problems and keeps nothing of the walk: a
`PreparedSuite` renders each case again as the run reaches it (`cases`, `select` are iterators),
so a run holds the cases in flight, never the suite's million (suites/caselist.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import field
from pathlib import Path
from typing import Any

from evaltui.recordclass import quick, record
from evaltui.scorers import compile_scorer
from evaltui.suites.models import Case, ScorerSpec, Suite
from evaltui.suites.template import render_messages


@record(frozen=True, slots=True)
class PreparedCase:
    case: Case
    messages: list[dict[str, str]]
    scorers: tuple[Any, ...]  # CompiledScorer


_new_prepared_case = quick(PreparedCase)  # PreparedCase(...), made for every case a run asks


@record(frozen=True, slots=True)
class PreparedSuite:
    suite: Suite
    suite_dir: str
    suite_scorers: tuple[Any, ...]  # the suite's own scorers, compiled once
    # inline cases' own scorers, compiled once (an inline case is the same object on every walk)
    compiled: dict[int, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def cases(self) -> Iterator[PreparedCase]:
        """Every case, rendered as it is reached (a fresh walk each time)."""
        return (self.prepared(case) for case in self.suite.cases)

    def select(
        self, *, tags: tuple[str, ...] = (), limit: int | None = None, ids: tuple[str, ...] = ()
    ) -> Iterator[PreparedCase]:
        """The cases a run asks (`select_cases`), rendered as they are reached."""
        return (self.prepared(case) for case in select_cases(self.suite, tags=tags, limit=limit, ids=ids))

    def prepared(self, case: Case) -> PreparedCase:
        return _new_prepared_case(case, render_messages(self.suite, case), self.scorers_of(case))

    def scorers_of(self, case: Case) -> tuple[Any, ...]:
        """A case's compiled scorers: the suite's, or its own (compiled for each walk when read
        from a file: such a case is a new object each time, nothing can be cached by identity)."""
        if case.scorers is None:
            return self.suite_scorers
        if not isinstance(self.suite.cases, list):
            return _compile(case.scorers, self.suite_dir)
        key = id(case.scorers)
        if key not in self.compiled:
            self.compiled[key] = _compile(case.scorers, self.suite_dir)
        return self.compiled[key]


def select_cases(
    suite: Suite, *, tags: tuple[str, ...] = (), limit: int | None = None, ids: tuple[str, ...] = ()
) -> Iterator[Case]:
    """The cases a run asks: with any of `tags`, among `ids` (when given), the first `limit`."""
    wanted, tagged = set(ids), set(tags)
    chosen = (
        case
        for case in suite.cases
        if (not tagged or tagged & set(case.tags)) and (not wanted or case.id in wanted)
    )
    return itertools.islice(chosen, limit) if limit is not None else chosen


def prepare(suite: Suite) -> PreparedSuite:
    """Compile the suite's scorers and render every case once (rendering is where an undefined
    variable shows), keeping none of it; no walk when the loader rendered them all already
    (`load_suite(path, render=True)`, as `evaltui run` loads)."""
    suite_dir = str(Path(suite.path).parent) if suite.path else "."
    prepared = PreparedSuite(suite, suite_dir, _compile(suite.scorers, suite_dir))
    rendered = getattr(suite.cases, "rendered", None)
    if rendered is not None and rendered(suite):  # the loader's walk rendered them already
        return prepared
    for _ in prepared.cases:
        pass
    return prepared


def _compile(specs: list[ScorerSpec], suite_dir: str) -> tuple[Any, ...]:
    return tuple(
        compile_scorer(spec, suite_dir=suite_dir, field_prefix=_field_of(spec, i))
        for i, spec in enumerate(specs)
    )


def _field_of(spec: ScorerSpec, index: int) -> str:
    return (spec.loc.field if spec.loc and spec.loc.field else None) or f"scorers[{index}]"

"""Saving a suite's cases: the row each case gets, whichever way the suite reached the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaltui.store import Store
from evaltui.store.codec import dump_json
from evaltui.store.db import CASE_BATCH
from evaltui.suites.caselist import KEEP_CASES
from evaltui.suites.loader import load_suite
from evaltui.suites.models import Case, Suite


def case_fields(i: int) -> dict[str, Any]:
    """Cases of every shape, mixed: most plain (no vars, tags, cluster or own scorers), some with
    one of them, so runs of plain and full rows alternate and cross a batch's end."""
    fields: dict[str, Any] = {"id": f"c{i:05d}", "input": f"question {i} é", "expected": i % 7 or None}
    if i % 5 == 1:
        fields["vars"] = {"n": i}
    if i % 11 == 2:
        fields["tags"] = ["odd" if i % 2 else "even"]
    if i % 13 == 3:
        fields["cluster"] = f"k{i % 4}"
    if i % 17 == 4:
        fields["scorers"] = [{"type": "contains", "value": "x"}]
    if 300 <= i < 330:
        fields.pop("vars", None), fields.pop("tags", None), fields.pop("cluster", None)
        fields.pop("scorers", None)  # a long run of plain cases
    return fields


COUNT = CASE_BATCH + 250


def expected_rows(suite_id: str, cases: list[Case]) -> list[tuple[Any, ...]]:
    """Each case's row as the nine-column insert writes it: every value bound, none defaulted."""
    rows = []
    for position, case in enumerate(cases):
        extra = None
        if case.scorers is not None:
            extra = dump_json({"scorers": [s.model_dump(mode="json") for s in case.scorers]})
        rows.append(
            (
                suite_id, case.id, position, dump_json(case.input), dump_json(case.expected),
                dump_json(case.vars), dump_json(case.tags), case.cluster, extra,
            )
        )  # fmt: skip
    return rows


def stored_rows(store: Store, suite_id: str) -> list[tuple[Any, ...]]:
    """The suite's rows in the order they were inserted (rowid), not sorted by position."""
    sql = (
        "SELECT suite_id, case_id, position, input, expected, vars, tags, cluster, extra FROM cases "
        "WHERE suite_id = ? ORDER BY rowid"
    )
    return [tuple(row) for row in store.conn().execute(sql, (suite_id,))]


def test_every_case_row_holds_its_values_in_suite_order_for_a_suite_built_in_memory(tmp_path: Path) -> None:
    cases = [Case(**case_fields(i)) for i in range(COUNT)]
    with Store(tmp_path / "cases.db") as store:
        suite_id = store.save_suite(Suite(name="mixed", prompt="{{ input }}", cases=cases))
        assert stored_rows(store, suite_id) == expected_rows(suite_id, cases)


@pytest.mark.parametrize("count", [COUNT, KEEP_CASES + 1])  # cases kept by the loader's walk, and read again
def test_every_case_row_holds_its_values_in_suite_order_for_a_suite_read_from_a_case_file(
    tmp_path: Path, count: int
) -> None:
    with open(tmp_path / "cases.jsonl", "w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps(case_fields(i), ensure_ascii=False) + "\n")
    path = tmp_path / "suite.yaml"
    path.write_text(
        "name: mixed\nprompt: '{{ input }}'\nscorers: [{type: equals}]\ncases:\n  - file: cases.jsonl\n"
    )
    suite = load_suite(path)
    with Store(tmp_path / "cases.db") as store:
        suite_id = store.save_suite(suite)
        assert stored_rows(store, suite_id) == expected_rows(suite_id, list(suite.cases))

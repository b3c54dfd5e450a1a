"""Paged queries over a run of 100,000 results: filters, search, stepping, streaming, pairing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evaltui.store import Store
from evaltui.suites.models import Case, Suite
from tests.store.factories import BIG_CASES, DEMO, result_row, status_of


@pytest.fixture
def big(big_run: tuple[Path, str]) -> Iterator[tuple[Store, str]]:
    with Store(big_run[0]) as store:
        yield store, big_run[1]


def case(i: int) -> str:
    return f"case-{i:06d}"


def test_counts_by_status_cover_the_whole_run(big: tuple[Store, str]) -> None:
    store, run_id = big
    assert store.count_results(run_id) == BIG_CASES
    assert store.count_results(run_id, status="fail") == 8_000
    assert store.count_results(run_id, status="error") == 2_000
    assert store.count_results(run_id, status=["fail", "error"]) == 10_000


def test_a_deep_page_comes_in_case_order_with_short_previews(big: tuple[Store, str]) -> None:
    store, run_id = big
    page = store.page_results(run_id, offset=90_000, limit=50)
    assert [r.case_id for r in page] == [case(i) for i in range(90_000, 90_050)]
    assert page[0].output_preview == "out 90000"
    assert page[0].input_preview == "ticket number 90000"
    assert page[0].tags == ("even",)
    assert not hasattr(page[0], "output")  # a page never carries the full texts


def test_filtering_by_status_pages_through_failures_in_order(big: tuple[Store, str]) -> None:
    store, run_id = big
    failing = [i for i in range(BIG_CASES) if status_of(i) == "fail"]
    page = store.page_results(run_id, status="fail", offset=100, limit=20)
    assert [r.case_id for r in page] == [case(i) for i in failing[100:120]]
    assert {r.status for r in page} == {"fail"}


def test_filtering_by_tag_uses_the_cases_tags(big: tuple[Store, str]) -> None:
    store, run_id = big
    assert store.count_results(run_id, tag="odd") == 50_000
    assert store.count_results(run_id, tag="od") == 0  # whole tags, not substrings
    assert store.count_results(run_id, tag="odd", status="error") == 0  # every 50th case is even
    page = store.page_results(run_id, tag="odd", limit=3)
    assert [r.case_id for r in page] == [case(1), case(3), case(5)]


def test_search_matches_output_input_and_expected_case_insensitively(big: tuple[Store, str]) -> None:
    store, run_id = big
    assert [r.case_id for r in store.page_results(run_id, search="NEEDLE")] == [case(77_777)]
    assert [r.case_id for r in store.page_results(run_id, search="ticket number 12345")] == [case(12_345)]
    assert store.count_results(run_id, search="billing") == BIG_CASES  # every expected value
    assert store.count_results(run_id, search="100%") == 0  # wildcards in the term are literal
    assert store.count_results(run_id, search="needle", status="pass") == 1
    assert store.count_results(run_id, search="needle", status="fail") == 0


def test_stepping_to_the_next_and_previous_failure(big: tuple[Store, str]) -> None:
    store, run_id = big
    assert store.neighbour(run_id, case(0), 0).case_id == case(10)
    assert store.neighbour(run_id, case(10), 0, step=-1).case_id == case(0)
    assert store.neighbour(run_id, case(11), 0, statuses=("error",)).case_id == case(50)
    assert store.neighbour(run_id, case(99_990), 0) is None
    found = store.neighbour(run_id, case(49_995), 0)
    assert (found.case_id, found.status, found.output) == (case(50_000), "error", "out 50000")


def test_a_full_result_carries_its_case(big: tuple[Store, str]) -> None:
    store, run_id = big
    result = store.get_result(run_id, case(42))
    assert (result.input, result.expected, result.tags, result.vars) == (
        "ticket number 42", "billing", ("even",), {},
    )  # fmt: skip
    assert store.get_result(run_id, case(42), epoch=1) is None


def test_iter_results_streams_the_whole_run_in_order(big: tuple[Store, str]) -> None:
    store, run_id = big
    count, last, statuses = 0, None, {"pass": 0, "fail": 0, "error": 0}
    for row in store.iter_results(run_id, columns=("case_id", "status")):
        assert last is None or row.case_id > last
        last = row.case_id
        statuses[row.status] += 1
        count += 1
    assert count == BIG_CASES
    assert statuses == {"pass": 90_000, "fail": 8_000, "error": 2_000}
    with pytest.raises(ValueError, match="unknown result columns"):
        next(store.iter_results(run_id, columns=("case_id; DROP TABLE results",)))


def test_finished_keys_can_leave_errors_to_be_retried(big: tuple[Store, str]) -> None:
    store, run_id = big
    assert len(store.finished_keys(run_id)) == BIG_CASES
    keys = store.finished_keys(run_id, include_errors=False)
    assert len(keys) == BIG_CASES - 2_000
    assert (case(50), 0) not in keys and (case(51), 0) in keys


def test_metric_rows_carry_each_cases_tags_and_cluster_case_by_case(store: Store) -> None:
    cases = [
        Case(id="b-tagged", input="x", tags=["billing", "vip"]),
        Case(id="a-clustered", input="y", cluster="thread-7"),
        Case(id="aa-unasked", input="w", tags=["never"]),
        Case(id="c-plain", input="z"),
        Case(id="d-tagged", input="v", tags=["vip"]),
    ]
    suite_id = store.save_suite(Suite(name="marked", prompt="{{ input }}", cases=cases))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=6)
    writer = store.writer()
    for position, case_id in enumerate(["b-tagged", "a-clustered", "c-plain"]):
        writer.put(result_row(run_id, case_id, "fail" if position else "pass", position=position))
    writer.put(result_row(run_id, "d-tagged", "fail", position=4, epoch=1))
    writer.put(result_row(run_id, "d-tagged", "pass", position=4))
    writer.close()
    rows = list(store.iter_metric_rows(run_id))
    assert [(r.case_id, r.epoch, list(r.tags), r.cluster, r.status) for r in rows] == [
        ("a-clustered", 0, [], "thread-7", "fail"),
        ("b-tagged", 0, ["billing", "vip"], None, "pass"),
        ("c-plain", 0, [], None, "fail"),
        ("d-tagged", 0, ["vip"], None, "pass"),
        ("d-tagged", 1, ["vip"], None, "fail"),
    ]
    rows = rows[1:]
    assert rows[0].latency_ms == 12.5 and rows[0].cost_usd == 0.001 and rows[0].cached is False


def test_fresh_latencies_are_the_answered_ones_in_a_range_ascending(store: Store) -> None:
    """The rows a run's exact percentiles are read from: answered in this run (not cached, not
    errored, with a latency), within [lo, hi), sorted, a window of them."""
    cases = [Case(id=f"c{i}", input="x") for i in range(8)]
    suite_id = store.save_suite(Suite(name="timed", prompt="{{ input }}", cases=cases))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=8)
    other = store.create_run(suite_id=suite_id, model=DEMO, total=8)
    writer = store.writer()
    latencies = [30.0, 10.0, 0.0, 20.0, 99.0, 98.0, None, 40.0]
    for i, latency in enumerate(latencies):
        status, cached = ("error", False) if i == 4 else ("pass", i == 5)
        writer.put(result_row(run_id, f"c{i}", status, position=i, latency_ms=latency, cached=cached))
        writer.put(result_row(other, f"c{i}", position=i, latency_ms=5.0))
    writer.close()
    assert store.fresh_latencies(run_id, None, None, 0, 100) == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert store.fresh_latencies(run_id, 10.0, 40.0, 0, 100) == [10.0, 20.0, 30.0]
    assert store.fresh_latencies(run_id, None, 10.0, 0, 100) == [0.0]
    assert store.fresh_latencies(run_id, 10.0, None, 1, 2) == [20.0, 30.0]

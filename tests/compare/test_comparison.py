"""Compare numbers against hand-computed values on small runs written through the store."""

from __future__ import annotations

import math
import random
from dataclasses import asdict

import pytest
from tests.compare.builders import make_run, make_suite

from evaltui.analysis.metrics import run_metrics
from evaltui.analysis.stats import wilson_interval
from evaltui.reports.case_lists import changed_and_all
from evaltui.reports.comparison import compare_runs
from evaltui.store import Store
from evaltui.store.compare import previous_run

IDS = [f"c{i}" for i in range(1, 8)]


def test_counts_and_paired_difference_match_hand_computed_values(store: Store) -> None:
    suite = make_suite(IDS)
    a = make_run(
        store, suite, {"c1": "pass", "c2": "pass", "c3": "fail", "c4": "fail", "c5": "pass", "c6": "error"}
    )
    b = make_run(
        store,
        suite,
        {"c1": "pass", "c2": "fail", "c3": "pass", "c4": "fail", "c5": "pass", "c6": "pass", "c7": "pass"},
        outputs={"c5": "a different answer"},
    )
    c = compare_runs(store, a, b)
    n = c.counts
    assert (n.shared, n.paired, n.unscored, n.only_a, n.only_b) == (6, 5, 1, 0, 1)
    assert (n.regressions, n.improvements, n.unchanged, n.changed_output) == (1, 1, 3, 1)
    assert (n.errors_a, n.errors_b) == (1, 0)
    assert c.regressions == ["c2"] and c.improvements == ["c3"]
    # d = (0, -1, +1, 0, 0): mean 0, s^2 = 2/4, se = sqrt(0.5 / 5)
    assert c.paired.mean_diff == 0 and c.paired.se == pytest.approx(math.sqrt(0.1))
    assert c.paired.hi == pytest.approx(1.959963984540054 * math.sqrt(0.1))
    assert c.paired.mcnemar_p == 1.0
    assert c.verdict == "not distinguishable from noise (p=1)"
    assert (c.summary_a.rate.lo, c.summary_a.rate.hi) == pytest.approx(wilson_interval(3, 5))
    assert c.summary_b.rate.pass_rate == pytest.approx(5 / 7)
    assert "0 only in A, 1 only in B" in c.left_out() and "did not ask them" in c.left_out()
    assert "1 shared cases errored on every epoch" in c.left_out()


def test_ten_regressions_out_of_ten_discordant_pairs_is_called_worse(store: Store) -> None:
    ids = [f"k{i:02d}" for i in range(12)]
    suite = make_suite(ids)
    a = make_run(store, suite, dict.fromkeys(ids, "pass"))
    b = make_run(store, suite, {cid: "fail" if i < 10 else "pass" for i, cid in enumerate(ids)})
    c = compare_runs(store, a, b)
    assert c.paired.mcnemar_p == pytest.approx(2 * 0.5**10)
    assert c.verdict == "B is worse (p=0.00195)"
    assert c.counts.regressions == 10 and c.regressions == ids[:10]


def test_epochs_are_averaged_per_case_before_pairing(store: Store) -> None:
    suite = make_suite(["e1", "e2"])
    a = make_run(store, suite, {"e1": ["pass", "fail", "pass"], "e2": ["pass", "fail", "fail"]})
    b = make_run(store, suite, {"e1": ["fail", "fail", "pass"], "e2": ["pass", "pass", "fail"]})
    c = compare_runs(store, a, b)
    assert c.epochs == 3 and c.counts.paired == 2
    assert c.regressions == ["e1"] and c.improvements == ["e2"]
    expected = run_metrics(store.iter_metric_rows(a)).rate
    assert c.summary_a.rate == expected and expected.method == "clustered"


def test_single_epoch_rate_and_latency_agree_with_show(store: Store) -> None:
    suite = make_suite(IDS)
    a = make_run(store, suite, {"c1": "pass", "c2": "fail", "c3": "error", "c4": "pass"}, latency_ms=40.0)
    b = make_run(store, suite, {"c1": "pass"})
    metrics = run_metrics(store.iter_metric_rows(a))
    c = compare_runs(store, a, b)
    assert c.summary_a.rate == metrics.rate
    assert c.summary_a.latency_ms == metrics.latency_ms
    assert c.summary_a.cost_usd == pytest.approx(metrics.cost_usd)


def test_different_suites_are_compared_on_shared_ids_and_say_why(store: Store) -> None:
    a = make_run(store, make_suite(["x", "y", "z"], name="one"), {"x": "pass", "y": "pass", "z": "fail"})
    b = make_run(store, make_suite(["y", "z", "w"], name="two"), {"y": "fail", "z": "fail", "w": "pass"})
    c = compare_runs(store, a, b)
    assert (c.counts.shared, c.counts.only_a, c.counts.only_b) == (2, 1, 1)
    assert c.suites == "different" and "runs are of different suites" in c.left_out()
    assert c.regressions == ["y"]


def test_a_changed_suite_is_named_as_changed(store: Store) -> None:
    a = make_run(store, make_suite(["x", "y"]), {"x": "pass", "y": "pass"})
    b = make_run(store, make_suite(["x", "y", "new"]), {"x": "pass", "y": "pass", "new": "fail"})
    c = compare_runs(store, a, b)
    assert c.suites == "changed" and "cases changed between the runs" in c.left_out()


def test_previous_run_is_the_one_before_of_the_same_suite_and_model(store: Store) -> None:
    suite = make_suite(["x"])
    first = make_run(store, suite, {"x": "pass"})
    make_run(store, suite, {"x": "pass"}, model="rules")
    third = make_run(store, suite, {"x": "fail"})
    assert previous_run(store, third) == first
    assert previous_run(store, first) is None


def test_latency_kept_at_the_end_of_a_run_is_the_latency_read_from_its_results(tmp_path) -> None:
    from tests.compare.builders import big_runs

    from evaltui.analysis.stats import spread_of_array
    from evaltui.store.compare import run_totals

    db = tmp_path / "kept.db"
    run_a, run_b = big_runs(db, 300, lambda i, side: ("pass" if (i + side) % 4 else "fail", f"out {i}"))
    with Store(db) as store:
        assert store.get_run(run_a).metrics.latency_ms.n == 300  # finished runs keep it
        comparison = compare_runs(store, run_a, run_b)
        streamed = spread_of_array(run_totals(store, run_a).latencies)
    assert comparison.summary_a.latency_ms == streamed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_single_epoch_runs_counted_in_sqlite_match_counting_case_by_case(store: Store, seed: int) -> None:
    """Runs of one epoch are paired inside SQLite; the oracle here counts the same cases by hand."""
    rng = random.Random(seed)
    ids = [f"r{i:03d}" for i in range(300)]
    suite = make_suite(ids)
    status_of = {"pass", "fail", "error", None}
    side_a = {cid: rng.choice(sorted(status_of, key=str)) for cid in ids}
    side_b = {cid: rng.choice(sorted(status_of, key=str)) for cid in ids}
    out_b = {cid: "other answer" for cid in ids if rng.random() < 0.4}
    a = make_run(store, suite, {cid: s for cid, s in side_a.items() if s})
    b = make_run(store, suite, {cid: s for cid, s in side_b.items() if s}, outputs=out_b)

    shared = [cid for cid in ids if side_a[cid] and side_b[cid]]
    paired = [cid for cid in shared if "error" not in (side_a[cid], side_b[cid])]
    regressions = [cid for cid in paired if (side_a[cid], side_b[cid]) == ("pass", "fail")]
    improvements = [cid for cid in paired if (side_a[cid], side_b[cid]) == ("fail", "pass")]
    same = [cid for cid in paired if side_a[cid] == side_b[cid]]
    expected = {
        "shared": len(shared),
        "paired": len(paired),
        "regressions": len(regressions),
        "improvements": len(improvements),
        "unchanged": len(same),
        "changed_output": sum(cid in out_b for cid in same),
        "changed_tool_calls": 0,  # neither run called tools
        "errors_a": sum(side_a[cid] == "error" for cid in shared),
        "errors_b": sum(side_b[cid] == "error" for cid in shared),
        "unscored": len(shared) - len(paired),
        "lost": sum((side_a[cid], side_b[cid]) == ("pass", "error") for cid in shared),
        "only_a": sum(bool(side_a[cid]) and not side_b[cid] for cid in ids),
        "only_b": sum(bool(side_b[cid]) and not side_a[cid] for cid in ids),
    }
    c = compare_runs(store, a, b)
    assert c.epochs == 1 and asdict(c.counts) == expected
    assert c.regressions == regressions and c.improvements == improvements
    assert c.paired.n == len(paired)
    scored_a = [s for s in side_a.values() if s in ("pass", "fail")]
    assert c.summary_a.rate == run_metrics(store.iter_metric_rows(a)).rate
    assert c.summary_a.rate.n == len(scored_a) and c.summary_a.errors == list(side_a.values()).count("error")
    assert c.summary_b.cases == sum(1 for s in side_b.values() if s)
    # The Compare screen's "changed" and "all" lists, read in SQLite and folded in Python alike.
    listed = ([cid for cid in same if cid in out_b], [cid for cid in ids if side_a[cid] or side_b[cid]])
    assert changed_and_all(store, a, b, one_epoch=True) == listed
    assert changed_and_all(store, a, b, one_epoch=False) == listed


def test_a_run_that_ended_early_is_named_as_such_not_passed_off_as_complete(store: Store) -> None:
    suite = make_suite(IDS)
    a = make_run(store, suite, dict.fromkeys(IDS[:3], "pass"))  # stopped after 3 of 7
    store.finish_run(
        a, "stopped", run_metrics(store.iter_metric_rows(a)), reason="reached the cost ceiling of $1"
    )
    store.write(lambda conn: conn.execute("UPDATE runs SET total = 7 WHERE id = ?", (a,)), what="total")
    b = make_run(store, suite, dict.fromkeys(IDS, "pass"))
    c = compare_runs(store, a, b)
    assert "A is stopped (3 of its 7 results): reached the cost ceiling of $1" in c.warning()
    assert c.to_dict()["warning"] == c.warning()
    assert "B is" not in c.warning()
    assert compare_runs(store, b, make_run(store, suite, dict.fromkeys(IDS, "pass"))).warning() == ""


def test_a_run_compared_with_itself_is_named_as_such(store: Store) -> None:
    """`compare label:baseline latest` when the latest run is the baseline: "no difference" is
    true of any run and itself, and says nothing about the model; the warning says so."""
    run = make_run(store, make_suite(IDS), dict.fromkeys(IDS, "pass"))
    assert "A and B are the same run" in compare_runs(store, run, run).warning()

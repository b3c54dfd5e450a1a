"""The writer never drops an answer: a row whose values SQLite cannot hold becomes an error row
with the reason, the rest of its batch is written, and the writer thread lives on."""

from __future__ import annotations

from evaltui.records import Result
from evaltui.store import Store
from tests.store.factories import DEMO, make_suite, result_row


def new_run(store: Store, n: int) -> str:
    return store.create_run(suite_id=store.save_suite(make_suite(n)), model=DEMO, total=n)


def test_a_row_too_large_for_sqlite_is_an_error_row_and_its_batch_is_written(store: Store) -> None:
    run_id = new_run(store, 50)
    committed: list[Result] = []
    writer = store.writer(on_commit=committed.extend)
    for i in range(50):
        extra = {"tokens_in": 10**20} if i == 7 else {}
        writer.put(result_row(run_id, f"case-{i:06d}", **extra))
    writer.flush()
    # the thread is still alive: later rows are written too
    writer.put(result_row(run_id, "case-000049", output="again"))
    writer.close()

    rows = {r.case_id: r for r in store.iter_results(run_id)}
    assert len(rows) == 50
    bad = rows["case-000007"]
    assert bad.status == "error"
    assert "could not be stored" in bad.error and "too large" in bad.error
    assert bad.tokens_in is None and bad.output is None
    assert all(r.status == "pass" for cid, r in rows.items() if cid != "case-000007")
    assert rows["case-000049"].output == "again"
    # what watchers were told matches what was stored
    told = {r.case_id: r.status for r in committed}
    assert told["case-000007"] == "error" and len(committed) == 51


def test_every_kind_of_unstorable_value_is_recorded_as_an_error(store: Store) -> None:
    run_id = new_run(store, 4)
    writer = store.writer()
    writer.put(result_row(run_id, "case-000000", tokens_out=-(10**30)))
    writer.put(result_row(run_id, "case-000001", attempts=10**19))
    writer.put(result_row(run_id, "case-000002", latency_ms=object()))  # not a type SQLite stores
    writer.put(result_row(run_id, "case-000003"))
    writer.close()
    statuses = {r.case_id: r.status for r in store.iter_results(run_id)}
    assert statuses == {
        "case-000000": "error",
        "case-000001": "error",
        "case-000002": "error",
        "case-000003": "pass",
    }


def test_a_prompt_or_score_json_cannot_hold_is_an_error_row_and_the_writer_lives_on(store: Store) -> None:
    import dataclasses

    from evaltui.records import ScoreRecord

    run_id = new_run(store, 4)
    loop: dict[str, object] = {"role": "user"}
    loop["content"] = loop  # a message inside itself
    deep: list[object] = []
    for _ in range(100_000):  # deeper than any encoder recurses
        deep = [deep]
    odd = ({"role": "user", "content": "ünï \ud800"},)
    writer = store.writer()
    writer.put(dataclasses.replace(result_row(run_id, "case-000000"), prompt=(loop,)))
    writer.put(
        dataclasses.replace(
            result_row(run_id, "case-000001"), scores=(ScoreRecord("s", True, 1.0, "r", deep),)
        )
    )  # type: ignore[arg-type]
    writer.put(dataclasses.replace(result_row(run_id, "case-000002"), prompt=odd))
    writer.put(result_row(run_id, "case-000003"))
    writer.close()
    rows = {r.case_id: r for r in store.iter_results(run_id)}
    assert [rows[f"case-00000{i}"].status for i in range(4)] == ["error", "error", "pass", "pass"]
    assert "could not be stored: ValueError: Circular reference" in (rows["case-000000"].error or "")
    assert rows["case-000002"].prompt == odd

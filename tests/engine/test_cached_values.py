"""A cached answer that an older evaltui stored before values were checked (a cost of Infinity)
is not replayed: the model is asked again, and the run goes on."""

from __future__ import annotations

import json
import math

from evaltui.engine import Runner


async def test_a_cached_answer_with_a_value_out_of_range_is_asked_again(
    store, make_suite, api_model, fake_api
):
    prepared = make_suite(3)
    first = await Runner(store, prepared, api_model()).run()
    assert len(fake_api.seen) == 3
    conn = store.conn()
    for key, completion in conn.execute("SELECT key, completion FROM cache").fetchall():
        data = json.loads(completion) | {
            "cost_usd": math.inf
        }  # stored as `Infinity`, as json.dumps writes it
        conn.execute("UPDATE cache SET completion = ? WHERE key = ?", (json.dumps(data), key))
    conn.commit()
    second = await Runner(store, prepared, api_model()).run()
    assert len(fake_api.seen) == 6  # every case asked again, none replayed
    rows = list(store.iter_results(second))
    assert [(r.cached, r.error) for r in rows] == [(False, None)] * 3
    assert [r.output for r in rows] == [r.output for r in store.iter_results(first)]

"""Schema v7: results keep tool calls and agent steps; a v5 file migrates (after a backup) and its
results read back with neither."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from evaltui.store import Store
from evaltui.store.schema import MIGRATIONS


def make_v5_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for version in range(1, 6):
            MIGRATIONS[version](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '5')")
        conn.execute("INSERT INTO suites VALUES ('s1', 'old', '', '{}', '2025-01-01')")
        conn.execute(
            "INSERT INTO cases (suite_id, case_id, position, input) VALUES ('s1', 'c1', 0, '\"hi\"')"
        )
        conn.execute(
            "INSERT INTO runs (id, suite_id, suite, model_id, model_config, status, started_at, version) "
            "VALUES ('r1', 's1', 'old', 'demo:keyword', '{}', 'completed', '2025-01-01', '0.0.1')"
        )
        conn.execute(
            "INSERT INTO results (run_id, case_id, epoch, position, status, output) "
            "VALUES ('r1', 'c1', 0, 0, 'pass', 'old answer')"
        )
    conn.close()


def test_a_v5_file_migrates_and_its_results_have_no_tool_calls(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    make_v5_file(path)
    with Store(path) as store:
        result = store.get_result("r1", "c1")
        assert result is not None and result.output == "old answer"
        assert result.tool_calls == () and result.steps == ()
    assert (tmp_path / "results.db.bak-v5").exists()


def test_a_v5_file_migrates_and_its_runs_have_no_stop_reason(tmp_path: Path) -> None:
    """Schema v8: why a run ended early is kept; runs from before say nothing."""
    path = tmp_path / "results.db"
    make_v5_file(path)
    with Store(path) as store:
        assert store.get_run("r1").stop_reason is None

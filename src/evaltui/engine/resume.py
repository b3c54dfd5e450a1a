"""What a resume needs: the suite and model exactly as the run started with them, read back from
the database (the suite file may have changed or be gone since)."""

from __future__ import annotations

import json
from typing import Any

from evaltui.errors import StoreError
from evaltui.suites.models import ModelSpec, Suite


def load_run_definition(store: Any, run_id: str) -> tuple[Suite, ModelSpec]:
    run = store.get_run(run_id)
    if run is None:
        raise StoreError(f"no run {run_id!r} in {store.path}")
    row = store.query_one(
        "SELECT definition, path FROM suites WHERE id = ?", (run["suite_id"],), what="the run's suite"
    )
    if row is None:
        raise StoreError(f"run {run_id}: its suite {run['suite_id']} is not in {store.path}")
    suite = Suite.model_validate(json.loads(row["definition"]))
    suite.path = row["path"] or ""
    config = dict(run["model_config"])
    config["headers"] = {}  # only header names were stored (values may be secrets)
    return suite, ModelSpec.model_validate(config)

"""The results database as every command opens it: its folder made, stale runs marked, and a
read-only fallback for commands that only read, which never create one where there is none. Here,
not in `cli.py`, so command bodies can open it without importing the click surface above them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evaltui.errors import StoreError

if TYPE_CHECKING:
    from pathlib import Path

    from evaltui.config import Config
    from evaltui.records import RunRecord
    from evaltui.store import Store


def open_store(config: Config, *, reading: bool = False) -> Any:
    """The results database. A reading command (`reading`) that cannot write to it (a read-only
    file, folder or mount) opens it read-only instead, leaving stale runs as they are stored. It
    makes no database where there is none (a `--db` typo would read as a database without runs)."""
    from evaltui.store import Store

    path = config.db_path
    if reading and not path.exists():
        if (blocker := _file_above(path)) is not None:
            raise StoreError(f"{path}: cannot be a database: {blocker} is a file, not a folder")
        raise StoreError(f"{path}: no results database here: no run has written one (see --db, EVALTUI_DB)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot make its folder: {exc.strerror or exc}") from None
    try:
        store = Store(path)
        store.mark_stale_runs()
    except StoreError:
        if not reading or not path.is_file():
            raise
        return Store(path, create=False, read_only=True)
    return store


def no_database_yet(config: Config) -> bool:
    """Whether the configured database is not there yet though one could be made: nothing has run
    with it (a reading command says so rather than making an empty one)."""
    path = config.db_path
    return not path.exists() and _file_above(path) is None


def _file_above(path: Path) -> Path | None:
    """A folder of the path that is a file instead (no database can ever be made there), if any."""
    return next((up for up in path.parents if up.exists() and not up.is_dir()), None)


def stored_run(store: Store, run_id: str) -> RunRecord:
    """The run, which the caller has just resolved (or run): gone only if deleted meanwhile."""
    run = store.get_run(run_id)
    if run is None:
        raise StoreError(f"no run {run_id!r} in {store.path}")
    return run

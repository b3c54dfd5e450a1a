"""The results database as every command opens it: its folder made, stale runs marked, and a
read-only fallback for commands that only read. Here, not in `cli.py`, so command bodies can open it
without importing the click surface above them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evaltui.errors import StoreError

if TYPE_CHECKING:
    from evaltui.config import Config


def open_store(config: Config, *, reading: bool = False) -> Any:
    """The results database. A reading command (`reading`) that cannot write to it (a read-only
    file, folder or mount) opens it read-only instead, leaving stale runs as they are stored."""
    from evaltui.store import Store

    path = config.db_path
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

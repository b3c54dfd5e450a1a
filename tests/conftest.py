"""Shared fixtures. Real parts: a real SQLite path in a tmp dir, a real HTTP server on loopback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so tests can `from fake_api import Fault`

from fake_api import FakeApi, ServerThread


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    """A fake OpenAI/Anthropic/Ollama server on a free 127.0.0.1 port, in its own thread and loop.
    Set its knobs (`latency_ms`, `answer`, `fail_next(...)`, `fail_when(...)`) and read what it saw
    (`requests`, `seen`, `stats`). `.base_url` ends in /v1; `.url` is the root."""
    server = ServerThread(FakeApi())
    api = server.start()
    try:
        yield api
    finally:
        server.stop()


@pytest.fixture
def tmp_db_path(tmp_path: Path) -> Path:
    """A path for a fresh results database (the file does not exist yet)."""
    return tmp_path / "evaltui.db"

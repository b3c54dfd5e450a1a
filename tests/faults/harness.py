"""What every fault test drives and inspects: `evaltui` as a real subprocess, suites written for the
loopback fake API, and the database file read as a user's tools would (sqlite3, raw bytes)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVALTUI = str(Path(sys.executable).with_name("evaltui"))
TABLES = ("suites", "cases", "runs", "results", "annotations", "cache", "meta")
# Bytes a terminal acts on: ESC, BEL, NUL, backspace, CSI as C1, OSC as C1.
TERMINAL_CONTROLS = (b"\x1b", b"\x07", b"\x00", b"\x08", b"\xc2\x9b", b"\xc2\x9d")


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of an evaltui subprocess: its own config file, no colour, no terminal width
    guesswork, plus `extra` (API keys)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALTUI_")}
    env |= {"EVALTUI_CONFIG": str(tmp_path / "config.yaml"), "NO_COLOR": "1", "COLUMNS": "160"}
    return env | extra


def evaltui(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 180
) -> subprocess.CompletedProcess[bytes]:
    """Run `evaltui ARGS` to the end; stdout and stderr kept as raw bytes."""
    return subprocess.run(
        [EVALTUI, *args], capture_output=True, env=env, cwd=cwd, timeout=timeout, check=False
    )


def start_evaltui(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start `evaltui ARGS` with stdout piped as text lines (for `--events -`)."""
    return subprocess.Popen(
        [EVALTUI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )


def write_cases(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")


def api_suite(folder: Path, model_yaml: str, n: int, *, name: str = "fault-suite") -> Path:
    """A suite of `n` cases "Q: case-i" expecting "CASE-i" (the fake API's upper-cased echo, so every
    answered case passes) against the model described by `model_yaml` (indented list items)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_cases(
        folder / "cases.jsonl",
        ({"id": f"c{i}", "input": f"case-{i}", "expected": f"CASE-{i}"} for i in range(n)),
    )
    path = folder / "suite.yaml"
    path.write_text(
        f"name: {name}\nprompt: 'Q: {{{{ input }}}}'\nmodels:\n{model_yaml}"
        "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n",
        encoding="utf-8",
    )
    return path


def openai_model(base_url: str, *, key_env: str = "FAULT_KEY", extra: str = "") -> str:
    return (
        f"  - id: fake\n    provider: openai\n    model: fake\n    base_url: {base_url}\n"
        f"    api_key_env: {key_env}\n{extra}"
    )


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def db_checksum(db: Path) -> str:
    """A hash of every row of every evaltui table, in a stable order: equal before and after means
    nothing was written (the file's own bytes may differ after a WAL checkpoint)."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in TABLES:
            if table not in present:
                continue
            digest.update(table.encode())
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                digest.update(repr(row).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def events_of(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@dataclass
class Followed:
    """What a run's `--events -` stream said: its id, the cases it reported finished (in order)
    and how it ended (None: the stream stopped before RunFinished, as after kill -9)."""

    run_id: str | None = None
    reported: list[str] = field(default_factory=list)
    status: str | None = None


def follow_and_signal(proc: subprocess.Popen[str], after_cases: int, signum: int) -> Followed:
    """Read the events of `evaltui run --events -` to their end, sending `signum` to the process
    once it has reported `after_cases` cases finished."""
    assert proc.stdout is not None
    seen = Followed()
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "RunStarted":
            seen.run_id = event["run_id"]
        elif event["event"] == "CaseFinished":
            seen.reported.append(event["case_id"])
            if len(seen.reported) == after_cases:
                proc.send_signal(signum)
        elif event["event"] == "RunFinished":
            seen.status = event["status"]
    return seen

"""`evaltui export` is inert on a terminal in every format, and exact in a file: hostile model
output (a window title, the bell, a clipboard write through OSC 52) shows as visible symbols when
standard output is a terminal (a real pty here), and CSV written to a file keeps every byte."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.compare.builders import make_run, make_suite
from tests.compare.conftest import EVALTUI

from evaltui.store import Store

HOSTILE = "title\x1b]0;pwned\x07 clip\x1b]52;c;aGk=\x07 bell\x07 red\x1b[31m cr\r nul\x00 bidi\u202e"
ACTING = ("\x1b", "\x07", "\x00", "\u202e")  # what must never reach a terminal raw
FORMATS = ("csv", "jsonl", "md")


@pytest.fixture
def hostile_run(db: Path) -> str:
    with Store(db) as store:
        suite = make_suite(["c1", "c2"])
        return make_run(store, suite, {"c1": "pass", "c2": "fail"}, outputs={"c2": HOSTILE})


def on_a_terminal(db: Path, *args: str) -> str:
    """`evaltui ARGS` with its standard output on a pseudo-terminal; what the terminal received."""
    leader, follower = os.openpty()
    env = {**os.environ, "EVALTUI_DB": str(db), "TERM": "xterm-256color", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [EVALTUI, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    received = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    assert proc.wait(60) == 0, proc.stderr.read() if proc.stderr else ""
    return received.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_a_terminal_shows_control_characters_visibly(db: Path, hostile_run: str, fmt: str) -> None:
    shown = on_a_terminal(db, "export", hostile_run, "--format", fmt)
    assert "c2" in shown
    assert not [ch for ch in ACTING if ch in shown], repr(shown)
    if fmt != "jsonl":  # JSON lines escape them as \u001b: inert, and exact once decoded
        assert "␛" in shown and "␇" in shown and "U+202E" in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_a_file_keeps_what_the_format_promises(
    cli, hostile_run: str, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"out.{fmt}"
    assert cli("export", hostile_run, "--format", fmt, "-o", str(target)).returncode == 0
    written = target.read_bytes().decode("utf-8")
    if fmt == "csv":  # data for a spreadsheet or a script: byte-exact
        rows = list(csv.reader(io.StringIO(written, newline="")))
        assert rows[2][rows[0].index("output")] == HOSTILE
    elif fmt == "jsonl":
        assert json.loads(written.splitlines()[1])["output"] == HOSTILE
        assert "\x1b" not in written
    else:  # Markdown is for people and renderers: inert in a file too
        assert not [ch for ch in ACTING if ch in written] and "␛" in written and "␇" in written


def test_csv_piped_to_another_program_stays_exact(db: Path, hostile_run: str) -> None:
    env = {**os.environ, "EVALTUI_DB": str(db)}
    piped = subprocess.run(
        [EVALTUI, "export", hostile_run, "--format", "csv"], capture_output=True, env=env, check=True
    ).stdout.decode("utf-8")
    rows = list(csv.reader(io.StringIO(piped, newline="")))
    assert rows[2][rows[0].index("output")] == HOSTILE

"""Hostile files, paths and arguments given to the real `evaltui` process (issue 12 §4, §6): each
is refused with exit 2 and one line on stderr, or handled, never a traceback and never a hang;
an interrupt exits 130; an unexpected crash leaves its traceback in a log file the message names."""

from __future__ import annotations

import importlib
import os
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltui.cli import main

EVALTUI = str(Path(sys.executable).with_name("evaltui"))
GOOD = (
    "name: good\nprompt: '{{ input }}'\nmodels: [demo:echo]\nscorers: [equals]\n"
    "cases:\n  - {id: a, input: x, expected: x}\n"
)


def one_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """stderr, which must be exactly one `evaltui: ...` line and no traceback."""
    text = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EVALTUI_")}
    return base | {"EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"), "NO_COLOR": "1", "COLUMNS": "200"}


def evaltui(
    *args: str | bytes, env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [EVALTUI, *args], capture_output=True, env=env, cwd=cwd, timeout=timeout, check=False
    )


@pytest.fixture
def seeded(tmp_path: Path, env: dict[str, str]) -> Path:
    """A database holding one finished run of a good suite."""
    (tmp_path / "good.yaml").write_text(GOOD)
    db = tmp_path / "results.db"
    done = evaltui("run", "good.yaml", "--db", str(db), "-q", "--label", "base", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return db


@pytest.mark.timeout(60)
def test_validate_refuses_a_fifo_without_waiting_for_a_writer(tmp_path: Path, env: dict[str, str]) -> None:
    fifo = tmp_path / "suite.yaml"
    os.mkfifo(fifo)
    result = evaltui("validate", str(fifo), env=env, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert "not a regular file" in one_line(result)


@pytest.mark.timeout(60)
def test_validate_refuses_a_link_to_dev_zero(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "suite.yaml").symlink_to("/dev/zero")
    result = evaltui("validate", "suite.yaml", env=env, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert "not a regular file" in one_line(result)


def test_a_database_path_under_a_file_is_a_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "plain").write_text("a file, not a folder")
    for args in (("runs",), ("run", "good.yaml", "-q")):
        result = evaltui(*args, "--db", str(tmp_path / "plain" / "x.db"), env=env, cwd=tmp_path)
        assert result.returncode == 2
        assert "x.db" in one_line(result)


def test_a_database_path_that_is_not_a_regular_file_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    """As root, SQLite would create a world-writable /dev/null-journal; any user would lose every
    result written to /dev/null."""
    (tmp_path / "good.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.db")
    journals = [Path("/dev/null-journal"), Path("/dev/null-wal")]
    there_before = [p for p in journals if p.exists()]
    for target in ("/dev/null", str(tmp_path / "pipe.db")):
        result = evaltui("run", "good.yaml", "--db", target, "-q", env=env, cwd=tmp_path, timeout=30)
        assert result.returncode == 2
        assert "not a regular file" in one_line(result)
    assert [p for p in journals if p.exists()] == there_before


@pytest.mark.parametrize(
    "args",
    [
        (b"run", b"good.yaml", b"-q", b"--label", b"caf\xe9"),
        (b"run", b"good.yaml", b"-q", b"-m", b"demo:\xff"),
        (b"show", b"label:\xe9t\xe9"),
    ],
)
def test_arguments_that_are_not_utf8_are_refused(
    args: tuple[bytes, ...], seeded: Path, env: dict[str, str]
) -> None:
    result = evaltui(*args, b"--db", str(seeded).encode(), env=env, cwd=seeded.parent)
    assert result.returncode == 2
    assert "UTF-8" in one_line(result)


@pytest.mark.parametrize("option", ["--junit", "--report", "--json", "--events"])
def test_run_outputs_into_a_missing_folder_are_refused_before_running(
    option: str, seeded: Path, env: dict[str, str]
) -> None:
    before = sqlite3.connect(seeded).execute("select count(*) from runs").fetchone()
    target = str(seeded.parent / "missing" / "out.txt")
    result = evaltui(
        "run", "good.yaml", "--db", str(seeded), "-q", option, target, env=env, cwd=seeded.parent
    )
    assert result.returncode == 2
    assert "missing" in one_line(result) and option in one_line(result)
    assert sqlite3.connect(seeded).execute("select count(*) from runs").fetchone() == before


def test_export_into_a_missing_folder_is_refused(seeded: Path, env: dict[str, str]) -> None:
    target = str(seeded.parent / "missing" / "out.jsonl")
    result = evaltui("export", "latest", "-o", target, "--db", str(seeded), env=env, cwd=seeded.parent)
    assert result.returncode == 2
    assert "missing" in one_line(result)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "args",
    [("runs",), ("runs", "--json"), ("show", "latest"), ("show", "latest", "--json"), ("export", "latest")],
)
def test_reading_commands_work_on_a_read_only_database(
    args: tuple[str, ...], seeded: Path, env: dict[str, str]
) -> None:
    """The database's folder mounted read-only (a CI artefact, a shared volume): nothing can be
    written there, not even SQLite's -wal and -shm files, and root cannot either. The stale run is
    shown as it is stored rather than marked interrupted."""
    with sqlite3.connect(seeded) as conn:  # a run its killed process left `running`
        conn.execute("UPDATE runs SET status = 'running', pid = 4194305")
    conn.close()
    folder = seeded.parent
    command = " ".join(shlex.quote(part) for part in (EVALTUI, *args, "--db", str(seeded)))
    script = f"mount --bind -o ro {shlex.quote(str(folder))} {shlex.quote(str(folder))} && exec {command}"
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("no user and mount namespaces here")
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, env=env, cwd=folder, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"good" in result.stdout or b'"a"' in result.stdout


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("compare", "evaltui.commands.compare.compare_command"),
        ("export", "evaltui.reports.export.export_run"),
    ],
)
def test_ctrl_c_during_compare_or_export_exits_130(
    command: str, target: str, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C lands while the command works (here: as it starts): exit 130, as for `run`."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, interrupted)
    args = ["compare", "latest", "label:base"] if command == "compare" else ["export", "latest"]
    result = CliRunner().invoke(main, [*args, "--db", str(seeded)])
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output + result.stderr


def test_an_internal_error_leaves_its_traceback_in_a_named_log(
    seeded: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A bug is one line naming a log file; the traceback is in that file, not on the terminal."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in evaltui")

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(importlib.import_module("evaltui.commands.show"), "show_command", broken)
    result = CliRunner().invoke(main, ["show", "latest", "--db", str(seeded)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "RuntimeError: a bug in evaltui" in lines[0], result.stderr
    log = Path(lines[0].rsplit(" ", 1)[-1])
    assert log.is_file() and log.is_relative_to(tmp_path / "state"), lines[0]
    assert "Traceback" in log.read_text() and "a bug in evaltui" in log.read_text()

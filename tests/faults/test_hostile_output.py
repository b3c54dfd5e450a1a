"""Hostile model output: `demo:hostile` answers every entry of its corpus (Rich markup, ANSI and OSC
escapes, bell, backspace, NUL, lone surrogates, bidi overrides, zero-width characters, a 5 MiB
line). Each is stored byte-exact, `show --json` gives it back exactly, and the human outputs
(`show`, `runs`) carry none of its control bytes nor any of its markup's effects, in a pipe and in
a real terminal (tmux)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from evaltui.providers.demo.hostile import HOSTILE_OUTPUTS, HUGE_LINE_BYTES
from evaltui.store import Store

from harness import EVALTUI, TERMINAL_CONTROLS, base_env, evaltui, write_cases

HUGE_ID = "huge_line"
# A case id and a run label are user text too: they reach the same tables.
MARKUP_ID = "[bold]id[/bold]\x1b[31m"
LABEL = "[@click=app.quit]label\x1b]0;title\x07"
# Markup whose text must still be there, brackets and all, after Rich printed it.
LITERAL = ("[bold red]ALERT[/bold red]", "result [/] done", "[@click=app.quit]quit[/]", "[/not-open] [bold")


def expected_outputs() -> dict[str, str]:
    return {**HOSTILE_OUTPUTS, HUGE_ID: "x" * HUGE_LINE_BYTES, MARKUP_ID: HOSTILE_OUTPUTS["rich_click"]}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    """One `evaltui run` of every corpus entry on demo:hostile; every case fails (expected 'never'),
    so `show` lists them all."""
    folder = tmp_path_factory.mktemp("hostile")
    rows = [{"id": name, "input": f"hostile:{name}", "expected": "never"} for name in HOSTILE_OUTPUTS]
    rows += [
        {"id": HUGE_ID, "input": "a 5 MB line please", "expected": "never"},
        {"id": MARKUP_ID, "input": "hostile:rich_click", "expected": "never"},
    ]
    write_cases(folder / "cases.jsonl", rows)
    (folder / "suite.yaml").write_text(
        "name: hostile\nprompt: '{{ input }}'\nmodels: [demo:hostile]\n"
        "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    db = folder / "hostile.db"
    env = base_env(folder)
    done = evaltui("run", "suite.yaml", "--db", str(db), "-q", "--label", LABEL, env=env, cwd=folder)
    assert done.returncode == 0, done.stderr.decode()
    with Store(db) as store:
        (run,) = store.list_runs()
    return db, run.id, env


def test_every_hostile_output_is_stored_byte_exact(hostile_run: tuple[Path, str, dict[str, str]]) -> None:
    db, run_id, _ = hostile_run
    expected = expected_outputs()
    with Store(db) as store:
        rows = store.iter_results(run_id, columns=("case_id", "output"))
        stored = {r.case_id: r.output for r in rows}
    assert stored.keys() == expected.keys()
    for case_id, text in expected.items():
        assert stored[case_id] == text, case_id
        assert stored[case_id].encode("utf-8", "surrogatepass") == text.encode("utf-8", "surrogatepass")


def test_show_json_round_trips_every_hostile_output(hostile_run: tuple[Path, str, dict[str, str]]) -> None:
    db, run_id, env = hostile_run
    shown = evaltui("show", run_id, "--json", "-n", "100", "--db", str(db), env=env, cwd=db.parent)
    assert shown.returncode == 0, shown.stderr.decode()[:2000]
    data = json.loads(shown.stdout)
    outputs = {f["case_id"]: f["output"] for f in data["failures"]}
    assert outputs == expected_outputs()
    assert data["run"]["label"] == LABEL
    for control in TERMINAL_CONTROLS:  # JSON escapes them: the raw bytes never reach a terminal
        assert control not in shown.stdout, control


def human_outputs(db: Path, run_id: str, env: dict[str, str]) -> dict[str, bytes]:
    commands = {
        "show": ("show", run_id, "-n", "100"),
        "runs": ("runs",),
        "show latest": ("show", "latest", "-n", "3"),
    }
    outputs = {}
    for name, args in commands.items():
        done = evaltui(*args, "--db", str(db), env=env | {"COLUMNS": "250"}, cwd=db.parent)
        assert done.returncode == 0, (name, done.stderr.decode()[:2000])
        outputs[name] = done.stdout + done.stderr
    return outputs


def test_human_outputs_carry_no_control_bytes_and_no_markup_effects(
    hostile_run: tuple[Path, str, dict[str, str]],
) -> None:
    db, run_id, env = hostile_run
    outputs = human_outputs(db, run_id, env)
    for name, raw in outputs.items():
        for control in TERMINAL_CONTROLS:
            assert control not in raw, (name, control)
        assert "\u202e".encode() not in raw, name  # a bidi override would reorder the rest of the line
    show = outputs["show"].decode("utf-8")
    for text in LITERAL:
        assert text in show, text
    assert "[@click=app.quit]label" in outputs["runs"].decode("utf-8")


TMUX = shutil.which("tmux")
SGR = re.compile(rb"\x1b\[[0-9;:]*m")


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, check=True, timeout=30
    ).stdout


@pytest.mark.tmux
@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_a_real_terminal_gets_no_escape_sequence_from_the_output(
    hostile_run: tuple[Path, str, dict[str, str]], tmp_path: Path
) -> None:
    """`evaltui show` in a tmux pane with colours on: the pane holds only the terminal's own styling
    (SGR), its title, cursor, screen and clipboard are untouched by the hostile text."""
    db, run_id, env = hostile_run
    socket = f"evaltui-faults-{tmp_path.name}"
    done_flag = tmp_path / "done"
    script = tmp_path / "show.sh"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k != "NO_COLOR")
    script.write_text(
        f"env {exports} FORCE_COLOR=1 TERM=xterm-256color {EVALTUI} show {run_id} -n 100 "
        f"--db {db}; touch {done_flag}; sleep 60\n"
    )
    tmux(socket, "-f", "/dev/null", "new-session", "-d", "-x", "220", "-y", "80", f"sh {script}")
    try:
        title = tmux(socket, "display-message", "-p", "#{pane_title}")
        for _ in range(300):  # bounded wait for the command to finish (not a timed assertion)
            if done_flag.exists():
                break
            time.sleep(0.1)
        assert done_flag.exists(), "evaltui show never finished in tmux"
        pane = tmux(socket, "capture-pane", "-e", "-p", "-S", "-", "-J").encode()
        flags = tmux(socket, "display-message", "-p", "#{pane_title}|#{cursor_flag}|#{alternate_on}")
        buffers = tmux(socket, "list-buffers")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)
    assert b"ALERT" in pane and b"failing cases" in pane  # the output did reach the screen
    assert SGR.search(pane), "the pane shows no styling at all: the colours were not on"
    leftover = SGR.sub(b"", pane)
    assert b"\x1b" not in leftover, leftover[leftover.index(b"\x1b") - 40 :][:120]
    assert flags.strip() == f"{title.strip()}|1|0"  # title kept, cursor visible, no alternate screen
    assert buffers == ""  # no OSC 52 clipboard write reached tmux
    for text in LITERAL[:3]:
        assert text.encode() in pane.replace(b"\n", b""), text


def test_run_exports_keep_hostile_output_parseable_and_inert(
    hostile_run: tuple[Path, str, dict[str, str]],
) -> None:
    """`run --json -`, `--events`, `--junit` and `--report` of the hostile suite: each export parses,
    the JSON ones give every output back exactly, and none carries a raw terminal control."""
    db, _, env = hostile_run
    folder = db.parent
    done = evaltui(
        "run", "suite.yaml", "--db", str(db), "--json", "-", "--events", "events.jsonl",
        "--junit", "junit.xml", "--report", "report.md", env=env, cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[:2000]
    (summary,) = json.loads(done.stdout)
    expected = expected_outputs()
    assert summary["failures"] and all(f["output"] == expected[f["case_id"]] for f in summary["failures"])
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert {e["case_id"] for e in events if e["event"] == "CaseFinished"} == set(expected)
    ElementTree.parse(folder / "junit.xml")
    for name in ("junit.xml", "report.md", "events.jsonl"):
        raw = (folder / name).read_bytes()
        for control in TERMINAL_CONTROLS:
            assert control not in raw, (name, control)
    for control in TERMINAL_CONTROLS:
        assert control not in done.stdout, control

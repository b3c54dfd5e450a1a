"""Secrets: a recognisable fake key sits in the environment for every provider (OpenAI, Anthropic and
Ollama against the loopback fake API, and a Python model that reads its own key). The server
answers some requests 401 quoting the Authorization / x-api-key header it received. After the run,
the key (and any piece of it) appears nowhere a user or a shared file could see it: the database
file and its WAL, the events and summary exports, `show --json`, `runs --json`, `show`, and the
process's stdout and stderr. A 401 stops an HTTP model's run (exit 3): the message that says so
quotes the server, the key redacted; a second run meets only the late echo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from evaltui.store import Store

from fake_api import FakeApi
from harness import base_env, evaltui, write_cases

KEY = "sk-evaltui-canary-7f3a9c"
# Pieces of the key that nothing else contains: a cut-off quote of it is a leak too.
PIECES = (b"sk-evalt", b"canary", b"7f3a9c")
ENVS = {"openai": "OAI_TOKEN", "anthropic": "ANT_TOKEN", "ollama": "OLL_TOKEN", "python": "PY_TOKEN"}

PYTHON_MODEL = """
import os

def ask(messages, vars):
    key = os.environ["PY_TOKEN"]
    if "refuse" in messages[-1]["content"]:
        raise PermissionError(f"upstream refused the key {key}")
    return messages[-1]["content"].split("Q: ", 1)[-1].upper()
"""


def models_yaml(api: FakeApi) -> str:
    lines = []
    for family in ("openai", "anthropic", "ollama"):
        base = api.url if family == "ollama" else api.base_url
        lines.append(
            f"  - id: {family}\n    provider: {family}\n    model: fake\n    base_url: {base}\n"
            f"    api_key_env: {ENVS[family]}\n    max_retries: 1\n    timeout_s: 5\n"
        )
    python = "  - id: python\n    provider: python\n    model: keyed_model:ask\n"
    lines.append(f"{python}    api_key_env: {ENVS['python']}\n")
    return "".join(lines)


def write_suite(folder: Path, api: FakeApi) -> Path:
    rows = [{"id": f"c{i}", "input": f"case-{i}", "expected": f"CASE-{i}"} for i in range(6)]
    rows += [
        {"id": "echo", "input": "echo"},
        {"id": "late", "input": "late", "tags": ["late"]},
        {"id": "refuse", "input": "refuse"},
    ]
    write_cases(folder / "cases.jsonl", rows)
    (folder / "keyed_model.py").write_text(PYTHON_MODEL)
    path = folder / "suite.yaml"
    path.write_text(
        f"name: secrets\nprompt: 'Q: {{{{ input }}}}'\nmodels:\n{models_yaml(api)}"
        "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    return path


def artefacts(folder: Path) -> dict[str, bytes]:
    """Every file evaltui wrote under `folder` (database, WAL, exports, backups), by name."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_key_appears_in_no_file_output_or_stored_error(fake_api: FakeApi, tmp_path: Path) -> None:
    for _ in range(3):  # each HTTP model meets an echo (its first 401 stops its run)
        fake_api.fail_when("Q: echo", "echo_auth")
        fake_api.fail_when("Q: late", "echo_auth_late")
    folder = tmp_path / "work"
    folder.mkdir()
    suite = write_suite(folder, fake_api)
    db = folder / "results.db"
    env = base_env(tmp_path, PYTHONPATH=str(folder), **dict.fromkeys(ENVS.values(), KEY))
    Store(db).close()
    holder = sqlite3.connect(db)  # an open reader keeps the WAL file on disk to be searched
    holder.execute("SELECT count(*) FROM runs").fetchone()

    run = evaltui(
        "run", str(suite), "--db", str(db), "--events", str(folder / "events.jsonl"),
        "--json", str(folder / "summary.json"), env=env, cwd=folder,
    )  # fmt: skip
    assert run.returncode == 3, run.stderr.decode()
    assert KEY in (
        fake_api.seen[-1].headers.get("Authorization", "") + fake_api.seen[-1].headers.get("x-api-key", "")
    )
    for _ in range(3):  # the late echo for every HTTP model, whatever the first run left queued
        fake_api.fail_when("Q: late", "echo_auth_late")
    late = evaltui("run", str(suite), "--db", str(db), "-t", "late", "-q", env=env, cwd=folder)
    assert late.returncode == 3, late.stderr.decode()
    outputs = {"run": run.stdout + run.stderr, "run -t late": late.stdout + late.stderr}
    for name, args in {"runs --json": ("runs", "--json"), "runs": ("runs",)}.items():
        done = evaltui(*args, "--db", str(db), env=env, cwd=folder)
        assert done.returncode == 0, done.stderr.decode()
        outputs[name] = done.stdout + done.stderr
    with Store(db) as store:
        run_ids = [r.id for r in store.list_runs()]
        errors = {
            (r.model_id, row.case_id): row.error
            for r in store.list_runs()
            for row in store.iter_results(r.id)
            if row.error
        }
    for run_id in run_ids:
        for flag in ("--json", "-n"):
            args = ("show", run_id, flag) if flag == "--json" else ("show", run_id, "-n", "50")
            done = evaltui(*args, "--db", str(db), env=env, cwd=folder)
            assert done.returncode == 0, done.stderr.decode()
            outputs[" ".join(args)] = done.stdout + done.stderr
    files = artefacts(folder)
    holder.close()

    assert len(run_ids) == 8
    assert "results.db" in files  # a run ends with a checkpoint: its rows are in the .db file itself
    for name, raw in {**files, **outputs}.items():
        if name == "keyed_model.py":
            continue
        for piece in PIECES:
            assert piece not in raw, f"{piece!r} of the key is in {name}"
    for name in ("run", "run -t late"):
        stops = [line for line in outputs[name].decode().splitlines() if "refused the request" in line]
        assert len(stops) == 3 and all("HTTP 401" in line for line in stops), stops
    assert all(
        "[redacted]" in line for line in run.stderr.decode().splitlines() if "invalid credentials" in line
    )
    assert "[redacted]" in errors[("python", "refuse")], errors[("python", "refuse")]

"""`evaltui run` against an endpoint that dies or refuses the key: the run stops, says why naming
host:port, ends `failed` with exit code 3, and `--resume` finishes it once the server is back."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from tests.cli.conftest import EVALTUI

from fake_api import FakeApi


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "EVALTUI_DB": str(tmp_path / "cli.db"),
        "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"),
        "CRASH_KEY": "sk-test",
    }
    return subprocess.Popen(
        [EVALTUI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )


def test_a_server_killed_mid_run_stops_it_with_exit_3_and_resume_finishes_it(
    cli, api_suite, fake_api: FakeApi, tmp_path: Path
) -> None:
    fake_api.latency_ms = 10
    suite = api_suite(fake_api.base_url, n=2000)
    proc = start(tmp_path, "run", str(suite), "-c", "8", "-q")
    while fake_api.stats["answered"] < 50 and proc.poll() is None:
        time.sleep(0.05)
    fake_api.go_away()
    _, err = proc.communicate(timeout=120)  # a guard against a hang, not a timing claim

    assert proc.returncode == 3, err
    assert f"127.0.0.1:{fake_api.port} cannot be reached" in err and "cannot connect" in err
    run = json.loads(cli("runs", "--json").stdout)[0]
    assert run["status"] == "failed" and run["errors"] == 0 and 50 <= run["done"] < 2000
    assert f"evaltui run --resume {run['id']}" in err
    assert "Traceback" not in err

    fake_api.come_back()
    resumed = cli("run", "--resume", run["id"], "-q", extra_env={"CRASH_KEY": "sk-test"})
    assert resumed.returncode == 0, resumed.stderr
    run = json.loads(cli("runs", "--json").stdout)[0]
    assert (run["status"], run["done"], run["errors"]) == ("completed", 2000, 0)


def test_a_refused_key_stops_the_run_at_once_with_exit_3(cli, api_suite, fake_api: FakeApi) -> None:
    fake_api.fail_next("401")
    done = cli(
        "run", str(api_suite(fake_api.base_url, n=50)), "-c", "1", "-q", extra_env={"CRASH_KEY": "sk-x"}
    )
    assert done.returncode == 3, done.stderr
    assert f"127.0.0.1:{fake_api.port} refused the request" in done.stderr and "HTTP 401" in done.stderr
    assert fake_api.stats["requests"] == 1
    assert json.loads(cli("runs", "--json").stdout)[0]["status"] == "failed"

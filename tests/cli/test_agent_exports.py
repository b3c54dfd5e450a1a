"""The sample agent suite runs offline from the command line, and every way a run leaves evaltui
(show --json, JSON lines, CSV, the whole-run JSON, JUnit) carries the tool calls it made."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

SAMPLE = Path(__file__).resolve().parents[2] / "sample_suites" / "trip_assistant.yaml"
Cli = Callable[..., subprocess.CompletedProcess[str]]


def test_agent_sample_runs_offline_and_exports_carry_tool_calls(cli: Cli, tmp_path: Path) -> None:
    ran = cli("run", str(SAMPLE), "-m", "demo:rules", "--junit", "junit.xml", "--label", "agent")
    assert ran.returncode in (0, 1), ran.stderr  # 1: the gate-less run has failures to report
    shown = json.loads(cli("show", "label:agent", "--json", "-n", "100").stdout)
    failures = {f["case_id"]: f for f in shown["failures"]}
    capital = failures["weather-cape-town"]  # rules takes the last capitalised word as the city
    assert capital["tool_calls"][0]["name"] == "get_weather"
    assert capital["tool_calls"][0]["arguments"] == {"city": "Anna"}
    assert 'tool calls: get_weather({"city": "Anna"})' in capital["why"]

    lines = [json.loads(line) for line in cli("export", "label:agent").stdout.splitlines()]
    paris = next(row for row in lines if row["case_id"] == "weather-paris")
    assert paris["status"] == "pass" and paris["tool_calls"][0]["arguments"] == {"city": "Paris"}
    assert len(paris["steps"]) == 2 and paris["steps"][0]["tool_results"][0]["content"] == "18C and sunny"

    rows = list(csv.DictReader(io.StringIO(cli("export", "label:agent", "--format", "csv").stdout)))
    paris_row = next(row for row in rows if row["case_id"] == "weather-paris")
    assert json.loads(paris_row["tool_calls"])[0]["name"] == "get_weather"
    chat_row = next(row for row in rows if row["case_id"] == "chat-thanks")
    assert chat_row["tool_calls"] == ""  # no calls: an empty cell, not "null"

    document = json.loads(cli("export", "label:agent", "--format", "json").stdout)
    by_case = {row["case_id"]: row for row in document["results"]}
    assert by_case["weather-paris"]["steps"][1]["tool_calls"] == []

    junit = ElementTree.parse(tmp_path / "junit.xml")
    case = next(c for c in junit.iter("testcase") if c.get("name") == "weather-cape-town")
    failure = case.find("failure")
    assert failure is not None and 'tool calls: get_weather({"city": "Anna"})' in str(failure.get("message"))


def test_rescoring_an_agent_run_keeps_its_tool_calls_and_verdicts(cli: Cli) -> None:
    assert cli("run", str(SAMPLE), "-m", "demo:rules", "--label", "agent", "-q").returncode in (0, 1)
    original = json.loads(cli("runs", "--json").stdout)[0]
    done = cli("rescore", original["id"], "-q")
    assert done.returncode in (0, 1), done.stderr
    rescored = json.loads(cli("runs", "--json").stdout)[0]
    assert rescored["label"] == f"rescore of {original['id']}"
    counts = ("passed", "failed", "errors")
    assert [rescored[k] for k in counts] == [original[k] for k in counts]
    lines = [json.loads(line) for line in cli("export", rescored["id"]).stdout.splitlines()]
    paris = next(row for row in lines if row["case_id"] == "weather-paris")
    assert paris["status"] == "pass" and paris["tool_calls"][0]["arguments"] == {"city": "Paris"}
    assert len(paris["steps"]) == 2

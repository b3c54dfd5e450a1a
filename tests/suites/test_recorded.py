"""The `recorded` model: cases carry their answer (`output:` and its figures) in YAML, JSONL or CSV
and are scored as if answered; `evaltui import logs` builds such a suite from request/response logs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import load_suite
from evaltui.suites.importers import import_suite
from evaltui.suites.models import Recorded

SUITE = """\
name: traffic
prompt: "{{ input }}"
models: [recorded]
scorers: [{type: equals}]
cases:
  - {id: y1, input: "charged twice", expected: billing, output: billing, latency_ms: 120, tokens_in: 9,
     tokens_out: 1, cost_usd: 0.0001, model: gpt-x}
  - file: more.csv
  - file: more.jsonl
"""


def write_suite(tmp_path: Path) -> Path:
    (tmp_path / "more.csv").write_text(
        "id,input,expected,output,latency_ms,note\nc1,crash,bug,bug,80,x\nc2,hi,other,,,y\n"
    )
    (tmp_path / "more.jsonl").write_text(
        '{"id": "j1", "input": "q", "expected": "a", "output": "b", "tokens_out": 3}\n'
    )
    path = tmp_path / "s.yaml"
    path.write_text(SUITE, encoding="utf-8")
    return path


def test_recorded_answers_are_read_from_yaml_csv_and_jsonl(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path))
    assert [m.provider for m in suite.models] == ["recorded"]
    by_id = {case.id: case for case in suite.cases}
    assert by_id["y1"].recorded == Recorded(
        output="billing", latency_ms=120, tokens_in=9, tokens_out=1, cost_usd=0.0001, model="gpt-x"
    )
    assert by_id["c1"].recorded == Recorded(output="bug", latency_ms=80)
    assert by_id["c1"].vars == {"note": "x"}
    assert by_id["c2"].recorded is None  # an empty output cell: no recorded answer
    assert by_id["j1"].recorded == Recorded(output="b", tokens_out=3)


def test_a_figure_without_an_output_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: t\nprompt: x\ncases:\n  - id: a\n    input: q\n    latency_ms: 5\n")
    with pytest.raises(
        SuiteError, match=r"s.yaml:4: cases\[0\].output: latency_ms goes with a recorded `output:`"
    ):
        load_suite(path)


def test_a_run_of_the_recorded_model_scores_the_answers_and_asks_nothing(tmp_path: Path) -> None:
    path = write_suite(tmp_path)
    env = {
        "EVALTUI_DB": str(tmp_path / "db"),
        "EVALTUI_CONFIG": str(tmp_path / "c.yaml"),
        "PATH": "/usr/bin:/bin",
    }
    cli = str(Path(sys.executable).with_name("evaltui"))
    done = subprocess.run(
        [cli, "run", str(path), "-q", "--json", "-"], capture_output=True, text=True, env=env
    )
    summary = json.loads(done.stdout)[0]
    metrics = summary["metrics"]
    assert (metrics["passed"], metrics["failed"], metrics["errors"]) == (2, 1, 1)
    assert metrics["tokens_in"] == 9 and metrics["latency_ms"]["max"] == 120
    (error,) = [f for f in summary["failures"] if f["status"] == "error"]
    assert error["case_id"] == "c2" and "no recorded output" in error["error"]


def test_import_logs_builds_a_recorded_suite_that_loads_back(tmp_path: Path) -> None:
    logs = tmp_path / "traffic.jsonl"
    conversation = [
        {"role": "system", "content": "Route."},
        {"role": "user", "content": "charged {{ twice }}"},
    ]
    answer = {"message": {"content": "billing"}}
    records = [
        {
            "id": "t1",
            "request": {"model": "gpt", "messages": conversation},
            "response": {
                "model": "gpt-2024",
                "choices": [answer],
                "usage": {"prompt_tokens": 7, "completion_tokens": 1},
            },
            "latency_ms": 250,
        },
        {"messages": [{"role": "user", "content": "«ça plante»"}], "response": "bug", "duration_ms": 90},
    ]
    logs.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    imported = import_suite("logs", logs)
    cases = {case.id: case for case in imported.suite.cases}
    assert cases["t1"].input == "charged {{ twice }}" and cases["t1"].vars == {"message_1": "Route."}
    assert cases["t1"].recorded == Recorded(
        output="billing", latency_ms=250, tokens_in=7, tokens_out=1, model="gpt-2024"
    )
    assert cases["log-2"].recorded == Recorded(output="bug", latency_ms=90)
    assert imported.suite.prompt == "{{ input }}"  # the two conversations differ in shape
    out = tmp_path / "traffic.yaml"
    done = evaltui(tmp_path, "import", "logs", str(logs), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "add scorers" in done.stderr
    loaded = load_suite(out)
    assert [c.recorded for c in loaded.cases] == [cases["t1"].recorded, cases["log-2"].recorded]


def test_a_log_line_without_an_answer_names_its_line(tmp_path: Path) -> None:
    logs = tmp_path / "bad.jsonl"
    good = '{"messages": [{"role": "user", "content": "x"}], "response": "ok"}'
    logs.write_text(good + '\n{"messages": [{"role": "user", "content": "y"}]}\n')
    with pytest.raises(SuiteError, match=r"bad\.jsonl:2: no answer"):
        import_suite("logs", logs)


def test_a_logged_answer_that_called_tools_imports_with_its_calls_and_is_scored_on_them(
    tmp_path: Path,
) -> None:
    """A tool-using assistant's logs: an answer whose `content` is null and whose `tool_calls` hold
    the calls was refused ("the answer has no text content"), so no log of such an assistant could
    be imported at all."""
    logs = tmp_path / "agent.jsonl"
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": 1}'}}
    bad = {"id": "c2", "type": "function", "function": {"name": "lookup", "arguments": "{not json"}}
    records = [
        {
            "messages": [{"role": "user", "content": "Hi"}],
            "response": {
                "choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [call]}}]
            },
        },
        {
            "messages": [{"role": "user", "content": "Yo"}],
            "response": {
                "choices": [{"message": {"role": "assistant", "content": "let me look", "tool_calls": [bad]}}]
            },
        },
    ]
    logs.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    cases = {case.id: case for case in import_suite("logs", logs).suite.cases}
    assert cases["log-1"].recorded == Recorded(
        output="", tool_calls=[{"id": "c1", "name": "lookup", "arguments": {"q": 1}}]
    )
    assert cases["log-2"].recorded == Recorded(
        output="let me look", tool_calls=[{"id": "c2", "name": "lookup", "arguments": "{not json"}]
    )
    out = tmp_path / "agent.yaml"
    done = evaltui(tmp_path, "import", "logs", str(logs), "-o", str(out))
    assert done.returncode == 0, done.stderr
    with out.open("a", encoding="utf-8") as suite:
        suite.write("scorers: [{type: tool-call, name: lookup, arguments: {q: 1}}]\n")
    done = evaltui(tmp_path, "run", str(out), "-q", "--json", "-")
    metrics = json.loads(done.stdout)[0]["metrics"]
    assert (metrics["passed"], metrics["failed"], metrics["errors"]) == (1, 1, 0), done.stdout


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (
            {"role": "tool", "tool_call_id": "c1", "content": "18C"},
            "messages[1]: a tool result cannot be a message of a case",
        ),
        (
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1"}]},
            "messages[1]: an assistant turn that called tools cannot be a message of a case",
        ),
        (
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]},
            "messages[1]: content parts other than text (image_url) cannot be sent by evaltui",
        ),
    ],
)
def test_a_logged_conversation_evaltui_cannot_replay_names_the_message_and_why(
    tmp_path: Path,
    message: dict,
    said: str,  # type: ignore[type-arg]
) -> None:
    """It said `input: a message needs a role (system, user, assistant) and text content` of a
    field no log has, for any of these."""
    logs = tmp_path / "agent.jsonl"
    record = {"messages": [{"role": "user", "content": "Weather?"}, message], "response": "ok"}
    logs.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(SuiteError, match=re.escape(f"agent.jsonl:1: {said}")):
        import_suite("logs", logs)


def test_a_logged_message_of_text_parts_is_its_text(tmp_path: Path) -> None:
    logs = tmp_path / "parts.jsonl"
    parts = [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]
    logs.write_text(json.dumps({"messages": [{"role": "user", "content": parts}], "response": "hi"}) + "\n")
    (case,) = import_suite("logs", logs).suite.cases
    assert case.input == "Hello there"


def evaltui(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`evaltui ARGS` as a user runs it, its database and config in tmp_path."""
    env = {
        "EVALTUI_DB": str(tmp_path / "db"),
        "EVALTUI_CONFIG": str(tmp_path / "c.yaml"),
        "PATH": "/usr/bin:/bin",
    }
    cli = str(Path(sys.executable).with_name("evaltui"))
    return subprocess.run([cli, *args], capture_output=True, text=True, env=env)

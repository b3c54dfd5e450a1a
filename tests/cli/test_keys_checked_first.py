"""`evaltui run` checks a model's key variable before any request: exit 2 naming the variable, no
request sent, no run recorded."""

from __future__ import annotations

import json

import pytest

from fake_api import FakeApi


def test_an_unset_api_key_env_is_exit_2_before_any_request(cli, api_suite, fake_api: FakeApi) -> None:
    done = cli("run", str(api_suite(fake_api.base_url, n=5)), extra_env={"CRASH_KEY": ""})
    assert done.returncode == 2, done.stderr
    assert "CRASH_KEY" in done.stderr and "Traceback" not in done.stderr
    assert fake_api.stats["requests"] == 0
    assert json.loads(cli("runs", "--json").stdout) == []


@pytest.mark.parametrize(
    ("spec", "variable"),
    [("openai:gpt-4o-mini", "OPENAI_API_KEY"), ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY")],
)
def test_a_hosted_model_without_its_key_is_exit_2_naming_the_variable(
    cli, api_suite, fake_api, spec: str, variable: str
) -> None:
    done = cli("run", str(api_suite(fake_api.base_url, n=5)), "-m", spec, extra_env={variable: ""})
    assert done.returncode == 2, done.stderr
    assert variable in done.stderr and "Traceback" not in done.stderr
    assert json.loads(cli("runs", "--json").stdout) == []

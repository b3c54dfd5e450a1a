"""What a provider returns is checked where it enters (issue 12 §2): token counts past SQLite's
INTEGER or negative, costs that are not finite or negative, and an output past the model's
`max_response_mb` are that case's final error, for every provider, never a row the store cannot
write or a report that is not JSON. The engine side (the rest of the run stored) is in
tests/faults/test_network_faults.py."""

from __future__ import annotations

import asyncio
import json
import math
import textwrap
from pathlib import Path

import pytest

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Request, make_provider
from evaltui.providers.base import MAX_INT, BadValue, Completion
from evaltui.suites.models import ModelSpec

ASK = Request(messages=[{"role": "user", "content": "Q: hi"}])


@pytest.mark.parametrize(
    ("field", "value"),
    [("tokens_in", MAX_INT + 1), ("tokens_out", 10**20), ("tokens_in", -1), ("tokens_out", 10**5000)],
    ids=["2**63", "10**20", "negative", "10**5000"],
)
def test_a_token_count_outside_sqlite_s_integer_is_refused(field: str, value: int) -> None:
    with pytest.raises(BadValue, match=f"{field} is .*outside 0 to 2\\*\\*63-1") as caught:
        Completion(text="x", **{field: value})
    assert not caught.value.retryable
    assert len(str(caught.value)) < 200  # a 5,000-digit number is not printed


@pytest.mark.parametrize("cost", [math.inf, -math.inf, math.nan, -0.01])
def test_a_cost_that_is_not_a_finite_amount_is_refused(cost: float) -> None:
    with pytest.raises(BadValue, match="cost"):
        Completion(text="x", cost_usd=cost)


def test_values_at_the_edges_are_kept() -> None:
    completion = Completion(text="x", tokens_in=0, tokens_out=MAX_INT, cost_usd=0.0)
    assert (completion.tokens_in, completion.tokens_out, completion.cost_usd) == (0, MAX_INT, 0.0)


# -- over HTTP: each family's own fields ---------------------------------------------------------


class OneAnswer:
    """A loopback server that answers every request with the same JSON text (as written: it may
    hold `Infinity`, `NaN` or numbers too large for a float, as JSON allows in practice)."""

    def __init__(self, body: str) -> None:
        self.body = body.encode()
        self.server: asyncio.Server | None = None

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.lower().split(b"\r\n")
        length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length")), 0)
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(self.body), self.body))
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


def openai(usage: str) -> str:
    return '{"choices": [{"message": {"role": "assistant", "content": "ok"}}], "usage": ' + usage + "}"


CASES = {
    "openai-huge-prompt": ("openai", "/v1", openai('{"prompt_tokens": 100000000000000000000}'), "tokens_in"),
    "openai-negative": ("openai", "/v1", openai('{"completion_tokens": -3}'), "tokens_out"),
    "openai-cost-infinity": ("openai", "/v1", openai('{"cost": Infinity}'), "cost"),
    "openai-cost-nan": ("openai", "/v1", openai('{"cost": NaN}'), "cost"),
    "openai-cost-1e400": ("openai", "/v1", openai('{"cost": 1e400}'), "cost"),
    "openai-cost-huge-int": ("openai", "/v1", openai('{"cost": 1' + "0" * 400 + "}"), "cost"),
    "anthropic": (
        "anthropic",
        "",
        '{"content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 1, "output_tokens": '
        + str(2**63)
        + "}}",
        "tokens_out",
    ),
    "ollama": (
        "ollama",
        "",
        '{"message": {"content": "ok"}, "prompt_eval_count": 1' + "0" * 20 + "}",
        "tokens_in",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_a_server_s_value_out_of_range_is_the_case_s_final_error(name: str) -> None:
    family, path, body, field = CASES[name]
    async with OneAnswer(body) as url, HttpClient() as http:
        provider = make_provider(ModelSpec(id="m", provider=family, model="m", base_url=url + path), http)
        with pytest.raises(ProviderError, match=field) as caught:
            await provider.complete(ASK)
    assert str(caught.value).startswith("m at http://127.0.0.1:")
    assert not caught.value.retryable


async def test_a_plain_answer_still_parses() -> None:
    async with OneAnswer(openai('{"prompt_tokens": 3, "cost": 0.5}')) as url, HttpClient() as http:
        completion = await make_provider(
            ModelSpec(provider="openai", model="m", base_url=url + "/v1"), http
        ).complete(ASK)
    assert (completion.text, completion.tokens_in, completion.cost_usd) == ("ok", 3, 0.5)
    json.dumps({"cost": completion.cost_usd}, allow_nan=False)


# -- a Python component's returned values ----------------------------------------------------------

MODULE = """
def huge_tokens(messages, vars):
    return {"output": "ok", "tokens_in": 10**20}

def negative_tokens(messages, vars):
    return {"output": "ok", "tokens_out": -1}

def nan_cost(messages, vars):
    return {"output": "ok", "cost_usd": float("nan")}

def huge_int_cost(messages, vars):
    return {"output": "ok", "cost_usd": 10**400}

def big_output(messages, vars):
    return "x" * 2_000_000

def big_dict_output(messages, vars):
    return {"output": "é" * 600_000}

def fine(messages, vars):
    return {"output": "ok", "tokens_in": 2**63 - 1, "cost_usd": 0.25}
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    name = "evaltui_values_" + "".join(c if c.isalnum() else "_" for c in request.node.name)
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.mark.parametrize(
    ("function", "says"),
    [
        ("huge_tokens", "tokens_in is 100000000000000000000, outside"),
        ("negative_tokens", "tokens_out is -1"),
        ("nan_cost", "cost is nan"),
        ("huge_int_cost", "cost is inf"),
        ("big_output", "larger than the limit of 1 MB"),
        ("big_dict_output", "larger than the limit of 1 MB"),  # 600,000 characters, 1.2 MB of UTF-8
    ],
)
async def test_a_python_component_s_value_out_of_range_is_the_case_s_final_error(
    module: str, function: str, says: str
) -> None:
    spec = ModelSpec(provider="python", model=f"{module}:{function}", max_response_mb=1)
    with pytest.raises(ProviderError, match=f"python model {module}:{function}: .*{says}") as caught:
        await make_provider(spec, HttpClient()).complete(ASK)
    assert not caught.value.retryable


async def test_a_python_component_s_values_at_the_edges_are_kept(module: str) -> None:
    spec = ModelSpec(provider="python", model=f"{module}:fine", max_response_mb=1)
    completion = await make_provider(spec, HttpClient()).complete(ASK)
    assert (completion.tokens_in, completion.cost_usd) == (2**63 - 1, 0.25)

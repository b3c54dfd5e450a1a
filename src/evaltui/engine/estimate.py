"""What a run will cost and how long it will take, before it starts (`evaltui run --estimate`, the
Launch dialog). Every figure says where it comes from, and which ones are estimates:

- requests: cases x epochs; an agent (`max_steps` > 1) asks once a step, so that is a floor;
- prompt tokens: the messages and the tool definitions sent with every request (an agent's later
  steps, which also resend the conversation so far, are not counted: a floor), counted with the
  vendor's tokenizer where one is installed (tiktoken, for OpenAI models, when it and its encoding
  files are present), else estimated as characters / 4 (about right for English; code and other
  scripts take more tokens);
- output tokens: from earlier runs of the same suite and model (their mean a fresh answer), else the
  model's `max_tokens` (an upper bound), else unknown;
- cost: those tokens at the spec's price or the built-in table (analysis/pricing.py); a floor
  (`cost_is_floor`) for an agent, or with a price but no output tokens (what the prompts alone
  cost); unknown without a price;
- time: the cases at the earlier runs' median latency, `concurrency` at a time; unknown without an
  earlier run. Rate limits (a model's `rpm`) bound it from below.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any

from evaltui.analysis.pricing import cost_usd, price_for
from evaltui.engine.prepare import PreparedSuite
from evaltui.engine.storage import RunHistory
from evaltui.format import money
from evaltui.records import RunRecord
from evaltui.suites.models import ModelSpec

CHARS_A_TOKEN = 4


@dataclass(frozen=True, slots=True)
class History:
    """What earlier runs of the suite and model say: mean output tokens of a fresh answer and the
    median latency, with how many runs they come from."""

    runs: int
    tokens_out: float | None
    latency_ms: float | None


@dataclass(frozen=True, slots=True)
class Estimate:
    model_id: str
    requests: int  # cases x epochs
    tokens_in: int
    tokens_in_how: str  # "tiktoken o200k_base" (counted) or "characters / 4" (estimated)
    tokens_out: int | None
    tokens_out_how: str
    cost_usd: float | None
    cost_how: str
    seconds: float | None
    seconds_how: str
    requests_how: str = ""  # "" when exact; why it is a floor otherwise
    cost_is_floor: bool = False  # cost_usd is what the prompts alone cost: the run costs more

    @property
    def cost_text(self) -> str:
        """The cost as a figure to print: `?`, `$0.0123`, or `≥ $0.0040` for a floor."""
        if self.cost_usd is None:
            return "?"
        return ("≥ " if self.cost_is_floor else "") + money(self.cost_usd)


def estimate(
    prepared: PreparedSuite,
    model: ModelSpec,
    *,
    concurrency: int,
    limit: int | None = None,
    tags: tuple[str, ...] = (),
    epochs: int | None = None,
    prices: Mapping[str, Any] | None = None,
    history: History | None = None,
) -> Estimate:
    epochs = epochs or prepared.suite.epochs
    count, how_in = _counter(model)
    chosen = prompt_tokens = 0
    for pc in prepared.select(tags=tags, limit=limit):  # one walk: the cases are not held
        chosen += 1
        prompt_tokens += sum(count(str(m.get("content") or "")) for m in pc.messages)
    requests = chosen * epochs
    tools = prepared.suite.tools
    tokens_in = prompt_tokens * epochs
    if tools:  # sent with every request
        tokens_in += count(json.dumps([tool.as_request() for tool in tools])) * requests
    how_requests = ""
    if prepared.suite.max_steps > 1:
        how_requests = f"at least: an agent asks once a step, up to max_steps {prepared.suite.max_steps}"
        how_in = f"{how_in}, at least (one step a case)"
    if tools:
        how_in = f"{how_in}, tool definitions included"
    tokens_out, how_out = _output_tokens(model, history, requests)
    price = model.price or price_for(model.provider, model.model, prices, base_url=model.base_url)
    cost = cost_usd(price, tokens_in, tokens_out or 0) if price is not None else None
    if price is None:
        how_cost = "unknown: no price for this model (give one with `price:` or the config's `prices`)"
    elif tokens_out is None:
        how_cost = "at least: the prompts alone (the answers' length is unknown)"
    else:
        how_cost = "estimate: " + ("the spec's price" if model.price else "the price table")
        if how_requests:
            how_cost = f"at least: one step a case, {how_cost}"
    seconds, how_time = _duration(model, history, requests, concurrency)
    return Estimate(
        model.id,
        requests,
        tokens_in,
        how_in,
        tokens_out,
        how_out,
        cost,
        how_cost,
        seconds,
        how_time,
        requests_how=how_requests,
        cost_is_floor=cost is not None and (tokens_out is None or bool(how_requests)),
    )


def history_of(store: RunHistory, suite: str, model_id: str) -> History | None:
    """What the last completed runs of this suite and model say about its answers (blocking: the
    store is read)."""
    runs: list[RunRecord] = store.list_runs(suite=suite, model=model_id, status="completed", limit=5)
    fresh = sum(r.done - (r.metrics.cached if r.metrics else 0) for r in runs)
    if not runs or fresh <= 0:
        return None
    latencies = [p50 for r in runs if r.metrics and (p50 := r.metrics.latency_ms.p50)]
    tokens = sum(r.tokens_out for r in runs) / fresh
    return History(len(runs), tokens, median(latencies) if latencies else None)


def _counter(model: ModelSpec) -> tuple[Callable[[str], int], str]:
    """Token counting for the model's prompts: its tokenizer when installed, else characters / 4."""
    if model.provider == "openai":
        try:
            import tiktoken

            try:
                encoding = tiktoken.encoding_for_model(model.model)
            except KeyError:
                encoding = tiktoken.get_encoding("o200k_base")
            return (lambda text: len(encoding.encode(text, disallowed_special=()))), (
                f"counted (tiktoken {encoding.name})"
            )
        except Exception:  # not installed, or its encoding files cannot be read: estimate instead
            pass
    return (lambda text: math.ceil(len(text) / CHARS_A_TOKEN)), "estimate: characters / 4"


def _output_tokens(model: ModelSpec, history: History | None, requests: int) -> tuple[int | None, str]:
    if history is not None and history.tokens_out is not None:
        runs = f"{history.runs} earlier run{'s' if history.runs != 1 else ''}"
        return round(history.tokens_out * requests), f"estimate: the mean answer of {runs}"
    most = model.params.get("max_tokens") or model.params.get("max_completion_tokens")
    if isinstance(most, int):
        return most * requests, "estimate: at most max_tokens an answer"
    return None, "unknown: no earlier run and no max_tokens"


def _duration(
    model: ModelSpec, history: History | None, requests: int, concurrency: int
) -> tuple[float | None, str]:
    floor = requests / (model.rpm / 60) if model.rpm else None
    if history is None or history.latency_ms is None:
        if floor is not None:
            return floor, "estimate: at least, at the model's rpm"
        return None, "unknown: no earlier run of this suite and model"
    workers = min(concurrency, model.concurrency or concurrency)
    seconds = math.ceil(requests / max(workers, 1)) * history.latency_ms / 1000
    if floor is not None and floor > seconds:
        return floor, "estimate: at the model's rpm"
    return seconds, f"estimate: the median latency of earlier runs, {workers} at a time"

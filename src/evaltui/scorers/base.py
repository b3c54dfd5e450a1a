"""What a scorer is: a function of (what the model produced, what was expected) to a `Score`.

Scorers are registered by name. Each declares its options as a pydantic model, so that a suite
with an unknown scorer, a bad regex or an unreadable schema fails when it is *prepared*
(before any model is asked), with file, line and field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from evaltui.providers.base import Completion, Request, ToolCall
from evaltui.providers.remote import api_key
from evaltui.recordclass import record
from evaltui.records import ScoreRecord
from evaltui.suites.models import Case, ModelSpec

# A scorer's verdict is the very record a result stores: name (the scorer's label: "equals", "not
# contains", a user-given name), passed, value (0..1), reason (a sentence a person can read), weight.
Score = ScoreRecord


# The engine hands judge scorers a way to ask a model through its own machinery
# (concurrency, retries, cache), and gets told what the judge cost.
Judge = Callable[[ModelSpec, Request], Awaitable[Completion]]


@record(frozen=True, slots=True)
class ScoreContext:
    output: str
    expected: Any
    case: Case
    completion: Completion | None  # latency, tokens, cost of the answer being scored
    prompt: list[dict[str, str]]  # the rendered messages the model saw
    suite_dir: str  # for scorer files given by relative path
    judge: Judge | None = None
    secrets: tuple[str, ...] = ()  # API keys to redact from a scorer's error text
    # Every tool call of the case, in the order made: across all steps of an agent loop, else the
    # answer's own (or what a python agent reported). Tool scorers read these.
    tool_calls: tuple[ToolCall, ...] = ()
    steps: int = 1  # model turns taken (engine/agent.py)
    max_steps: int = 1  # the suite's limit on them
    finished: bool = True  # the last turn was an answer, not more tool calls


def model_secrets(models: Iterable[ModelSpec]) -> tuple[str, ...]:
    """The API keys these models read from the environment: a scorer's exception text (user code,
    a judge's error) is redacted of them, as provider errors are."""
    return tuple(key for spec in models if (key := api_key(spec)[1]))

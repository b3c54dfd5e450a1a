"""A case's trajectory: each step of an agent loop (the model's text, the tool calls it made with
their arguments pretty-printed, the results fed back, its figures), or the tool calls of a one-step
answer. One `Static` a step, so a screen can step through them (`step_to`) and scroll the current
one into view. Every piece of model or suite text goes through safe_text: inert, never markup."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

import evaltui.format as fmt
from evaltui.tui.widgets.safe_text import one_line, safe_text

ARGUMENTS_LIMIT = 8_000  # characters of one call's pretty-printed arguments shown


class Trajectory(Vertical):
    DEFAULT_CSS = """
    Trajectory { height: auto; }
    Trajectory > .step { height: auto; padding: 0 1; border-left: wide $primary 30%; margin-bottom: 1; }
    Trajectory > .step.current { border-left: wide $accent; background: $boost; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.current = 0
        self.steps: list[Static] = []  # one a step, in order (children being removed are not here)

    @property
    def count(self) -> int:
        return len(self.steps)

    def compose(self) -> ComposeResult:
        return iter(())

    def show(self, steps: list[dict[str, Any]] | None, tool_calls: list[dict[str, Any]] | None) -> None:
        """Replace what is shown: the steps, else one pseudo-step holding the answer's tool calls.
        The widgets of the steps shown before are removed once the loop gets to it, so they carry no
        id a new step could clash with; `steps` holds the ones shown now."""
        if steps:
            blocks = [step_text(step, len(steps)) for step in steps]
        elif tool_calls:
            blocks = [calls_text(tool_calls)]
        else:
            blocks = []
        for old in self.steps:
            old.remove()
        self.current = 0
        self.steps = [
            Static(block, classes="step current" if i == 0 else "step") for i, block in enumerate(blocks)
        ]
        self.mount_all(self.steps)

    def step_to(self, index: int) -> bool:
        """Make step `index` the current one and scroll it into view; False when there is none."""
        if not 0 <= index < self.count:
            return False
        for i, step in enumerate(self.steps):
            step.set_class(i == index, "current")
        self.current = index
        self.steps[index].scroll_visible(animate=False)
        return True


def step_text(step: dict[str, Any], total: int) -> Text:
    index = int(step.get("index") or 0)
    text = Text()
    text.append(f"Step {index + 1} of {total}", "bold")
    tokens = fmt.tokens(step.get("tokens_in"), step.get("tokens_out"))
    latency, cost = fmt.ms(step.get("latency_ms")), fmt.money(step.get("cost_usd"))
    text.append(f"   {latency}   tokens {tokens}   cost {cost}")
    if step.get("cached"):
        text.append("   cached", "bold")
    if step.get("text"):
        text.append("\n")
        text.append_text(safe_text(step["text"]))
    results = {str(r.get("tool_call_id")): r for r in step.get("tool_results") or []}
    for call in step.get("tool_calls") or []:
        text.append("\n")
        text.append_text(call_text(call))
        result = results.get(str(call.get("id")))
        if result is not None:
            text.append("\n← result  ", "bold")
            text.append_text(safe_text(result.get("content", "")))
    if not step.get("tool_calls"):
        text.append("\n(answered without calling a tool)", "dim italic")
    return text


def calls_text(calls: list[dict[str, Any]]) -> Text:
    text = Text(f"Tool calls ({len(calls)})", "bold")
    for call in calls:
        text.append("\n")
        text.append_text(call_text(call))
    return text


def call_text(call: dict[str, Any]) -> Text:
    """→ name  id, then the arguments as indented JSON (keys sorted: the same call reads the same
    whatever order the model wrote them in), or as written when they were not JSON."""
    text = Text("→ ", "bold")
    text.append_text(one_line(call.get("name", "?"), 64, style="bold"))
    text.append_text(one_line(f"  id {call.get('id', '')}", 80, style="dim"))
    if call.get("malformed"):
        text.append("\narguments are not valid JSON; as written:\n", "italic")
        text.append_text(safe_text(str(call.get("raw_arguments", "")), limit=ARGUMENTS_LIMIT))
    else:
        pretty = json.dumps(call.get("arguments"), ensure_ascii=False, indent=2, sort_keys=True)
        text.append("\n")
        text.append_text(safe_text(pretty, limit=ARGUMENTS_LIMIT))
    return text

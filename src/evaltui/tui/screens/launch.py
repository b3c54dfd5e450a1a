"""Launch (modal, `r` on a suite): which models, how many requests in flight, which cases,
and a label. `enter` starts; the result is a `LaunchRequest` for the app's live runs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList, Static

from evaltui.engine import RunOptions
from evaltui.errors import EvaltuiError
from evaltui.suites import parse_model_spec
from evaltui.suites.models import ModelSpec, Suite
from evaltui.tui.live import LaunchRequest
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import inert_str, one_line
from evaltui.tui.worker_errors import ReportsWorkerErrors

DEMO_MODELS = ("demo:keyword", "demo:rules", "demo:echo", "demo:hostile")


def choose_models(suite: Suite, picked: list[str], typed: str) -> list[ModelSpec]:
    """Picked ids are the suite's models (or specs like demo:rules); `typed` adds specs, comma separated."""
    by_id = {model.id: model for model in suite.models}
    models = [by_id.get(model_id) or parse_model_spec(model_id) for model_id in picked]
    models += [parse_model_spec(spec) for spec in typed.split(",") if spec.strip()]
    if not models:
        raise EvaltuiError("Pick at least one model (space toggles) or type a spec such as demo:keyword.")
    return list({model.id: model for model in models}.values())


def parse_count(text: str, what: str, *, default: int | None) -> int | None:
    text = text.strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise EvaltuiError(f"{what} must be a whole number of at least 1, not {text!r}.")
    return int(text)


class LaunchScreen(ReportsWorkerErrors, ModalScreen[LaunchRequest | None]):
    CSS_PATH = "launch.tcss"
    BINDINGS = [
        Binding(
            "enter",
            "start",
            "Start",
            tooltip="Start the run(s) with these settings",
            id="launch.start",
            priority=True,
        ),
        Binding("escape", "cancel", "Cancel", tooltip="Close without running", id="launch.cancel"),
    ]

    def __init__(self, suite: Suite, concurrency: int) -> None:
        super().__init__()
        self.suite = suite
        self.concurrency = concurrency

    def compose(self) -> ComposeResult:
        defaults = [model.id for model in self.suite.models]
        extra = [spec for spec in DEMO_MODELS if spec not in defaults]
        with VerticalScroll(id="launch"):
            yield Label(one_line(f"Run {self.suite.name} ({len(self.suite.cases)} cases)", 70), id="title")
            yield Label("Models (space toggles; suite defaults are selected)")
            yield SelectionList[str](
                *[(inert_str(model_id, 60), model_id, True) for model_id in defaults],
                *[(spec, spec, False) for spec in extra],
                id="models",
            )
            yield Input(placeholder="another model: provider:model, e.g. openai:gpt-4o-mini", id="spec")
            with Horizontal(classes="row"):
                yield Input(
                    str(self.concurrency), placeholder="concurrency", type="integer", id="concurrency"
                )
                yield Input(placeholder="case limit (all)", type="integer", id="limit")
            with Horizontal(classes="row"):
                yield Input(placeholder="only tags (comma separated)", id="tags")
                yield Input(placeholder="label (e.g. baseline)", id="label")
            yield Static(id="launch-error")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#models", SelectionList).border_title = "Models"
        for name, title in (
            ("concurrency", "Concurrency"),
            ("limit", "Case limit"),
            ("tags", "Tags"),
            ("label", "Label"),
            ("spec", "Model spec"),
        ):
            self.query_one(f"#{name}", Input).border_title = title

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def build_request(self) -> LaunchRequest:
        picked = list(self.query_one("#models", SelectionList).selected)
        models = choose_models(self.suite, picked, self._value("spec"))
        options = RunOptions(
            concurrency=parse_count(self._value("concurrency"), "Concurrency", default=self.concurrency)
            or self.concurrency,
            limit=parse_count(self._value("limit"), "The case limit", default=None),
            tags=tuple(tag.strip() for tag in self._value("tags").split(",") if tag.strip()),
            label=self._value("label").strip() or None,
        )
        return LaunchRequest(self.suite, models, options)

    def action_start(self) -> None:
        try:
            request = self.build_request()
        except EvaltuiError as exc:
            self.query_one("#launch-error", Static).update(one_line(str(exc), 200))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_start()

"""Launch (modal, `r` on a suite): which models, how many requests in flight, which cases, how
many epochs, whether answers may come from the response cache, and a label. `enter` starts; the
result is a `LaunchRequest` for the app's live runs. A bad value is said under the fields. Under
them, each picked model's expected cost and time (engine/estimate.py), worked out as they change."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList, Static, Switch
from textual.worker import get_current_worker

import evaltui.format as fmt
from evaltui.engine import PreparedSuite, RunOptions, prepare
from evaltui.engine.estimate import Estimate, estimate, history_of
from evaltui.errors import EvaltuiError
from evaltui.providers.keys import check_keys
from evaltui.suites import named_models, parse_model_spec
from evaltui.suites.limits import MAX_EPOCHS
from evaltui.suites.models import ModelSpec, Suite
from evaltui.tui.host import host
from evaltui.tui.requests import LaunchRequest
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import inert_str, one_line
from evaltui.tui.worker_errors import ReportsWorkerErrors

DEMO_MODELS = ("demo:keyword", "demo:rules", "demo:echo", "demo:hostile")


def choose_models(suite: Suite, picked: list[str], typed: str) -> list[ModelSpec]:
    """Picked ids are the suite's models (or specs like demo:rules); `typed` adds specs, comma separated."""
    models = named_models(suite, picked)
    models += [parse_model_spec(spec) for spec in typed.split(",") if spec.strip()]
    if not models:
        raise EvaltuiError("Pick at least one model (space toggles) or type a spec such as demo:keyword.")
    return list({model.id: model for model in models}.values())


def parse_count(text: str, what: str, *, default: int | None, most: int | None = None) -> int | None:
    """A whole number from 1 (to `most`) typed in a field; empty gives `default`."""
    text = text.strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:  # not a number (or one of thousands of digits)
        value = 0
    if value < 1 or (most is not None and value > most):
        span = f"from 1 to {most}" if most is not None else "of at least 1"
        raise EvaltuiError(f"{what} must be a whole number {span}, not {one_line(text, 20).plain!r}.")
    return value


class LaunchScreen(ReportsWorkerErrors, ModalScreen[LaunchRequest | None]):
    CSS_PATH = "launch.tcss"
    AUTO_FOCUS = "#models"  # "space toggles" from the first key (not the dialog's scroll area)
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
        self._prepared: PreparedSuite | None = None  # for the estimate, prepared once

    def compose(self) -> ComposeResult:
        defaults = [model.id for model in self.suite.models]
        extra = [spec for spec in DEMO_MODELS if spec not in defaults]
        with VerticalScroll(id="launch"):
            yield Label(
                one_line(f"Run {self.suite.name} ({fmt.counted(len(self.suite.cases), 'case')})", 70),
                id="title",
            )
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
                yield Input(placeholder=f"suite's: {self.suite.epochs}", type="integer", id="epochs")
            with Horizontal(classes="row"):
                yield Input(placeholder="only tags (comma separated)", id="tags")
                yield Input(placeholder="label (e.g. baseline)", id="label")
                with Horizontal(id="cache-row"):
                    yield Switch(
                        False, id="no-cache", tooltip="Ask the model every case, even one answered before"
                    )
                    yield Label("no cache", id="no-cache-label")
            yield Static(id="launch-estimate")
            yield Static(id="launch-error")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#models", SelectionList).border_title = "Models"
        for name, title in (
            ("concurrency", "Concurrency"),
            ("limit", "Case limit"),
            ("tags", "Tags"),
            ("label", "Label"),
            ("epochs", "Epochs"),
            ("spec", "Model spec"),
        ):
            self.query_one(f"#{name}", Input).border_title = title
        self._estimate()

    @on(SelectionList.SelectedChanged)
    @on(Input.Changed, "#spec, #limit, #epochs, #concurrency, #tags")
    def _settings_changed(self) -> None:
        self._estimate()

    def _estimate(self) -> None:
        """Each picked model's expected cost and time, worked out off the UI thread."""
        try:
            request = self.build_request(check=False)
        except EvaltuiError:
            return  # the fields are being typed: the last estimate stays until they make sense
        self._work_out(request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="estimate", name="Estimating the run")
    def _work_out(self, request: LaunchRequest) -> None:
        if self._prepared is None:
            self._prepared = prepare(self.suite)
        options = request.options
        app = host(self)
        guesses = [
            estimate(
                self._prepared,
                model,
                concurrency=options.concurrency,
                limit=options.limit,
                tags=options.tags,
                epochs=options.epochs,
                prices=app.config.prices,
                history=history_of(app.store, self.suite.name, model.id),
            )
            for model in request.models
        ]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_estimates, guesses)

    def _show_estimates(self, guesses: list[Estimate]) -> None:
        text = Text("Estimate (nothing asked yet): ", style="bold")
        for i, guess in enumerate(guesses):
            text.append("; " if i else "")
            text.append_text(one_line(guess.model_id, 30))
            # a floor says "≥"; a figure from a price and a length is "~" (an estimate)
            shown = guess.cost_text if guess.cost_is_floor else f"~{guess.cost_text}"
            cost = "cost ?" if guess.cost_usd is None else shown
            time = "time ?" if guess.seconds is None else f"~{guess.seconds:,.0f} s"
            text.append(f" {cost}, {time}")
        if guesses:
            text.append(f"\n{guesses[0].tokens_in:,} prompt tokens ({guesses[0].tokens_in_how})", style="dim")
        self.query_one("#launch-estimate", Static).update(text)

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def build_request(self, *, check: bool = True) -> LaunchRequest:
        picked = list(self.query_one("#models", SelectionList).selected)
        models = choose_models(self.suite, picked, self._value("spec"))
        if check:
            check_keys(models)  # the CLI's check and message
        options = RunOptions(
            concurrency=parse_count(self._value("concurrency"), "Concurrency", default=self.concurrency)
            or self.concurrency,
            limit=parse_count(self._value("limit"), "The case limit", default=None),
            tags=tuple(tag.strip() for tag in self._value("tags").split(",") if tag.strip()),
            label=self._value("label").strip() or None,
            epochs=parse_count(self._value("epochs"), "Epochs", default=None, most=MAX_EPOCHS),
            use_cache=not self.query_one("#no-cache", Switch).value,
        )
        return LaunchRequest(self.suite, models, options)

    def action_start(self) -> None:
        try:
            request = self.build_request()
        except EvaltuiError as exc:
            error = self.query_one("#launch-error", Static)
            error.update(one_line(str(exc), 200))
            # in a small terminal the dialog scrolls: the error must not wait below the fold
            self.call_after_refresh(error.scroll_visible, animate=False)
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_start()

"""Command palette providers: jump to a suite, a run, or a case of the run on screen, by id; and
compare, resume or retry runs without knowing the keys.

Every label holding stored text (suite names, labels, ids) is built as plain `Content`, never
parsed: `highlight` replaces `Matcher.highlight`, which reads its candidate as markup."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from evaltui.records import Result, ResultPreview, RunRecord
from evaltui.tui.host import Host, host
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.safe_text import inert_str


def _app(provider: Provider) -> Host:
    """The app these commands act on: `EvaltuiApp`, seen through the protocol it satisfies."""
    return host(provider)


def highlight(matcher: Matcher, plain: str) -> Content:
    """`plain` with the matched characters styled, as `Matcher.highlight` does, but kept plain: a
    suite named `[@click=app.quit]x[/]` is shown as typed, not turned into a link."""
    content = Content(plain)
    _, offsets = matcher.fuzzy_search.match(matcher.query, plain)
    for offset in offsets:
        if not plain[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class SuiteCommands(Provider):
    """Suites found in the suite folders (as loaded by the home screen)."""

    def _commands(self) -> list[tuple[str, str]]:
        return [
            (f"Suite: {inert_str(entry.suite.name)}", entry.suite.name)
            for entry in _app(self).suites
            if entry.suite
        ]

    async def discover(self) -> Hits:
        for label, name in self._commands():
            yield DiscoveryHit(Content(label), partial(_app(self).show_suite, name), help="Select this suite")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, name in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, highlight(matcher, label), partial(_app(self).show_suite, name))


class RunCommands(Provider):
    """The most recent runs, by id, suite, model or label."""

    async def startup(self) -> None:
        self._runs: list[RunRecord] = await asyncio.to_thread(_app(self).store.list_runs, limit=300)

    def _label(self, run: RunRecord) -> str:
        label = f" [{run.label}]" if run.label else ""
        return inert_str(f"Run {run.id} · {run.suite} · {run.model_id}{label}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for run in self._runs:
            text = self._label(run)
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), partial(_app(self).open_run, run.id))


class CaseCommands(Provider):
    """A case of the run on screen, by exact id or by text in its input, output or expected."""

    async def search(self, query: str) -> Hits:
        app = _app(self)
        run_id = getattr(self.screen, "run_id", None)
        if not run_id or not query.strip():
            return
        exact = await asyncio.to_thread(app.store.get_result, run_id, query.strip())
        rows: list[Result | ResultPreview] = [exact] if exact else []
        rows += await asyncio.to_thread(app.store.page_results, run_id, search=query, limit=20)
        seen: set[tuple[str, int]] = set()
        for row in rows:
            key = (row.case_id, row.epoch)
            if key in seen:
                continue
            seen.add(key)
            text = Content(inert_str(f"Case {key[0]} ({row.status})"))
            score = 1.0 if key[0] == query.strip() else 0.5
            yield Hit(score, text, partial(app.open_case, run_id, *key), help="Open this case")


class KeyCommands(Provider):
    """Commands that do what a key does where the palette was opened: `startup` lists them as
    (label, command, help), only those that can act now."""

    _commands: list[tuple[str, Callable[[], object], str]]

    async def discover(self) -> Hits:
        for label, command, about in self._commands:
            yield DiscoveryHit(Content(label), command, text=label, help=about)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, command, about in self._commands:
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, highlight(matcher, label), command, text=label, help=about)


class CompareCommands(KeyCommands):
    """Comparing runs, for whoever does not know the keys: on a Run screen, the run before it (c),
    the baseline (b) and the matrix of its launch (m); anywhere, the two runs marked with space.
    Each command calls what its key calls."""

    async def startup(self) -> None:
        app, screen = _app(self), self.screen
        self._commands = []
        if isinstance(screen, RunScreen):
            if len(app.marked) != 2:  # then c compares the marked runs: offered below
                self._commands.append(
                    (
                        "Compare with the previous run",
                        partial(screen.action_compare, "previous"),
                        "The run before this one of the same suite and model (key c)",
                    )
                )
            self._commands.append(
                (
                    "Compare with the baseline run",
                    partial(screen.action_compare, "baseline"),
                    "The latest run labelled baseline (key b)",
                )
            )
            group = screen.run.group_id
            if group and await asyncio.to_thread(app.store.count_runs, group_id=group) > 1:
                self._commands.append(
                    (
                        "Open the matrix of this launch",
                        screen.action_matrix,
                        "Every model of this launch, case by case (key m)",
                    )
                )
        if len(app.marked) == 2:
            run_a, run_b = app.marked
            self._commands.append(
                (
                    inert_str(f"Compare marked runs A vs B: {run_a} vs {run_b}"),
                    partial(app.open_compare, run_a, run_b),
                    "The two runs marked with space: is B better than A? (key c on Runs or a Run)",
                )
            )


class ResumeCommands(KeyCommands):
    """On a Run screen whose run ended early or has errored cases: resume it, or ask its errored
    cases again. Each command calls what its key calls (r, E)."""

    async def startup(self) -> None:
        screen = self.screen
        self._commands = []
        if not isinstance(screen, RunScreen):
            return
        if screen.resumable():
            self._commands.append(
                (
                    "Resume this run",
                    screen.action_resume,
                    "Ask the cases it never asked, with the options it was started with (key r)",
                )
            )
        if screen.resumable(retry_errors=True):
            self._commands.append(
                (
                    "Retry this run's errored cases",
                    partial(screen.action_resume, True),
                    f"Ask its {screen.run.errors} errored cases again (key E)",
                )
            )

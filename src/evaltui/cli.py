"""The command line. `evaltui` alone opens the TUI; the subcommands work headless (CI).

Exit codes, decided here and only here: 0 success, 1 a failed gate (or the TUI stopped on an
error), 2 a usage, suite or store error (message on stderr, no traceback), 3 a run failed because
its model could not be asked (endpoint unreachable, key refused: commands/run.py), 4 a run stopped
at its cost ceiling, 130 interrupted by the user. A bug (any other exception) is exit 2 too, with
one line naming the log file that holds its traceback.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from evaltui.commands.database import no_database_yet, open_store
from evaltui.errors import EvaltuiError, GateError
from evaltui.suites.limits import MAX_EPOCHS
from evaltui.terminal import Terminal
from evaltui.text import json_text, make_visible
from evaltui.version import __version__

if TYPE_CHECKING:
    from evaltui.config import Config

terminal = Terminal()  # stdout and stderr, each a Rich console made when first printed on


def fail(message: str, code: int = 2) -> NoReturn:
    terminal.err.print(f"evaltui: {message}", markup=False, soft_wrap=True)
    sys.exit(code)


# `evaltui --help` lists commands in the order a newcomer needs them; any other command comes after.
# The loop after a run (annotate, accept, rescore, trends) comes right after comparing runs.
FIRST_STEPS = [
    "run", "show", "runs", "compare", "annotate", "accept", "rescore", "trends",
    "validate", "import", "export", "merge", "serve", "config",
]  # fmt: skip


class Cli(click.Group):
    """Turns evaltui's own errors into exit codes and one-line messages, never tracebacks."""

    whole_process = False  # invoked on the process's own arguments: the program, not a caller's call

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        self.whole_process = args is None  # the `evaltui` script and `python -m evaltui`; a test passes args
        return super().main(args, *rest, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        placed = [name for name in FIRST_STEPS if name in self.commands]
        return placed + sorted(set(self.commands) - set(placed))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8, kept by Python as surrogates
                shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
                fail(f"the argument {shown!r} is not valid UTF-8 text")
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GateError as exc:
            fail(str(exc), 1)
        except EvaltuiError as exc:
            fail(str(exc), 2)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:  # the reader went (`| head`): stop quietly, as other tools do
            _stop_writing()
            sys.exit(SIGPIPE_EXIT)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug: its traceback goes to a log file, not the terminal
            fail(f"internal error: {_first_line(exc)}; the traceback is in {_crash_log()}", 2)


SIGPIPE_EXIT = 141  # what the shell reports for a command stopped by a closed pipe (128 + SIGPIPE)


def _stop_writing() -> None:
    """Point standard output at the null device, so that flushing it at exit cannot fail again."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
    return make_visible(text[:300])


def _crash_log() -> str:
    """Write the exception being handled to a new file in the user's log folder; its path."""
    import platformdirs

    folder = Path(platformdirs.user_log_dir("evaltui"))
    path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(f"evaltui {__version__}: {' '.join(sys.argv)}\n{traceback.format_exc()}")
    except OSError as exc:
        return f"(no log: cannot write {path}: {exc.strerror})"
    return str(path)


def check_output_path(option: str, value: str | None) -> None:
    """An output file's folder must exist before any work is done: a run is not stored only to
    find the report cannot be written."""
    if value is None or value == "-":
        return
    path = Path(value)
    if path.is_dir():
        fail(f"{option}: {value} is a folder; give a file name")
    if not path.parent.is_dir():
        fail(f"{option}: the folder {str(path.parent)!r} does not exist")


db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Results database (default: $EVALTUI_DB, else the user data folder).",
)


suites_option = click.option(
    "--suites",
    "suite_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of suites to list (repeatable); ./evals, ./sample_suites and the samples too.",
)


@click.group(cls=Cli, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evaltui")
@db_option
@suites_option
@click.pass_context
def main(ctx: click.Context, db: Path | None, suite_dirs: tuple[Path, ...]) -> None:
    """Eval-driven development for AI features, in the terminal.

    With no command, opens the TUI on the results database and the suites found.
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"db": db, "suite_dirs": suite_dirs}
        return
    from evaltui.config import default_suite_dirs, load_config
    from evaltui.tui.app import make_app

    config = load_config(db_path=db)

    app = make_app(config, config.db_path, default_suite_dirs(config, list(suite_dirs)))
    app.run()
    if app.return_code:  # the app stopped on an error (Textual printed it): never exit 0 then
        sys.exit(app.return_code)


def config_for(ctx: click.Context, db: Path | None) -> Config:
    """The settings (imported here, not at start-up: they load pydantic, which `--version` and
    `--help` do without)."""
    from evaltui.config import load_config

    return load_config(db_path=db or (ctx.obj or {}).get("db"))


@main.command()
@click.argument("suite", required=False, type=click.Path(path_type=Path))
@click.option(
    "-m",
    "--model",
    "models",
    multiple=True,
    help="Model spec (repeatable): demo:keyword, "
    "openai:gpt-4o-mini, anthropic:..., ollama:..., python:pkg.mod:func, or a suite model id.",
)
@click.option("-c", "--concurrency", type=click.IntRange(1, 4096), default=None, help="Requests in flight.")
@click.option(
    "-p",
    "--prompt-variant",
    "variants",
    multiple=True,
    metavar="ID",
    help="Run only this one of the suite's `prompts:` variants (repeatable; default: every variant).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Run only the first N cases.")
@click.option("-t", "--tag", "tags", multiple=True, help="Run only cases with this tag (repeatable).")
@click.option("--label", default=None, help="A label for the run (e.g. baseline).")
@click.option("--epochs", type=click.IntRange(1, MAX_EPOCHS), default=None, help="Ask each case N times.")
@click.option("--no-cache", is_flag=True, help="Ask the model even when a cached answer exists.")
@click.option(
    "--estimate",
    is_flag=True,
    help="Say what the run would cost and how long it would take, per model, and run nothing.",
)
@click.option(
    "--max-cost",
    "max_cost",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="USD",
    help="Stop asking when the run has spent this much (requests in flight finish); exit 4, resumable.",
)
@click.option(
    "--sandbox",
    type=click.Choice(["bwrap", "none"]),
    default=None,
    help="Where code-exec runs model code: bwrap (bubblewrap, the default) or none (unsandboxed: "
    "only for code you trust; warned and recorded with the run). Overrides the suite's choice.",
)
@click.option(
    "--resume",
    "resume",
    default=None,
    metavar="RUN_ID",
    help="Finish a run that ended early (interrupted, stopped or failed).",
)
@click.option("--retry-errors", is_flag=True, help="With --resume, ask again the cases that errored.")
@click.option(
    "--only-failing",
    default=None,
    metavar="RUN",
    help="A new run of only the cases that failed or errored in RUN (on RUN's model unless -m; the "
    "suite as its file reads now).",
)
@click.option("--rescore", default=None, metavar="RUN", hidden=True, help="See `evaltui rescore`.")
@click.option("--events", default=None, metavar="FILE|-", help="Write engine events as JSON lines.")
@click.option("--json", "json_out", default=None, metavar="FILE|-", help="Write the run summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option(
    "--baseline", default=None, metavar="RUN", help="Compare each new run with this run (id, label:NAME)."
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 1),
    default=None,
    help="Exit 1 when a run's pass rate is below this share (0-1). The rate is over every case the "
    "run was asked to do: an errored case counts as not passed.",
)
@click.option(
    "--max-regressions",
    type=click.IntRange(0),
    default=None,
    help="Exit 1 when a run has more regressions (pass→fail) than this vs --baseline.",
)
@click.option("--junit", default=None, metavar="FILE", help="Write JUnit XML: one test per case.")
@click.option(
    "--report", default=None, metavar="FILE", help="Write a Markdown report (pull-request comment)."
)
@db_option
@click.pass_context
def run(ctx: click.Context, suite: Path | None, db: Path | None, **opts: Any) -> None:
    """Run SUITE (a YAML file) against its models, or those given with -m."""
    collecting = gc.isenabled()
    # Start-up (imports, the config, the suite, the plan) makes little garbage but many objects
    # that live as long as the run, which the collector's passes would walk again and again: it is
    # paused until the run starts, where run_headless freezes what start-up built and resumes it.
    gc.disable()
    try:
        code = _run_command(ctx, suite, db, **opts)
    finally:
        if collecting:
            gc.enable()
    root = ctx.find_root().command
    if isinstance(root, Cli) and root.whole_process:
        exit_now(code)
    # Everything still alive lives until the process ends: frozen out of the garbage collector's
    # reach (as run_headless does at a run's start), the interpreter's exit does not walk all of it
    # in its full collections, a wait after the summary is printed that grew with the run.
    gc.freeze()
    sys.exit(code)


def _run_command(ctx: click.Context, suite: Path | None, db: Path | None, **opts: Any) -> int:
    if suite is None and not opts["resume"] and not opts["only_failing"] and not opts["rescore"]:
        raise click.UsageError("give a SUITE file, or --resume RUN_ID, or --only-failing RUN")
    if opts["resume"] and opts["only_failing"]:
        raise click.UsageError("--resume finishes a run; --only-failing starts a new one: give one of them")
    for option, key in (
        ("--junit", "junit"),
        ("--report", "report"),
        ("--json", "json_out"),
        ("--events", "events"),
    ):
        check_output_path(option, opts[key])
    check_outputs_apart({"--junit": opts["junit"], "--report": opts["report"], "--json": opts["json_out"],
                         "--events": opts["events"]})  # fmt: skip
    root = ctx.find_root().command
    if isinstance(root, Cli) and root.whole_process and not opts["rescore"] and not opts["estimate"]:
        _import_http_client_meanwhile()
    from evaltui.commands.run import run_command

    return run_command(config_for(ctx, db), suite, terminal, **opts)


def _import_http_client_meanwhile() -> None:
    """Import the HTTP client (aiohttp) and the run's event loop (uvloop, where installed) on a
    thread of their own while this one imports and loads the rest, so that they are there by the
    first request. Most of an import is Python, which the two threads take turns at; but aiohttp's
    also loads the system's CA certificates (twice, for the two TLS contexts it makes at import),
    work in OpenSSL that lets the other thread go on meanwhile. None of evaltui's modules, which
    this thread is importing. A failure here is left to the run, which imports them again and
    reports it (or, for uvloop, uses asyncio's own loop)."""

    def load() -> None:
        with contextlib.suppress(Exception):
            import aiohttp  # noqa: F401
        with contextlib.suppress(Exception):
            import uvloop  # noqa: F401

    threading.Thread(target=load, name="evaltui-import-http", daemon=True).start()


def check_outputs_apart(outputs: dict[str, str | None]) -> None:
    """Two outputs to one place mix or overwrite each other (event lines then a JSON document on one
    stream, no JSON reader takes): refused before anything runs."""
    seen: dict[str, str] = {}
    for option, target in outputs.items():
        if target is None:
            continue
        place = "-" if target == "-" else str(Path(target).resolve())
        if place in seen:
            where = "standard output" if target == "-" else target
            raise click.UsageError(f"{seen[place]} and {option} both write to {where}: send one elsewhere")
        seen[place] = option


def exit_now(code: int) -> None:
    """End the process without tearing the interpreter down (module by module, every object freed:
    a wait after the last line is printed that grows with what the run loaded), once nothing is
    left that the teardown would finish: no other thread alive that the interpreter's exit would
    wait for (a daemon thread, such as a Python component's idle or given-up thread, it leaves as
    this does), the store closed (run_command closes it), standard output and error flushed, the
    exit handlers run. Returns, for the usual exit, when a flush fails (a reader gone: the
    interpreter's exit reports it as it always has) or such a thread is still alive."""
    current = threading.current_thread()
    if any(thread is not current and not thread.daemon for thread in threading.enumerate()):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    atexit._run_exitfuncs()  # logging's shutdown and anything else registered, as an exit runs them
    os._exit(code)


@main.command()
@click.argument("run_ref")
@click.option("--label", default=None, help="The new run's label (default: rescore of RUN).")
@click.option("-c", "--concurrency", type=click.IntRange(1, 4096), default=None, help="Judges asked at once.")
@click.option("--json", "json_out", default=None, metavar="FILE|-", help="Write the run summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("--baseline", default=None, metavar="RUN", help="Compare the new run with this run.")
@click.option("--fail-under", type=click.FloatRange(0, 1), default=None, help="Exit 1 under this pass rate.")
@click.option("--max-regressions", type=click.IntRange(0), default=None, help="Exit 1 past this many.")
@click.option("--junit", default=None, metavar="FILE", help="Write JUnit XML: one test per case.")
@click.option("--report", default=None, metavar="FILE", help="Write a Markdown report.")
@db_option
@click.pass_context
def rescore(ctx: click.Context, run_ref: str, db: Path | None, **opts: Any) -> None:
    """Score RUN's stored outputs with the suite's current scorers, as a new run linked to RUN
    (label "rescore of RUN"). No model is asked; judge scorers are asked as usual."""
    ctx.invoke(run, suite=None, db=db, rescore=run_ref, **opts)


@main.command()
@click.option("--suite", default=None, help="Only runs of this suite (name).")
@click.option("--model", default=None, help="Only runs of this model id.")
@click.option("--label", default=None)
@click.option(
    "--status", type=click.Choice(["running", "completed", "interrupted", "stopped", "failed"]), default=None
)
@click.option("-n", "--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@db_option
@click.pass_context
def runs(ctx: click.Context, db: Path | None, as_json: bool, limit: int, **filters: Any) -> None:
    """List runs, newest first."""
    from evaltui.console import runs_table

    config = config_for(ctx, db)
    if no_database_yet(config):  # say so without making one
        terminal.err.print(
            f"No runs yet (no database at {config.db_path}). "
            "Try: evaltui run sample_suites/support_intent.yaml",
            markup=False,
            soft_wrap=True,
        )
        return
    store = open_store(config, reading=True)
    rows = store.list_runs(limit=limit, **filters)
    if as_json:
        click.echo(json_text([row.as_dict() for row in rows]))
    elif not rows and any(filters.values()):
        given = " ".join(f"--{key} {value}" for key, value in filters.items() if value)
        terminal.err.print(f"No runs match {given}.", markup=False, soft_wrap=True)
    elif not rows:
        terminal.err.print(
            "No runs yet. Try: evaltui run sample_suites/support_intent.yaml", markup=False, soft_wrap=True
        )
    else:
        terminal.out.print(runs_table(rows))


@main.command()
@click.argument("run_ref")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(0),
    default=20,
    show_default=True,
    help="How many failing cases to list.",
)
@db_option
@click.pass_context
def show(ctx: click.Context, run_ref: str, db: Path | None, as_json: bool, limit: int) -> None:
    """Summary of a run (id, unique prefix, label:NAME or latest) and its failing cases."""
    from evaltui.commands.show import show_command

    store = open_store(config_for(ctx, db), reading=True)
    show_command(store, store.resolve_run(run_ref), terminal.out, as_json=as_json, limit=limit)


@main.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "-n", "--limit", type=click.IntRange(0), default=10, show_default=True, help="Cases of each kind listed."
)
@click.option(
    "--html",
    "html_out",
    default=None,
    metavar="FILE",
    help="Also write a self-contained HTML report with every regression and improvement diffed.",
)
@db_option
@click.pass_context
def compare(
    ctx: click.Context,
    run_a: str,
    run_b: str,
    db: Path | None,
    as_json: bool,
    limit: int,
    html_out: str | None,
) -> None:
    """Compare run B with run A case by case (B may be `previous`: the run before A of its suite
    and model, compared as A, with A as B). Runs are any reference: id, prefix, label:NAME, latest."""
    from evaltui.commands.compare import compare_command

    check_output_path("--html", html_out)
    store = open_store(config_for(ctx, db), reading=True)
    compare_command(store, run_a, run_b, terminal.out, as_json=as_json, limit=limit, html_out=html_out)


@main.command()
@click.argument("run_ref")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "md", "json", "html"]),
    default="jsonl",
    show_default=True,
    help="jsonl, csv, md: one row per result, streamed; json: the whole run as one document; "
    "html: a self-contained report (summary, per-tag rates, failing cases with diffs).",
)
@click.option("-o", "--output", default="-", metavar="FILE|-", help="Where to write (default stdout).")
@db_option
@click.pass_context
def export(ctx: click.Context, run_ref: str, fmt: str, output: str, db: Path | None) -> None:
    """Write every result of a run (JSON lines, CSV, Markdown, one JSON document) or an HTML report."""
    from evaltui.reports.export import export_run

    check_output_path("--output", output)
    store = open_store(config_for(ctx, db), reading=True)
    export_run(store, store.resolve_run(run_ref), fmt, output)


@main.command()
@click.argument("run_ref")
@click.argument("case_id")
@click.option(
    "--label", "-l", default=None, help="model-wrong, expected-wrong, ambiguous, flaky, scorer-wrong…"
)
@click.option("--note", "-n", default=None, help="A note (any text; several lines are kept).")
@db_option
@click.pass_context
def annotate(
    ctx: click.Context, run_ref: str, case_id: str, label: str | None, note: str | None, db: Path | None
) -> None:
    """Label a case of a run and/or add a note, kept with the run (author: the OS user)."""
    from evaltui.commands.annotate import annotate_command

    if not label and not note:
        raise click.UsageError("give --label, --note, or both")
    store = open_store(config_for(ctx, db))
    annotate_command(store, run_ref, case_id, terminal.out, label=label, note=note)


@main.command()
@click.argument("run_ref")
@click.argument("case_id")
@click.option("--yes", "-y", is_flag=True, help="Write without asking (the diff is still printed).")
@db_option
@click.pass_context
def accept(ctx: click.Context, run_ref: str, case_id: str, yes: bool, db: Path | None) -> None:
    """Write RUN's output for a failing CASE as the case's expected value in the suite's source
    (an inline YAML case, or its line of a JSONL/CSV file; nothing else in the file changes)."""
    from evaltui.commands.accept import accept_command

    accept_command(open_store(config_for(ctx, db)), run_ref, case_id, terminal.out, yes=yes)


@main.command()
@click.argument("suite")
@click.option("--model", default=None, help="Only this model's runs.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@db_option
@click.pass_context
def trends(ctx: click.Context, suite: str, model: str | None, as_json: bool, db: Path | None) -> None:
    """A suite's completed runs over time (SUITE: its name or file): pass rate with its 95%
    interval, p95 latency and cost per run, one series per model; a drop outside what earlier runs
    support is flagged; then the cases whose verdict flips most often."""
    from evaltui.commands.trends import trends_command

    store = open_store(config_for(ctx, db), reading=True)
    trends_command(store, suite, terminal.out, model=model, as_json=as_json)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check suites (files or folders): exit 2 naming file:line:field for a broken one."""
    from evaltui.commands.validate import validate_command

    sys.exit(validate_command(list(paths), terminal.out, terminal.err))


@main.command("import")
@click.argument("kind", type=click.Choice(["promptfoo", "openai-evals", "inspect", "jsonl", "csv", "logs"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", default="-", metavar="FILE|-", help="The suite file to write (default stdout)."
)
@click.option(
    "--prompt",
    type=click.IntRange(1),
    default=None,
    help="promptfoo: keep only this prompt (1-based; default: every prompt, as prompt variants).",
)
@click.option(
    "--eval-class",
    type=click.Choice(["match", "includes", "fuzzy-match"]),
    default=None,
    help="openai-evals: the eval class the samples were written for (default match).",
)
@click.option(
    "--input", "input_", default=None, metavar="COL", help="jsonl/csv: the input column (default input)."
)
@click.option("--expected", default=None, metavar="COL", help="jsonl/csv: the expected-answer column.")
@click.option("--id", "id_", default=None, metavar="COL", help="jsonl/csv: the case id column.")
def import_cmd(
    kind: str, path: Path, output: str, input_: str | None, id_: str | None, **options: Any
) -> None:
    """Write an evaltui suite from another tool's: promptfoo, openai-evals, inspect, a jsonl/csv
    table, or logs (OpenAI-style request/response JSON lines, answered by the `recorded` model)."""
    from evaltui.commands.import_ import import_command

    check_output_path("--output", output)
    import_command(kind, path, output, {**options, "input": input_, "id": id_}, terminal.err)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The results database to merge into (made if missing).",
)
def merge(sources: tuple[Path, ...], into: Path) -> None:
    """Copy the runs of results databases (with suites, cases, results, annotations) into one.
    Run ids are kept; merging the same files again adds nothing."""
    from evaltui.commands.merge import merge_command

    merge_command(list(sources), into, terminal.out)


@main.command("config")
@db_option
@click.pass_context
def config_cmd(ctx: click.Context, db: Path | None) -> None:
    """Print the settings in force and where each came from."""
    from evaltui.config import config_file, describe

    config = config_for(ctx, db)
    terminal.out.print(f"config file: {config_file()}", markup=False, soft_wrap=True)
    for line in describe(config):
        terminal.out.print(line, markup=False, soft_wrap=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--public-url",
    default=None,
    metavar="URL",
    help="The address browsers use to reach the server, when not http://HOST:PORT (a proxy, 0.0.0.0).",
)
@db_option
@suites_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    public_url: str | None,
    db: Path | None,
    suite_dirs: tuple[Path, ...],
) -> None:
    """Serve the TUI in a browser (one app per browser tab) on the same database and suites."""
    from evaltui.commands.serve import app_command, is_loopback
    from evaltui.commands.serve import serve as serve_app

    config = config_for(ctx, db)
    dirs = [*(ctx.obj or {}).get("suite_dirs", ()), *suite_dirs]
    if not is_loopback(host):
        terminal.err.print(
            f"warning: serving on {host}: anyone who can reach this address can open evaltui and "
            "launch runs (spending your API keys' credit). Bind to 127.0.0.1 unless that is intended.",
            markup=False,
            soft_wrap=True,
        )
    serve_app(app_command(config.db_path, dirs), host, port, public_url)

"""Whatever a model returns is stored byte-exact and comes back unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaltui.store import Store
from evaltui.suites.models import Case, Suite
from tests.store.factories import DEMO, result_row

HOSTILE = {
    "markup": "[@click=app.quit]x[/] [bold]unbalanced[/]]",
    "ansi": "\x1b[31mred\x1b[0m\x1b[2J\x1b[H",
    "osc52": "\x1b]52;c;aGVsbG8=\x07",
    "osc8": "\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\",
    "bell_backspace": "a\x07b\x08c",
    "nul": "before\x00after",
    "lone_surrogates": "x\ud800y\udfffz",
    "reversed_surrogate_pair": "\udc00\ud800",
    "rtl_zero_width": "\u202eevil\u202c\u200b\u200d\ufeff",
    "emoji_cjk": "👩‍💻 漢字 ﷽",
    "crlf": "line1\r\nline2\rline3\n",
    "long_line": "é" * 1_000_000,
}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One run whose every output, error, prompt, input and expected value is a hostile string."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with Store(path) as store:
        cases = [Case(id=name, input=text, expected=text) for name, text in HOSTILE.items()]
        suite_id = store.save_suite(Suite(name="hostile", prompt="{{ input }}", cases=cases))
        run_id = store.create_run(suite_id=suite_id, model=DEMO, total=len(cases))
        writer = store.writer()
        for name, text in HOSTILE.items():
            prompt = [{"role": "user", "content": text}]
            writer.put(result_row(run_id, name, "error", output=text, error=text, prompt=prompt))
        writer.close()
    return path, run_id


@pytest.fixture
def store(hostile_db: tuple[Path, str]) -> Iterator[Store]:
    with Store(hostile_db[0]) as s:
        yield s


@pytest.fixture
def hostile_run(hostile_db: tuple[Path, str]) -> str:
    return hostile_db[1]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_output_round_trips_exactly(store: Store, hostile_run: str, name: str) -> None:
    text = HOSTILE[name]
    result = store.get_result(hostile_run, name)
    assert result.output == text
    assert result.error == text
    assert result.prompt == ({"role": "user", "content": text},)
    assert (result.input, result.expected) == (text, text)
    streamed = {r.case_id: r.output for r in store.iter_results(hostile_run)}
    assert streamed[name] == text


def test_previews_are_prefixes_of_the_exact_output(store: Store, hostile_run: str) -> None:
    rows = store.page_results(hostile_run, limit=100)
    assert len(rows) == len(HOSTILE)
    for row in rows:
        full = HOSTILE[row.case_id]
        assert full.startswith(row.output_preview)
        assert len(row.output_preview) == min(len(full), 200)


def test_text_that_utf8_can_hold_is_stored_as_readable_text(store: Store, hostile_run: str) -> None:
    conn = sqlite3.connect(store.path)
    types = dict(conn.execute("SELECT case_id, typeof(output) FROM results"))
    conn.close()
    assert types["emoji_cjk"] == "text"
    assert types["nul"] == "text"
    assert types["lone_surrogates"] == "blob"  # the one form UTF-8 text cannot hold


def test_search_finds_unicode_and_escaped_characters(store: Store, hostile_run: str) -> None:
    assert [r.case_id for r in store.page_results(hostile_run, search="漢字")] == ["emoji_cjk"]
    assert [r.case_id for r in store.page_results(hostile_run, search="line1\r\nline2")] == ["crlf"]
    assert store.count_results(hostile_run, search="[/]") == 1


def test_a_saved_cases_columns_are_its_values_json(tmp_path: Path) -> None:
    """A case's input, expected value, vars and tags are kept as the JSON `dump_json` writes
    (texts readable, lone surrogates escaped), whatever their type: the stored rows a suite's
    content hash and a resume read back."""
    from evaltui.store.codec import dump_json

    values = [*HOSTILE.values(), "plain ascii", "", None, 3, 2.5, True, ["a", {"b": None}], {"k": "é"}]
    cases = [
        Case(id=f"c{i}", input=v, expected=v, vars={} if i % 2 else {"v": "é"}, tags=[] if i % 3 else ["t"])
        for i, v in enumerate(values)
    ]
    with Store(tmp_path / "cases.db") as store:
        suite_id = store.save_suite(Suite(name="values", cases=cases))
        rows = store.conn().execute(
            "SELECT input, expected, vars, tags FROM cases WHERE suite_id = ? ORDER BY position", (suite_id,)
        )
        stored = [tuple(row) for row in rows]
    assert stored == [
        (dump_json(c.input), dump_json(c.expected), dump_json(c.vars), dump_json(c.tags)) for c in cases
    ]

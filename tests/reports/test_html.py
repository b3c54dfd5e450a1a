"""The HTML reports (`evaltui export --format html`, `evaltui compare --html`) and the one-document
JSON export: self-contained, complete, and safe to open whatever the model wrote.

Safety is checked the way a browser would see the file: it is parsed, and no element or attribute
may exist that the report's own template did not write (no script, no event handler, no link out);
the hostile payloads must come back as text. A headless Chromium, where installed, opens the file
and proves no payload ran."""

from __future__ import annotations

import asyncio
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaltui.analysis.metrics import run_metrics
from evaltui.store import Store
from evaltui.suites.models import Case, Suite
from tests.compare.builders import make_run

PAYLOADS = (
    "<script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "\"><svg onload=alert(1)><a href='javascript:alert(1)'>x</a>",
    "</pre></section><iframe src=//evil.example></iframe>",
    "<style>@import url(//evil.example/x.css)</style>&amp; &lt;ok&gt;",
)
# Every tag the template writes; anything else would have come from untrusted text.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "dl", "dt", "dd", "span", "table",
    "tr", "th", "td", "p", "b", "pre", "del", "ins", "section", "footer", "ul", "li",
}  # fmt: skip


class Elements(HTMLParser):
    """Every start tag with its attributes, and all text, as a browser's parser would split them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(document: str) -> Elements:
    parser = Elements()
    parser.feed(document)
    parser.close()
    return parser


def assert_inert(document: str) -> Elements:
    """No element, attribute or outside reference beyond the template's own."""
    page = parsed(document)
    tags = {tag for tag, _ in page.tags}
    assert tags <= TEMPLATE_TAGS, tags - TEMPLATE_TAGS
    for tag, attrs in page.tags:
        assert set(attrs) <= {"class", "lang", "charset", "http-equiv", "content", "name"}, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    style = document.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style  # no font or image fetched by the style
    return page


@pytest.fixture
def hostile_db(tmp_path: Path) -> tuple[Path, str, str]:
    """Two runs whose outputs, inputs and expected answers are HTML/JS payloads; B fails them all."""
    db = tmp_path / "r.db"
    cases = [
        Case(id=f"p{i}", input=f"question {payload}", expected=f"yes {payload}", tags=["web", "x<b>"])
        for i, payload in enumerate(PAYLOADS)
    ] + [Case(id="<b>id</b>", input="plain", expected="yes", tags=["web"])]
    suite = Suite(name="<i>suite</i>", prompt="{{ input }}", cases=cases)
    outcomes_a = {case.id: "pass" for case in cases}
    outcomes_b = {case.id: "fail" for case in cases} | {"p0": "error"}
    outputs = {f"p{i}": f"no {payload}" for i, payload in enumerate(PAYLOADS)}
    with Store(db) as store:
        run_a = make_run(store, suite, outcomes_a, label="base")
        run_b = make_run(store, suite, outcomes_b, outputs=outputs | {"<b>id</b>": "<b>bold</b>"})
        store.annotate(run_b, "p1", label="wrong", note="<script>alert(1)</script>", author="<i>me</i>")
    return db, run_a, run_b


def test_html_report_shows_payloads_as_text_and_nothing_else(hostile_db, cli) -> None:
    db, _, run_b = hostile_db
    done = cli("--db", str(db), "export", run_b, "--format", "html", "-o", "report.html")
    assert done.returncode == 0, done.stderr
    document = (db.parent / "report.html").read_text(encoding="utf-8")
    page = assert_inert(document)
    text = "".join(page.text)
    for payload in PAYLOADS[1:]:  # p0 errored: its output is not shown, its reason is
        assert f"no {payload}" in text or all(part in text for part in payload.split(" "))
    assert "<b>id</b>" in text and "<i>suite</i>" in text
    assert "HTTP 503 after 4 attempts" in text  # why the errored case did not pass
    assert "<script>alert(1)</script>" in text and "<i>me</i>" in text  # annotations, as text


def test_html_report_holds_summary_tags_and_failures_with_diffs(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.db"
    cases = [
        Case(id="refund", input="charged twice", expected="billing", tags=["money"]),
        Case(id="crash", input="app crashes", expected="bug", tags=["app"]),
        Case(id="hello", input="hi", expected="other", tags=["app"]),
    ]
    with Store(db) as store:
        run = make_run(
            store,
            Suite(name="support", prompt="{{ input }}", cases=cases),
            {"refund": "pass", "crash": "fail", "hello": "pass"},
            outputs={"crash": "feature request"},
        )
    assert cli("--db", str(db), "export", run, "--format", "html", "-o", "r.html").returncode == 0
    document = (tmp_path / "r.html").read_text()
    page = assert_inert(document)
    text = " ".join(page.text)
    assert "support" in text and "66.7%" in text  # 2 of 3 passed
    assert "money" in text and "app" in text and "50.0%" in text  # per-tag rates
    assert "Cases not passed (1 of 1 shown)" in text
    assert "expected 'yes', got 'feature request'" in text  # the scorer's reason
    assert "<del>bug</del>" in document and "<ins>feature request</ins>" in document
    assert "refund" not in text  # a passing case is not listed
    # self-contained: nothing is fetched from anywhere
    for outside in ("src=", "href=", "url(", "@import", "<link", "<script"):
        assert outside not in document


def test_json_export_is_the_whole_run_as_one_document(hostile_db, cli) -> None:
    db, _, run_b = hostile_db
    done = cli("--db", str(db), "export", run_b, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["run"]["id"] == run_b and doc["metrics"]["total"] == len(PAYLOADS) + 1
    assert [r["case_id"] for r in doc["results"]] == [f"p{i}" for i in range(len(PAYLOADS))] + ["<b>id</b>"]
    first = doc["results"][1]
    assert first["output"] == f"no {PAYLOADS[1]}" and first["expected"] == f"yes {PAYLOADS[1]}"
    assert first["input"] == f"question {PAYLOADS[1]}" and first["tags"] == ["web", "x<b>"]
    assert doc["results"][0]["status"] == "error"


def test_compare_html_lists_regressions_with_diffs(hostile_db, cli) -> None:
    db, run_a, run_b = hostile_db
    done = cli("--db", str(db), "compare", run_a, run_b, "--html", "cmp.html")
    assert done.returncode == 0, done.stderr
    document = (db.parent / "cmp.html").read_text()
    page = assert_inert(document)
    text = "".join(page.text)
    assert f"{run_a} → {run_b}" in text
    assert "Regressions (5 of 5 shown)" in text  # p0 errored in B: not paired, so not a regression
    assert "B is worse" in text or "noise" in text


def test_compare_html_refuses_a_missing_folder_before_work(hostile_db, cli) -> None:
    db, run_a, run_b = hostile_db
    done = cli("--db", str(db), "compare", run_a, run_b, "--html", "nowhere/cmp.html")
    assert done.returncode == 2 and "does not exist" in done.stderr


LOOK = """JSON.stringify({
  ready: document.readyState, title: document.title, scripts: document.scripts.length,
  frames: document.querySelectorAll('iframe,img,svg,object,embed').length,
  text: document.body ? document.body.innerText : ''})"""


@pytest.mark.slow
def test_chromium_renders_the_report_and_runs_no_payload(hostile_db, cli) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))
    from browser import find_chromium, open_page

    if find_chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    db, _, run_b = hostile_db
    assert cli("--db", str(db), "export", run_b, "--format", "html", "-o", "r.html").returncode == 0

    async def look() -> dict:
        async with open_page((db.parent / "r.html").as_uri()) as page:
            for _ in range(200):
                state = await page.call(
                    "Runtime.evaluate",
                    expression=LOOK,
                    returnByValue=True,
                )
                seen = json.loads(state["result"]["value"])
                if seen["ready"] == "complete" and "Cases not passed" in seen["text"]:
                    return seen
                await asyncio.sleep(0.1)
            raise AssertionError(f"the report never rendered: {seen}")

    seen = asyncio.run(look())
    assert seen["scripts"] == 0 and seen["frames"] == 0
    assert seen["title"] != "pwned" and seen["title"].startswith("evaltui run")
    assert PAYLOADS[0] in seen["text"] or "document.title='pwned'" in seen["text"]


def test_exports_of_a_stopped_run_say_it_stopped_and_why(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.db"
    cases = [Case(id=f"c{i}", input="q", expected="yes") for i in range(4)]
    with Store(db) as store:
        run = make_run(store, Suite(name="support", prompt="{{ input }}", cases=cases), {"c0": "pass"})
        kept = run_metrics(store.iter_metric_rows(run))
        store.finish_run(run, "stopped", kept, reason="reached the cost ceiling of $0.05 <b>")
    assert cli("--db", str(db), "export", run, "--format", "html", "-o", "r.html").returncode == 0
    text = " ".join(assert_inert((tmp_path / "r.html").read_text()).text)
    assert "stopped: reached the cost ceiling of $0.05 <b>" in text
    done = cli("--db", str(db), "export", run, "--format", "md")
    assert done.returncode == 0, done.stderr
    assert "stopped: reached the cost ceiling of" in done.stdout

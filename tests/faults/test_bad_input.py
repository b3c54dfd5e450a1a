"""Bad input gets a clear error and harms nothing, through the real `evaltui` process: every suite of
the bad-suite corpus, sandbox escapes beyond the corpus, a 50 MB case file broken on its last line,
and database files from other schema versions. Each gives exit 2 and one `evaltui: file:line: field:
message` line on stderr, no traceback, and the results database is unchanged (a checksum of every
table's rows before and after)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from bad_suites.test_bad_suite_corpus import CORPUS, FAULTS

from evaltui.store import Store
from evaltui.store.schema import MIGRATIONS, SCHEMA_VERSION

from harness import base_env, db_checksum, evaltui

SANDBOX_ESCAPES = {
    "lipsum_globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "attr_filter": "{{ ''|attr('__class__') }}",
    "self_globals": "{{ self.__init__.__globals__ }}",
    "namespace_globals": "{{ namespace.__init__.__globals__ }}",
    "bases_subclasses": "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "format_attribute": "{{ '{0.__class__.__mro__}'.format(input) }}",
    "input_class": "{{ input.__class__.__init__.__globals__ }}",
    "mro_via_getitem": "{{ ''['__class__']['__mro__'] }}",
}


@pytest.fixture(scope="module")
def seeded_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results database that already holds a run, as a user's would (made once per module)."""
    folder = tmp_path_factory.mktemp("seeded")
    (folder / "suite.yaml").write_text(
        "name: good\nprompt: '{{ input }}'\nmodels: [demo:echo]\nscorers:\n  - type: equals\n"
        "cases:\n  - {id: a, input: x, expected: x}\n  - {id: b, input: y, expected: z}\n"
    )
    db = folder / "results.db"
    done = evaltui("run", "suite.yaml", "--db", str(db), "-q", env=base_env(folder), cwd=folder)
    assert done.returncode == 0, done.stderr.decode()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    conn.close()
    return db


@pytest.fixture
def seeded_db(seeded_master: Path, tmp_path: Path) -> Path:
    db = tmp_path / "results.db"
    shutil.copyfile(seeded_master, db)
    return db


def error_lines(stderr: bytes) -> list[str]:
    """The messages on stderr, each `[evaltui: ]file:line: field: message`; never a traceback."""
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    return [line.removeprefix("evaltui: ") for line in text.splitlines() if line.strip()]


def one_error_line(stderr: bytes) -> str:
    lines = error_lines(stderr)
    assert len(lines) == 1, lines
    return lines[0]


def assert_names_the_place(line: str, fault: str) -> None:
    expected = FAULTS[fault]
    where = f"{CORPUS / fault / expected.file}:{expected.line}"
    assert line.startswith(where), (where, line)
    if expected.field is not None:
        assert f": {expected.field}: " in line, line
    assert expected.says in line, line


def test_validate_of_the_whole_corpus_gives_one_located_message_per_suite(tmp_path: Path) -> None:
    """One `evaltui validate` over every broken suite (as a user checks a folder): exit 2 and exactly
    one line per suite, in order, each naming its own file, line and field."""
    faults = sorted(FAULTS)
    suites = [str(CORPUS / fault / "suite.yaml") for fault in faults]
    done = evaltui("validate", *suites, env=base_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == b""
    lines = error_lines(done.stderr)
    assert len(lines) == len(faults), lines
    for fault, line in zip(faults, lines, strict=True):
        assert_names_the_place(line, fault)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_run_of_a_corpus_suite_exits_2_and_leaves_the_database_unchanged(
    fault: str, seeded_db: Path, tmp_path: Path
) -> None:
    before = db_checksum(seeded_db)
    suite = str(CORPUS / fault / "suite.yaml")
    env = base_env(tmp_path)
    done = evaltui("run", suite, "-m", "demo:echo", "--db", str(seeded_db), env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert_names_the_place(one_error_line(done.stderr), fault)
    assert done.stdout == b""
    assert db_checksum(seeded_db) == before


def escape_suite(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    suite = folder / f"{name}.yaml"
    prompt = json.dumps(SANDBOX_ESCAPES[name])
    suite.write_text(f"name: escape\nprompt: {prompt}\nmodels: [demo:echo]\ncases: [{{input: a}}]\n")
    return suite


def assert_refused(line: str, suite: Path) -> None:
    """Named at the line of the case whose rendering the sandbox stopped."""
    assert line.startswith(f"{suite}:4: prompt: the sandbox refused: "), line
    assert "<class" not in line and "<module" not in line and "uid=" not in line, line


def test_validate_refuses_every_sandbox_escape(tmp_path: Path) -> None:
    suites = [escape_suite(tmp_path, name) for name in sorted(SANDBOX_ESCAPES)]
    done = evaltui("validate", *map(str, suites), env=base_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    lines = error_lines(done.stderr)
    assert len(lines) == len(suites), lines
    for suite, line in zip(suites, lines, strict=True):
        assert_refused(line, suite)


@pytest.mark.parametrize("name", sorted(SANDBOX_ESCAPES))
def test_run_refuses_a_sandbox_escape_and_writes_nothing(name: str, seeded_db: Path, tmp_path: Path) -> None:
    suite = escape_suite(tmp_path, name)
    before = db_checksum(seeded_db)
    done = evaltui("run", str(suite), "--db", str(seeded_db), env=base_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert_refused(one_error_line(done.stderr), suite)
    assert db_checksum(seeded_db) == before


@pytest.mark.slow
def test_a_50_mb_case_file_broken_on_its_last_line_is_named_by_line(seeded_db: Path, tmp_path: Path) -> None:
    """Generated here, never committed. The loader streams it and names the last line."""
    rows = 0
    with (tmp_path / "big.jsonl").open("w", encoding="utf-8") as out:
        while out.tell() < 50 * 1024 * 1024:
            out.write(json.dumps({"id": f"c{rows}", "input": "x" * 1000, "expected": "y"}) + "\n")
            rows += 1
        out.write('{"id": "broken", "input": \n')
    (tmp_path / "suite.yaml").write_text("name: big\nprompt: '{{ input }}'\ncases:\n  - file: big.jsonl\n")
    assert (tmp_path / "big.jsonl").stat().st_size > 50 * 1024 * 1024
    before = db_checksum(seeded_db)
    env = base_env(tmp_path)
    run = ("run", "suite.yaml", "-m", "demo:echo", "--db", str(seeded_db))
    for args in (("validate", "suite.yaml"), run):
        done = evaltui(*args, env=env, cwd=tmp_path)
        assert done.returncode == 2
        line = one_error_line(done.stderr)
        assert f"big.jsonl:{rows + 1}: " in line and "invalid JSON" in line, line
    assert db_checksum(seeded_db) == before


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_from_a_newer_evaltui_is_refused_untouched(seeded_db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(seeded_db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = sha(seeded_db)
    env = base_env(tmp_path)
    for args in (("runs",), ("show", "latest"), ("run", "--resume", "latest")):
        done = evaltui(*args, "--db", str(seeded_db), env=env, cwd=tmp_path)
        assert done.returncode == 2, args
        line = one_error_line(done.stderr)
        assert str(seeded_db) in line and "newer than this evaltui understands" in line, line
        assert "Upgrade evaltui" in line
    assert sha(seeded_db) == before
    assert not list(tmp_path.glob("*.bak-*"))


def test_a_database_from_an_older_evaltui_is_backed_up_then_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        MIGRATIONS[1](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.execute("INSERT INTO suites VALUES ('s1', 'old-suite', '', '{}', '2025-01-01')")
        conn.execute(
            "INSERT INTO runs (id, suite_id, suite, model_id, model_config, status, started_at, total, "
            "done, passed, version) VALUES ('20250101-000000-aaaaaa', 's1', 'old-suite', 'demo:echo', '{}',"
            " 'completed', '2025-01-01T00:00:00', 1, 1, 1, '0.0.1')"
        )
    conn.close()
    old_bytes = sha(db)
    done = evaltui("runs", "--json", "--db", str(db), env=base_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert [r["suite"] for r in json.loads(done.stdout)] == ["old-suite"]
    backup = db.with_name("old.db.bak-v1")
    with sqlite3.connect(backup) as conn:  # the copy holds the file as it was
        assert conn.execute("SELECT value FROM meta").fetchall() == [("1",)]
        runs = conn.execute("SELECT id, status FROM runs").fetchall()
        assert runs == [("20250101-000000-aaaaaa", "completed")]
        assert "cache" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert sha(db) != old_bytes
    with Store(db) as store:
        assert store.get_run("20250101-000000-aaaaaa").status == "completed"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
    conn.close()

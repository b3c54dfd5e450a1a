"""Cases from `.jsonl` and `.csv` files next to the suite: streaming, line numbers, ids, paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import load_suite
from evaltui.suites.casefiles import iter_case_file
from evaltui.suites.loader import _file_case, build_case
from evaltui.suites.validation import FlatSource
from tests.suites.conftest import WriteFile

SUITE = """
    name: files
    prompt: "{{ input }}"
    cases:
      - id: inline
        input: hello
      - file: {name}
"""


def suite_with(write: WriteFile, name: str, content: str | bytes) -> Path:
    write(name, content)
    return write("suite.yaml", SUITE.replace("{name}", name))


def load_error(path: Path) -> SuiteError:
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    return info.value


def test_jsonl_cases_follow_inline_ones_with_their_own_lines(write: WriteFile) -> None:
    jsonl = (
        '{"id": "a", "input": "x", "expected": "bug", "tags": ["t"]}\n'
        "\n"
        '{"input": {"nested": 1}, "vars": {"k": 2}}\n'
    )
    suite = load_suite(suite_with(write, "cases.jsonl", jsonl))
    assert [c.id for c in suite.cases][:2] == ["inline", "a"]
    third = suite.cases[2]
    assert third.input == {"nested": 1} and third.vars == {"k": 2}
    assert third.loc is not None and third.loc.file.endswith("cases.jsonl") and third.loc.line == 3


def test_csv_columns_map_to_fields_and_the_rest_become_vars(write: WriteFile) -> None:
    csv_text = 'id,input,expected,tags,cluster,tier\nc1,"two\nlines",billing,a; b,,gold\n,z,,x,th-1,\n'
    suite = load_suite(suite_with(write, "cases.csv", csv_text))
    first, second = suite.cases[1:]
    assert (first.id, first.input, first.expected, first.tags, first.cluster, first.vars) == (
        "c1",
        "two\nlines",
        "billing",
        ["a", "b"],
        None,
        {"tier": "gold"},
    )
    assert second.expected is None and second.tags == ["x"] and second.cluster == "th-1"
    assert second.loc is not None and second.loc.line == 4  # the first row spans lines 2-3


def test_csv_tags_split_on_commas_too(write: WriteFile) -> None:
    suite = load_suite(suite_with(write, "cases.csv", 'input,tags\nq,"a, b;c"\n'))
    assert suite.cases[1].tags == ["a", "b", "c"]


def test_missing_input_in_jsonl_names_file_line_and_field(write: WriteFile) -> None:
    lines = "".join(json.dumps({"input": f"q{i}"}) + "\n" for i in range(211)) + '{"expected": "x"}\n'
    error = load_error(suite_with(write, "tickets.jsonl", lines))
    assert str(error) == f"{error.file}:212: input: field required"
    assert error.file is not None and error.file.endswith("tickets.jsonl")


def test_jsonl_wrong_type_names_field(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", '{"input": "a", "tags": "money"}\n'))
    assert (error.line, error.field) == (1, "tags")


def test_jsonl_unknown_key_is_an_error(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", '{"input": "a", "expect": "b"}\n'))
    assert (error.line, error.field) == (1, "expect") and "unknown key" in error.message


def test_invalid_json_names_the_line(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", '{"input": "a"}\n{"input": \n'))
    assert error.line == 2 and "invalid JSON" in error.message


def test_invalid_json_says_where_on_its_line(write: WriteFile) -> None:
    """A line cut short is said to end too early (it was 'at column 1', the next line's start); an
    error inside the line names its column on that line."""
    short = load_error(suite_with(write, "c.jsonl", '{"input": "a"}\n{"id": "b", "input": "y",\n'))
    assert short.line == 2 and "column 1" not in short.message and "end of the line" in short.message
    inside = load_error(suite_with(write, "d.jsonl", '{"input": "a" "b"}\n'))
    assert inside.line == 1 and "at column 15" in inside.message


def test_jsonl_line_that_is_not_an_object(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", '["input"]\n'))
    assert error.line == 1 and "JSON object" in error.message


def test_invalid_utf8_names_the_line(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", b'{"input": "a"}\n{"input": "b"}\n{"input": "\xff"}\n'))
    assert error.line == 3 and "UTF-8" in error.message


def test_nul_byte_names_the_line(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", b'{"input": "a"}\n{"input": "b\x00"}\n'))
    assert error.line == 2 and "NUL" in error.message


def test_csv_ragged_row_and_missing_input_column(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.csv", "input,expected\na,b\nc,d,e\n"))
    assert error.line == 3 and "3 cells" in error.message
    error = load_error(suite_with(write, "d.csv", "question,expected\na,b\n"))
    assert (error.line, error.field) == (1, "input")


def test_duplicate_ids_name_both_lines(write: WriteFile) -> None:
    jsonl = '{"id": "x", "input": "a"}\n{"id": "inline", "input": "b"}\n'
    error = load_error(suite_with(write, "c.jsonl", jsonl))
    assert error.file is not None and error.file.endswith("c.jsonl")
    assert (error.line, error.field) == (2, "id")
    assert "'inline'" in error.message and "suite.yaml:4" in error.message


def test_identical_cases_without_ids_are_reported_as_copies(write: WriteFile) -> None:
    error = load_error(suite_with(write, "c.jsonl", '{"input": "a"}\n{"input": "a"}\n'))
    assert error.line == 2 and "c.jsonl:1" in error.message and "copy" in error.message


def test_derived_ids_are_stable_across_loads_and_depend_on_content(write: WriteFile) -> None:
    jsonl = '{"input": "a", "vars": {"k": 1}}\n{"input": "a", "vars": {"k": 2}}\n'
    path = suite_with(write, "c.jsonl", jsonl)
    first = [c.id for c in load_suite(path).cases]
    write("c.jsonl", '{"vars": {"k": 2}, "input": "a"}\n{"input": "a", "vars": {"k": 1}}\n')
    second = [c.id for c in load_suite(path).cases]
    assert first[1] != first[2]
    assert second[1:] == [first[2], first[1]]  # same content -> same id, whatever the key order


@pytest.mark.parametrize("name", ["../outside.jsonl", "sub/../../outside.jsonl"])
def test_case_file_outside_the_suite_folder_is_refused(write: WriteFile, tmp_path: Path, name: str) -> None:
    (tmp_path.parent / "outside.jsonl").write_text('{"input": "secret"}\n')
    path = write("suite.yaml", SUITE.replace("{name}", name))
    error = load_error(path)
    assert (error.line, error.field) == (6, "cases[1].file") and "outside the suite's folder" in error.message


def test_absolute_case_file_path_is_refused(write: WriteFile) -> None:
    error = load_error(write("suite.yaml", SUITE.replace("{name}", "/etc/passwd")))
    assert (error.line, error.field) == (6, "cases[1].file") and "absolute" in error.message


def test_case_file_in_a_subfolder_is_allowed(write: WriteFile) -> None:
    write("data/c.jsonl", '{"input": "q"}\n')
    suite = load_suite(write("suite.yaml", SUITE.replace("{name}", "data/c.jsonl")))
    assert suite.cases[1].input == "q"


def test_missing_or_unreadable_case_file_names_the_suite_line(write: WriteFile, tmp_path: Path) -> None:
    error = load_error(write("suite.yaml", SUITE.replace("{name}", "nope.jsonl")))
    assert (error.line, error.field) == (6, "cases[1].file") and "not found" in error.message
    (tmp_path / "folder.jsonl").mkdir()
    error = load_error(write("suite.yaml", SUITE.replace("{name}", "folder.jsonl")))
    assert error.field == "cases[1].file"


def test_other_case_file_types_are_refused(write: WriteFile) -> None:
    error = load_error(suite_with(write, "cases.txt", "hello\n"))
    assert "jsonl or .csv" in error.message


def test_fifty_megabyte_jsonl_loads(write: WriteFile, tmp_path: Path) -> None:
    """Streaming and per-line validation: a 50 MB file loads completely, in file order."""
    path = tmp_path / "big.jsonl"
    filler = "lorem ipsum dolor sit amet " * 15
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(
                json.dumps(
                    {"input": f"ticket {count}: {filler}", "expected": "billing", "vars": {"n": count}}
                )
                + "\n"
            )
            count += 1
    suite = load_suite(write("suite.yaml", SUITE.replace("{name}", "big.jsonl")))
    assert len(suite.cases) == count + 1
    last = suite.cases[-1]
    assert last.vars == {"n": count - 1} and last.loc is not None and last.loc.line == count


def test_case_file_reader_streams_lazily(write: WriteFile) -> None:
    """The reader is a generator: the first case is available before the bad last line is read."""
    path = write("c.jsonl", '{"input": "a"}\nnot json\n')
    rows = iter_case_file(path, "c.jsonl")
    assert next(rows) == (1, {"input": "a"})
    with pytest.raises(SuiteError):
        next(rows)


def test_a_repeated_id_among_thousands_of_cases_names_both_lines_and_distinct_ids_pass(
    write: WriteFile,
) -> None:
    rows = [f'{{"id": "case-{i}", "input": "q"}}\n' for i in range(5000)]
    assert len(load_suite(suite_with(write, "ok.jsonl", "".join(rows))).cases) == 5001  # + the inline one
    rows.insert(4000, '{"id": "case-1500", "input": "again"}\n')
    error = load_error(suite_with(write, "dup.jsonl", "".join(rows)))
    assert (error.line, error.field) == (4001, "id")
    assert "'case-1500'" in error.message and "dup.jsonl:1501" in error.message


JSONL_LINES = [
    '{"input": "x"}',
    '{"input": "x"}\n',
    '{"input": "x"}\r\n',
    '{"input": "x"}  \n',
    '  {"input": "x"}\n',
    '{"input": "x"} {"input": "y"}\n',
    '{"input": "x"}\n\n',
    '{"input": "x", "vars": {"k": [1, {"a": null}]}}\n',
    '{"input": "x", "input": "y"}\n',
    '{"input": "x", "vars": {"k": 1, "k": 2}}\n',
    '{"input": "x",}\n',
    '{"input": "x"\n',
    '["input"]\n',
    "7\n",
    '{"input": "x"}\t\n',
]


@pytest.mark.parametrize("line", JSONL_LINES)
def test_a_jsonl_line_reads_as_one_json_object_decoded_alone(write: WriteFile, line: str) -> None:
    """Each line is what json decodes it to, checked for repeated keys at any depth; a line that
    is not one JSON object (junk after it, a syntax error, a repeated key) is refused naming it."""
    path = write("cases.jsonl", '{"input": "first"}\n' + line)

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in items]
        assert len(set(keys)) == len(keys), "repeated key"
        return dict(items)

    try:
        expected = json.JSONDecoder(object_pairs_hook=pairs).decode(line)
        assert isinstance(expected, dict)
    except (ValueError, AssertionError) as exc:
        with pytest.raises(SuiteError) as info:
            list(iter_case_file(path, "cases.jsonl"))
        assert info.value.line == 2
        if isinstance(exc, json.JSONDecodeError):
            cut_short = exc.pos >= len(line.rstrip("\r\n"))
            where = "at the end of the line" if cut_short else f"at column {exc.colno}"
            assert f"{where}: {exc.msg}" in info.value.message
        return
    assert list(iter_case_file(path, "cases.jsonl")) == [(1, {"input": "first"}), (2, expected)]


@pytest.mark.parametrize("kept", [1_000, 3_000])
def test_a_repeated_id_past_the_ids_kept_in_memory_names_both_lines(
    write: WriteFile, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    """Past KEPT_IDS the ids' hashes go to a file: a repeat of an id kept in memory (1,500 < 3,000)
    or of one in the file (1,500 > 1,000) is found all the same, and distinct ids still pass."""
    monkeypatch.setattr("evaltui.suites.identity.KEPT_IDS", kept)
    rows = [f'{{"id": "case-{i}", "input": "q"}}\n' for i in range(5000)]
    assert len(load_suite(suite_with(write, "ok.jsonl", "".join(rows))).cases) == 5001
    rows.insert(4000, '{"id": "case-1500", "input": "again"}\n')
    error = load_error(suite_with(write, "dup.jsonl", "".join(rows)))
    assert (error.line, error.field) == (4001, "id")
    assert "'case-1500'" in error.message and "dup.jsonl:1501" in error.message


PLAIN_AND_NOT: list[dict[str, Any]] = [
    {"input": "derived"},
    {"id": "a", "input": "x", "expected": "y", "vars": {"tier": "gold"}, "tags": ["t"], "cluster": "c"},
    {"id": None, "input": {"nested": [1, None]}, "expected": 3},
    {"id": 7, "input": "a number id"},
    {"id": "  ", "input": "a blank id"},
    {"id": "b", "input": "x", "vars": {"input": "reserved"}},
    {"id": "c", "input": "x", "vars": ["not", "a", "mapping"]},
    {"id": "d", "input": "x", "tags": "not a list"},
    {"id": "e", "input": "x", "cluster": 5},
    {"id": "f"},
    {"id": "g", "input": "x", "scorers": [{"type": "equals"}]},
    {"id": "h", "input": "x", "output": "recorded", "latency_ms": 3},
    {"id": "i", "input": "x", "colour": "unknown key"},
    {"id": "j", "input": None, "expected": None, "vars": {}, "tags": [], "cluster": None},
    {"input": "derived from vars", "vars": {"n": 3, "deep": {"a": [1]}}, "tags": ["x", "y"]},
    {"id": "k", "input": "x", "vars": None},
    {"id": "l", "input": "x", "tags": None},
    {"id": "m", "input": "x", "tags": ["t", 5]},
    {"id": "n", "input": "x", "tags": [None]},
    {"id": "o", "input": "x", "vars": {"case": "reserved"}},
    {"id": "p", "input": ["a", "list"], "expected": {"any": "value"}, "cluster": "c"},
]


@pytest.mark.parametrize("fields", PLAIN_AND_NOT, ids=[str(f) for f in PLAIN_AND_NOT])
def test_a_case_files_line_is_built_as_build_case_builds_it(fields: dict[str, Any]) -> None:
    """Plain lines take a quicker route than `build_case`: the same case (its set fields too), or
    the same error naming file, line and field."""
    try:
        expected = build_case(dict(fields), FlatSource("cases.jsonl", 4), ())
    except SuiteError as exc:
        with pytest.raises(SuiteError) as got:
            _file_case(dict(fields), "cases.jsonl", 4)
        assert (got.value.message, got.value.file, got.value.line, got.value.field) == (
            exc.message, exc.file, exc.line, exc.field,
        )  # fmt: skip
        return
    case = _file_case(dict(fields), "cases.jsonl", 4)
    assert case == expected and case.loc == expected.loc
    assert case.model_fields_set == expected.model_fields_set
    assert type(case.model_fields_set) is set  # a field assigned later is added to it
    assert case.loc is not None and expected.loc is not None
    assert case.loc.model_fields_set == expected.loc.model_fields_set
    assert list(vars(case)) == list(vars(expected))  # a dump's key order, so the suite's hash
    assert case.model_dump_json() == expected.model_dump_json()

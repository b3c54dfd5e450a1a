"""Accepting an output as a case's expected value changes that value only: the rest of the file
(comments, key order, quoting, unicode, line endings, other lines) stays byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaltui.errors import EvaltuiError
from evaltui.suites import load_suite
from evaltui.suites.edit import plan_accept

YAML = """\
# support tickets — owner: ünïcödé team
name: edit-me
prompt: "{{ input }}"   # the whole prompt
scorers: [{type: equals}]
cases:
  - id: plain
    input: "Où est ma facture ?"   # French
    expected: billing              # was wrong
    tags: [fr]
  - {id: flow, input: 'it''s broken', expected: 'bug', tags: [en]}
  - id: double
    expected: "line one\\nline two"
    input: x
  - id: block
    input: y
    expected: |
      first
      second

  - id: untouched
    input: "z"
    expected: 'keep ''me'''
  - id: no-expected
    input: w
    scorers: [{type: contains, value: w}]
"""


PLAIN = "    expected: billing              # was wrong"


def write(tmp_path: Path, name: str, text: str, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def accept(path: Path, case_id: str, value: str) -> bytes:
    suite = load_suite(path)
    before = path.read_bytes()
    edit = plan_accept(suite, case_id, value)
    edit.write()
    after = path.read_bytes()
    assert load_suite(path).cases[[c.id for c in suite.cases].index(case_id)].expected == value
    assert before != after
    return after


def only_changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    old, new = before.split(b"\n"), after.split(b"\n")
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


@pytest.mark.parametrize(
    ("case_id", "value", "old_line", "new_line"),
    [
        ("plain", "other", PLAIN, "    expected: other              # was wrong"),
        ("plain", "true", PLAIN, '    expected: "true"              # was wrong'),
        ("plain", "Réponse: «oui»", PLAIN,
         '    expected: "Réponse: «oui»"              # was wrong'),
        ("flow", "it's a bug, [sic]", "  - {id: flow, input: 'it''s broken', expected: 'bug', tags: [en]}",
         "  - {id: flow, input: 'it''s broken', expected: 'it''s a bug, [sic]', tags: [en]}"),
        ("double", 'say "hi"\tnow\x1b[31m', '    expected: "line one\\nline two"',
         '    expected: "say \\"hi\\"\\tnow\\x1b[31m"'),
    ],
)  # fmt: skip
def test_an_inline_yaml_value_is_replaced_in_place(tmp_path, case_id, value, old_line, new_line) -> None:
    path = write(tmp_path, "s.yaml", YAML)
    before = path.read_bytes()
    after = accept(path, case_id, value)
    assert only_changed_lines(before, after) == [(old_line.encode(), new_line.encode())]


def test_a_block_value_becomes_one_quoted_line_keeping_what_follows(tmp_path) -> None:
    path = write(tmp_path, "s.yaml", YAML, newline="\r\n")
    before = path.read_bytes()
    after = accept(path, "block", "first\nsecond ✓\n")
    expected = before.replace(
        b"    expected: |\r\n      first\r\n      second\r\n\r\n",
        '    expected: "first\\nsecond ✓\\n"\r\n\r\n'.encode(),
    )
    assert after == expected


def test_a_case_without_expected_says_why_it_cannot_be_accepted(tmp_path) -> None:
    path = write(tmp_path, "s.yaml", YAML)
    before = path.read_bytes()
    with pytest.raises(EvaltuiError, match="no `expected`: its scorers judge the output by something else"):
        plan_accept(load_suite(path), "no-expected", "w")
    assert path.read_bytes() == before


def test_a_jsonl_line_changes_its_expected_value_only(tmp_path) -> None:
    lines = [
        '{"id": "a", "input": "x", "expected": "old",  "tags": ["t"]}',
        '{"input":"ça","expected":"\\u00e9t\\u00e9","id":"b"}',
        '{"id": "c", "input": "z", "expected": "keep"}',
    ]
    (tmp_path / "cases.jsonl").write_bytes(("\r\n".join(lines) + "\r\n").encode())
    path = write(
        tmp_path,
        "s.yaml",
        "name: j\nprompt: '{{ input }}'\nscorers: [equals]\ncases:\n  - file: cases.jsonl\n",
    )
    cases = tmp_path / "cases.jsonl"
    plan_accept(load_suite(path), "a", 'new "one" ✓').write()
    plan_accept(load_suite(path), "b", "hiver ❄").write()
    assert cases.read_bytes().decode().split("\r\n") == [
        '{"id": "a", "input": "x", "expected": "new \\"one\\" ✓",  "tags": ["t"]}',
        '{"input":"ça","expected":"hiver \\u2744","id":"b"}',
        lines[2],
        "",
    ]


def test_a_csv_row_changes_its_expected_cell_only(tmp_path) -> None:
    text = 'id,input,expected,note\na,"multi\nline, input",old,"q ""x"""\nb,y,"quoted",z\n'
    (tmp_path / "cases.csv").write_bytes(text.encode())
    path = write(
        tmp_path, "s.yaml", "name: c\nprompt: '{{ input }}'\nscorers: [equals]\ncases:\n  - file: cases.csv\n"
    )
    plan_accept(load_suite(path), "a", "new, «x»").write()
    plan_accept(load_suite(path), "b", "plain").write()
    assert (tmp_path / "cases.csv").read_bytes().decode() == (
        'id,input,expected,note\na,"multi\nline, input","new, «x»","q ""x"""\nb,y,"plain",z\n'
    )


def test_an_edit_is_refused_when_the_file_changed_meanwhile(tmp_path) -> None:
    path = write(tmp_path, "s.yaml", YAML)
    edit = plan_accept(load_suite(path), "plain", "other")
    path.write_text(YAML + "# edited by someone\n", encoding="utf-8")
    with pytest.raises(EvaltuiError, match="changed since"):
        edit.write()


def test_a_case_the_yaml_file_no_longer_holds_is_refused_with_a_reason(tmp_path: Path) -> None:
    """The file was cut shorter after the suite was loaded: the case's place is past its end."""
    path = tmp_path / "s.yaml"
    path.write_text(YAML, encoding="utf-8")
    suite = load_suite(path)
    path.write_text(YAML[: YAML.index("  - {id: flow")], encoding="utf-8")
    with pytest.raises(EvaltuiError, match="not written as plain text there"):
        plan_accept(suite, "untouched", "new")

"""Writing a new expected value into a suite's source, changing that value only.

`plan_accept(suite, case_id, value)` finds where the case's `expected` is written (an inline YAML
case, or the case's line of its JSONL or CSV file) and returns an `Edit`: the file's bytes before
and after, with only the characters of that one value replaced. Nothing else is rewritten: not
comments, key order, quoting, indentation, line endings or any other line. (A round-trip YAML
library re-emits the whole document and may reflow it; here the value's span, as the YAML parser
marked it, is spliced, which keeps every other byte by construction.)

The new value is written in the old one's style where that can hold it (plain, single- or
double-quoted, a JSON string, a bare or quoted CSV cell), else double-quoted. Before anything is
written, the edited text is parsed again as evaltui parses suites, and must give the case the new
value and every other case exactly what it had; otherwise the edit is refused.

A case with no `expected` is refused with why: its scorers judge the output by something else,
so no expected value would change its verdict.
"""

from __future__ import annotations

import csv
import difflib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evaltui.errors import EvaltuiError
from evaltui.suites.casefiles import iter_case_file
from evaltui.suites.models import Case, Suite
from evaltui.suites.yamlnodes import _ComposeOnly

# Characters YAML may hold literally inside double quotes (its printable set, less the line
# separators YAML 1.1 readers break lines on).
_YAML_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SAFE_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .\-/()]*[A-Za-z0-9_.)]|[A-Za-z_]")
_RESERVED_PLAIN = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


@dataclass(frozen=True, slots=True)
class Edit:
    path: Path
    before: bytes
    after: bytes
    where: str  # "suite.yaml:12: cases[3].expected", for messages

    def diff(self) -> str:
        """A unified diff of the change, for a person to confirm."""
        old = self.before.decode("utf-8").splitlines(keepends=True)
        new = self.after.decode("utf-8").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, str(self.path), str(self.path), n=1)
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def write(self) -> None:
        """Replace the file, atomically, if it still holds what the edit was made from."""
        try:
            if self.path.read_bytes() != self.before:
                raise EvaltuiError(f"{self.path} changed since the edit was prepared; nothing written")
            mode = self.path.stat().st_mode & 0o7777
            handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(self.after)
            os.chmod(temp, mode)
            os.replace(temp, self.path)
        except OSError as exc:
            raise EvaltuiError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


def plan_accept(suite: Suite, case_id: str, value: str) -> Edit:
    """The edit that makes `value` the case's expected value. EvaltuiError says why not."""
    case = next((c for c in suite.cases if c.id == case_id), None)
    if case is None:
        raise EvaltuiError(f"the suite {suite.name!r} has no case {case_id!r} any more")
    if case.expected is None:
        raise EvaltuiError(
            f"case {case_id!r} has no `expected`: its scorers judge the output by something else "
            "(a contained value, a pattern, a judge), so there is no expected value to accept"
        )
    if not isinstance(case.expected, str):
        raise EvaltuiError(
            f"case {case_id!r} expects a {type(case.expected).__name__}, not text; edit it by hand"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise EvaltuiError("the output holds characters no UTF-8 file can (lone surrogates)") from None
    if case.loc is None or case.loc.line is None:
        raise EvaltuiError(f"where case {case_id!r} is written is not known")
    path = Path(case.loc.file)
    if path.suffix.lower() == ".jsonl":
        return _checked(suite, case, value, path, _jsonl_edit, case.loc.line)
    if path.suffix.lower() == ".csv":
        return _checked(suite, case, value, path, _csv_edit, case.loc.line)
    return _checked(suite, case, value, path, _yaml_edit, case.loc.line)


# (text, case, value, the case's line) -> (new text, where)
Editor = Callable[[str, Case, str, int], tuple[str, str]]


def _checked(suite: Suite, case: Case, value: str, path: Path, edit: Editor, line: int) -> Edit:
    before = path.read_bytes()
    after, where = edit(before.decode("utf-8"), case, value, line)
    edited = Edit(path, before, after.encode("utf-8"), f"{path}:{where}")
    _verify(suite, case, value, edited)
    return edited


# -- YAML -----------------------------------------------------------------------------------------
def _yaml_edit(text: str, case: Case, value: str, line: int) -> tuple[str, str]:
    root = yaml.compose(text, Loader=_ComposeOnly)
    field = case.loc.field if case.loc else None
    numbered = re.fullmatch(r"cases\[(\d+)\]", field or "")
    cases = _get(root, "cases")
    index = int(numbered[1]) if numbered else -1
    item = (
        cases.value[index] if isinstance(cases, yaml.SequenceNode) and 0 <= index < len(cases.value) else None
    )
    node = _get(item, "expected") if isinstance(item, yaml.MappingNode) else None
    if not isinstance(item, yaml.MappingNode) or not isinstance(node, yaml.ScalarNode):
        raise EvaltuiError(f"case {case.id!r}: its expected value is not written as plain text there")
    start, end = node.start_mark.index, node.end_mark.index
    old = text[start:end]
    flow = bool(item.flow_style)
    new = _yaml_scalar(value, node.style, flow)
    if node.style in ("|", ">"):  # the block's own last line break, blank lines and next indent stay
        tail = re.search(r"\r?\n[ \t\r\n]*$", old)
        new += old[tail.start() :] if tail else "\n"
    return text[:start] + new + text[end:], f"{node.start_mark.line + 1}: {field}.expected"


def _get(mapping: Any, key: str) -> yaml.Node | None:
    for k, v in mapping.value if isinstance(mapping, yaml.MappingNode) else ():
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _yaml_scalar(value: str, style: str | None, flow: bool) -> str:
    if style is None and _plain_ok(value, flow):
        return value
    if style == "'" and "\n" not in value and not _YAML_UNPRINTABLE.search(value) and "\r" not in value:
        return "'" + value.replace("'", "''") + "'"
    return yaml_double_quoted(value)


def _plain_ok(value: str, flow: bool) -> bool:
    if not _SAFE_PLAIN.fullmatch(value) or value.lower() in _RESERVED_PLAIN:
        return False
    return not (flow and any(ch in value for ch in ",[]{}"))


def yaml_double_quoted(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value` (non-ASCII text kept readable)."""
    body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    body = body.replace("\r", "\\r")
    return '"' + _YAML_UNPRINTABLE.sub(lambda m: _escape(m.group()), body) + '"'


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# -- JSON lines -----------------------------------------------------------------------------------
def _jsonl_edit(text: str, case: Case, value: str, line_no: int) -> tuple[str, str]:
    lines = text.split("\n")  # as the case file is read: only "\n" ends a line
    line = lines[line_no - 1]
    start, end = _json_value_span(line, "expected")
    escaped = "\\u" in line[start:end]  # the file writes non-ASCII as \u escapes: so does the edit
    new = json.dumps(value, ensure_ascii=escaped).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    lines[line_no - 1] = line[:start] + new + line[end:]
    return "\n".join(lines), f"{line_no}: expected"


def _json_value_span(line: str, key: str) -> tuple[int, int]:
    """Where the value of top-level `key` is written in a one-line JSON object."""
    decoder = json.JSONDecoder()
    at = _skip(line, 0)
    if line[at : at + 1] != "{":
        raise EvaltuiError("the case's line is not a JSON object")
    at = _skip(line, at + 1)
    while line[at : at + 1] == '"':
        name, at = json.decoder.scanstring(line, at + 1)  # type: ignore[attr-defined]
        at = _skip(line, at)
        at = _skip(line, at + 1)  # the colon
        _, end = decoder.raw_decode(line, at)
        if name == key:
            return at, end
        at = _skip(line, end)
        at = _skip(line, at + 1) if line[at : at + 1] == "," else at
    raise EvaltuiError(f"no {key!r} on the case's line")


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


# -- CSV ------------------------------------------------------------------------------------------
def _csv_edit(text: str, case: Case, value: str, line: int) -> tuple[str, str]:
    header = next(csv.reader([text.splitlines()[0]]))
    names = [name.strip() for name in header]
    if "expected" not in names:
        raise EvaltuiError("the CSV file has no `expected` column")
    column = names.index("expected")
    if not value:
        raise EvaltuiError("the output is empty, and an empty `expected` cell means no expected value")
    start = _line_start(text, line)
    spans = _csv_cell_spans(text, start)
    cell_start, cell_end = spans[column]
    quoted = text[cell_start : cell_start + 1] == '"'
    needs = quoted or any(ch in value for ch in ',"\r\n') or value != value.strip() or not value
    new = '"' + value.replace('"', '""') + '"' if needs else value
    return text[:cell_start] + new + text[cell_end:], f"{line}: expected"


def _line_start(text: str, line: int) -> int:
    at = 0
    for _ in range(line - 1):
        at = text.index("\n", at) + 1
    return at


def _csv_cell_spans(text: str, at: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of the CSV row starting at `at` (excel dialect: commas, double
    quotes doubled inside quoted cells, line breaks allowed inside them)."""
    spans = []
    while True:
        start = at
        if text[at : at + 1] == '"':
            at += 1
            while True:
                at = text.index('"', at) + 1
                if text[at : at + 1] != '"':
                    break
                at += 1
        while at < len(text) and text[at] not in ",\r\n":
            at += 1
        spans.append((start, at))
        if text[at : at + 1] != ",":
            return spans
        at += 1


# -- checking the result --------------------------------------------------------------------------
def _verify(suite: Suite, case: Case, value: str, edit: Edit) -> None:
    """Parse the edited text as evaltui will: the case must now expect `value`, and every other
    case must be exactly as it was."""
    from evaltui.suites.loader import load_suite

    handle, temp = tempfile.mkstemp(prefix=".evaltui-accept-", suffix=edit.path.suffix, dir=edit.path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(edit.after)
        if edit.path.suffix.lower() in (".jsonl", ".csv"):
            old = dict(iter_case_file(edit.path, str(edit.path)))
            new = dict(iter_case_file(Path(temp), str(edit.path)))
            assert case.loc is not None and case.loc.line is not None  # a case read from a file
            line = case.loc.line
            ok = set(old) == set(new) and all(new[n] == old[n] for n in old if n != line)
            changed = new.get(line, {})
            ok = ok and changed.get("expected") == value
            ok = ok and {k: v for k, v in changed.items() if k != "expected"} == {
                k: v for k, v in old[line].items() if k != "expected"
            }
        else:
            reloaded = load_suite(temp)
            before = {c.id: c.model_dump() for c in suite.cases}
            after = {c.id: c.model_dump() for c in reloaded.cases}
            ok = set(before) == set(after) and after[case.id]["expected"] == value
            ok = ok and all(after[i] == before[i] for i in before if i != case.id)
            ok = ok and {k: v for k, v in after[case.id].items() if k != "expected"} == {
                k: v for k, v in before[case.id].items() if k != "expected"
            }
    except EvaltuiError as exc:
        raise EvaltuiError(f"{edit.where}: the edit would break the suite ({exc}); nothing written") from exc
    finally:
        os.unlink(temp)
    if not ok:
        raise EvaltuiError(f"{edit.where}: the edit would change more than this value; nothing written")

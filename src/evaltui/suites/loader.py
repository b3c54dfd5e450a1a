"""`load_suite(path) -> Suite`: one YAML file (plus the case files it names) to a validated Suite.

Everything a user can get wrong is reported as a SuiteError naming the file, the line and the
field: YAML syntax, unknown keys, wrong types, missing fields, duplicate case ids, bad templates,
case files that are missing, outside the suite's folder, not UTF-8 or not JSON.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from evaltui.errors import SuiteError
from evaltui.recordclass import quick
from evaltui.suites.caselist import CaseFile, CaseList, Segment
from evaltui.suites.identity import IdHashes, definition_id, derive_case_id
from evaltui.suites.models import RECORDED_KEYS, Case, Location, Message, PromptVariant, Suite
from evaltui.suites.specs import models_from_yaml, scorers_from_yaml
from evaltui.suites.template import compile_case_templates, compile_templates, render_check
from evaltui.suites.tools import (
    check_response_format,
    check_tool_results,
    check_tool_scorers,
    tools_from_yaml,
)
from evaltui.suites.validation import FlatSource, Source, public_keys, validate
from evaltui.suites.yamlnodes import FieldPath, YamlDoc, format_path, read_yaml

SUITE_KEYS = (*public_keys(Suite), "tools_file")
RESERVED_VARS = ("input", "expected", "case")  # names the template context already gives
# What a case may be written with (its `file:` key is an entry of case files, not a case)
_CASE_KEYS = frozenset((*public_keys(Case), "file", *RECORDED_KEYS))
_RECORDED_KEYS = frozenset(RECORDED_KEYS)


def load_suite(path: str | Path, *, render: bool = False) -> Suite:
    """Load and validate a suite; raises SuiteError (file, line, field) on the first problem.
    `render`: also render every case's prompt on the loading walk (a suite read from case files,
    without prompt variants), as a run must before it asks anything: `engine.prepare` then has no
    walk of its own to make."""
    path = Path(path)
    doc = read_yaml(path, str(path))
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("a suite is a mapping with at least `name:` and `cases:`", ())
    for key in data:
        if key not in SUITE_KEYS:
            raise doc.error(f"unknown key; expected one of: {', '.join(SUITE_KEYS)}", (key,))
    if "prompt" in data and "messages" in data:
        raise doc.error(
            "write `prompt:` (one user message) or `messages:` (a chat list), not both", ("messages",)
        )
    if "prompts" in data and ("prompt" in data or "messages" in data):
        raise doc.error("write `prompts:` (variants) or one `prompt:`/`messages:`, not both", ("prompts",))
    if "cases" not in data:
        raise doc.error("field required: a suite needs `cases:`", ("cases",))
    built_here = ("messages", "models", "scorers", "cases", "tools", "tools_file", "prompts")
    fields = {key: value for key, value in data.items() if key not in built_here}
    if "messages" in data:
        fields["messages"] = _messages(data["messages"], doc, ("messages",))
    if "prompts" in data:
        fields["prompts"] = _variants(data["prompts"], doc)
    fields["models"] = models_from_yaml(data.get("models"), doc, ("models",))
    fields["scorers"] = scorers_from_yaml(data.get("scorers"), doc, ("scorers",))
    fields["tools"] = tools_from_yaml(data, doc, path.parent)
    check_response_format(data.get("response_format"), doc, fields["models"])
    suite = validate(Suite, fields, doc, ())
    suite.cases = CaseCollector(doc, path.parent).collect(data["cases"])  # type: ignore[assignment]
    offered = {tool.function.name for tool in suite.tools}
    check_tool_scorers(suite.scorers, offered, bool(suite.tools))
    suite.path = str(path.resolve())
    suite.loc = Location(file=doc.file, line=doc.line_of(()))
    text_lines = {
        format_path(key): line for key, line in doc.text_lines.items() if key[0] in ("prompt", "messages")
    }
    compile_templates(suite, text_lines=text_lines)
    for index, variant in enumerate(suite.prompts or ()):
        prefix = f"prompts[{index}]."
        lines = {
            format_path(key).removeprefix(prefix): line
            for key, line in doc.text_lines.items()
            if format_path(key).startswith(prefix)
        }
        try:
            compile_templates(with_variant(suite, variant), text_lines=lines)
        except SuiteError as exc:  # the variant's own field, as written
            raise SuiteError(
                exc.message, file=exc.file, line=exc.line, field=prefix + (exc.field or "")
            ) from None
    _check_cases(suite, doc, offered, render=render and not suite.prompts)
    return suite


def _check_cases(suite: Suite, doc: YamlDoc, offered: set[str], *, render: bool) -> None:
    """One walk over every case, in order: repeated ids, the case's own templates and tools. A
    suite read from case files (a `CaseList`) is counted and hashed on the same walk, so the run
    need not hold its cases to know how many there are or to look its id up in the store; a small
    one (its cases kept by the walk) is hashed from them when it is saved instead."""
    seen = IdHashes()  # hashes of the ids met: a hit is confirmed by a walk to the first use

    own_scorers = False  # a case's own scorers are compiled by `engine.prepare`'s walk
    rendered = render_check(suite) if render else None

    def checked() -> Iterator[Case]:
        nonlocal own_scorers
        count, tags, files = 0, Counter[str](), hashlib.sha256()
        walk = suite.cases.digested(files) if isinstance(suite.cases, CaseList) else suite.cases
        for case in walk:
            if case.tags:  # Counter.update costs a call through Python even for no tags
                tags.update(case.tags)
            if seen.add(hash(case.id)):
                _refuse_repeat(suite, case)
            if case.messages:  # its own templates (a call per case costs, even for none)
                compile_case_templates(suite, case)
            if rendered is not None:
                rendered(case)
            if case.tool_results:
                check_tool_results(case, offered, _case_source(doc, case), _case_path(case))
            if case.scorers is not None:
                check_tool_scorers(case.scorers, offered, bool(suite.tools))
                own_scorers = True
            count += 1
            yield case
        if not count:
            raise doc.error("the suite has no cases", ("cases",))
        if isinstance(suite.cases, CaseList):
            suite.cases.counted(count, tags, own_scorers, files.digest())

    if isinstance(suite.cases, CaseList):
        suite_id = None
        if suite.cases.small():  # its walk keeps its cases: hashed from them when saved
            for _ in checked():
                pass
        else:
            suite_id = definition_id(suite, cases=checked())
        suite.cases.remember_id(suite, suite_id, rendered=render and not own_scorers)
    else:
        for _ in checked():
            pass


def _refuse_repeat(suite: Suite, case: Case) -> None:
    """`case` may repeat the id of an earlier case (its id's hash did): if so, an error naming
    where that id was first used."""
    first = next(c for c in suite.cases if hash(c.id) == hash(case.id))
    if first.id != case.id:
        return  # two ids with one hash, not one id twice
    loc = case.loc or Location(file=suite.loc.file if suite.loc else "")
    raise _repeat_error(case.id, loc, first.loc or loc, _derived(case) and _derived(first))


def _repeat_error(case_id: str, loc: Location, first: Location, both_derived: bool) -> SuiteError:
    where = f"{first.file}:{first.line}"
    if both_derived:
        message = (
            f"this case repeats the input, expected and vars of the case at {where}; "
            "remove the copy or give each an `id:`"
        )
    else:
        message = f"duplicate case id {case_id!r}; first used at {where}"
    field = f"{loc.field}.id" if loc.field else "id"
    return SuiteError(message, file=loc.file, line=loc.line, field=field)


def _derived(case: Case) -> bool:
    return case.id == derive_case_id(case.input, case.expected, case.vars)


_new_flat_source = quick(FlatSource)  # FlatSource(...), made for a case of a file that is not plain
# What most case-file lines hold: no scorers, messages, tool results or recorded answer of their own
_PLAIN_KEYS = frozenset(("id", "input", "expected", "vars", "tags", "cluster"))
_RESERVED = frozenset(RESERVED_VARS)
_Model = TypeVar("_Model", bound=BaseModel)


def _file_case(fields: dict[str, Any], display: str, line: int) -> Case:
    """`build_case` of a case file's line: a plain line by `_plain_case`, every other line (and a
    plain one that fails) by `build_case`, whose errors name the file, line and field."""
    case = _plain_case(fields, display, line) if _PLAIN_KEYS.issuperset(fields) else None
    return case if case is not None else build_case(fields, _new_flat_source(display, line), ())


def _plain_case(fields: dict[str, Any], display: str, line: int) -> Case | None:
    """A line of only `_PLAIN_KEYS` whose values are what `Case` takes as they are (an `input`, an
    id that is a text or left out, vars a mapping without reserved names, tags a list of texts, a
    text cluster), made into the case `build_case` would validate, without pydantic's validation;
    None for any other line (`build_case` builds it, or says what is wrong)."""
    given_id = fields.get("id")
    if "input" not in fields or not (given_id is None or (type(given_id) is str and given_id.strip())):
        return None  # no input, a number id (made a text) or a blank one (refused): build_case's
    variables = fields.get("vars", _ABSENT)
    if variables is _ABSENT:
        variables = {}
    elif type(variables) is not dict or not _RESERVED.isdisjoint(variables):
        return None
    tags = fields.get("tags", _ABSENT)
    if tags is _ABSENT:
        tags = []
    elif type(tags) is not list or not all(type(tag) is str for tag in tags):
        return None
    cluster = fields.get("cluster")
    if not (cluster is None or type(cluster) is str):
        return None
    if given_id is None:
        given_id = derive_case_id(fields["input"], fields.get("expected"), variables)
    loc = _built(Location, {"file": display, "line": line, "field": None}, set(_LOCATION_FIELDS))
    values = {
        "id": given_id,
        "input": fields["input"],
        "expected": fields.get("expected"),
        "vars": variables,
        "tags": tags,
        "cluster": cluster,
        "scorers": None,
        "messages": None,
        "tool_results": {},
        "recorded": None,
        "loc": loc,
    }
    return _built(Case, values, {*_GIVEN_FIELDS, *fields})


_ABSENT = object()
_LOCATION_FIELDS = ("file", "line", "field")
_GIVEN_FIELDS = ("id", "vars", "tags", "tool_results", "loc")  # as build_case gives them
_new_object = object.__new__
_set_slot = object.__setattr__


def _built(model: type[_Model], values: dict[str, Any], given: set[str]) -> _Model:
    """What `model.model_construct(given, **values)` makes, for `values` that are every field of
    `model`, in the order the model declares them, each a value its validation keeps as it is:
    without model_construct's walk over the model's fields for aliases and defaults, which
    costs more than validating. `given`: the fields set, as validation would record them."""
    made = _new_object(model)
    _set_slot(made, "__dict__", values)
    _set_slot(made, "__pydantic_fields_set__", given)
    _set_slot(made, "__pydantic_extra__", None)
    _set_slot(made, "__pydantic_private__", None)
    return made


def _case_path(case: Case) -> FieldPath:
    """The path a case was written at ("cases", 3), or () for a case from a JSONL/CSV file."""
    field = case.loc.field if case.loc else None
    if field and field.startswith("cases[") and field.endswith("]") and field[6:-1].isdigit():
        return ("cases", int(field[6:-1]))
    return ()


def _case_source(doc: YamlDoc, case: Case) -> Source:
    if case.loc is None or case.loc.file == doc.file:
        return doc
    return FlatSource(case.loc.file, case.loc.line or 0)


def _variants(value: Any, doc: YamlDoc) -> list[PromptVariant]:
    """`prompts:`: each variant an id and a `prompt:` or a `messages:` list; ids unique."""
    if not isinstance(value, list) or not value:
        raise doc.error("prompts is a non-empty list of {id, prompt} or {id, messages}", ("prompts",))
    variants: list[PromptVariant] = []
    for index, item in enumerate(value):
        path: FieldPath = ("prompts", index)
        if not isinstance(item, dict) or ("prompt" in item) == ("messages" in item):
            raise doc.error("a variant has an `id:` and either `prompt:` or `messages:`", path)
        fields = dict(item)
        if "messages" in fields:
            fields["messages"] = _messages(fields["messages"], doc, (*path, "messages"))
        variant = validate(PromptVariant, fields, doc, path)
        if any(v.id == variant.id for v in variants):
            raise doc.error(f"variant id {variant.id!r} is used twice", (*path, "id"))
        variants.append(variant)
    return variants


def with_variant(suite: Suite, variant: PromptVariant) -> Suite:
    """The suite as one variant asks it: that variant's prompt or messages, no other variants."""
    picked = suite.model_copy(
        update={"prompt": variant.prompt, "messages": variant.messages, "prompts": None}
    )
    picked.path, picked.loc = suite.path, suite.loc
    return picked


def pick_variants(suite: Suite, wanted: tuple[str, ...] = ()) -> list[tuple[str | None, Suite]]:
    """(variant id, the suite as that variant asks it) for the variants `wanted` (all when none
    named); a suite without `prompts:` is its own one variant (id None). SuiteError for an id the
    suite does not have, naming those it has."""
    if not suite.prompts:
        if wanted:
            raise SuiteError(
                f"-p {wanted[0]}: the suite {suite.name!r} has no `prompts:` variants", file=suite.path
            )
        return [(None, suite)]
    ids = [v.id for v in suite.prompts]
    unknown = [w for w in wanted if w not in ids]
    if unknown:
        raise SuiteError(
            f"no prompt variant {unknown[0]!r}; the suite has: {', '.join(ids)}", file=suite.path
        )
    return [(v.id, with_variant(suite, v)) for v in suite.prompts if not wanted or v.id in wanted]


def _messages(value: Any, source: Source, path: FieldPath) -> list[Message]:
    if not isinstance(value, list) or not value:
        raise source.error("messages is a non-empty list of {role, content}", path)
    return [validate(Message, item, source, (*path, index)) for index, item in enumerate(value)]


def build_case(fields: Any, source: Source, path: FieldPath) -> Case:
    """One case from its written fields (inline YAML, a JSONL object or a CSV row)."""
    if not isinstance(fields, dict):
        raise source.error("a case is a mapping with at least `input:` (or a `file:` entry)", path)
    if not _CASE_KEYS.issuperset(fields):  # a misspelt key also leaves its field missing: name it
        unknown = next(key for key in fields if key not in _CASE_KEYS)
        expected = ", ".join(public_keys(Case))
        raise source.error(f"unknown key; expected one of: {expected}", (*path, str(unknown)))
    if "input" not in fields:
        raise source.error("field required", (*path, "input"))
    data = dict(fields)
    if not _RECORDED_KEYS.isdisjoint(data):  # `output:` and its figures: the recorded model's answer
        answer = {key: data.pop(key) for key in RECORDED_KEYS if key in data}
        if "output" not in answer:
            raise source.error(f"{next(iter(answer))} goes with a recorded `output:`", (*path, "output"))
        data["recorded"] = answer
    given_id = data.get("id")
    if isinstance(given_id, int) and not isinstance(given_id, bool):
        data["id"] = str(given_id)
    elif isinstance(given_id, str) and not given_id.strip():
        raise source.error(
            "an id cannot be empty; leave it out to derive one from the content", (*path, "id")
        )
    elif given_id is None:
        # Raw values equal validated ones here (Case does not coerce input, expected or vars);
        # a wrong-typed field fails validation below before this id is ever seen.
        data["id"] = derive_case_id(data["input"], data.get("expected"), data.get("vars") or {})
    if data.get("scorers") is not None:
        data["scorers"] = scorers_from_yaml(data["scorers"], source, (*path, "scorers"))
    if data.get("messages") is not None:
        data["messages"] = _messages(data["messages"], source, (*path, "messages"))
    data["loc"] = {"file": source.file, "line": source.line_of(path), "field": format_path(path) or None}
    # Given here when not written: cheaper than the model's default factories, for every case
    data.setdefault("vars", {})
    data.setdefault("tags", [])
    data.setdefault("tool_results", {})
    case = validate(Case, data, source, path)
    for name in case.vars:
        if name in RESERVED_VARS:
            raise source.error(
                f"{name!r} is already a template variable; rename this var", (*path, "vars", name)
            )
    return case


class CaseCollector:
    """The suite's cases in order, from inline entries and `file:` entries: a list when every
    case is inline, else a `CaseList` that reads its case files on each walk. Inline cases are
    validated here; case files are checked to exist here and their cases on the loader's walk."""

    def __init__(self, doc: YamlDoc, suite_dir: Path) -> None:
        self.doc = doc
        self.suite_dir = suite_dir
        self.cases: list[Case] = []  # what `add` collected (the importers build their cases so)
        self.first_seen: dict[str, Location] = {}
        self.derived: set[str] = set()

    def collect(self, entries: Any) -> list[Case] | CaseList:
        if not isinstance(entries, list):
            raise self.doc.error("cases is a list of cases and `- file:` entries", ("cases",))
        segments: list[Segment] = []
        inline: list[Case] = []
        for index, entry in enumerate(entries):
            path: FieldPath = ("cases", index)
            if isinstance(entry, dict) and "file" in entry:
                if inline:
                    segments.append(inline)
                    inline = []
                segments.append(self._file_entry(entry, path))
            else:
                inline.append(build_case(entry, self.doc, path))
        if not segments:
            return inline
        if inline:
            segments.append(inline)
        return CaseList(tuple(segments), _file_case)

    def add(self, case: Case, derived: bool) -> None:
        """Append `case`; a repeated id is an error naming where it was first used."""
        loc = case.loc or Location(file=self.doc.file)
        first = self.first_seen.get(case.id)
        if first is not None:
            raise _repeat_error(case.id, loc, first, derived and case.id in self.derived)
        self.first_seen[case.id] = loc
        if derived:
            self.derived.add(case.id)
        self.cases.append(case)

    def _file_entry(self, entry: dict[str, Any], path: FieldPath) -> CaseFile:
        for key in entry:
            if key != "file":
                raise self.doc.error("a `file:` entry has no other keys", (*path, key))
        target, display = self._case_file(entry["file"], (*path, "file"))
        return CaseFile(target, display)

    def _case_file(self, name: Any, path: FieldPath) -> tuple[Path, str]:
        """The case file's real path (refused outside the suite's folder) and its display name."""
        if not isinstance(name, str) or not name.strip():
            raise self.doc.error("file is the path of a .jsonl or .csv file next to the suite", path)
        relative = Path(name)
        if relative.is_absolute():
            raise self.doc.error(
                "case files are given relative to the suite's folder; absolute paths are refused", path
            )
        target = (self.suite_dir / relative).resolve()
        if not target.is_relative_to(self.suite_dir.resolve()):
            raise self.doc.error(
                f"{name!r} leads outside the suite's folder; case files must live in "
                "the suite's folder or below it",
                path,
            )
        display = os.path.normpath(self.suite_dir / relative)
        if not target.is_file():
            raise self.doc.error(f"case file {display!r} not found", path)
        if not os.access(target, os.R_OK):
            raise self.doc.error(f"case file {display!r} is not readable (permission denied)", path)
        return target, display

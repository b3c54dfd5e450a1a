"""An Inspect AI dataset (JSONL or CSV records with `input`, `target`, `id`, `metadata`,
`choices`) as a suite.

`input` is text or chat messages (`chat.py`); `target` becomes the expected answer (a list of
them is kept as a list); `metadata` becomes the var `metadata`; a CSV's other columns become vars.
Records with `choices` are multiple choice as Inspect asks them: the choices listed with letters
under the question, the target a letter (a list of one letter is that letter), scored by `equals`
after trimming and lower-casing.
Otherwise the answer passes when it contains a target (Inspect's `includes()`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.importers.base import Imported
from evaltui.suites.importers.chat import message_templates, same_shape, split_messages
from evaltui.suites.importers.table import collect, read_records
from evaltui.suites.models import Location, ScorerSpec, Suite

FIELDS = ("input", "target", "id", "metadata", "choices", "sandbox", "files", "setup")
CHOICES = (
    "\n\n{% for choice in choices %}"
    "{{ 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[loop.index0] }}) {{ choice }}\n{% endfor %}"
    "\nAnswer with the letter of the right choice only."
)


def _json_cell(value: Any) -> Any:
    """A CSV cell that holds JSON (metadata, choices, a target list) as its value."""
    if isinstance(value, str) and value.strip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def import_inspect(path: Path) -> Imported:
    shape: list[tuple[str, ...] | None] = [None]
    kinds: set[bool] = set()  # whether records have choices: all or none

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for line, record in read_records(path):
            if "input" not in record:
                raise SuiteError("a sample needs `input`", file=str(path), line=line)
            for unsupported in ("sandbox", "files", "setup"):
                if record.get(unsupported):
                    raise SuiteError(
                        f"`{unsupported}` is not imported (evaltui runs no sandboxed agents)",
                        file=str(path),
                        line=line,
                    )
            value = _json_cell(record["input"])
            if isinstance(value, str):
                fields: dict[str, Any] = {"input": value, "vars": {}}
                shape[0] = same_shape(shape[0], ("user",), str(path), line)
            else:
                roles, fields = split_messages(value, str(path), line)
                shape[0] = same_shape(shape[0], roles, str(path), line)
            target = _json_cell(record.get("target"))
            if target not in (None, "", []):
                fields["expected"] = target
            if record.get("id") not in (None, ""):
                fields["id"] = str(record["id"])
            if record.get("metadata"):
                fields["vars"]["metadata"] = _json_cell(record["metadata"])
            choices = _json_cell(record.get("choices"))
            kinds.add(bool(choices))
            if len(kinds) > 1:
                raise SuiteError(
                    "some samples have choices and some do not: split the file", file=str(path), line=line
                )
            if choices:
                fields["vars"]["choices"] = choices
                if isinstance(target, list):  # a list of letters: the prompt asks for one
                    if len(target) != 1:
                        raise SuiteError(
                            f"several right choices ({', '.join(map(str, target))}): the imported "
                            "prompt asks for one letter; split the sample or write one target",
                            file=str(path),
                            line=line,
                            field="target",
                        )
                    fields["expected"] = str(target[0])
            fields["vars"].update({k: v for k, v in record.items() if k not in FIELDS})
            yield line, fields

    cases = collect(path, rows())
    multiple_choice = kinds == {True}
    roles = shape[0] or ("user",)
    scorer = (
        ScorerSpec(type="equals", normalize=["strip", "lower"])
        if multiple_choice
        else ScorerSpec(type="contains-any")
    )
    suite = Suite(name=path.stem, scorers=[scorer], cases=cases)
    templates = message_templates(roles)
    if multiple_choice:
        templates[-1] = templates[-1].model_copy(update={"content": templates[-1].content + CHOICES})
    if len(templates) == 1:
        suite.prompt = templates[0].content
    else:
        suite.messages = templates
    suite.loc = Location(file=str(path), line=1)
    notes = ["no models: run it with -m (e.g. -m openai:gpt-4o-mini) or add `models:`"]
    origins = (
        (
            "prompt",
            "the samples' input"
            + (", with their choices lettered as Inspect's multiple_choice()" if multiple_choice else ""),
        ),
        ("messages", "the samples' chat messages"),
        ("scorers", "Inspect's choice() scorer" if multiple_choice else "Inspect's includes() scorer"),
        ("cases", f"{path.name}: target as expected, metadata and choices as vars"),
    )
    return Imported(
        suite=suite, source=f"Inspect AI dataset {path.name}", notes=tuple(notes), origins=origins
    )

"""An OpenAI evals registry samples file (JSONL) as a suite.

Each sample has `input` (a string, or chat messages: see `chat.py`) and `ideal` (one accepted
answer, or a list of them). The eval class picks the scorer: `match` (the answer starts with an
ideal one), `includes` (the answer contains one), `fuzzy-match` (after lower-casing and dropping
punctuation and extra spaces, the answer contains one; openai's also passes an answer contained in
an ideal one, which evaltui's scorer does not: the import says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.importers.base import Imported
from evaltui.suites.importers.chat import message_templates, same_shape, split_messages
from evaltui.suites.importers.table import collect, read_records
from evaltui.suites.models import Location, ScorerSpec, Suite

FUZZY = ["lower", "strip_punctuation", "collapse_whitespace", "strip"]
EVAL_CLASSES = {
    "match": ScorerSpec(type="starts-with"),
    "includes": ScorerSpec(type="contains-any"),
    "fuzzy-match": ScorerSpec(type="contains-any", normalize=FUZZY),
}


def _starts_with_any(ideals: list[str]) -> list[ScorerSpec]:
    """`match` with several accepted answers: one anchored alternation."""
    return [ScorerSpec(type="regex", pattern=r"\A(?:" + "|".join(re.escape(i) for i in ideals) + ")")]


def import_openai_evals(path: Path, *, eval_class: str = "match") -> Imported:
    if eval_class not in EVAL_CLASSES:
        raise SuiteError(
            f"eval class {eval_class!r} is not imported; choose one of: {', '.join(EVAL_CLASSES)}"
        )
    shape: list[tuple[str, ...] | None] = [None]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for line, sample in read_records(path):
            if "input" not in sample or "ideal" not in sample:
                raise SuiteError("a sample has `input` and `ideal`", file=str(path), line=line)
            value = sample["input"]
            if isinstance(value, str):
                fields: dict[str, Any] = {"input": value}
                shape[0] = same_shape(shape[0], ("user",), str(path), line)
            else:
                roles, fields = split_messages(value, str(path), line)
                shape[0] = same_shape(shape[0], roles, str(path), line)
            ideal = sample["ideal"]
            if not isinstance(ideal, str | list) or (isinstance(ideal, list) and not ideal):
                raise SuiteError(
                    "ideal is an answer or a list of answers", file=str(path), line=line, field="ideal"
                )
            fields["expected"] = ideal
            if eval_class == "match" and isinstance(ideal, list):
                fields["scorers"] = [s.model_dump(exclude_defaults=True) for s in _starts_with_any(ideal)]
            yield line, fields

    cases = collect(path, rows())
    roles = shape[0] or ("user",)
    suite = Suite(name=path.stem, scorers=[EVAL_CLASSES[eval_class]], cases=cases)
    if roles == ("user",):
        suite.prompt = "{{ input }}"
    else:
        suite.messages = message_templates(roles)
    suite.loc = Location(file=str(path), line=1)
    notes = ["no models: run it with -m (e.g. -m openai:gpt-4o-mini) or add `models:`"]
    if eval_class == "fuzzy-match":
        notes.append(
            "fuzzy-match: an answer that is only part of an ideal answer passes in openai evals, not here"
        )
    origins = (
        ("scorers", f"the eval class {eval_class}"),
        ("cases", f"{path.name}: input as the prompt, ideal as expected"),
    )
    return Imported(
        suite=suite, source=f"openai evals samples {path.name}", notes=tuple(notes), origins=origins
    )

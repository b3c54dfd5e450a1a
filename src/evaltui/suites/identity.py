"""Stable names for content: case ids derived from what a case says, and a suite's content hash.

Both hash canonical JSON (sorted keys, no whitespace), so they do not change with key order, file
location or a re-run, and they change when the content does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from evaltui.suites.models import Case, Suite

CASE_ID_LENGTH = 16  # hex digits: 64 bits keeps collisions negligible for millions of cases
SUITE_HASH_LENGTH = 16


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


def derive_case_id(input_value: Any, expected: Any, variables: dict[str, Any]) -> str:
    """The id of a case written without one: a short hash of its input, expected value and vars."""
    digest = hashlib.sha256(canonical_json([input_value, expected, variables]).encode("utf-8"))
    return digest.hexdigest()[:CASE_ID_LENGTH]


def suite_hash(suite: Suite) -> str:
    """A canonical content hash of a suite's definition (key order does not matter). The store
    names a suite by `definition_id`, the hash of the definition JSON it keeps.

    Locations and the file path are excluded, so moving a suite file keeps its id. Cases are hashed
    one at a time so a suite of a million cases is never serialized as one string.
    """
    digest = hashlib.sha256()
    digest.update(canonical_json(suite.model_dump(mode="json", exclude={"cases"})).encode("utf-8"))
    for case in suite.cases:
        digest.update(b"\n")
        digest.update(canonical_json(case.model_dump(mode="json")).encode("utf-8"))
    return digest.hexdigest()[:SUITE_HASH_LENGTH]


# The stored definition's JSON (store/codec.py's `dump_json` of `suite.model_dump(mode="json")`):
# readable, unless some text holds lone surrogates (which UTF-8 cannot carry), then escaped ASCII.
_READABLE = json.JSONEncoder(ensure_ascii=False)
_ASCII = json.JSONEncoder()


def definition_id(suite: Suite, keep: list[str] | None = None, cases: Iterable[Case] | None = None) -> str:
    """The store's suites.id: the first 16 hex digits of the SHA-256 of the suite's definition JSON,
    exactly as `json.dumps(suite.model_dump(mode="json"), ensure_ascii=False)` writes it, computed one
    case at a time so a million-case suite is never one dict or one string. With `keep`, the JSON's
    pieces are appended to it (the store keeps the text). `cases` (default: `suite.cases`) is what
    is walked, so the loader's validating walk hashes as it goes."""
    walk = iter(suite.cases if cases is None else cases)
    try:
        return _definition_id(suite, _READABLE, keep, walk)
    except UnicodeEncodeError:  # lone surrogates somewhere: the whole text is escaped ASCII
        for _ in walk:  # the caller's walk goes to its end (the loader validates as it walks)
            pass
        if keep is not None:
            keep.clear()
        return _definition_id(suite, _ASCII, keep, suite.cases)


def _definition_id(
    suite: Suite, encoder: json.JSONEncoder, keep: list[str] | None, cases: Iterable[Case]
) -> str:
    digest = hashlib.sha256()

    pending: list[str] = []  # kept pieces are joined a thousand at a time: a few large strings

    def add(text: str) -> None:
        digest.update(text.encode("utf-8"))
        if keep is not None:
            pending.append(text)
            if len(pending) >= 1000:
                keep.append("".join(pending))
                pending.clear()

    head = suite.model_copy(update={"cases": []}).model_dump(mode="json")
    add("{")
    for index, (key, value) in enumerate(head.items()):
        add(f"{', ' if index else ''}{encoder.encode(key)}: ")
        if key != "cases":
            add(encoder.encode(value))
            continue
        add("[")
        for number, case in enumerate(cases):
            add(f"{', ' if number else ''}{encoder.encode(case.model_dump(mode='json'))}")
        add("]")
    add("}")
    if keep is not None:
        keep.append("".join(pending))
    return digest.hexdigest()[:SUITE_HASH_LENGTH]

"""Stable names for content: case ids derived from what a case says, and a suite's content hash.

Both hash canonical JSON (sorted keys, no whitespace), so they do not change with key order, file
location or a re-run, and they change when the content does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from evaltui.suites.models import Suite

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
    """A content hash of a suite's definition (the store's suites.id).

    Locations and the file path are excluded, so moving a suite file keeps its id. Cases are hashed
    one at a time so a suite of a million cases is never serialized as one string.
    """
    digest = hashlib.sha256()
    digest.update(canonical_json(suite.model_dump(mode="json", exclude={"cases"})).encode("utf-8"))
    for case in suite.cases:
        digest.update(b"\n")
        digest.update(canonical_json(case.model_dump(mode="json")).encode("utf-8"))
    return digest.hexdigest()[:SUITE_HASH_LENGTH]

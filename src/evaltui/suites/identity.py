"""Stable names for content: case ids derived from what a case says, and a suite's content hash.

Both hash canonical JSON (sorted keys, no whitespace), so they do not change with key order, file
location or a re-run, and they change when the content does.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from array import array
from collections.abc import Callable, Iterable
from typing import Any

from evaltui.jsoncodec import encoder
from evaltui.suites.models import Case, Suite

CASE_ID_LENGTH = 16  # hex digits: 64 bits keeps collisions negligible for millions of cases
SUITE_HASH_LENGTH = 16
# Cases whose JSON texts are hashed at once when a suite is hashed (one digest update a batch)
DUMP_BATCH = 256


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


# The definition's JSON as `json.dumps(suite.model_dump(mode="json"), ensure_ascii=False)` writes it
# (store/codec.py's `dump_json`): readable, unless some text holds lone surrogates (which UTF-8
# cannot carry), then escaped ASCII. Each with the string quoting json's encoder uses inside it.
_READABLE = (encoder(ensure_ascii=False), json.encoder.encode_basestring)
_ASCII = (encoder(ensure_ascii=True), json.encoder.encode_basestring_ascii)
Encoding = tuple[Callable[[Any], str], Callable[[str], str]]


def definition_id(suite: Suite, cases: Iterable[Case] | None = None) -> str:
    """The store's suites.id: the first 16 hex digits of the SHA-256 of the suite's definition JSON,
    cases included, exactly as `json.dumps(suite.model_dump(mode="json"), ensure_ascii=False)` writes
    it, computed one case at a time so a million-case suite is never one dict or one string.
    `cases` (default: `suite.cases`) is what is walked, so the loader's validating walk, or the
    store's inserting walk, hashes as it goes."""
    walk = iter(suite.cases if cases is None else cases)
    try:
        return _definition_id(suite, _READABLE, walk)
    except UnicodeEncodeError:  # lone surrogates somewhere: the whole text is escaped ASCII
        for _ in walk:  # the caller's walk goes to its end (the loader validates as it walks)
            pass
        return _definition_id(suite, _ASCII, suite.cases)


def _definition_id(suite: Suite, encoding: Encoding, cases: Iterable[Case]) -> str:
    encode = encoding[0]
    digest = hashlib.sha256()
    head = suite.model_copy(update={"cases": []}).model_dump(mode="json")
    digest.update(b"{")
    for index, (key, value) in enumerate(head.items()):
        digest.update(f"{', ' if index else ''}{encode(key)}: ".encode())
        if key != "cases":
            digest.update(encode(value).encode())
            continue
        digest.update(b"[")
        batch: list[str] = []
        after = ""  # what goes before the next batch's first case: nothing, then a comma
        for case in cases:
            batch.append(case_json(case, encoding))
            if len(batch) == DUMP_BATCH:
                digest.update(f"{after}{', '.join(batch)}".encode())
                batch.clear()
                after = ", "
        if batch:
            digest.update(f"{after}{', '.join(batch)}".encode())
        digest.update(b"]")
    digest.update(b"}")
    return digest.hexdigest()[:SUITE_HASH_LENGTH]


def case_json(case: Case, encoding: Encoding = _READABLE) -> str:
    """`case.model_dump(mode="json")` as `encoding` writes it. A case of texts alone (what case
    files mostly hold: no scorers, messages, tool results or recorded answer of its own, texts for
    input, expected and vars) is written here, key by key in the dump's order, each text quoted
    as the encoder quotes it, without pydantic's serializer or a dict made for the encoder: the
    loader's walk hashes every case of a suite."""
    if (
        type(case.input) is str
        and (case.expected is None or type(case.expected) is str)
        and case.scorers is None
        and case.messages is None
        and not case.tool_results
        and case.recorded is None
        and (not case.vars or all(type(value) is str for value in case.vars.values()))
    ):
        encode, quote = encoding
        expected = "null" if case.expected is None else quote(case.expected)
        cluster = "null" if case.cluster is None else quote(case.cluster)
        variables = encode(case.vars) if case.vars else "{}"
        tags = encode(case.tags) if case.tags else "[]"
        return (
            f'{{"id": {quote(case.id)}, "input": {quote(case.input)}, "expected": {expected}, '
            f'"vars": {variables}, "tags": {tags}, "cluster": {cluster}, "scorers": null}}'
        )
    return encoding[0](case.model_dump(mode="json"))


KEPT_IDS = 1 << 21  # id hashes kept in memory (32 MiB of slots); past them they go to a file
SET_IDS = 1 << 16  # of those, the first are held in a set (a few MiB)


class IdHashes:
    """The hashes of the case ids a walk has met. The first `SET_IDS` are held in a `set`, the
    quickest to ask, which a suite's every case does; past them, up to `kept` in all, they are 8
    bytes each in an open-addressed table of 64-bit slots, at most half full (a `set` of ints
    holds an object and a slot a hash, several times the size); past those, further hashes go to
    a temporary SQLite file (its pages cached up to a fixed size, the rest on disk), so memory
    stops growing with the suite. A hit says only that the hash was met; the loader confirms a
    repeated id by a walk to its first use."""

    def __init__(self, kept: int | None = None) -> None:
        self._slots = array("q", bytes(8 * 1024))  # 0 marks an empty slot; hash 0 is `_zero`
        self._used = 0
        self._zero = False
        self._kept = KEPT_IDS if kept is None else kept
        self._spilled: sqlite3.Connection | None = None
        self._few: set[int] | None = set()  # the first hashes, until there are too many
        self._few_limit = min(SET_IDS, self._kept)

    def add(self, key: int) -> bool:
        """Keep `key` (a `hash()`); True when it was kept already."""
        few = self._few
        if few is None:
            return self._add_to_table(key)
        if key in few:
            return True
        few.add(key)
        if len(few) > self._few_limit:  # too many for a set: into the table with them
            self._few = None
            for kept in few:
                self._add_to_table(kept)
        return False

    def _add_to_table(self, key: int) -> bool:
        if key == 0:
            met, self._zero = self._zero, True
            return met
        if self._used >= self._kept:
            return self._find(self._slots, key) or self._spill(key)
        if self._insert(self._slots, key):
            return True
        self._used += 1
        if self._used * 2 > len(self._slots) and self._used < self._kept:  # probes stay short
            grown = array("q", bytes(16 * len(self._slots)))
            for kept in self._slots:
                if kept:
                    self._insert(grown, kept)
            self._slots = grown
        return False

    def _spill(self, key: int) -> bool:
        conn = self._spilled
        if conn is None:  # "": a private file SQLite deletes when the table is dropped
            conn = self._spilled = sqlite3.connect("", isolation_level=None)
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE met (hash INTEGER PRIMARY KEY) WITHOUT ROWID")
        before = conn.total_changes
        conn.execute("INSERT OR IGNORE INTO met VALUES (?)", (key,))
        return conn.total_changes == before

    @staticmethod
    def _probe(slots: array[int], key: int) -> int:
        """The slot that holds `key`, else the empty one where it would go (linear probing)."""
        mask = len(slots) - 1
        index = key & mask
        while (found := slots[index]) and found != key:
            index = (index + 1) & mask
        return index

    @classmethod
    def _find(cls, slots: array[int], key: int) -> bool:
        return slots[cls._probe(slots, key)] == key

    @classmethod
    def _insert(cls, slots: array[int], key: int) -> bool:
        """Whether `key` was there already; put it there if not."""
        index = cls._probe(slots, key)
        if slots[index] == key:
            return True
        slots[index] = key
        return False

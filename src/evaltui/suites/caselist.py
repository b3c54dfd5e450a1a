"""A suite's cases read from its case files each time they are walked, never all held at once.
(A stored suite being resumed reads its cases from the database the same way: engine/resume.py.)

A suite with `- file:` entries gets a `CaseList` as its `cases`: the inline cases (already in
memory as YAML) are kept; each case file is read again, line by line, whenever the list is
iterated. So a run of a million-case suite holds the cases in flight, not the suite. The loader
walks the list once to validate it (every problem reported with file, line and field before any
model is asked), to count it and to hash it (the store's suite id); the store walks it to save the
suite's cases as rows; the run walks it to ask. Each walk builds fresh `Case` objects.

A small suite is the exception: when the loader's walk read at most `KEEP_CASES` cases from at
most `KEEP_BYTES` of case files, it keeps the cases it built, and every later walk goes over those
(the files are not read, parsed and validated twice more before and during a run). What that
holds is bounded whatever the suite's size. Such a suite (`small`: its files' sizes and lines say
so before the walk) is not hashed by the loader's walk: it is hashed from the kept cases when it is
saved, after the run's first requests are out (store/db.py's `Store.new_run`).

A case file changed between two walks would give different cases: the loader's walk keeps a digest
of the bytes it read, and the store's saving walk (`unchanged`) refuses files whose bytes differ.
(Kept cases are the ones the loader validated: there is nothing to compare.)
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, overload

from evaltui.errors import SuiteError
from evaltui.recordclass import record
from evaltui.suites.casefiles import iter_case_file
from evaltui.suites.models import Case, Suite

KEEP_CASES = 10_000  # a suite the loader read at most this many cases of keeps them...
KEEP_BYTES = 8 * 1024 * 1024  # ...when its case files hold at most this many bytes


@record(frozen=True, slots=True)
class CaseFile:
    path: Path  # resolved, inside the suite's folder
    display: str  # as the user wrote it, relative to where evaltui runs: errors name it


# A segment: inline cases (kept), a case file (read on each walk), or a function giving a fresh walk
# of cases kept elsewhere (a stored suite's rows: engine/resume.py).
Segment = list[Case] | CaseFile | Callable[[], Iterable[Case]]
# Builds one case from a case file's line: (fields, file shown in errors, line) -> Case
BuildCase = Callable[[dict[str, Any], str, int], Case]


def _no_case_files(fields: dict[str, Any], display: str, line: int) -> Case:
    raise TypeError("a CaseList with case files needs the function that builds their cases")


class CaseList:
    """A read-only sequence of cases whose file-backed parts are read on every iteration.

    `len()` is the count the loader's validating walk found (`counted`); indexing walks to the
    index (cheap for the first cases, which is what the TUI and tests ask for)."""

    def __init__(self, segments: tuple[Segment, ...], build: BuildCase = _no_case_files) -> None:
        self._segments = segments
        self._build = build
        self._count: int | None = None
        self._tags: Counter[str] | None = None
        self.own_scorers: bool | None = None  # unknown until the loader's walk
        self._files: bytes | None = None  # the digest of the case files' bytes that walk read
        # (the suite's definition without its cases, its id, whether the walk rendered every case):
        # hashed by the loader's walk, so the store can look the suite up without walking it again
        # (None: a small suite, hashed when saved, from its kept cases). A prompt variant's copy of
        # the suite shares this list but not its definition, hence the key.
        self._ids: list[tuple[dict[str, Any], str | None, bool]] = []
        self._kept: tuple[Case, ...] | None = None  # a small suite's cases, as the loader's walk built them

    def counted(self, count: int, tags: Counter[str], own_scorers: bool, files: bytes | None = None) -> None:
        """What the loader's walk (`digested`) found: how many cases, how many carry each tag,
        whether any case has scorers of its own (when none has, every case is scored by the
        suite's), and the digest of the case files' bytes it read."""
        self._count = count
        self._tags = tags
        self.own_scorers = own_scorers
        self._files = files

    def digested(self, digest: Any) -> Iterator[Case]:
        """A walk that feeds the case files' bytes, as read, to `digest` (a hashlib object). When it
        reads a small suite to its end, the cases it built are kept for every later walk."""
        kept: list[Case] | None = []
        size = 0

        def seen(line: bytes) -> None:
            nonlocal size
            size += len(line)
            digest.update(line)

        for case in self._walk(seen):
            if kept is not None:
                kept.append(case)
                if len(kept) > KEEP_CASES or size > KEEP_BYTES:
                    kept = None
            yield case
        if kept is not None:
            self._kept = tuple(kept)

    def unchanged(self) -> Iterator[Case]:
        """A walk that ends in SuiteError when the case files' bytes are not those the loader's walk
        read: the store's walk saving a suite under the id the loader hashed checks it this way,
        at the cost of a digest of the bytes rather than a hash of every case as JSON."""
        if self._kept is not None:
            yield from self._kept
            return
        digest = hashlib.sha256()
        yield from self._walk(digest.update)
        if self._files is None or digest.digest() != self._files:
            shown = next((s.display for s in self._segments if isinstance(s, CaseFile)), None)
            raise SuiteError("the suite's case files changed since it was loaded; run it again", file=shown)

    def held(self) -> tuple[Case, ...] | None:
        """The cases the loader's walk kept (a small suite: in memory, as validated and hashed);
        None when every walk reads the case files again."""
        return self._kept

    def mapped(self, change: Callable[[Case], Case]) -> CaseList:
        """This list with `change` applied to each case as a walk reads it. `change` keeps each
        case's id and tags (it rewrites scorers, say), so what the loading walk counted still holds."""
        copy = CaseList((lambda: map(change, self),))
        copy._count, copy._tags, copy.own_scorers = self._count, self._tags, self.own_scorers
        # not its files' digest: the copy's cases are not the file's, a save of it hashes them
        return copy

    def remember_id(self, suite: Suite, suite_id: str | None, *, rendered: bool = False) -> None:
        """What the loader's walk learnt of `suite`: its id (None: not hashed, `small`) and
        whether it rendered every case."""
        self._ids.append((_head(suite), suite_id, rendered))

    def small(self) -> bool:
        """Whether a walk will keep its cases, by the case files' sizes and line counts (inline
        cases counted): then the loader need not hash the suite as it walks, its saving hashes the
        kept cases (store/db.py's `Store.new_run`, after the first requests are out). A guess, for
        files that change meanwhile: a walk that keeps nothing is hashed when saved, as any other."""
        lines = size = 0
        for segment in self._segments:
            if isinstance(segment, list):
                lines += len(segment)
            elif isinstance(segment, CaseFile):
                try:
                    size += segment.path.stat().st_size
                    if size > KEEP_BYTES:
                        return False
                    text = segment.path.read_bytes()
                except OSError:
                    return False  # the walk says what is wrong
                lines += text.count(b"\n") + 1
            else:
                return False
        return lines <= KEEP_CASES

    def known_id(self, suite: Suite) -> str | None:
        """The store's id of `suite` (whose cases are this list), if a walk already hashed it."""
        head = _head(suite)
        return next((suite_id for known, suite_id, _ in self._ids if known == head and suite_id), None)

    def rendered(self, suite: Suite) -> bool:
        """Whether the loader's walk rendered every case of `suite` (whose cases are this list),
        so that preparing it need not walk the case files once more to find a template error."""
        head = _head(suite)
        return any(done for known, _, done in self._ids if known == head)

    def __iter__(self) -> Iterator[Case]:
        return self._walk(None)

    def _walk(self, seen: Callable[[bytes], Any] | None) -> Iterator[Case]:
        if self._kept is not None:
            yield from self._kept
            return
        for segment in self._segments:
            if isinstance(segment, list):
                yield from segment
            elif isinstance(segment, CaseFile):
                for line, fields in iter_case_file(segment.path, segment.display, seen):
                    yield self._build(fields, segment.display, line)
            else:
                yield from segment()

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self)
        return self._count

    def __bool__(self) -> bool:
        return len(self) > 0

    @overload
    def __getitem__(self, index: int) -> Case: ...
    @overload
    def __getitem__(self, index: slice) -> list[Case]: ...
    def __getitem__(self, index: int | slice) -> Case | list[Case]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        found = next(itertools.islice(self, index, None), None) if index >= 0 else None
        if found is None:
            raise IndexError("case index out of range")
        return found

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CaseList | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CaseList({len(self)} cases)"


def tag_counts(cases: Iterable[Case]) -> Counter[str]:
    """How many cases carry each tag: for a `CaseList`, as its loading walk counted them (the
    TUI's suite details ask on every selection; a walk would read the case files again)."""
    if isinstance(cases, CaseList) and cases._tags is not None:
        return cases._tags
    return Counter(tag for case in cases for tag in case.tags)


def _head(suite: Suite) -> dict[str, Any]:
    return suite.model_dump(mode="json", exclude={"cases"})

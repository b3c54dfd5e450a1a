"""Finding suites in folders. A broken suite is listed with its error, never hidden: the TUI's
suite list and `evaltui validate DIR` both show what is wrong and where."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evaltui.errors import SuiteError
from evaltui.suites.loader import load_suite
from evaltui.suites.models import Suite

SUITE_SUFFIXES = (".yaml", ".yml")
_CASES_KEY = re.compile(rb"^cases\s*:", re.MULTILINE)
_SNIFF_BYTES = 1_000_000  # a suite file with `cases:` past its first megabyte is not a suite file


@dataclass(frozen=True, slots=True)
class SuiteEntry:
    path: Path
    suite: Suite | None = None
    error: SuiteError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def discover_suites(dirs: Iterable[str | Path]) -> list[SuiteEntry]:
    """Load every suite file in `dirs` and their direct subfolders (one level): folder by folder in
    the order given, sorted by path within a folder.

    A suite file is a `.yaml`/`.yml` with a top-level `cases:` key; other YAML files (CI configs,
    themes) are skipped. A path that is itself a file is taken as a suite.
    """
    return list(iter_suites(dirs))


def iter_suites(dirs: Iterable[str | Path]) -> Iterator[SuiteEntry]:
    """`discover_suites` one suite at a time, for a screen that shows each as it loads."""
    for path in _suite_files(dirs):
        try:
            yield SuiteEntry(path=path, suite=load_suite(path))
        except SuiteError as exc:
            yield SuiteEntry(path=path, error=exc)


def looks_like_suite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return True  # unreadable: let load_suite report it, so the user sees why
    return _CASES_KEY.search(head) is not None


def _suite_files(dirs: Iterable[str | Path]) -> list[Path]:
    """Folders in the order given (a user's own suites before the samples), each one's files sorted
    by path; a file reached twice is listed once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for root in map(Path, dirs):
        if root.is_file():
            files = [root]
        elif root.is_dir():
            candidates = [*root.iterdir(), *(p for d in root.iterdir() if d.is_dir() for p in d.iterdir())]
            files = sorted(
                p
                for p in candidates
                if p.suffix.lower() in SUITE_SUFFIXES and p.is_file() and looks_like_suite(p)
            )
        else:
            raise SuiteError("no such folder or file", file=str(root))
        for path in files:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found

"""What reviewers say about results: a label (`model-wrong`, `expected-wrong`, …) and a note per run
and case, with who said it and when. Kept as a log: a later label on the same case supersedes an
earlier one (the case's label is the latest one given), notes add up. A note on its own has the
label "". Accepting an output as the new expected value is logged here too, as label `accepted`.

A label given in one run is a hint on the same case in later runs of the same suite (by name):
"expected-wrong, said by ada in run …" saves the next reviewer the same investigation.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Any

from evaltui.recordclass import record
from evaltui.store.connection import ThreadConnections, read
from evaltui.store.runs import now_iso

DEFAULT_LABELS = ("model-wrong", "expected-wrong", "ambiguous", "flaky", "scorer-wrong")
ACCEPTED = "accepted"  # the label an accepted output leaves on its result
MAX_LABEL_CHARS = 64
MAX_NOTE_CHARS = 20_000

# The latest non-empty label of each (run, case): SQLite returns the bare column of the row that
# holds max(id) in an aggregate query.
_LATEST_LABELS = (
    "SELECT case_id, label, max(id) AS id FROM annotations WHERE run_id = ? AND label != '' GROUP BY case_id"
)


@record(frozen=True, slots=True)
class Annotation:
    run_id: str
    case_id: str
    label: str  # "" for a note on its own
    note: str
    author: str
    created_at: str  # ISO 8601, UTC

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "note": self.note,
            "author": self.author,
            "created_at": self.created_at,
        }


def current_user() -> str:
    """The OS user, as the annotation's author; "" when the system cannot say (no passwd entry)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def check_label(label: str) -> str:
    """A label is one short line: it is shown in a table column and filtered on."""
    label = label.strip()
    if not label:
        raise ValueError("a label cannot be empty")
    if len(label) > MAX_LABEL_CHARS or any(ch in label for ch in "\r\n\t"):
        raise ValueError(f"a label is one line of at most {MAX_LABEL_CHARS} characters")
    return label


def _annotation(row: dict[str, Any]) -> Annotation:
    return Annotation(
        row["run_id"], row["case_id"], row["label"], row["note"], row.get("author") or "", row["created_at"]
    )


class AnnotationQueries(ThreadConnections):
    def annotate(
        self, run_id: str, case_id: str, *, label: str = "", note: str = "", author: str | None = None
    ) -> Annotation:
        """Log a label and/or a note on the run's case (at least one of them). ValueError for a
        label or note that cannot be kept as given (empty, multi-line label, too long)."""
        label = check_label(label) if label.strip() else ""
        if len(note) > MAX_NOTE_CHARS:
            raise ValueError(f"a note is at most {MAX_NOTE_CHARS:,} characters")
        if not label and not note.strip():
            raise ValueError("give a label, a note, or both")
        made = Annotation(
            run_id, case_id, label, note, current_user() if author is None else author, now_iso()
        )
        sql = (
            "INSERT INTO annotations (run_id, case_id, label, note, author, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        values = (run_id, case_id, label, note, made.author, made.created_at)
        self.write(lambda conn: conn.execute(sql, values), what="an annotation")
        return made

    def mark_accepted(self, run_id: str, case_id: str, note: str) -> Annotation:
        """The result's output was written into the suite as the case's expected value."""
        return self.annotate(run_id, case_id, label=ACCEPTED, note=note)

    def annotations(self, run_id: str, case_id: str | None = None) -> list[Annotation]:
        """The run's annotations (of one case, if given), oldest first."""
        sql, params = "SELECT * FROM annotations WHERE run_id = ?", [run_id]
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [*params, case_id]
        return [_annotation(r) for r in self.query(sql + " ORDER BY id", params, what="annotations")]

    def labels(self, run_id: str) -> dict[str, str]:
        """Each annotated case's current label in the run (cases with notes only are not in it)."""
        # through this thread's connection: not one opened for the read, as a stream is
        rows = read(lambda: self.conn().execute(_LATEST_LABELS, (run_id,)).fetchall(), what="labels")
        return {row[0]: row[1] for row in rows}

    def case_notes(self, run_id: str) -> dict[str, list[Annotation]]:
        """Every annotation of the run by case, for exports: a run has few of them."""
        notes: dict[str, list[Annotation]] = {}
        for note in self.annotations(run_id):
            notes.setdefault(note.case_id, []).append(note)
        return notes

    def earlier_labels(self, run_id: str, case_ids: Iterable[str] | None = None) -> dict[str, Annotation]:
        """The latest label each case got in an earlier run of this run's suite (same suite name,
        started before it): the hint shown on the same case now."""
        sql = (
            "SELECT a.* FROM annotations a JOIN runs e ON e.id = a.run_id "
            "JOIN runs r ON r.id = ? AND e.suite = r.suite AND e.started_at < r.started_at "
            "WHERE a.label != '' ORDER BY a.id"
        )
        wanted = None if case_ids is None else set(case_ids)
        found: dict[str, Annotation] = {}
        for row in self.stream(sql, (run_id,), what="earlier labels"):
            if wanted is None or row["case_id"] in wanted:
                found[row["case_id"]] = _annotation(row)  # later rows (higher ids) win
        return found


def label_column_sql(alias: str = "r") -> str:
    """A column expression: the result's case's current label in its run, or NULL."""
    return (
        f"(SELECT label FROM annotations a WHERE a.run_id = {alias}.run_id AND a.case_id = {alias}.case_id "
        "AND a.label != '' ORDER BY a.id DESC LIMIT 1)"
    )


def label_filter(label: str, alias: str = "r") -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters keeping results whose case's current label in the run is
    `label` ("*": any label)."""
    if label == "*":
        return f"{label_column_sql(alias)} IS NOT NULL", []
    return f"{label_column_sql(alias)} = ?", [label]

"""The case lists of a comparison (regressions, improvements, changed, all) and a page of its
cases as the Compare screen's table shows them; which run a run is compared with by default.
Blocking reads of the store: call them from a worker. In reports/ so that the TUI and any other
reader of a comparison share one rule for each list."""

from __future__ import annotations

from dataclasses import dataclass, field

from evaltui.errors import EvaltuiError
from evaltui.reports.comparison import Comparison, case_status, passes
from evaltui.store import Store
from evaltui.store.compare import Side, iter_case_pairs, one_epoch_case_lists, page_sides, previous_run

PREVIEW = 200  # characters of each output fetched for a table row


@dataclass
class CaseLists:
    """Case ids per filter. Regressions and improvements come with the comparison; the changed
    and all lists take one more pass over both runs, made only when first asked for."""

    lists: dict[str, list[str]] = field(default_factory=dict)
    regressions: frozenset[str] = frozenset()
    improvements: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()

    @classmethod
    def from_comparison(cls, c: Comparison) -> CaseLists:
        return cls(
            {"regressions": c.regressions, "improvements": c.improvements},
            frozenset(c.regressions),
            frozenset(c.improvements),
        )

    def kind(self, case_id: str, status_a: str | None, status_b: str | None) -> str:
        if case_id in self.regressions:
            return "regressions"
        if case_id in self.improvements:
            return "improvements"
        if status_a is None or status_b is None:
            return "only B" if status_a is None else "only A"
        return "changed" if case_id in self.changed else "same"


def partner_run(store: Store, run_id: str, against: str) -> str:
    """The run to compare `run_id` with: "previous" (same suite and model, started before it) or
    "baseline" (the latest run labelled baseline). Blocking; EvaltuiError when there is none."""
    if against == "baseline":
        baseline = store.resolve_run("label:baseline")
        if baseline == run_id:
            raise EvaltuiError("This run is the baseline; open another run to compare with it.")
        return baseline
    other = previous_run(store, run_id)
    if other is None:
        raise EvaltuiError("No earlier run of this suite with this model to compare with.")
    return other


def changed_and_all(store: Store, run_a: str, run_b: str, *, one_epoch: bool) -> tuple[list[str], list[str]]:
    """Case ids (case-id order) whose verdict held but whose output changed, and every case id of
    either run. The rule for "changed" is `compare_runs`'s, so the count matches its summary.
    Runs of one epoch are listed inside SQLite; runs with epochs are folded case by case."""
    if one_epoch:
        return one_epoch_case_lists(store, run_a, run_b)
    changed: list[str] = []
    every: list[str] = []
    for pair in iter_case_pairs(store, run_a, run_b):
        every.append(pair.case_id)
        a, b = pair.a, pair.b
        if a is None or b is None or a.mean is None or b.mean is None:
            continue
        if pair.changed and passes(a) == passes(b):
            changed.append(pair.case_id)
    return changed, every


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case of the compared runs: each run's verdict over its epochs (None: no result), the
    counts behind it and the start of its first epoch's output."""

    case_id: str
    kind: str  # regressions, improvements, changed, same, only A, only B
    status_a: str | None
    status_b: str | None
    side_a: Side | None
    side_b: Side | None
    preview_a: str
    preview_b: str
    epoch: int = 0  # the diff opens the first epoch


def case_page(store: Store, run_a: str, run_b: str, ids: list[str], lists: CaseLists) -> list[CaseRow]:
    """Both runs' verdict on these case ids (over every epoch), with the counts behind it and the
    start of the first epoch's output, in their order."""
    found = page_sides(store, run_a, run_b, ids, PREVIEW)
    rows = []
    for case_id in ids:
        a, b = found.get((run_a, case_id)), found.get((run_b, case_id))
        status_a = case_status(a[0]) if a else None
        status_b = case_status(b[0]) if b else None
        rows.append(
            CaseRow(
                case_id,
                lists.kind(case_id, status_a, status_b),
                status_a,
                status_b,
                a[0] if a else None,
                b[0] if b else None,
                a[1] if a else "",
                b[1] if b else "",
            )
        )
    return rows

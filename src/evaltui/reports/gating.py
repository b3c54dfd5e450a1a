"""What the CI gate found for one run: its summary, its comparison with the baseline, the cases that
moved and each bar's verdict. `commands/gate.py` builds it; the Markdown report and `--json` read it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from evaltui.records import RunMetrics, RunRecord

if TYPE_CHECKING:  # every gated `evaltui run` imports this module; only a gate with a baseline compares
    from evaltui.reports.comparison import Comparison
    from evaltui.reports.overview import RunOverview


@dataclass(frozen=True, slots=True)
class Gate:
    name: str  # "fail-under" or "max-regressions"
    passed: bool
    detail: str  # the verdict in words, with the figures it was decided on


@dataclass(frozen=True, slots=True)
class MovedCase:
    case_id: str
    diff: str  # a short word diff of the two outputs (`reports.shortdiff`)


@dataclass(slots=True)
class GateEntry:
    run: RunRecord
    metrics: RunMetrics
    summary: RunOverview  # the run as `show --json` prints it
    comparison: Comparison | None = None
    regressions: list[MovedCase] = field(default_factory=list)  # the first few, with diffs
    improvements: list[MovedCase] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """`evaltui run --json` with gates: the run's summary, then its comparison and verdicts."""
        return self.summary.to_dict() | {
            "comparison": None if self.comparison is None else self.comparison.to_dict(),
            "shown": {
                "regressions": [asdict(c) for c in self.regressions],
                "improvements": [asdict(c) for c in self.improvements],
            },
            "gates": [asdict(g) for g in self.gates],
        }

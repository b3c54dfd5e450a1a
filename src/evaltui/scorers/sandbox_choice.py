"""Where a suite's code-exec scorers run model code, read from the suite alone: `with_sandbox`
writes `evaltui run --sandbox` onto each of them, `unsandboxed_warning` is what every run of a suite
that runs model code without a sandbox prints. Apart from code_exec.py, so that a run of a suite
without code-exec never imports the scorer and its sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from evaltui.suites.caselist import CaseList
from evaltui.suites.models import Case, ScorerSpec, Suite

if TYPE_CHECKING:
    from evaltui.scorers.sandbox import Sandbox


def with_sandbox(suite: Suite, sandbox: Sandbox) -> Suite:
    """`suite` with `sandbox` written on every code-exec scorer (`evaltui run --sandbox`), so the
    suite definition stored with the run records it."""

    def rewrite(specs: list[ScorerSpec] | None) -> list[ScorerSpec] | None:
        if specs is None:
            return None
        return [
            ScorerSpec.model_validate({**spec.model_dump(), "sandbox": sandbox, "loc": spec.loc})
            if spec.type == "code-exec"
            else spec
            for spec in specs
        ]

    cases: Iterable[Case]
    if getattr(suite.cases, "own_scorers", None) is False:  # every case has the suite's: shared as is
        cases = suite.cases
    elif isinstance(suite.cases, CaseList):  # read from case files: rewritten as each walk reads them
        cases = suite.cases.mapped(lambda case: case.model_copy(update={"scorers": rewrite(case.scorers)}))
    else:
        cases = [case.model_copy(update={"scorers": rewrite(case.scorers)}) for case in suite.cases]
    rewritten = suite.model_copy(update={"scorers": rewrite(suite.scorers), "cases": cases})
    rewritten.path = suite.path
    return rewritten


def unsandboxed(suite: Suite) -> list[str]:
    """The code-exec scorers that run model code without a sandbox (`sandbox: none`), by field."""
    found: dict[str, None] = {}
    if getattr(suite.cases, "own_scorers", None) is False:  # every case has the suite's: no walk
        scorer_lists: Iterable[list[ScorerSpec]] = [suite.scorers]
    else:
        scorer_lists = (suite.scorers_for(case) for case in suite.cases)
    for specs in scorer_lists:
        for index, spec in enumerate(specs):
            if spec.type == "code-exec" and (spec.model_extra or {}).get("sandbox") == "none":
                found[(spec.loc.field if spec.loc and spec.loc.field else None) or f"scorers[{index}]"] = None
    return list(found)


def unsandboxed_warning(suite: Suite) -> str | None:
    """The warning printed on every run of a suite that runs model code unsandboxed."""
    fields = unsandboxed(suite)
    if not fields:
        return None
    return (
        f"warning: {suite.name}: code-exec runs model code WITHOUT a sandbox (sandbox: none at "
        f"{', '.join(fields)}): the code can read your files and environment and reach the network; "
        "recorded with the run"
    )

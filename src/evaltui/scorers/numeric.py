"""The numeric scorer: pull a number out of prose and compare it with a tolerance."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import Field

from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import Options, scorer, verdict
from evaltui.scorers.values import quote, target

# 1,234.5  -3  0.25  6.02e23  (a thousands separator only in groups of three)
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|(?<![\w.])-?\.\d+")


def numbers_in(text: str) -> list[float]:
    return [float(match.group(0).replace(",", "")) for match in _NUMBER.finditer(text)]


class NumericOptions(Options):
    value: float | None = None  # else the case's expected value
    abs_tol: float = Field(default=0.0, ge=0)
    rel_tol: float = Field(default=0.0, ge=0)
    pick: Literal["last", "first"] = "last"


def _expected_number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"the expected value {raw!r} is not a number")
    if isinstance(raw, int | float):
        return float(raw)
    found = numbers_in(str(raw))
    if len(found) != 1:
        raise ValueError(f"the expected value {quote(raw)} is not one number")
    return found[0]


@scorer("numeric", options=NumericOptions)
def numeric(ctx: ScoreContext, opts: NumericOptions) -> Score:
    wanted = _expected_number(target(opts.value, ctx))
    found = numbers_in(ctx.output)
    if not found:
        return verdict(False, f"no number in {quote(ctx.output)}")
    got = found[-1] if opts.pick == "last" else found[0]
    # a tiny absolute floor so 0.1 + 0.2 equals 0.3 when no tolerance is given
    ok = math.isclose(got, wanted, rel_tol=opts.rel_tol, abs_tol=max(opts.abs_tol, 1e-9))
    tolerance = _tolerance(opts)
    if ok:
        return verdict(True, f"{got:g} is {wanted:g}{tolerance}")
    return verdict(False, f"expected {wanted:g}{tolerance}, got {got:g} (the {opts.pick} number)")


def _tolerance(opts: NumericOptions) -> str:
    parts = [f"±{opts.abs_tol:g}" if opts.abs_tol else "", f"±{opts.rel_tol:.1%}" if opts.rel_tol else ""]
    shown = " or ".join(part for part in parts if part)
    return f" {shown}" if shown else ""

"""Operational scorers: how long the answer took, what it cost, how many tokens it used."""

from __future__ import annotations

from pydantic import Field, model_validator

from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import OptionError, Options, scorer, verdict


class LatencyOptions(Options):
    max_ms: float = Field(gt=0)


@scorer("latency", options=LatencyOptions)
def latency(ctx: ScoreContext, opts: LatencyOptions) -> Score:
    if ctx.completion is None:
        return verdict(False, "latency unknown")
    took = ctx.completion.latency_ms
    if took <= opts.max_ms:
        return verdict(True, f"{took:.0f} ms ≤ max {opts.max_ms:g} ms")
    return verdict(False, f"{took:.0f} ms > max {opts.max_ms:g} ms")


class CostOptions(Options):
    max_usd: float = Field(ge=0)


@scorer("cost", options=CostOptions)
def cost(ctx: ScoreContext, opts: CostOptions) -> Score:
    spent = ctx.completion.cost_usd if ctx.completion else None
    if spent is None:
        return verdict(False, "cost unknown (no price for this model)")
    if spent <= opts.max_usd:
        return verdict(True, f"${spent:.6f} ≤ max ${opts.max_usd:g}")
    return verdict(False, f"${spent:.6f} > max ${opts.max_usd:g}")


class TokensOptions(Options):
    max: int | None = Field(default=None, ge=0)  # tokens in + out
    max_out: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _some_limit(self) -> TokensOptions:
        if self.max is None and self.max_out is None:
            raise OptionError("max", "give `max` (tokens in + out) or `max_out`")
        return self


@scorer("tokens", options=TokensOptions)
def tokens(ctx: ScoreContext, opts: TokensOptions) -> Score:
    done = ctx.completion
    if done is None or done.tokens_out is None or (opts.max is not None and done.tokens_in is None):
        return verdict(False, "token counts unknown (the provider did not report them)")
    problems = []
    if opts.max is not None and (done.tokens_in or 0) + done.tokens_out > opts.max:
        problems.append(f"{(done.tokens_in or 0) + done.tokens_out} tokens > max {opts.max}")
    if opts.max_out is not None and done.tokens_out > opts.max_out:
        problems.append(f"{done.tokens_out} output tokens > max_out {opts.max_out}")
    if problems:
        return verdict(False, "; ".join(problems))
    return verdict(True, f"{done.tokens_in} in + {done.tokens_out} out within limits")

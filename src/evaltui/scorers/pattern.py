r"""The `regex` scorer: a pattern searched for in the model's output, within a time limit. A module
of its own, so that only a suite that uses it loads its engine.

It matches model output, which is untrusted: with Python's `re`, a pattern with
nested quantifiers (`^(a+)+$`) against a hostile output (`aaaa…ab`) backtracks for longer than any
run lasts, and a C-level match cannot be interrupted. It uses the `regex` package instead, in its
`re`-compatible mode (VERSION0), with a time limit (`timeout_s`, default 2 s): the engine gives
up inside the match and the case is an error (ScorerError), not a hang. google-re2 (linear time,
no limit needed) was the other choice; it was not taken because it changes what patterns users
already wrote mean: `$` does not match before a final newline (most model outputs end with one),
`\d`, `\w` and `\s` are ASCII-only, and backreferences, lookaround and `\Z` are refused. `regex`
also avoids much catastrophic backtracking outright (`^(a+)+$` ends at once), and its match runs
in a worker thread with the GIL released, so a slow match does not stall the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import regex as regex_engine
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from evaltui.errors import ScorerError
from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import OptionError, Options, scorer, verdict
from evaltui.scorers.text import Step, normalize
from evaltui.scorers.values import quote

_FLAGS = {
    "i": regex_engine.IGNORECASE,
    "ignorecase": regex_engine.IGNORECASE,
    "m": regex_engine.MULTILINE,
    "multiline": regex_engine.MULTILINE,
    "s": regex_engine.DOTALL,
    "dotall": regex_engine.DOTALL,
    "x": regex_engine.VERBOSE,
    "verbose": regex_engine.VERBOSE,
}


class RegexOptions(Options):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    flags: list[str] = Field(default_factory=lambda: [])  # ["ignorecase", "multiline"] or "im"
    normalize: list[Step] = Field(default_factory=lambda: [])
    timeout_s: float = Field(default=2.0, gt=0, le=600)
    pattern: regex_engine.Pattern

    @field_validator("flags", mode="before")
    @classmethod
    def _letters(cls, flags: Any) -> Any:
        return list(flags) if isinstance(flags, str) else flags

    @field_validator("pattern", mode="before")
    @classmethod
    def _compile(cls, pattern: Any, info: ValidationInfo) -> regex_engine.Pattern:
        if not isinstance(pattern, str):
            raise OptionError("pattern", "the pattern must be a string (quote it in YAML)")
        bits = 0
        for flag in info.data.get("flags", []):
            if flag.lower() not in _FLAGS:
                raise OptionError("flags", f"unknown regex flag {flag!r}; use {', '.join(sorted(_FLAGS))}")
            bits |= _FLAGS[flag.lower()]
        try:
            return regex_engine.compile(pattern, bits | regex_engine.VERSION0)
        except regex_engine.error as exc:
            raise OptionError("pattern", f"bad regular expression /{pattern}/: {exc}") from None


@scorer("regex", options=RegexOptions)
async def regex(ctx: ScoreContext, opts: RegexOptions) -> Score:
    got = normalize(ctx.output, opts.normalize)
    search = functools.partial(opts.pattern.search, got, concurrent=True, timeout=opts.timeout_s)
    try:
        found = await asyncio.to_thread(search)
    except TimeoutError:
        raise ScorerError(
            f"/{opts.pattern.pattern}/ ran longer than {opts.timeout_s:g} s on this output and was stopped "
            "(nested quantifiers backtracking?)"
        ) from None
    if found:
        return verdict(True, f"matched {quote(found.group(0))} with /{opts.pattern.pattern}/")
    return verdict(False, f"no match for /{opts.pattern.pattern}/ in {quote(got)}")

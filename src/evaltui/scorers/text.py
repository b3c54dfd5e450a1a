r"""Text scorers: exact, substring, prefix, pattern, choice and edit-distance comparisons.

The `regex` scorer matches model output, which is untrusted: with Python's `re`, a pattern with
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
import re
import string
from typing import Any, Literal

import regex as regex_engine
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from evaltui.errors import ScorerError
from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import OptionError, Options, scorer, verdict
from evaltui.scorers.values import as_text, quote, target

Step = Literal["strip", "lower", "collapse_whitespace", "strip_punctuation"]
# Applied in this order whatever order they are written in, so "Billing ." and "billing" agree.
STEP_ORDER: tuple[Step, ...] = ("lower", "strip_punctuation", "collapse_whitespace", "strip")
_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
_SPACES = re.compile(r"\s+")


def normalize(text: str, steps: list[Step]) -> str:
    for step in STEP_ORDER:
        if step not in steps:
            continue
        if step == "lower":
            text = text.lower()
        elif step == "strip_punctuation":
            text = _PUNCTUATION.sub("", text)
        elif step == "collapse_whitespace":
            text = _SPACES.sub(" ", text)
        else:
            text = text.strip()
    return text


class TextOptions(Options):
    value: Any = None  # else the case's expected value
    normalize: list[Step] = Field(default_factory=list)

    @field_validator("normalize", mode="before")
    @classmethod
    def _one_or_many(cls, steps: Any) -> Any:
        return [steps] if isinstance(steps, str) else steps

    def prepared(self, text: str) -> str:
        return normalize(text, self.normalize)


class ManyOptions(TextOptions):
    values: list[Any] | None = None  # else the case's expected value (a list, or one string)

    def targets(self, ctx: ScoreContext) -> list[str]:
        found = target(self.values if self.values is not None else self.value, ctx)
        items = found if isinstance(found, list) else [found]
        return [self.prepared(as_text(item)) for item in items]


@scorer("equals", options=TextOptions)
def equals(ctx: ScoreContext, opts: TextOptions) -> Score:
    expected = opts.prepared(as_text(target(opts.value, ctx)))
    got = opts.prepared(ctx.output)
    if got == expected:
        return verdict(True, f"equals {quote(expected)}")
    return verdict(False, f"expected {quote(expected)}, got {quote(got)}")


def _contains(ctx: ScoreContext, opts: TextOptions, *, fold: bool) -> Score:
    needle = opts.prepared(as_text(target(opts.value, ctx)))
    haystack = opts.prepared(ctx.output)
    at = haystack.casefold().find(needle.casefold()) if fold else haystack.find(needle)
    if at >= 0:
        return verdict(True, f"found {quote(needle)} at {at}")
    return verdict(False, f"{quote(needle)} not found in {quote(haystack)}")


@scorer("contains", options=TextOptions)
def contains(ctx: ScoreContext, opts: TextOptions) -> Score:
    return _contains(ctx, opts, fold=False)


@scorer("icontains", options=TextOptions)
def icontains(ctx: ScoreContext, opts: TextOptions) -> Score:
    return _contains(ctx, opts, fold=True)


@scorer("not-contains", options=TextOptions)
def not_contains(ctx: ScoreContext, opts: TextOptions) -> Score:
    found = _contains(ctx, opts, fold=False)
    if found.passed:
        return verdict(False, f"must not contain it, but {found.reason}")
    needle = opts.prepared(as_text(target(opts.value, ctx)))
    return verdict(True, f"does not contain {quote(needle)}")


@scorer("contains-all", options=ManyOptions)
def contains_all(ctx: ScoreContext, opts: ManyOptions) -> Score:
    needles = opts.targets(ctx)
    haystack = opts.prepared(ctx.output)
    missing = [needle for needle in needles if needle not in haystack]
    share = 1.0 - len(missing) / len(needles) if needles else 1.0
    if not missing:
        return verdict(True, f"contains all {len(needles)}", share)
    listed = ", ".join(quote(needle) for needle in missing)
    return verdict(False, f"missing {len(missing)} of {len(needles)}: {listed}", share)


@scorer("contains-any", options=ManyOptions)
def contains_any(ctx: ScoreContext, opts: ManyOptions) -> Score:
    needles = opts.targets(ctx)
    haystack = opts.prepared(ctx.output)
    for needle in needles:
        if needle in haystack:
            return verdict(True, f"found {quote(needle)}")
    return verdict(False, f"none of {', '.join(quote(n) for n in needles)} found in {quote(haystack)}")


@scorer("one-of", options=ManyOptions)
def one_of(ctx: ScoreContext, opts: ManyOptions) -> Score:
    choices = opts.targets(ctx)
    got = opts.prepared(ctx.output)
    if got in choices:
        return verdict(True, f"{quote(got)} is one of the {len(choices)} choices")
    return verdict(False, f"expected one of {', '.join(quote(c) for c in choices)}, got {quote(got)}")


@scorer("starts-with", options=TextOptions)
def starts_with(ctx: ScoreContext, opts: TextOptions) -> Score:
    prefix = opts.prepared(as_text(target(opts.value, ctx)))
    got = opts.prepared(ctx.output)
    if got.startswith(prefix):
        return verdict(True, f"starts with {quote(prefix)}")
    return verdict(False, f"expected to start with {quote(prefix)}, got {quote(got[: len(prefix) + 20])}")


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

    flags: list[str] = Field(default_factory=list)  # ["ignorecase", "multiline"] or "im"
    normalize: list[Step] = Field(default_factory=list)
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


class SimilarityOptions(TextOptions):
    threshold: float = Field(default=0.8, ge=0, le=1)


def levenshtein(a: str, b: str) -> int:
    """Edits (insert, delete, substitute) to turn a into b; two rows of the classic table."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


_BIG = 250_000  # cells of the table past which the work leaves the event loop


@scorer("levenshtein", options=SimilarityOptions)
@scorer("similarity", options=SimilarityOptions)
async def similarity(ctx: ScoreContext, opts: SimilarityOptions) -> Score:
    expected = opts.prepared(as_text(target(opts.value, ctx)))
    got = opts.prepared(ctx.output)
    if len(expected) * len(got) > _BIG:
        distance = await asyncio.to_thread(levenshtein, got, expected)
    else:
        distance = levenshtein(got, expected)
    longest = max(len(got), len(expected))
    ratio = 1.0 - distance / longest if longest else 1.0
    detail = f"similarity {ratio:.2f} ({distance} edits) vs threshold {opts.threshold:.2f}"
    if ratio >= opts.threshold:
        return verdict(True, detail, ratio)
    return verdict(False, f"{detail}: expected {quote(expected)}, got {quote(got)}", ratio)

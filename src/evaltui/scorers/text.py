"""Text scorers: exact, substring, prefix, choice and edit-distance comparisons (the `regex`
scorer is in pattern.py, with its engine)."""

from __future__ import annotations

import asyncio
import re
import string
from typing import Any, Literal

from pydantic import Field, field_validator

from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import Options, scorer, verdict
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
    normalize: list[Step] = Field(default_factory=lambda: [])

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

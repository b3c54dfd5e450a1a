"""How numbers read wherever evaltui shows them: the CLI, the reports and the TUI say a share, a
latency, a sum of money, a count the same way. Nothing known is shown as "–" (a cost: "unknown":
an unknown cost must never read as $0)."""

from __future__ import annotations

import math

NONE = "–"
_WHOLE = 1e-9  # how far from a whole percent a bound may be and still be that percent (float noise)


def pct(share: float | None) -> str:
    """A share of 0..1 as a percentage with one decimal: `73.1%`. A share short of all, or above
    none, never reads as all or none: 69,999 of 70,000 is `>99.9%`, 1 of 70,000 `<0.1%`."""
    if share is None:
        return NONE
    shown = f"{share:.1%}"
    if shown == "100.0%" and share < 1:
        return ">99.9%"
    if shown == "0.0%" and share > 0:
        return "<0.1%"
    return shown


def whole_pct(share: float) -> str:
    """A share of 0..1 in whole percents, for a progress bar: `42%`. As with `pct`, a share short of
    all never reads as all, nor one above none as none: 996 of 1,000 done is `99%`, 4 of 1,000 `<1%`."""
    shown = round(share * 100)
    if shown == 100 and share < 1:
        return "99%"
    if shown == 0 and share > 0:
        return "<1%"
    return f"{shown}%"


def interval(lo: float, hi: float) -> str:
    """A 95% interval of a share, in whole percents (its ends are not known to a tenth): `61%–83%`.
    The ends are rounded outwards, so the printed interval holds the computed one and never
    claims more certainty than it (99.995%–100% prints `99%–100%`, not `100%–100%`)."""
    low = math.floor(lo * 100 + _WHOLE)
    high = math.ceil(hi * 100 - _WHOLE)
    return f"{low}%–{high}%"


def rate(share: float | None, lo: float | None = None, hi: float | None = None) -> str:
    """A pass rate with its 95% interval when known: `73.1% [61%–83%]`."""
    if share is None or lo is None or hi is None:
        return pct(share)
    return f"{pct(share)} [{interval(lo, hi)}]"


def ms(milliseconds: float | None) -> str:
    """A latency: whole milliseconds under a second (`850ms`), seconds with two decimals above
    (`1.23s`)."""
    if milliseconds is None:
        return NONE
    return f"{milliseconds / 1000:.2f}s" if milliseconds >= 1000 else f"{milliseconds:.0f}ms"


def money(usd: float | None) -> str:
    """US dollars to a hundredth of a cent (model calls cost fractions of a cent): `$1,234.5678`.
    An amount above nothing but under a hundredth of a cent (a cheap model's case) keeps two
    significant digits, `$0.0000040`: it never reads as `$0.0000`, which says it cost nothing."""
    if usd is None:
        return "unknown"
    if 0 < usd < 0.0001:
        return f"${usd:.{1 - math.floor(math.log10(usd))}f}"
    return f"${usd:,.4f}"


def count(n: int | None) -> str:
    """A count with thousands separators: `12,345`."""
    return f"{n or 0:,}"


def counted(n: int, noun: str) -> str:
    """A count and its noun, singular for one: `1 case`, `12,345 cases`."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def tokens(count_in: int | None, count_out: int | None) -> str:
    """Tokens in and out; a side no one counted (None: a component that reports none) is not 0."""
    if count_in is None and count_out is None:
        return "unknown"
    shown = [NONE if n is None else f"{n:,}" for n in (count_in, count_out)]
    return f"{shown[0]} in / {shown[1]} out"


def duration(seconds: float | None) -> str:
    """Time left or taken: `4:05`, `1:02:03`."""
    if seconds is None:
        return NONE
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

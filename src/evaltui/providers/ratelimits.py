"""The rate-limit headers model APIs send, read into one form for the engine's endpoint limiter.

- OpenAI (and servers that copy it): `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`,
  `x-ratelimit-reset-requests` and the same for `-tokens`; a reset is a duration such as `1s`,
  `6m0s`, `20ms`, `1h2m3.5s` (the time until the limit is whole again).
- Anthropic: `anthropic-ratelimit-requests-limit|remaining|reset` and `anthropic-ratelimit-tokens-*`
  (also `-input-tokens-*`, `-output-tokens-*`, of which the lower remaining is taken); a reset is an
  RFC 3339 time.
A value that cannot be read is ignored, as a bad Retry-After is: a hint never fails a request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime

from evaltui.recordclass import record

_DURATION = re.compile(r"(\d+(?:\.\d*)?)(ms|h|m|s)")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


@record(frozen=True, slots=True)
class Limit:
    """One limit (requests or tokens) as a server stated it."""

    limit: int | None
    remaining: int | None
    reset_s: float | None  # seconds until the limit is whole again

    def wait_s(self, need: int = 1) -> float | None:
        """Seconds to wait before `need` more can be spent; None when the server said nothing that
        asks for a wait. The limit refills evenly over `reset_s` (as the vendors' buckets do)."""
        if self.remaining is None or self.remaining >= need or self.reset_s is None:
            return None
        if self.limit:
            return min(self.reset_s, self.reset_s * (need - self.remaining) / self.limit)
        return self.reset_s


@record(frozen=True, slots=True)
class RateLimits:
    requests: Limit | None = None
    tokens: Limit | None = None


def parse_duration(value: str) -> float | None:
    """OpenAI's reset durations (`1s`, `6m0s`, `20ms`), or plain seconds."""
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(number) * _UNIT_S[unit] for number, unit in parts)


def parse_reset_time(value: str, *, now: float | None = None) -> float | None:
    """Anthropic's resets: an RFC 3339 time, as seconds from now."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_duration(value)
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return max(0, int(float(value.strip())))
    except (ValueError, OverflowError):
        return None


def _limit(headers: Mapping[str, str], prefix: str, suffix: str, anthropic: bool) -> Limit | None:
    if anthropic:
        names = (f"{prefix}{suffix}-limit", f"{prefix}{suffix}-remaining", f"{prefix}{suffix}-reset")
    else:
        names = (f"{prefix}limit-{suffix}", f"{prefix}remaining-{suffix}", f"{prefix}reset-{suffix}")
    limit, remaining, reset = (headers.get(name) for name in names)
    if limit is None and remaining is None and reset is None:
        return None
    reset_s = None
    if reset is not None:
        reset_s = parse_reset_time(reset) if anthropic else parse_duration(reset)
    return Limit(_int(limit), _int(remaining), reset_s)


def _lower(*limits: Limit | None) -> Limit | None:
    """Of several token limits, the one nearest to running out."""
    known = [limit for limit in limits if limit is not None]
    if not known:
        return None
    return min(known, key=lambda limit: (limit.remaining is None, limit.remaining or 0))


def read_rate_limits(headers: Mapping[str, str]) -> RateLimits | None:
    """The rate limits a response states; None when it states none (most local servers)."""
    if "ratelimit" not in " ".join(headers).lower():  # every answer comes here: one pass first
        return None
    if not any(name[:1] in "xXaA" and "ratelimit" in name.lower() for name in headers):
        return None
    requests = _limit(headers, "x-ratelimit-", "requests", False)
    tokens = _limit(headers, "x-ratelimit-", "tokens", False)
    a = "anthropic-ratelimit-"
    requests = requests or _limit(headers, a, "requests", True)
    tokens = tokens or _lower(
        _limit(headers, a, "tokens", True),
        _limit(headers, a, "input-tokens", True),
        _limit(headers, a, "output-tokens", True),
    )
    if requests is None and tokens is None:
        return None
    return RateLimits(requests, tokens)

"""The vendors' rate-limit headers read into one form: OpenAI's durations, Anthropic's times, and
values that cannot be read ignored rather than failing the request."""

from __future__ import annotations

from multidict import CIMultiDict

from evaltui.providers.ratelimits import Limit, parse_duration, parse_reset_time, read_rate_limits


def test_openai_reset_durations() -> None:
    assert parse_duration("1s") == 1.0
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("20ms") == 0.02
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration("2.5") == 2.5
    assert parse_duration("soon") is None and parse_duration("1s and more") is None


def test_anthropic_reset_times_count_from_now() -> None:
    assert parse_reset_time("2026-01-01T00:00:10Z", now=1767225600.0) == 10.0
    assert parse_reset_time("2026-01-01T00:00:00Z", now=1767225700.0) == 0.0  # past: no wait
    assert parse_reset_time("2026-01-01T00:00:10", now=0) is None  # no zone: unreadable


def test_openai_headers() -> None:
    limits = read_rate_limits(
        CIMultiDict(
            {
                "X-RateLimit-Limit-Requests": "500",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "12s",
                "x-ratelimit-remaining-tokens": "29000",
            }
        )
    )
    assert limits is not None
    assert limits.requests == Limit(500, 0, 12.0)
    assert limits.tokens == Limit(None, 29000, None)
    assert limits.requests.wait_s() == 12.0 / 500  # one request back, the bucket refilling evenly


def test_anthropic_headers_take_the_token_limit_nearest_to_running_out() -> None:
    limits = read_rate_limits(
        CIMultiDict(
            {
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "3",
                "anthropic-ratelimit-requests-reset": "2099-01-01T00:00:00Z",
                "anthropic-ratelimit-input-tokens-remaining": "900",
                "anthropic-ratelimit-output-tokens-remaining": "40",
            }
        )
    )
    assert limits is not None and limits.requests is not None
    assert (limits.requests.limit, limits.requests.remaining) == (50, 3)
    assert limits.requests.wait_s() is None  # some left: no wait
    assert limits.tokens == Limit(None, 40, None)


def test_no_rate_limit_headers_and_unreadable_values() -> None:
    assert read_rate_limits(CIMultiDict({"Content-Type": "application/json"})) is None
    limits = read_rate_limits(CIMultiDict({"x-ratelimit-remaining-requests": "many"}))
    assert limits is not None and limits.requests == Limit(None, None, None)

"""Retries with exponential backoff and full jitter, honouring the server's Retry-After.

Only `ProviderError(retryable=True)` and timeouts are retried; everything else is final at once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from evaltui.errors import ProviderError

T = TypeVar("T")
_JITTER = random.Random()  # one generator: seeding a new one per call costs more than the request


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    base_s: float = 0.5
    cap_s: float = 30.0
    timeout_s: float = 60.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap_s * 4)
        return rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (attempt - 1)))


class RetriesExhausted(ProviderError):
    """The last error after every attempt was spent; carries how many attempts were made."""

    def __init__(self, last: ProviderError, attempts: int) -> None:
        super().__init__(last.message, retryable=False, status=last.status)
        self.attempts = attempts


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> tuple[T, int]:
    """Run `call` until it succeeds or the policy gives up. Returns (result, attempts).

    Raises `RetriesExhausted` (a ProviderError) with the last reason and the attempt count.
    """
    rng = rng or _JITTER
    attempt = 0
    while True:
        attempt += 1
        try:
            async with asyncio.timeout(policy.timeout_s):
                return await call(), attempt
        except TimeoutError:
            error = ProviderError(f"timed out after {policy.timeout_s:g} s", retryable=True)
        except ProviderError as exc:
            error = exc
        if not error.retryable or attempt > policy.max_retries:
            raise RetriesExhausted(error, attempt) from error
        await sleep(policy.delay(attempt, error.retry_after, rng))

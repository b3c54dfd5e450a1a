"""Asking a model: the one caller the run's model and its judges (and an agent's steps) share.

`Asker.ask(model, request)` answers from the response cache when it can, else asks the model with
retries (engine/retry.py) and the circuit breaker that stops a run which cannot succeed, and
prices the answer from the spec or the built-in table. Each request waits its turn at its
endpoint (engine/ratelimit.py: adaptive concurrency, Retry-After, rate-limit headers, rpm/tpm).
Providers are built on first use, one per model id, all over the run's one HTTP client.

    asker = Asker(http, cache, use_cache=True, prices={}, on_stop=None, concurrency=16)
    asked = await asker.ask(model_spec, request, epoch=0)     # -> Asked
    asked.completion, asked.attempts, asked.cached
        ProviderError (`AskFailed`, with .attempts) when the model could not be asked;
        RunStopped when no request of this model can succeed (the run must stop).
    await asker.aclose()

The cache is read off the event loop (one reader thread: SQLite blocks), and written through the
store's batched writer (`CacheAccess.put`, which only queues).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from evaltui.analysis.pricing import cost_usd, price_for
from evaltui.engine.cache import CacheKeys, cache_keys, completion_from_dict, completion_to_dict
from evaltui.engine.ratelimit import Endpoint, estimate_tokens
from evaltui.engine.retry import (
    MAX_RETRY_AFTER_S,
    Breaker,
    Deadlines,
    RetriesExhausted,
    RetryPolicy,
    call_with_retries,
)
from evaltui.errors import RunStopped
from evaltui.providers import make_provider
from evaltui.providers.base import BadValue, Completion, Provider, Request
from evaltui.providers.http import HttpClient
from evaltui.recordclass import quick, record
from evaltui.records import Price
from evaltui.suites.models import ModelSpec

AskFailed = RetriesExhausted  # a ProviderError carrying `.attempts`: every attempt was spent


@record(frozen=True, slots=True)
class CacheAccess:
    """What the asker needs of the store's response cache: a blocking read (run on the asker's
    reader thread) and a write that only queues."""

    get: Callable[[str], dict[str, Any] | None]
    put: Callable[[str, dict[str, Any]], None]


@record(frozen=True, slots=True)
class Asked:
    """A model's answer, priced (`completion.cost_usd` from the provider, else from the price
    table when the price is known), with how it was got."""

    completion: Completion
    attempts: int  # requests sent for it (0: from the cache)
    cached: bool


_new_asked = quick(Asked)  # Asked(...), made for every answer


@record(frozen=True, slots=True)
class _Model:
    """What asking one model needs, built the first time it is asked."""

    provider: Provider
    endpoint: Endpoint  # its adaptive concurrency and rate limits, shared by models asked there
    policy: RetryPolicy
    breaker: Breaker  # stops the run when this model's endpoint cannot be reached or refuses the key
    keys: CacheKeys | None  # its response-cache keys; None: its answers are never cached
    price: Price | None  # its USD per million tokens, when known


class Asker:
    def __init__(
        self,
        http: HttpClient,
        cache: CacheAccess | None,
        *,
        use_cache: bool = True,
        prices: dict[str, Any] | None = None,
        on_stop: Callable[[str], None] | None = None,
        concurrency: int = 16,
    ) -> None:
        self.http = http
        self.concurrency = concurrency  # every endpoint's ceiling
        self._on_stop = on_stop  # told first when a model's breaker stops the run (a judge's too)
        self._cache = cache if use_cache else None
        self._prices = prices or {}
        self._models: dict[str, _Model] = {}  # model id -> built once
        self._endpoints: dict[tuple[str, str], Endpoint] = {}  # (host:port or provider, model) ->
        self._reader: ThreadPoolExecutor | None = None
        self._deadlines = Deadlines()  # every attempt's timeout, on one timer

    def provider(self, spec: ModelSpec) -> Provider:
        """The model's provider, built now if it was not (a model that cannot be set up raises)."""
        return self._model(spec).provider

    def endpoint(self, spec: ModelSpec) -> Endpoint:
        """The limits of the endpoint the model is asked at (for displays: its concurrency now,
        whether it is waiting out a rate limit)."""
        return self._model(spec).endpoint

    async def ask(self, spec: ModelSpec, request: Request, *, epoch: int = 0) -> Asked:
        model = self._model(spec)
        key = None
        if self._cache is not None and model.keys is not None:
            key = model.keys.key(request, epoch)
            hit = await self._cache_get(key)
            if hit is not None:
                try:
                    return _new_asked(self._priced(model, completion_from_dict(hit)), 0, True)
                except BadValue:  # stored by an older evaltui before values were checked: ask again
                    pass
        try:
            completion, attempts = await call_with_retries(
                lambda: model.provider.complete(request),
                model.policy,
                breaker=model.breaker,
                endpoint=model.endpoint,
                tokens=estimate_tokens(request) if spec.tpm else 0,
                deadlines=self._deadlines,
            )
        except RunStopped as exc:  # a judge's scorer turns it into its own error: say it first
            if self._on_stop is not None:
                self._on_stop(str(exc))
            raise
        if key is not None:
            assert self._cache is not None
            self._cache.put(key, completion_to_dict(completion))  # as the provider said: unpriced
        return _new_asked(self._priced(model, completion), attempts, False)

    async def _cache_get(self, key: str) -> dict[str, Any] | None:
        assert self._cache is not None
        if self._reader is None:
            self._reader = ThreadPoolExecutor(1, thread_name_prefix="evaltui-cache")
        return await asyncio.get_running_loop().run_in_executor(self._reader, self._cache.get, key)

    def _priced(self, model: _Model, completion: Completion) -> Completion:
        if completion.cost_usd is not None or model.price is None:  # priced, or no price to price it
            return completion
        cost = cost_usd(model.price, completion.tokens_in, completion.tokens_out)
        return completion if cost is None else dataclasses.replace(completion, cost_usd=cost)

    def _model(self, spec: ModelSpec) -> _Model:
        model = self._models.get(spec.id)
        if model is None:
            provider = make_provider(spec, self.http)
            model = self._models[spec.id] = _Model(
                provider,
                self._endpoint_of(spec, provider),
                RetryPolicy(max_retries=spec.max_retries, timeout_s=spec.timeout_s),
                Breaker(),
                cache_keys(spec),
                spec.price or price_for(spec.provider, spec.model, self._prices, base_url=spec.base_url),
            )
        return model

    def _endpoint_of(self, spec: ModelSpec, provider: Provider) -> Endpoint:
        where = getattr(provider, "host_port", None) or spec.provider  # a remote API's host:port
        endpoint = self._endpoints.get((where, spec.model))
        if endpoint is None:
            endpoint = self._endpoints[where, spec.model] = Endpoint(
                f"{spec.model} at {where}",
                self.concurrency,
                rpm=spec.rpm,
                tpm=spec.tpm,
                max_pause_s=MAX_RETRY_AFTER_S,
            )
        return endpoint

    async def aclose(self) -> None:
        """Close every provider, then the HTTP client; never raises (the run is ending)."""
        for model in self._models.values():
            with contextlib.suppress(Exception):
                await model.provider.aclose()
        await self.http.aclose()
        if self._reader is not None:
            self._reader.shutdown(wait=False)

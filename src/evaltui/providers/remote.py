"""What every HTTP model API provider shares: one POST of a JSON body, uniform error mapping,
latency measured around the call. A family (openai.py, anthropic.py, ollama.py) says where to
post, how to build the body and how to read the answer."""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any
from urllib.parse import urlsplit

from evaltui.errors import ProviderError
from evaltui.jsoncodec import encoder
from evaltui.providers.base import BadValue, Completion, Request
from evaltui.providers.faults import decode_json, endpoint_of, quote, redact, status_error, transport_error
from evaltui.providers.http import USER_AGENT, HttpClient, TransportError
from evaltui.providers.ratelimits import read_rate_limits
from evaltui.suites.models import DEFAULT_BASE_URLS, DEFAULT_KEY_ENVS, ModelSpec


def api_key(spec: ModelSpec) -> tuple[str | None, str | None]:
    """(environment variable name, its value). The provider's default variable (OPENAI_API_KEY,
    ANTHROPIC_API_KEY) is only read for the provider's own endpoint: a key meant for a hosted API
    is never sent to a custom base_url the suite did not explicitly give it to."""
    name = spec.api_key_env
    if name is None and spec.base_url is None:
        name = DEFAULT_KEY_ENVS.get(spec.provider)
    if name is None:
        return None, None
    return name, os.environ.get(name) or None


def as_int(value: Any) -> int | None:
    """A token count from a response, or None when the server sent none (or nonsense). Its range
    is checked where the Completion is built (base.py)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_cost(value: Any) -> float | None:
    """A cost from a response, or None when the server sent none (or nonsense). A number too large
    for a float becomes infinity, which the Completion refuses (base.py)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except OverflowError:
        return float("inf")


def _checked_header(name: str, value: str, model_id: str) -> None:
    """HTTP header names and values are ASCII without control characters; the value is never quoted
    (it may hold a key). Suites are validated for this; the API key comes from the environment."""
    try:
        name.encode("ascii"), value.encode("ascii")
    except UnicodeEncodeError:
        raise ProviderError(
            f"{model_id}: the header {name!r} (or its value) has non-ASCII characters, which HTTP "
            "headers cannot carry; check the model's `headers` and the API key variable"
        ) from None
    if any(c in name or c in value for c in "\r\n\0"):
        raise ProviderError(
            f"{model_id}: the header {name!r} (or its value) has a line break or NUL, which would "
            "split it into other headers; check the model's `headers` and the API key variable"
        )


_BODY_JSON = encoder(ensure_ascii=True)  # json.dumps(body), made once for every request


class RemoteProvider:
    """Base of the HTTP providers. Subclasses set `path` and implement `auth_headers`, `body`
    and `parse`."""

    path: str = ""
    api_headers: dict[str, str] = {}  # headers the API always wants (a spec's own headers override them)

    def __init__(self, spec: ModelSpec, http: HttpClient) -> None:
        self.spec = spec
        self.http = http
        base = (spec.base_url or DEFAULT_BASE_URLS[spec.provider]).rstrip("/")
        self.url = self.endpoint(base)
        self.where = f"{spec.id} at {urlsplit(self.url)._replace(query='', fragment='').geturl()}"
        self.host_port = endpoint_of(self.url)
        self.max_bytes = int(spec.max_response_mb * 1024 * 1024)
        self._key_env, key = api_key(spec)
        self._secrets = (key,) if key else ()
        headers = {"User-Agent": USER_AGENT, **self.api_headers, **spec.headers}
        if key:
            headers.update(self.auth_headers(key))
        headers["Content-Type"] = "application/json"
        for name, value in headers.items():
            _checked_header(name, value, spec.id)
        self._headers = headers

    def __repr__(self) -> str:  # never the headers: they hold the key
        return f"<{type(self).__name__} {self.where}>"

    def endpoint(self, base: str) -> str:
        return base + self.path

    def auth_headers(self, key: str) -> dict[str, str]:
        raise NotImplementedError

    def body(self, request: Request) -> dict[str, Any]:
        raise NotImplementedError

    def parse(self, data: dict[str, Any], latency_ms: float) -> Completion:
        raise NotImplementedError

    def params(self, request: Request) -> dict[str, Any]:
        return {**self.spec.params, **request.params}

    async def complete(self, request: Request) -> Completion:
        body = self.body(request)
        content = _BODY_JSON(body).encode()
        start = time.perf_counter()
        try:
            response = await self.http.request(
                "POST",
                self.url,
                headers=self._headers,
                content=content,
                max_bytes=self.max_bytes,
                ca_file=self.spec.ca_file,
            )
        except TransportError as exc:
            raise transport_error(exc, self.where, self._secrets, endpoint=self.host_port) from exc
        latency_ms = (time.perf_counter() - start) * 1000
        if not 200 <= response.status_code < 300:  # Response.is_success, without the property's call
            hint = ""
            if response.status_code in (401, 403) and self._key_env and not self._secrets:
                hint = f" (the environment variable {self._key_env} is not set)"
            raise status_error(response, self.where, self._secrets, hint=hint, endpoint=self.host_port)
        data = decode_json(response, self.where)
        try:
            completion = self.parse(data, latency_ms)
        except BadValue as exc:  # a number that cannot be stored, or an output past the limit
            raise self.fail(exc.message) from exc
        limits = read_rate_limits(response.headers)
        return completion if limits is None else dataclasses.replace(completion, rate_limits=limits)

    async def aclose(self) -> None:
        """Nothing to close: the HttpClient belongs to the run, which closes it."""

    def quote(self, text: str) -> str:
        """Text a server sent, fit for an error message: the key redacted, then cut short."""
        return quote(text, self._secrets)

    def fail(self, reason: str, *, retryable: bool = False) -> ProviderError:
        return ProviderError(f"{self.where}: {redact(reason, self._secrets)}", retryable=retryable)


__all__ = ["RemoteProvider", "api_key", "as_cost", "as_int"]

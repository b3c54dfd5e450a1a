"""How an HTTP answer that is not an answer becomes a `ProviderError`, the same for every provider.

- 429, 503 and 529 (Anthropic's "overloaded"): retryable, with the server's Retry-After hint
  (seconds or an HTTP-date).
- 408, 500, 502, 504 and any other 5xx, connection failures and resets: retryable.
- Other 4xx (400, 401, 403, 404, ...): not retryable; the server's own error message is included.
- A 200 whose body is not JSON, or is cut short: retryable (a proxy or a dying server).
- A body past the model's `max_response_mb`, a response with conflicting Content-Length headers,
  an unsupported URL or proxy: not retryable.

Messages name the provider, model and endpoint (without query string) and never carry the API key:
`redact` scrubs it from anything a server echoes back.
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from evaltui.errors import ProviderError
from evaltui.jsoncodec import decoded
from evaltui.providers.http import (
    ConflictingLength,
    ConnectError,
    Response,
    ResponseTooLarge,
    TransportError,
    UnsupportedURL,
)
from evaltui.providers.ratelimits import read_rate_limits

RETRY_AFTER_STATUSES = frozenset({429, 503, 529})
RETRYABLE_STATUSES = frozenset({408, 409, 425}) | RETRY_AFTER_STATUSES
MAX_ECHO = 300  # characters of a server's error text kept in a message


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date. None if absent or
    unreadable (a bad hint is ignored rather than failing the request)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def quote(text: str, secrets: tuple[str, ...]) -> str:
    """A server's text as it may appear in a message: secrets redacted first, then cut to
    MAX_ECHO characters (cutting first could leave the start of a key that `redact` no longer sees)."""
    return redact(text, secrets)[:MAX_ECHO]


def server_message(response: Response, secrets: tuple[str, ...] = ()) -> str:
    """The error text a model API put in its body: OpenAI's and Anthropic's `error.message`,
    Ollama's `error`, else the start of the body; quoted (redacted, then cut)."""
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return quote(error["message"], secrets)
        if isinstance(error, str):
            return quote(error, secrets)
        if isinstance(data.get("message"), str):
            return quote(data["message"], secrets)
    text = quote(response.content[:65536].decode("utf-8", "replace"), secrets).strip()
    return text or response.reason_phrase or "no details"


def endpoint_of(url: str) -> str:
    """`host:port` of a URL, the port written out even when it is the scheme's default."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a number: the request fails on it with its own message
        port = None
    host = parts.hostname or ""
    return f"{host}:{port or (443 if parts.scheme == 'https' else 80)}"


def status_error(
    response: Response,
    where: str,
    secrets: tuple[str, ...],
    *,
    hint: str = "",
    endpoint: str | None = None,
) -> ProviderError:
    """The error for a non-2xx response; `hint` is appended (what the user may have missed)."""
    status = response.status_code
    detail = server_message(response, secrets)
    retryable = status in RETRYABLE_STATUSES or status >= 500
    retry_after = parse_retry_after(response.headers.get("retry-after")) if retryable else None
    return ProviderError(
        f"{where}: HTTP {status}: {detail}{hint}",
        retryable=retryable,
        status=status,
        retry_after=retry_after,
        kind="auth" if status in (401, 403) else None,
        endpoint=endpoint,
        rate_limits=read_rate_limits(response.headers),
    )


def transport_error(
    exc: TransportError, where: str, secrets: tuple[str, ...], *, endpoint: str | None = None
) -> ProviderError:
    """Connection refused, reset, or dropped mid-body: another attempt may work. A failure to
    connect at all (refused, DNS, TLS) is `kind="unreachable"`, which the engine's circuit breaker
    counts. A body past the limit, conflicting lengths, an unusable URL or proxy: final."""
    if isinstance(exc, UnsupportedURL | ResponseTooLarge | ConflictingLength):
        return ProviderError(f"{where}: {redact(str(exc), secrets)}", retryable=False, endpoint=endpoint)
    unreachable = isinstance(exc, ConnectError)
    what = "cannot connect" if unreachable else "connection failed"
    return ProviderError(
        f"{where}: {what}: {redact(str(exc), secrets)}",
        retryable=True,
        kind="unreachable" if unreachable else None,
        endpoint=endpoint,
    )


_DECODER = json.JSONDecoder()  # json.loads' own, without its detour for bytes


def decode_json(response: Response, where: str) -> dict[str, Any]:
    """The JSON object of a 2xx body, or a retryable error that says what was wrong with it."""
    body = response.content
    if not body:
        raise ProviderError(
            f"{where}: the server sent an empty body (HTTP {response.status_code})", retryable=True
        )
    try:
        if body[:1] == b"{" and body[1:2] != b"\0":  # as json.loads finds UTF-8, without its steps
            data = decoded(_DECODER, body.decode("utf-8", "surrogatepass"))
        else:
            data = json.loads(body)
    except ValueError as exc:
        looks_cut = body.lstrip()[:1] in (b"{", b"[")
        reason = "a truncated JSON body" if looks_cut else "a body that is not JSON"
        start = body[:80].decode("utf-8", "replace")
        raise ProviderError(
            f"{where}: the server sent {reason} ({len(body)} bytes, starting {start!r})", retryable=True
        ) from exc
    if not isinstance(data, dict):
        raise ProviderError(f"{where}: expected a JSON object, got {type(data).__name__}", retryable=True)
    return data

"""The one HTTP stack every remote provider shares: aiohttp's client, for direct and proxied hosts
alike. evaltui parses no HTTP of its own; what it adds is policy:

- a size limit on every response body, counted after any Content-Encoding is decoded and enforced
  while the body streams in, so a never-ending body or a gzip bomb costs at most the limit;
- TLS verified against the system's certificates, plus the files named by `SSL_CERT_FILE` and
  `SSL_CERT_DIR` (loaded explicitly, so they count on every platform), plus a model's own `ca_file`;
- proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`; on Windows and
  macOS also the system's settings, as urllib reads them), chosen per host and passed to the same
  request call a direct host goes through;
- a response with conflicting `Content-Length` headers refused;
- no redirects followed (a model API does not redirect; a 3xx is reported as it is).

Why aiohttp's client and not httpx's API over it: measured on the peer benchmark
(docs/BENCHMARKS.md), httpx's per-request objects cost more CPU than the rest of a request, which
keeps it far from the limit at high concurrency. aiohttp is imported on the first request only: it
takes longer to import than the rest of a CLI command's start-up.

Failures surface as `TransportError` subclasses, which providers/faults.py maps to `ProviderError`.
One `HttpClient` per run, shared by all of that run's providers, closed at the end.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import urllib.request
from collections import deque
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from evaltui.recordclass import quick, record
from evaltui.suites.models import DEFAULT_MAX_RESPONSE_MB

if TYPE_CHECKING:
    import aiohttp
    from yarl import URL

__all__ = [
    "USER_AGENT",
    "ConflictingLength",
    "ConnectError",
    "HttpClient",
    "ProtocolError",
    "Response",
    "ResponseTooLarge",
    "TransportError",
    "UnsupportedURL",
]

USER_AGENT = "evaltui"
_READ_SIZE = 64 * 1024


class TransportError(Exception):
    """A request got no complete response. The message names the host, never a request header."""


class ConnectError(TransportError):
    """No connection at all: refused, DNS, TLS (an untrusted certificate), a proxy that refused."""


class ProtocolError(TransportError):
    """The connection broke, or the server sent something that is not an acceptable response."""


class ResponseTooLarge(ProtocolError):
    """The decoded response body is larger than the limit. Reading stopped there."""


class ConflictingLength(ProtocolError):
    """Two Content-Length headers that disagree: which body is the answer is anyone's guess."""


class UnsupportedURL(TransportError):
    """A URL or proxy this client cannot use (a scheme other than http/https, a SOCKS proxy)."""


@record(frozen=True, slots=True)
class Response:
    """A response read whole (and decoded) within the size limit; it holds no connection."""

    status_code: int
    reason_phrase: str
    headers: Mapping[str, str]  # case-insensitive
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


_new_response = quick(Response)  # Response(...), made for every answer


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """A verifying client context: the system's certificates, those named by SSL_CERT_FILE and
    SSL_CERT_DIR, and `ca_file`'s. A file that cannot be read is a ConnectError naming it."""
    context = ssl.create_default_context()
    sources = [("SSL_CERT_FILE", os.environ.get("SSL_CERT_FILE"), False)]
    sources.append(("SSL_CERT_DIR", os.environ.get("SSL_CERT_DIR"), True))
    sources.append(("ca_file", ca_file, False))
    for name, path, is_dir in sources:
        if not path:
            continue
        try:
            if is_dir:
                context.load_verify_locations(capath=path)
            else:
                context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectError(f"cannot load the certificates of {name} {path!r}: {exc}") from exc
    return context


class HttpClient:
    """What providers send requests through: one aiohttp session with a pool of keep-alive
    connections, at most `max_connections` requests in flight at once across hosts. `request`
    returns a `Response` whatever the status; raising on status is the provider's job."""

    def __init__(self, *, max_connections: int = 64, keepalive_s: float = 30.0) -> None:
        self.max_connections = max_connections
        self.keepalive_s = keepalive_s
        self._session: aiohttp.ClientSession | None = None
        self._proxies = {k: v for k, v in urllib.request.getproxies().items() if v}
        self._routes: dict[str, tuple[Any, Any, Any]] = {}  # url -> (yarl URL, proxy, proxy auth)
        self._tls: dict[str | None, ssl.SSLContext] = {}
        self._closed = False
        # aiohttp's own limit holds only for new connections: a request reuses a connection kept
        # idle for its host even at the limit (two kept for A, then B, A and A at once make three).
        self._in_flight = _Slots(max_connections)
        # aiohttp.ClientError, once the session is open (aiohttp is imported then, not per request)
        self._client_error: type[Exception] = Exception

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp

        self._client_error = aiohttp.ClientError
        connector = aiohttp.TCPConnector(limit=self.max_connections, keepalive_timeout=self.keepalive_s)
        # No total timeout: the engine times each request out (engine/retry.py), and a cancelled
        # request closes its connection (aiohttp never reuses a half-read one).
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
            trust_env=False,  # proxies are chosen here, per host (`_route`), ALL_PROXY included
            auto_decompress=True,  # decoded in bounded steps as it is read (see `_read`)
            cookie_jar=aiohttp.DummyCookieJar(),  # a model API call carries no cookies
        )
        return self._session

    def _route(self, url: str) -> tuple[URL, URL | None, Any]:
        """The parsed URL and the proxy (with its credentials) the environment names for its host."""
        route = self._routes.get(url)
        if route is not None:
            return route
        import aiohttp
        from yarl import URL

        parsed = URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise UnsupportedURL(f"unsupported URL {parsed.with_query(None)!s:.200} (use http or https)")
        proxy = auth = None
        name, value = next(
            ((n, self._proxies[n]) for n in (parsed.scheme, "all") if n in self._proxies), (None, None)
        )
        if value is not None and not urllib.request.proxy_bypass(parsed.host):
            proxy = URL(value if "://" in value else f"http://{value}")
            where = f"{name.upper()}_PROXY" if name else "the proxy setting"
            if proxy.scheme not in ("http", "https"):
                raise UnsupportedURL(
                    f"the proxy {proxy.scheme}://{proxy.host}:{proxy.port} from {where} is not supported: "
                    "evaltui goes through HTTP and HTTPS proxies only"
                )
            if proxy.user is not None:
                auth = aiohttp.BasicAuth.from_url(proxy)
                proxy = proxy.with_user(None)
        if len(self._routes) > 256:
            self._routes.clear()
        route = self._routes[url] = (parsed, proxy, auth)
        return route

    def _tls_for(self, ca_file: str | None) -> ssl.SSLContext:
        context = self._tls.get(ca_file)
        if context is None:
            context = self._tls[ca_file] = tls_context(ca_file)
        return context

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        max_bytes: int = int(DEFAULT_MAX_RESPONSE_MB * 1024 * 1024),
        ca_file: str | None = None,
    ) -> Response:
        """Send one request and read its whole response, decoded, refusing more than `max_bytes`.
        Header names and values must be free of CR, LF and NUL (suites are validated for it)."""
        if self._closed:
            raise ConnectError("the HTTP client is closed")
        target, proxy, proxy_auth = self._route(url)
        session = self._session or self._open()
        tls = self._tls_for(ca_file) if target.scheme == "https" else True
        slots = self._in_flight
        if slots.free and not slots.waiting:  # nearly every request: the engine keeps within the limit
            slots.free -= 1
        else:
            await slots.wait()
        try:
            async with (
                session.request(
                    method,
                    target,
                    headers=headers,
                    data=content,
                    proxy=proxy,
                    proxy_auth=proxy_auth,
                    ssl=tls,
                    allow_redirects=False,
                ) as response,
            ):
                body = await _read(response, max_bytes)
                return _new_response(response.status, response.reason or "", response.headers, body)
        except self._client_error as exc:
            raise _mapped(exc, target) from exc
        except ValueError as exc:  # aiohttp refuses a header with CR/LF; never echo its value
            raise ProtocolError(f"cannot send the request to {target.host}: {type(exc).__name__}") from exc
        finally:
            slots.release()

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class _Slots:
    """The client's requests in flight, at most `size` at once, first come first served: as an
    asyncio.Semaphore, but taking a free slot is a plain check and count in `request` (nearly every
    request finds one), not the coroutines of the semaphore's `async with`."""

    __slots__ = ("free", "waiting")

    def __init__(self, size: int) -> None:
        self.free = size
        self.waiting: deque[asyncio.Future[None]] = deque()  # handed a slot in this order

    async def wait(self) -> None:
        """Wait until a slot is handed over by `release` (the caller's own, then)."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed one, then cancelled: pass it on
                self.release()
            elif waiter in self.waiting:
                self.waiting.remove(waiter)
            raise

    def release(self) -> None:
        """The slot back: to the first still waiting for one, else free."""
        waiting = self.waiting
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


async def _read(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The decoded body, or ResponseTooLarge as soon as more than `max_bytes` arrived. aiohttp
    decodes gzip/deflate/br/zstd in bounded steps as the body is read and stops reading from the
    socket while its buffer is full, so memory stays near the limit whatever the server sends."""
    lengths = response.headers.getall("Content-Length", ())
    if len(lengths) > 1 and len(set(lengths)) > 1:
        response.close()
        raise ConflictingLength(f"the server sent {len(lengths)} conflicting Content-Length headers")
    if lengths and "Content-Encoding" not in response.headers:
        length = int(lengths[0]) if lengths[0].isdigit() else None
        if length is not None and length > max_bytes:
            response.close()
            raise ResponseTooLarge(
                f"the response body is {length} bytes, over the limit of {_mb(max_bytes)} (max_response_mb)"
            )
        if length is not None:
            return await response.read()  # framed by Content-Length: bounded
    parts: list[bytes] = []
    size = 0
    while chunk := await response.content.read(_READ_SIZE):
        size += len(chunk)
        if size > max_bytes:
            response.close()  # the rest is never read; the connection is not reused
            raise ResponseTooLarge(
                f"the response body is larger than the limit of {_mb(max_bytes)} (max_response_mb); "
                f"stopped reading after {size} bytes"
            )
        parts.append(chunk)
    return b"".join(parts)


def _mb(size: int) -> str:
    """A size limit as the error messages name it (formatted only when one is raised)."""
    return f"{size / 1048576:g} MB"


def _os_reason(error: OSError) -> str:
    """Why a connection could not be made, in the OS's words: 'Connection refused' (asyncio says
    'Connect call failed'), a resolver's 'Name or service not known'."""
    import socket

    if error.errno and error.errno > 0 and not isinstance(error, socket.gaierror):
        return os.strerror(error.errno)
    return error.strerror or str(error) or type(error).__name__


def _mapped(exc: Exception, url: URL) -> TransportError:
    """Our exception for an aiohttp one. aiohttp's messages name the host and port, never headers."""
    import aiohttp

    message = str(exc) or type(exc).__name__
    where = f"{url.host}:{url.port}"
    if isinstance(exc, aiohttp.ClientSSLError):  # TLS: the certificate, the handshake
        return ConnectError(message)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, unreachable
        # the OS's reason, not aiohttp's line (it says 'ssl:default' of a plain http:// host too)
        proxy = "the proxy " if isinstance(exc, aiohttp.ClientProxyConnectionError) else ""
        return ConnectError(f"{proxy}{exc.host}:{exc.port}: {_os_reason(exc.os_error)}")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectError(f"cannot connect to {where}: timed out")
    if isinstance(exc, aiohttp.ClientHttpProxyError):  # the proxy answered CONNECT with an error
        return ConnectError(f"the proxy refused to connect to {where}: {message}")
    if isinstance(exc, aiohttp.InvalidURL):
        return UnsupportedURL(message)
    if isinstance(exc, aiohttp.ClientResponseError):  # aiohttp's parser refused the response
        reason = (exc.message or "").strip().splitlines()[0] if exc.message else type(exc).__name__
        if "Content-Length" in reason and "Duplicate" in reason:
            return ConflictingLength(f"{where}: the server sent two Content-Length headers")
        return ProtocolError(f"{where}: a malformed response: {reason[:200]}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return ProtocolError(f"{where}: the server closed the connection before the whole response")
    return ProtocolError(f"{where}: {message}")  # a malformed response, payload errors, resets

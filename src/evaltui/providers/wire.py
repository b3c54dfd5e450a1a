"""HTTP/1.1 on asyncio's own protocols: the transport remote providers use by default.

A model API call is one small request and one small response on a keep-alive connection; aiohttp's
client wraps that in sessions, connectors, trace hooks and streams. Measured with
bench/http_stack.py (5,000 requests at concurrency 64, 100 ms): `HttpClient.send` costs 0.57 ms of
CPU a request over aiohttp and 0.30 ms over this transport (0.31 and 0.16 ms at 0 ms latency),
httpx's Request and Response included; at concurrency 256 that is 74% of N x L / C against 89%.

What it does: http and https (TLS with the system's certificates and SNI), a pool of keep-alive
connections per host within one limit, bodies framed by Content-Length, chunked transfer encoding
or the end of the connection, 1xx interim responses skipped, `Connection: close` honoured. A
connection that the server closed while it sat idle is never reused; a request whose task is
cancelled (the engine's timeout) closes its connection, since its response may still arrive. What
it does not do: proxies (`HttpClient` hands requests that must go through one to aiohttp), HTTP/2,
redirects, cookies, or decompression (httpx decodes Content-Encoding when the response is read).

Failures surface as httpx's exceptions: ConnectError, RemoteProtocolError (the server closed the
connection early, or sent something that is not HTTP/1.1), ReadError (a reset).
"""

from __future__ import annotations

import asyncio
import collections
import select
import ssl
import time

import httpx

__all__ = ["WireTransport"]

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024  # a response head larger than this is not an API's
_NO_BODY = frozenset({204, 304})

_Key = tuple[str, str, int]  # scheme, host, port


class _Exchange:
    """One response as it is parsed off the connection."""

    __slots__ = ("body", "chunked", "done", "headers", "length", "method", "reason", "status", "version")

    def __init__(self, method: bytes) -> None:
        self.method = method
        self.status = 0
        self.reason = b""
        self.version = b"HTTP/1.1"
        self.headers: list[tuple[bytes, bytes]] = []
        self.length: int | None = None  # None with chunked False: the body ends with the connection
        self.chunked = False
        self.body = bytearray()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class _Connection(asyncio.Protocol):
    """One keep-alive connection; at most one exchange at a time (no pipelining)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.exchange: _Exchange | None = None
        self.in_head = True
        self.reusable = True
        self.idle_since = 0.0
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.poller: select.poll | None = None  # watches the socket for input: see `readable`

    # -- asyncio callbacks -----------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None and hasattr(select, "poll"):
            # select.poll, not select.select: descriptors past 1024 are common at high concurrency
            self.poller = select.poll()
            self.poller.register(sock.fileno(), select.POLLIN)

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self.transport = None
        exchange = self.exchange
        if exchange is not None and not exchange.done.done():
            if exc is None and not self.in_head and exchange.length is None and not exchange.chunked:
                exchange.done.set_result(None)  # a body framed by the end of the connection (not a reset)
            elif isinstance(exc, ConnectionResetError | BrokenPipeError):
                exchange.done.set_exception(httpx.ReadError(f"connection reset: {exc}"))
            else:
                where = "before the response" if self.in_head and not self.buffer else "mid-response"
                exchange.done.set_exception(
                    httpx.RemoteProtocolError(f"the server closed the connection {where}")
                )
        if not self.lost.done():
            self.lost.set_result(None)

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost settles the exchange

    def data_received(self, data: bytes) -> None:
        if self.exchange is None or self.exchange.done.done():
            self._broken()  # bytes nobody asked for: this connection is not in a known state
            return
        self.buffer += data
        try:
            self._parse(self.exchange)
        except httpx.RemoteProtocolError as exc:
            self._broken()
            if not self.exchange.done.done():
                self.exchange.done.set_exception(exc)

    # -- parsing ---------------------------------------------------------------------------
    def _parse(self, exchange: _Exchange) -> None:
        buffer = self.buffer
        while self.in_head:
            end = buffer.find(_HEAD_END)
            if end < 0:
                if len(buffer) > _MAX_HEAD:
                    raise httpx.RemoteProtocolError("the response head is too large")
                return
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            if not self._head(exchange, head):  # 1xx: another head follows
                continue
            self.in_head = False
        if exchange.chunked:
            self._chunks(exchange)
        elif exchange.length is not None:
            if len(buffer) >= exchange.length:
                exchange.body += buffer[: exchange.length]
                del buffer[: exchange.length]
                self._complete(exchange)
        else:
            exchange.body += buffer
            buffer.clear()

    def _head(self, exchange: _Exchange, head: bytes) -> bool:
        """Read a status line and headers; False for a 1xx interim response."""
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise httpx.RemoteProtocolError(f"not an HTTP/1.1 response: {lines[0][:80]!r}")
        status = int(parts[1])
        if 100 <= status < 200 and status != 101:
            return False
        exchange.version, exchange.status = parts[0], status
        exchange.reason = parts[2] if len(parts) > 2 else b""
        headers = exchange.headers
        keep_alive = parts[0] == b"HTTP/1.1"
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise httpx.RemoteProtocolError(f"malformed response header {line[:80]!r}")
            value = value.strip()
            headers.append((name, value))
            lower = name.lower()
            if lower == b"content-length":
                if not value.isdigit():
                    raise httpx.RemoteProtocolError(f"bad Content-Length {value[:40]!r}")
                exchange.length = int(value)
            elif lower == b"transfer-encoding":
                exchange.chunked = value.lower().endswith(b"chunked")
            elif lower == b"connection":
                tokens = value.lower()
                if b"close" in tokens:
                    keep_alive = False
                elif b"keep-alive" in tokens:
                    keep_alive = True
        if exchange.method == b"HEAD" or status in _NO_BODY:
            exchange.chunked, exchange.length = False, 0
        elif exchange.chunked:
            exchange.length = None
        elif exchange.length is None:
            keep_alive = False  # the body runs to the end of the connection
        if not keep_alive:
            self.reusable = False
        return True

    def _chunks(self, exchange: _Exchange) -> None:
        buffer = self.buffer
        while True:
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                return
            size_text = bytes(buffer[:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16) if size_text.isalnum() else -1  # no sign, no spaces, no "0x"
            except ValueError:
                size = -1
            if size < 0 or size_text[:2].lower() == b"0x":
                raise httpx.RemoteProtocolError(f"bad chunk size {size_text[:20]!r}")
            if size == 0:  # the last chunk; then trailer lines up to an empty one
                if buffer[line_end + 2 : line_end + 4] == b"\r\n":
                    end = line_end + 4
                else:
                    found = buffer.find(_HEAD_END, line_end + 2)
                    if found < 0:
                        return
                    end = found + 4
                del buffer[:end]
                self._complete(exchange)
                return
            if len(buffer) < line_end + 2 + size + 2:
                return
            start = line_end + 2
            if buffer[start + size : start + size + 2] != b"\r\n":
                raise httpx.RemoteProtocolError("a chunk is longer than its size says")
            exchange.body += buffer[start : start + size]
            del buffer[: start + size + 2]

    def _complete(self, exchange: _Exchange) -> None:
        if self.buffer:
            self.reusable = False  # more bytes than the response: not safe to send another request
        if not exchange.done.done():
            exchange.done.set_result(None)

    def _broken(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.abort()

    # -- one exchange ----------------------------------------------------------------------
    async def exchange_with(self, method: bytes, data: bytes) -> _Exchange:
        if self.transport is None:
            raise httpx.RemoteProtocolError("the server closed the connection before the request")
        exchange = self.exchange = _Exchange(method)
        self.in_head = True
        self.transport.write(data)
        await exchange.done
        return exchange

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()

    def readable(self) -> bool:
        """Whether the idle connection has bytes, an end or a reset waiting that the event loop
        has not read yet (a server that closed it just now): in each case it cannot carry another
        request. One poll(2) call on the socket, registered when the connection was made."""
        return self.poller is not None and bool(self.poller.poll(0))


class WireTransport(httpx.AsyncBaseTransport):
    """An httpx transport on asyncio protocols: at most `limit` requests in flight, each on a
    keep-alive connection of its host's pool. The response is read whole before it is returned."""

    def __init__(
        self, *, limit: int = 64, keepalive_s: float = 30.0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.limit = limit
        self.keepalive_s = keepalive_s
        self._ssl_context = ssl_context
        self._slots = asyncio.Semaphore(limit)
        self._idle: dict[_Key, collections.deque[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._connecting = 0
        self._closed = False

    def _ssl(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    async def _connect(self, key: _Key) -> _Connection:
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        self._connecting += 1
        try:
            self._trim_idle()
            _, conn = await loop.create_connection(
                _Connection, host, port, ssl=self._ssl() if scheme == "https" else None
            )
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        finally:
            self._connecting -= 1
        self._open.add(conn)
        conn.lost.add_done_callback(lambda _: self._open.discard(conn))
        return conn

    def _idle_connection(self, key: _Key) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if (
                conn.reusable
                and conn.transport is not None
                and now - conn.idle_since < self.keepalive_s
                and not conn.readable()
            ):
                return conn
            conn.close()
        return None

    def _trim_idle(self) -> None:
        """Keep open connections within the limit when several hosts share it. Runs before a new
        connection is made and counts those still being made: run after, concurrent connects to
        another host would all be open beside the idle ones they displace."""
        excess = len(self._open) + self._connecting - self.limit
        for idle in self._idle.values():
            while excess > 0 and idle:
                idle.popleft().close()
                excess -= 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the HTTP client is closed")
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        key = (scheme, url.host, url.port or (443 if scheme == "https" else 80))
        data = _request_bytes(request, url)
        async with self._slots:
            conn = self._idle_connection(key) or await self._connect(key)
            released = False
            try:
                exchange = await conn.exchange_with(request.method.encode(), data)
                if conn.reusable:
                    conn.exchange = None
                    conn.idle_since = time.monotonic()
                    self._idle.setdefault(key, collections.deque()).append(conn)
                    released = True
            finally:
                if not released:
                    conn.close()  # cancelled, failed, or the server wants it closed
        extensions = {"http_version": exchange.version, "reason_phrase": exchange.reason}
        response = httpx.Response(
            exchange.status,
            headers=exchange.headers,
            stream=httpx.ByteStream(bytes(exchange.body)),
            request=request,
            extensions=extensions,
        )
        response.read()  # decodes any Content-Encoding
        return response

    async def aclose(self) -> None:
        self._closed = True
        conns = list(self._open)
        self._idle.clear()
        for conn in conns:
            conn.close()
        if conns:
            await asyncio.wait([conn.lost for conn in conns], timeout=1.0)


def _request_bytes(request: httpx.Request, url: httpx.URL) -> bytes:
    """The request as it goes on the wire: head and body in one buffer (one write, one packet)."""
    body = request.read()
    names = {name.lower() for name, _ in request.headers.raw}
    lines = [b"%s %s HTTP/1.1\r\n" % (request.method.encode(), url.raw_path)]
    if b"host" not in names:
        lines.append(b"Host: %s\r\n" % url.netloc)
    if body and b"content-length" not in names and b"transfer-encoding" not in names:
        lines.append(b"Content-Length: %d\r\n" % len(body))
    lines.extend(b"%s: %s\r\n" % (name, value) for name, value in request.headers.raw)
    lines.append(b"\r\n")
    lines.append(body)
    return b"".join(lines)

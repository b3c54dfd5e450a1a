"""The HTTP stack (providers/http.py: aiohttp's client under evaltui's policy) against real loopback
servers that write exact bytes: every framing of a response body, keep-alive and when a connection
must not be reused, broken servers, cancellation, the connection limit across hosts; then what
evaltui adds: the response-size limit (a never-ending body, a gzip bomb), conflicting
Content-Length, TLS with a private CA, proxies from the environment, header injection refused."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from evaltui.errors import ProviderError, SuiteError
from evaltui.providers import HttpClient, Request, make_provider
from evaltui.providers.http import ProtocolError, Response, TransportError
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi

Respond = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class RawServer:
    """An HTTP server on a free loopback port. It reads each request (head and Content-Length body)
    and lets `respond` write whatever bytes it likes; it counts connections and keeps each request
    exactly as it arrived."""

    respond: Respond
    on_connect: Callable[[asyncio.StreamWriter], None] | None = None
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    server: asyncio.Server | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    def url(self, path: str = "/", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.connections += 1
        self.writers.append(writer)
        if self.on_connect is not None:
            self.on_connect(writer)
        try:
            while (request := await read_request(reader)) is not None:
                self.requests.append(request)
                await self.respond(request, writer)
                if writer.is_closing():
                    return
        except ConnectionError:
            pass  # the client reset it
        finally:
            writer.close()


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """One request's bytes, or None when the client closed the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + await reader.readexactly(length)


def response(body: bytes, *headers: bytes) -> bytes:
    """A complete 200 response framed by Content-Length."""
    head = [b"HTTP/1.1 200 OK", b"Content-Length: %d" % len(body), *headers]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def answering(*answers: bytes) -> Respond:
    """Answer the n-th request on the server with answers[n], the last one from then on."""
    count = 0

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        writer.write(answers[min(count, len(answers) - 1)])
        count += 1
        await writer.drain()

    return respond


def numbered(request: bytes, writer: asyncio.StreamWriter) -> Awaitable[None]:
    """Answer each request with its own path, so a response read for the wrong request shows."""
    path = request.split(b" ", 2)[1]
    writer.write(response(path))
    return writer.drain()


async def write_in_pieces(writer: asyncio.StreamWriter, data: bytes, size: int, pause: float) -> None:
    """Write `data` `size` bytes at a time, pausing so each piece reaches the client on its own."""
    for start in range(0, len(data), size):
        writer.write(data[start : start + size])
        await writer.drain()
        await asyncio.sleep(pause)


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the client gets a TCP reset, not a clean end of stream."""
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


Start = Callable[..., Awaitable[RawServer]]


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    """Start raw servers on free loopback ports; all of them stop when the test ends."""
    servers: list[RawServer] = []

    async def start_server(
        respond: Respond,
        ssl_context: ssl.SSLContext | None = None,
        on_connect: Callable[[asyncio.StreamWriter], None] | None = None,
    ) -> RawServer:
        raw = RawServer(respond, on_connect)
        raw.server = await asyncio.start_server(raw.serve, "127.0.0.1", 0, ssl=ssl_context)
        servers.append(raw)
        return raw

    yield start_server
    for raw in servers:
        assert raw.server is not None
        raw.server.close()
        for writer in raw.writers:
            writer.transport.abort()
        for task in raw.tasks:
            task.cancel()
        await asyncio.gather(*raw.tasks, return_exceptions=True)
        await raw.server.wait_closed()


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    client = HttpClient()
    yield client
    await client.aclose()


async def send(
    client: HttpClient,
    url: str,
    method: str = "GET",
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int = 8 << 20,
) -> Response:
    """One request; a client that waits for bytes that never come fails the test, not hangs it."""
    async with asyncio.timeout(5):
        return await client.request(method, url, content=content, headers=headers, max_bytes=max_bytes)


# -- bodies framed by Content-Length ---------------------------------------------------------------


async def test_a_content_length_body_written_in_small_delayed_pieces_is_read_whole(
    start: Start, http: HttpClient
) -> None:
    body = b'{"answer": "' + b"piecemeal " * 40 + b'"}'
    whole = response(body, b"Content-Type: application/json")

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        await write_in_pieces(writer, whole, size=7, pause=0.0005)

    raw = await start(respond)
    answer = await send(http, raw.url())
    assert answer.status_code == 200 and answer.content == body
    assert answer.headers["content-type"] == "application/json"
    assert (await send(http, raw.url())).content == body
    assert raw.connections == 1  # the body was framed exactly: the connection stayed usable


async def test_a_one_megabyte_body_is_read_whole(start: Start, http: HttpClient) -> None:
    body = os.urandom(1 << 20)
    raw = await start(answering(response(body), response(b"next")))
    assert (await send(http, raw.url())).content == body
    assert (await send(http, raw.url())).content == b"next"
    assert raw.connections == 1


# -- chunked transfer encoding ---------------------------------------------------------------------

CHUNKED_BODY = b"hello, world!\r\n0\r\n\r\nthe end"
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
    b"5;x=y\r\nhello\r\n"
    b"2\r\n, \r\n"
    b'6;name="a;b";flag\r\nworld!\r\n'
    b"B\r\n\r\n0\r\n\r\nthe \r\n"  # chunk data that looks like a last chunk
    b"3 \r\nend\r\n"
    b"0;last=yes\r\nX-Trailer: done\r\nX-Checksum: 42\r\n\r\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 64, len(CHUNKED)])
async def test_a_chunked_body_with_extensions_and_trailers_is_read_at_any_split(
    start: Start, http: HttpClient, size: int
) -> None:
    """Pieces of one byte put a read boundary everywhere: inside a size line, an extension, the CRLF
    after a chunk, the last chunk and the trailers."""

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        await write_in_pieces(writer, CHUNKED, size, pause=0.0002)

    raw = await start(respond)
    answer = await send(http, raw.url())
    assert answer.content == CHUNKED_BODY
    assert answer.headers["content-type"] == "text/plain"
    raw.respond = numbered
    assert (await send(http, raw.url("/after"))).content == b"/after"  # the trailers were all read
    assert raw.connections == 1


async def test_a_chunked_body_without_trailers_leaves_the_connection_reusable(
    start: Start, http: HttpClient
) -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    raw = await start(answering(chunked, response(b"second")))
    assert (await send(http, raw.url())).content == b"abc"
    assert (await send(http, raw.url())).content == b"second"
    assert raw.connections == 1


# -- bodies that end with the connection, and responses that end it --------------------------------


async def test_a_body_ended_by_closing_the_connection_is_read_and_not_reused(
    start: Start, http: HttpClient
) -> None:
    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        await write_in_pieces(writer, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", 64, 0)
        await write_in_pieces(writer, b"until the end " * 20, 50, pause=0.0005)
        writer.close()

    raw = await start(respond)
    assert (await send(http, raw.url())).content == b"until the end " * 20
    assert (await send(http, raw.url())).content == b"until the end " * 20
    assert raw.connections == 2


# The server below keeps answering on a connection it was told would close: a client that reused it
# would get its answer there, so only a second connection proves the client did not.
@pytest.mark.parametrize(
    "first",
    [
        response(b"bye", b"Connection: close"),
        response(b"bye", b"connection: Close"),
        response(b"bye", b"Connection: TE, close"),
        b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nbye",
    ],
    ids=["connection-close", "connection-close-lowercase", "close-among-tokens", "http-1.0"],
)
async def test_a_response_that_ends_the_connection_makes_the_next_request_open_another(
    start: Start, http: HttpClient, first: bytes
) -> None:
    raw = await start(answering(first, response(b"fresh")))
    assert (await send(http, raw.url())).content == b"bye"
    assert (await send(http, raw.url())).content == b"fresh"
    assert raw.connections == 2


async def test_an_http_1_0_response_with_keep_alive_is_reused(start: Start, http: HttpClient) -> None:
    raw = await start(answering(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"))
    assert (await send(http, raw.url())).content == b"ok"
    assert (await send(http, raw.url())).content == b"ok"
    assert raw.connections == 1


# -- interim and bodiless responses ----------------------------------------------------------------


async def test_interim_100_and_103_responses_are_skipped_for_the_real_one(
    start: Start, http: HttpClient
) -> None:
    interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        await write_in_pieces(writer, interim + response(b"real", b"X-Final: yes"), 9, pause=0.0002)

    raw = await start(respond)
    answer = await send(http, raw.url(), "POST", content=b"{}")
    assert (answer.status_code, answer.content, answer.headers["x-final"]) == (200, b"real", "yes")
    assert "link" not in answer.headers
    assert (await send(http, raw.url(), "POST", content=b"{}")).content == b"real"
    assert raw.connections == 1


@pytest.mark.parametrize(
    ("method", "first"),
    [
        ("GET", b"HTTP/1.1 204 No Content\r\nX-Empty: 1\r\n\r\n"),
        ("GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"),
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/html\r\n\r\n"),
    ],
    ids=["204", "304", "HEAD"],
)
async def test_a_response_without_a_body_is_returned_at_once_and_the_connection_reused(
    start: Start, http: HttpClient, method: str, first: bytes
) -> None:
    """A client waiting for the body its headers describe would wait forever."""
    raw = await start(answering(first))
    async with asyncio.timeout(0.5):
        answer = await http.request(method, raw.url())
    assert (answer.status_code, answer.content) == (int(first[9:12]), b"")
    raw.respond = numbered
    assert (await send(http, raw.url("/then"))).content == b"/then"
    assert raw.connections == 1


# -- keep-alive ------------------------------------------------------------------------------------


async def test_sequential_requests_share_one_keep_alive_connection(start: Start, http: HttpClient) -> None:
    raw = await start(numbered)
    for i in range(10):
        assert (await send(http, raw.url(f"/{i}"))).content == f"/{i}".encode()
    assert raw.connections == 1 and len(raw.requests) == 10


async def test_a_keep_alive_connection_the_server_closed_while_idle_is_not_reused(
    start: Start, http: HttpClient
) -> None:
    closed = asyncio.Event()

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        await numbered(request, writer)
        if not closed.is_set():  # as a server whose keep-alive timeout fires right after answering
            writer.close()
            await writer.wait_closed()
            closed.set()

    raw = await start(respond)
    assert (await send(http, raw.url("/1"))).content == b"/1"
    await closed.wait()
    assert (await send(http, raw.url("/2"))).content == b"/2"
    assert raw.connections == 2


# -- broken servers --------------------------------------------------------------------------------


async def test_a_server_closing_mid_body_is_a_remote_protocol_error(start: Start, http: HttpClient) -> None:
    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it")
        writer.close()

    raw = await start(respond)
    with pytest.raises(ProtocolError):
        await send(http, raw.url())


CUT = {
    "content-length": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part",
    "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\nonly part",
    # Not "until-close": aiohttp takes a reset that ends a body framed by the end of the connection
    # as its end. Model APIs frame their bodies; a JSON body cut short is still an error (decode_json).
    "head": b"HTTP/1.1 200 OK\r\nContent-Le",
}


@pytest.mark.parametrize("cut", CUT.values(), ids=CUT.keys())
async def test_a_reset_mid_response_is_a_transport_error(start: Start, http: HttpClient, cut: bytes) -> None:
    """Even for a body that ends with the connection: a reset is not an end, and what arrived
    before it is not the whole body."""

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(cut)
        await writer.drain()
        await asyncio.sleep(0.01)  # the client reads this much before the reset
        reset(writer)

    raw = await start(respond)
    with pytest.raises(TransportError):
        await send(http, raw.url())


@pytest.mark.parametrize(
    "bad",
    [
        b"garbage\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/1.1 OK 200\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nthis line has no colon\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nBad Name : x\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n0\r\n\r\n",
    ],
    ids=[
        "garbage",
        "not-http",
        "bad-status",
        "no-colon",
        "space-in-name",
        "bad-length",
        "bad-chunk",
        "negative-chunk",
        "chunk-overruns-size",
    ],
)
async def test_a_malformed_response_is_a_remote_protocol_error_and_its_connection_dropped(
    start: Start, http: HttpClient, bad: bytes
) -> None:
    """The server stays up and would answer well on the same connection: only a new one proves the
    client dropped the one it could not parse."""
    raw = await start(answering(bad, response(b"fine")))
    with pytest.raises(ProtocolError):
        await send(http, raw.url())
    assert (await send(http, raw.url())).content == b"fine"
    assert raw.connections == 2


async def test_bytes_after_a_complete_response_do_not_become_the_next_answer(
    start: Start, http: HttpClient
) -> None:
    raw = await start(answering(response(b"ok") + b"HTTP/1.1 200 OK\r\nunasked", response(b"fresh")))
    assert (await send(http, raw.url())).content == b"ok"
    assert (await send(http, raw.url())).content == b"fresh"


# Not tested: bytes a server sends on an idle keep-alive connection, answering no request. aiohttp
# reads them as the answer to the next request on that connection; only a broken server sends them.


# -- cancellation and the limit --------------------------------------------------------------------


async def test_a_cancelled_request_closes_its_connection_and_frees_its_slot(start: Start) -> None:
    hung = asyncio.Event()

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        if not hung.is_set():
            hung.set()
            await asyncio.sleep(10)  # never answers; cancelled when the client closes
        await numbered(request, writer)

    raw = await start(respond)
    transport = HttpClient(max_connections=1)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await transport.request("GET", raw.url("/stuck"))
        assert (await send(transport, raw.url("/next"))).content == b"/next"
    finally:
        await transport.aclose()
    assert raw.connections == 2


async def test_a_cancelled_request_closes_its_connection_on_the_server(start: Start) -> None:
    waiting = asyncio.Event()

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        waiting.set()
        await asyncio.sleep(10)

    raw = await start(respond)
    transport = HttpClient(max_connections=1)
    task = asyncio.create_task(transport.request("GET", raw.url()))
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    try:  # the server is busy "answering", so it sees the close only in its socket
        async with asyncio.timeout(1):
            while not _client_closed(raw.writers[0]):
                await asyncio.sleep(0.001)
    finally:
        await transport.aclose()


def _client_closed(writer: asyncio.StreamWriter) -> bool:
    """Whether the client end of a server's connection has closed, by peeking at its socket."""
    if writer.transport.is_closing():
        return True
    sock = socket.socket(fileno=os.dup(writer.get_extra_info("socket").fileno()))
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True
    finally:
        sock.close()


async def test_two_hosts_share_one_limit_of_requests_in_flight(start: Start) -> None:
    """`max_connections` bounds the requests in flight at once across hosts, even while the pool
    keeps idle connections to a host (aiohttp's own limit lets a request reuse one of those past
    the limit: two kept for A, then B, A and A at once made three)."""
    in_flight = most = 0

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        await numbered(request, writer)

    a, b = [await start(respond) for _ in range(2)]
    transport = HttpClient(max_connections=2)
    try:
        await asyncio.gather(*(transport.request("GET", a.url(f"/first/{i}")) for i in range(2)))
        assert a.connections == 2  # both kept open, idle, for A
        urls = [b.url("/b"), a.url("/a/1"), a.url("/a/2"), b.url("/b/2")]
        answers = await asyncio.gather(*(transport.request("GET", url) for url in urls))
        assert [answer.content for answer in answers] == [b"/b", b"/a/1", b"/a/2", b"/b/2"]
    finally:
        await transport.aclose()
    assert most <= 2  # (on a loaded machine the two may not overlap; never more than two)


async def test_requests_past_the_limit_wait_their_turn_in_order(start: Start) -> None:
    """At the limit a request waits for a slot; slots are handed over in the order requests came,
    and a request cancelled while it waits takes none: every other one is still answered."""
    release = asyncio.Event()
    answered: list[bytes] = []

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        path = request.split(b" ", 2)[1]
        if path == b"/held":
            await release.wait()
        answered.append(path)
        await numbered(request, writer)

    raw = await start(respond)
    transport = HttpClient(max_connections=1)
    try:
        held = asyncio.create_task(transport.request("GET", raw.url("/held")))
        while not raw.requests:  # the one slot is taken
            await asyncio.sleep(0.001)
        waiting = [asyncio.create_task(transport.request("GET", raw.url(f"/w/{i}"))) for i in range(4)]
        await asyncio.sleep(0.01)
        assert len(raw.requests) == 1  # none past the limit went out
        waiting[1].cancel()
        release.set()
        assert (await held).content == b"/held"
        with pytest.raises(asyncio.CancelledError):
            await waiting[1]
        answers = await asyncio.gather(waiting[0], *waiting[2:])
        assert [a.content for a in answers] == [b"/w/0", b"/w/2", b"/w/3"]
        assert answered == [b"/held", b"/w/0", b"/w/2", b"/w/3"]  # one at a time, in order
        assert (await send(transport, raw.url("/after"))).content == b"/after"  # no slot was lost
    finally:
        await transport.aclose()


async def test_a_request_cancelled_as_it_is_handed_a_slot_passes_it_on(start: Start) -> None:
    raw = await start(numbered)
    transport = HttpClient(max_connections=1)
    waiting: list[asyncio.Task[Response]] = []

    async def first_then_cancel_the_next() -> Response:
        answer = await transport.request("GET", raw.url("/first"))
        # its slot was just handed to the next request, which has not run yet: cancelled now, it
        # must pass the slot on rather than keep it
        waiting[0].cancel()
        return answer

    try:
        first = asyncio.create_task(first_then_cancel_the_next())
        await asyncio.sleep(0)  # it takes the slot
        waiting.extend(asyncio.create_task(transport.request("GET", raw.url(f"/w/{i}"))) for i in range(2))
        await asyncio.sleep(0)  # both wait
        assert (await first).content == b"/first"
        with pytest.raises(asyncio.CancelledError):
            await waiting[0]
        async with asyncio.timeout(5):
            assert (await waiting[1]).content == b"/w/1"
        assert raw.requests[1].startswith(b"GET /w/1 ")  # the cancelled one never went out
    finally:
        await transport.aclose()


# -- the response-size limit -----------------------------------------------------------------------

LIMIT = 1 << 20  # 1 MiB: the limit these tests set


def gzip_stream() -> Iterator[bytes]:
    """A gzip stream of zeros that never ends: a few hundred bytes of it decode to a megabyte."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    block = bytes(1 << 20)
    while True:
        yield compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)


@dataclass
class Sent:
    """What a server wrote before the client hung up."""

    bytes: int = 0


def endless(head: bytes, pieces: Callable[[], Iterator[bytes]], sent: Sent) -> Respond:
    """Send `head`, then the pieces as chunks, for as long as the client reads them."""

    async def respond(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(head)
        for piece in pieces():
            if not piece:
                continue
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent.bytes += len(piece)
            await writer.drain()  # blocks while the client is not reading: flow control
            await asyncio.sleep(0)  # drain() does not yield while the buffer is low: let the client run

    return respond


async def peak_while(coro: Awaitable[object]) -> tuple[BaseException | None, int]:
    """Run `coro`, return what it raised and the peak of memory Python allocated meanwhile."""
    tracemalloc.start()
    try:
        try:
            await coro
        except Exception as exc:
            return exc, tracemalloc.get_traced_memory()[1]
        return None, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_a_never_ending_body_stops_at_the_limit_with_memory_bounded(
    start: Start, http: HttpClient
) -> None:
    sent = Sent()
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
    raw = await start(endless(head, lambda: iter(lambda: b"x" * 65536, None), sent))
    error, peak = await peak_while(send(http, raw.url(), max_bytes=LIMIT))
    assert isinstance(error, ProtocolError) and "limit of 1 MB" in str(error)
    assert LIMIT < sent.bytes < 64 * LIMIT  # what the socket buffers took beyond the limit, no more
    assert peak < 16 * LIMIT


async def test_a_gzip_bomb_stops_at_the_decoded_limit_with_memory_bounded(
    start: Start, http: HttpClient
) -> None:
    """The limit counts decoded bytes: the server sends kilobytes that would decode without end."""
    sent = Sent()
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
    raw = await start(endless(head, gzip_stream, sent))
    error, peak = await peak_while(send(http, raw.url(), max_bytes=LIMIT))
    assert isinstance(error, ProtocolError) and "limit of 1 MB" in str(error)
    assert peak < 16 * LIMIT
    assert sent.bytes < LIMIT  # compressed: far less went over the wire than the limit


async def test_a_gzip_bomb_framed_by_content_length_is_stopped_too(start: Start, http: HttpClient) -> None:
    """A complete 200 KB gzip body that decodes to 200 MB: the issue's 1 GB bomb, scaled down."""
    stream = gzip_stream()
    bomb = b"".join(next(stream) for _ in range(200))
    raw = await start(answering(response(bomb, b"Content-Encoding: gzip")))
    error, peak = await peak_while(send(http, raw.url(), max_bytes=LIMIT))
    assert isinstance(error, ProtocolError) and "limit of 1 MB" in str(error)
    assert peak < 16 * LIMIT


async def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_read(
    start: Start, http: HttpClient
) -> None:
    raw = await start(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000000\r\n\r\n{"))
    with pytest.raises(ProtocolError, match="5000000000 bytes, over the limit of 1 MB"):
        await send(http, raw.url(), max_bytes=LIMIT)


async def test_a_body_at_the_limit_is_read_whole(start: Start, http: HttpClient) -> None:
    raw = await start(answering(response(b"y" * LIMIT)))
    assert len((await send(http, raw.url(), max_bytes=LIMIT)).content) == LIMIT


def openai_body(text: str = "fine", **usage: object) -> bytes:
    return json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": text}}], "usage": usage}
    ).encode()


async def ask_raw(url: str, **spec: object) -> str:
    """Ask an OpenAI-compatible endpoint through a provider with its own HttpClient."""
    async with HttpClient() as client, asyncio.timeout(10):
        provider = make_provider(ModelSpec(provider="openai", model="m", base_url=url, **spec), client)
        completion = await provider.complete(Request(messages=[{"role": "user", "content": "Q: hi"}]))
    return completion.text


async def test_a_provider_answer_past_max_response_mb_is_the_case_s_final_error(start: Start) -> None:
    raw = await start(answering(response(openai_body("z" * 300_000))))
    with pytest.raises(ProviderError, match=r"max_response_mb") as caught:
        await ask_raw(raw.url("/v1"), max_response_mb=0.25)
    assert not caught.value.retryable and caught.value.kind is None
    assert await ask_raw(raw.url("/v1"), max_response_mb=0.5) == "z" * 300_000


# -- two Content-Length headers --------------------------------------------------------------------


async def test_conflicting_content_length_headers_are_refused(start: Start, http: HttpClient) -> None:
    raw = await start(
        answering(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\nokay, more")
    )
    with pytest.raises(ProtocolError, match="Content-Length"):
        await send(http, raw.url())


async def test_a_provider_names_conflicting_content_length_and_does_not_retry(start: Start) -> None:
    body = openai_body()
    twice = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Length: 2\r\n\r\n%s" % (len(body), body)
    raw = await start(answering(twice))
    with pytest.raises(ProviderError, match="Content-Length") as caught:
        await ask_raw(raw.url("/v1"))
    assert caught.value.endpoint == f"127.0.0.1:{raw.port}" and not caught.value.retryable


# -- TLS with a private certificate authority ------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path  # the CA's certificate (PEM)
    cert: Path  # the server's certificate for 127.0.0.1, signed by the CA
    key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A private CA and a server certificate it signed, made by the openssl command line."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    d = tmp_path_factory.mktemp("pki")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=evaltui test CA",
    )
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"),
        *("-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"),
    )
    return Pki(d / "ca.pem", d / "server.pem", d / "server.key")


@pytest.fixture
async def tls_api(start: Start, pki: Pki) -> RawServer:
    """An OpenAI-compatible endpoint over TLS with the private CA's certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki.cert, pki.key)
    return await start(answering(response(openai_body("over tls"))), ssl_context=context)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy and no certificate variables from the machine running the tests."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return monkeypatch


async def test_a_private_ca_is_refused_unless_trusted(
    tls_api: RawServer, clean_env: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ProviderError, match="certificate") as caught:
        await ask_raw(tls_api.url("/v1", "https"))
    assert caught.value.kind == "unreachable" and caught.value.endpoint == f"127.0.0.1:{tls_api.port}"
    assert tls_api.requests == []


async def test_a_private_ca_is_trusted_through_the_model_s_ca_file(
    tls_api: RawServer, pki: Pki, clean_env: pytest.MonkeyPatch
) -> None:
    assert await ask_raw(tls_api.url("/v1", "https"), ca_file=str(pki.ca)) == "over tls"
    assert tls_api.requests[0].startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")


async def test_a_private_ca_is_trusted_through_ssl_cert_file(
    tls_api: RawServer, pki: Pki, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("SSL_CERT_FILE", str(pki.ca))
    assert await ask_raw(tls_api.url("/v1", "https")) == "over tls"


async def test_a_private_ca_is_trusted_through_ssl_cert_dir(
    tls_api: RawServer, pki: Pki, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copy(pki.ca, tmp_path / "ca.pem")
    subprocess.run(["openssl", "rehash", str(tmp_path)], check=True, capture_output=True)
    clean_env.setenv("SSL_CERT_DIR", str(tmp_path))
    assert await ask_raw(tls_api.url("/v1", "https")) == "over tls"


async def test_an_unreadable_ssl_cert_file_is_named(
    tls_api: RawServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")
    with pytest.raises(ProviderError, match=re.escape("SSL_CERT_FILE '/nonexistent/ca.pem'")):
        await ask_raw(tls_api.url("/v1", "https"))


def test_a_suite_s_ca_file_is_found_beside_it_and_a_missing_one_is_named(tmp_path: Path, pki: Pki) -> None:
    (tmp_path / "certs").mkdir()
    shutil.copy(pki.ca, tmp_path / "certs" / "ca.pem")
    suite = tmp_path / "suite.yaml"
    text = (
        "name: t\nmodels:\n  - provider: openai\n    model: m\n    ca_file: certs/{}\ncases: [{{input: a}}]\n"
    )
    suite.write_text(text.format("ca.pem"))
    assert load_suite(suite).models[0].ca_file == str((tmp_path / "certs" / "ca.pem").resolve())
    suite.write_text(text.format("other.pem"))
    with pytest.raises(SuiteError, match="ca_file: no such file") as caught:
        load_suite(suite)
    assert (caught.value.line, caught.value.field) == (5, "models[0].ca_file")


# -- proxies from the environment ------------------------------------------------------------------


@dataclass
class ConnectProxy:
    """A loopback HTTPS proxy: answers CONNECT host:port by opening that connection and relaying
    bytes both ways. Keeps each CONNECT line it was sent."""

    connects: list[bytes] = field(default_factory=list)
    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line = head.split(b"\r\n", 1)[0]
        self.connects.append(line)
        host, _, port = line.split(b" ")[1].decode().rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def relay(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(relay(reader, up_writer), relay(up_reader, writer))


@pytest.fixture
async def connect_proxy() -> AsyncIterator[ConnectProxy]:
    proxy = ConnectProxy()
    proxy.server = await asyncio.start_server(proxy.serve, "127.0.0.1", 0)
    yield proxy
    proxy.server.close()


async def ask(base_url: str, question: str) -> str:
    async with HttpClient() as client, asyncio.timeout(10):
        provider = make_provider(ModelSpec(provider="openai", model="m", base_url=base_url), client)
        completion = await provider.complete(Request(messages=[{"role": "user", "content": question}]))
    return completion.text


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
async def test_a_host_behind_an_environment_proxy_is_asked_through_it(
    fake_api: FakeApi, clean_env: pytest.MonkeyPatch, variable: str
) -> None:
    clean_env.setenv(variable, fake_api.url)
    assert await ask("http://unreachable.invalid/v1", "Q: via the proxy") == "VIA THE PROXY"
    assert [seen.path for seen in fake_api.seen] == ["/v1/chat/completions"]
    assert fake_api.seen[0].headers["Host"] == "unreachable.invalid"


async def test_a_host_in_no_proxy_is_asked_directly(
    fake_api: FakeApi, clean_env: pytest.MonkeyPatch, start: Start
) -> None:
    raw = await start(answering(response(openai_body("direct"), b"Content-Type: application/json")))
    clean_env.setenv("ALL_PROXY", fake_api.url)
    clean_env.setenv("NO_PROXY", "example.test,127.0.0.1")
    assert await ask(raw.url("/v1"), "Q: around the proxy") == "direct"
    assert raw.requests[0].startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")
    assert len(fake_api.seen) == 0


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "ALL_PROXY"])
async def test_an_https_host_is_tunnelled_through_the_proxy_with_tls_verified_end_to_end(
    tls_api: RawServer, pki: Pki, connect_proxy: ConnectProxy, clean_env: pytest.MonkeyPatch, variable: str
) -> None:
    clean_env.setenv(variable, connect_proxy.url)
    clean_env.setenv("SSL_CERT_FILE", str(pki.ca))
    assert await ask(tls_api.url("/v1", "https"), "Q: tunnelled") == "over tls"
    assert connect_proxy.connects == [f"CONNECT 127.0.0.1:{tls_api.port} HTTP/1.1".encode()]
    clean_env.delenv("SSL_CERT_FILE")  # through the proxy too, an untrusted certificate is refused
    with pytest.raises(ProviderError, match="certificate") as caught:
        await ask(tls_api.url("/v1", "https"), "Q: tunnelled")
    assert caught.value.kind == "unreachable"


async def test_a_socks_proxy_is_refused_with_a_reason(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(
        ProviderError, match=re.escape("socks5://127.0.0.1:1080 from ALL_PROXY is not supported")
    ) as caught:
        await ask("http://unreachable.invalid/v1", "Q: x")
    assert not caught.value.retryable


async def test_a_proxy_that_refuses_connections_makes_the_endpoint_unreachable(
    clean_env: pytest.MonkeyPatch, unused_tcp_port: int
) -> None:
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_tcp_port}")
    with pytest.raises(ProviderError) as caught:
        await ask("http://api.example.test/v1", "Q: x")
    assert caught.value.kind == "unreachable" and caught.value.retryable

"""A loopback fake of the model APIs evaltui speaks, for tests and benchmarks.

Routes: OpenAI `POST /v1/chat/completions` and `GET /v1/models`, Anthropic `POST /v1/messages`,
Ollama `POST /api/chat`, and `GET /stats` (request counters as JSON).

Tool calls: set `tool_calls` to a function of the request (`Seen`) returning the calls to answer
with, each `{"id", "name", "arguments"}` (arguments a JSON value, or text sent as written: not
always JSON), or None for a plain answer; each API gets them in its own shape (OpenAI and Ollama
`message.tool_calls`, Anthropic `tool_use` blocks with stop_reason `tool_use`).

Answers are deterministic from the last user message: by default the text after a `Q:` marker,
upper-cased (the peer benchmark server's rule). Tests override `answer`, `latency_ms` and queue
faults (see `FAULTS`), either for the next requests in order (`faults`) or for requests whose last
user message contains a given text (`faults_for`).

As a script (for benchmarks, in its own process):
    python tests/fake_api.py --port 8011 --latency-ms 100 [--fail-rate 0.1]
As a fixture: `fake_api` in tests/conftest.py starts one on a free 127.0.0.1 port in a thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import struct
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

FAULTS = (
    "400",
    "401",
    "403",
    "404",
    "429",
    "500",
    "502",
    "503",
    "529",
    "hang",  # never answers (until the server stops)
    "malformed",  # 200 with a body that is not JSON
    "truncated",  # 200 with the JSON body cut in half (Content-Length matches the cut body)
    "drop",  # headers promise the full body, half is sent, then the connection is reset
    "empty_choices",  # 200 with an empty `choices` list (OpenAI) / empty `content` (Anthropic)
    "echo_auth",  # 401 whose error message quotes the request's Authorization and x-api-key headers
    "echo_auth_late",  # 401 quoting the credential after 283 characters (it straddles a 300-char cut)
    "huge_usage",  # 200 whose token counts are 10**20 (past SQLite's INTEGER)
    "endless",  # 200 whose chunked body never ends (until the client hangs up or the server stops)
    "gzip_bomb",  # 200 with a gzip body of a few kilobytes a second that decodes to gigabytes
    "two_lengths",  # 200 with two Content-Length headers that disagree
)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour. `retry_after` is sent verbatim as the Retry-After header."""

    kind: str
    retry_after: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULTS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(FAULTS)}")


@dataclass(frozen=True)
class Seen:
    """A request as the server saw it."""

    path: str
    headers: CIMultiDict[str]  # case-insensitive, as HTTP headers are
    body: dict[str, Any]
    text: str  # the last user message
    peer: Any = None  # the client's (host, port): one per connection
    at: float = 0.0  # when it arrived (time.monotonic)


def default_answer(text: str) -> str:
    return text.split("Q:", 1)[-1].strip().upper()


def last_user_text(body: dict[str, Any]) -> str:
    """The last user message's text. An Anthropic user turn of tool results only is not one: the
    question is still the one asked before it."""
    text = ""
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            if all(isinstance(p, dict) and p.get("type") == "tool_result" for p in content):
                continue
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if message.get("role") == "user":
            text = content or ""
    return text


@dataclass
class FakeApi:
    """The server's state and knobs. Knobs may be set from any thread while the server runs."""

    answer: Callable[[str], str] = default_answer
    latency_ms: float | Callable[[Seen], float] = 0.0
    tool_calls: Callable[[Seen], list[dict[str, Any]] | None] | None = None
    faults: deque[Fault | str] = field(default_factory=deque)
    faults_for: dict[str, deque[Fault | str]] = field(default_factory=dict)
    fail_rate: float = 0.0  # share of requests answered 429 with Retry-After: 0 (benchmarks)
    # A hosted API's rate limit: `rate` requests a second (a token bucket holding a second's worth);
    # a request past it is answered 429 with `rate_retry_after` as its Retry-After (None: none).
    rate: float = 0.0
    rate_retry_after: str | None = "1"
    answer_headers: deque[dict[str, str]] = field(default_factory=deque)  # for the next answers, one each
    # Edits each answer body before it is sent, given (api, body): a refusal, a thinking block.
    edit: Callable[[str, dict[str, Any]], None] | None = None
    _bucket: list[float] = field(default_factory=list)  # [tokens, when]
    keep_seen: int = 1000  # how many recent requests `seen` keeps
    requests: Counter[str] = field(default_factory=Counter)  # last user message -> times asked
    seen: deque[Seen] = field(default_factory=deque)
    stats: Counter[str] = field(default_factory=Counter)
    host: str = "127.0.0.1"
    port: int = 0
    _stopping: asyncio.Event | None = None
    _thread: ServerThread | None = None

    def go_away(self) -> None:
        """Stop listening and cut every open connection, as a crashed server would; the port stays
        reserved for `come_back()`. Only for a server started by ServerThread (the fixture)."""
        assert self._thread is not None, "go_away needs the fixture's server thread"
        self._thread.call(self._thread.shutdown())

    def come_back(self) -> None:
        assert self._thread is not None, "come_back needs the fixture's server thread"
        self._thread.call(self._thread.listen())

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def fail_next(self, *faults: Fault | str) -> None:
        self.faults.extend(faults)

    def fail_when(self, text: str, *faults: Fault | str) -> None:
        """Fault the requests whose last user message contains `text`, one fault per request. When
        several texts match a message, the longest owns it ("case-x_forever" is not "case-x")."""
        self.faults_for.setdefault(text, deque()).extend(faults)

    def _next_fault(self, text: str) -> Fault | None:
        needle = max((needle for needle in self.faults_for if needle in text), key=len, default=None)
        if needle is not None and (queue := self.faults_for[needle]):
            return _as_fault(queue.popleft())
        if self.faults:
            try:
                return _as_fault(self.faults.popleft())
            except IndexError:  # another request took the last one
                return None
        if self.fail_rate and random.random() < self.fail_rate:
            return Fault("429", retry_after="0")
        return None

    def _over_rate(self) -> bool:
        """Whether this request is past `rate` (and so answered 429)."""
        now = time.monotonic()
        if not self._bucket:
            self._bucket[:] = [self.rate, now]
        tokens = min(self.rate, self._bucket[0] + (now - self._bucket[1]) * self.rate)
        self._bucket[:] = [tokens - 1 if tokens >= 1 else tokens, now]
        return tokens < 1

    def _record(self, request: web.Request, body: dict[str, Any]) -> Seen:
        text = last_user_text(body)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen = Seen(request.path, CIMultiDict(request.headers), body, text, peer, time.monotonic())
        self.requests[text] += 1
        self.stats["requests"] += 1
        if self.keep_seen:
            self.seen.append(seen)
            while len(self.seen) > self.keep_seen:
                self.seen.popleft()
        return seen

    def _latency(self, seen: Seen) -> float:
        latency = self.latency_ms(seen) if callable(self.latency_ms) else self.latency_ms
        return latency / 1000

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handler(openai_body, "openai"))
        app.router.add_post("/v1/messages", self._handler(anthropic_body, "anthropic"))
        app.router.add_post("/api/chat", self._handler(ollama_body, "ollama"))
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/stats", self._stats)
        return app

    def _handler(self, make_body: Callable[[dict[str, Any], str, str], dict[str, Any]], api: str) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            try:
                body = await request.json()
            except ValueError:
                return _error(api, 400, "the request body is not JSON")
            seen = self._record(request, body)
            if self.rate and self._over_rate():
                self.stats["rate_limited"] += 1
                retry_after = self.rate_retry_after
                headers = {"Retry-After": retry_after} if retry_after is not None else {}
                return _error(api, 429, "rate limit reached for requests", headers)
            fault = self._next_fault(seen.text)
            if fault is not None:
                self.stats["faulted"] += 1
                return await self._fault(request, fault, api, seen, make_body)
            latency = self._latency(seen)
            if latency:
                await asyncio.sleep(latency)
            self.stats["answered"] += 1
            data = make_body(body, seen.text, self.answer(seen.text))
            calls = self.tool_calls(seen) if self.tool_calls is not None else None
            if calls:
                with_tool_calls(api, data, calls)
            if self.edit is not None:
                self.edit(api, data)
            try:
                headers = self.answer_headers.popleft()
            except IndexError:
                headers = None
            return _json(data, headers=headers)

        return handle

    async def _fault(
        self, request: web.Request, fault: Fault, api: str, seen: Seen, make_body: Callable[..., Any]
    ) -> web.StreamResponse:
        if fault.kind.isdigit():
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return _error(api, int(fault.kind), f"fake {fault.kind} for {seen.text[:40]!r}", headers)
        if fault.kind == "echo_auth":
            headers = request.headers
            sent = f"Authorization: {headers.get('Authorization')} x-api-key: {headers.get('x-api-key')}"
            return _error(api, 401, f"invalid credentials {sent}")
        if fault.kind == "echo_auth_late":  # the credential starts near character 290
            credential = request.headers.get("Authorization") or request.headers.get("x-api-key") or ""
            return _error(api, 401, "p" * 283 + credential)
        if fault.kind == "hang":
            assert self._stopping is not None
            await self._stopping.wait()
            return web.Response(status=503)
        if fault.kind == "huge_usage":
            data = make_body(seen.body, seen.text, self.answer(seen.text))
            for usage in (data.get("usage"), data):  # OpenAI and Anthropic `usage`, Ollama top level
                for key in ("prompt_tokens", "input_tokens", "prompt_eval_count"):
                    if isinstance(usage, dict) and key in usage:
                        usage[key] = 10**20
            return _json(data)
        if fault.kind in ("endless", "gzip_bomb"):
            return await _endless(request, gzip=fault.kind == "gzip_bomb")
        full = json.dumps(make_body(seen.body, seen.text, self.answer(seen.text))).encode()
        if fault.kind == "two_lengths":
            return await _two_lengths(request, full)
        if fault.kind == "malformed":
            return web.Response(body=b"<html>502 Bad Gateway</html>", content_type="text/html")
        if fault.kind == "truncated":
            return web.Response(body=full[: len(full) // 2], content_type="application/json")
        if fault.kind == "empty_choices":
            data = json.loads(full)
            data["choices" if api == "openai" else "content"] = []
            return _json(data)
        return await _drop(request, full)

    async def _models(self, request: web.Request) -> web.Response:
        return _json({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    async def _stats(self, request: web.Request) -> web.Response:
        return _json(dict(self.stats))


def _as_fault(fault: Fault | str) -> Fault:
    return fault if isinstance(fault, Fault) else Fault(fault)


def _json(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers=headers, content_type="application/json"
    )


def _error(api: str, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    if api == "ollama":
        return _json({"error": message}, status, headers)
    if api == "anthropic":
        return _json({"type": "error", "error": {"type": "fake_error", "message": message}}, status, headers)
    return _json({"error": {"message": message, "type": "fake_error", "code": status}}, status, headers)


async def _drop(request: web.Request, full: bytes) -> web.StreamResponse:
    """Promise the whole body, send half, then reset the connection (RST, not a clean close)."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(full)
    await response.prepare(request)
    await response.write(full[: len(full) // 2])
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return response


async def _endless(request: web.Request, gzip: bool) -> web.StreamResponse:
    """A JSON-looking body that never ends, plain or gzip-compressed (zeros, about 1,000:1)."""
    headers = {"Content-Type": "application/json"}
    if gzip:
        headers["Content-Encoding"] = "gzip"
    response = web.StreamResponse(headers=headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    block = b'{"choices": [' + b" " * (1 << 20) if not gzip else bytes(1 << 20)
    try:
        while True:
            await response.write(
                compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH) if gzip else block
            )
            await asyncio.sleep(0)  # write() does not yield while the buffer is low
            block = block if gzip else b" " * (1 << 16)
    except (ConnectionError, asyncio.CancelledError):
        pass  # the client hung up, or the server is stopping
    return response


async def _two_lengths(request: web.Request, full: bytes) -> web.StreamResponse:
    """The whole body, framed by two Content-Length headers (the right one and a short one)."""
    transport = request.transport
    assert transport is not None
    lengths = b"Content-Length: %d\r\nContent-Length: 2\r\n" % len(full)
    transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + lengths + b"\r\n" + full)
    transport.close()
    return web.Response()


def _words(text: str) -> int:
    return len(text.split())


def openai_body(body: dict[str, Any], text: str, out: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": out}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": _words(text),
            "completion_tokens": _words(out),
            "total_tokens": _words(text) + _words(out),
        },
    }


def anthropic_body(body: dict[str, Any], text: str, out: str) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "fake"),
        "content": [{"type": "text", "text": out}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": _words(text), "output_tokens": _words(out)},
    }


def ollama_body(body: dict[str, Any], text: str, out: str) -> dict[str, Any]:
    return {
        "model": body.get("model", "fake"),
        "message": {"role": "assistant", "content": out},
        "done": True,
        "prompt_eval_count": _words(text),
        "eval_count": _words(out),
    }


def with_tool_calls(api: str, data: dict[str, Any], calls: list[dict[str, Any]]) -> None:
    """Put `calls` into an answer the way each API sends them."""
    if api == "anthropic":
        data["content"] = [
            *[block for block in data["content"] if block.get("text")],
            *[{"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["arguments"]} for c in calls],
        ]
        data["stop_reason"] = "tool_use"
        return
    if api == "ollama":  # arguments travel as an object; Ollama sends no call id
        shaped = [{"function": {"name": c["name"], "arguments": c["arguments"]}} for c in calls]
        data["message"]["tool_calls"] = shaped
        return
    message = data["choices"][0]["message"]
    message["content"] = None
    message["tool_calls"] = [
        {
            "id": c["id"],
            "type": "function",
            "function": {
                "name": c["name"],
                "arguments": c["arguments"]
                if isinstance(c["arguments"], str)
                else json.dumps(c["arguments"]),
            },
        }
        for c in calls
    ]
    data["choices"][0]["finish_reason"] = "tool_calls"


class ServerThread:
    """Runs a FakeApi on its own event loop in a daemon thread (for pytest fixtures)."""

    def __init__(self, api: FakeApi) -> None:
        self.api = api
        api._thread = self
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="fake-api", daemon=True)

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def start(self) -> FakeApi:
        self._thread.start()
        self.call(self.listen())
        return self.api

    async def listen(self) -> None:
        """Bind (the same port again after `shutdown`) and serve."""
        self.api._stopping = asyncio.Event()
        self._runner = web.AppRunner(
            self.api.app(), access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.api.host, self.api.port))
        self.api.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock, backlog=1024).start()

    async def shutdown(self) -> None:
        if self._runner is None:
            return
        assert self.api._stopping is not None
        self.api._stopping.set()  # hanging requests end
        runner, self._runner = self._runner, None
        await runner.cleanup()

    def stop(self) -> None:
        self.call(self.shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


def server_args(description: str | None) -> argparse.Namespace:
    """The command line of a fake API server (this one, and bench/lean_api.py)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of requests answered 429")
    parser.add_argument("--rate", type=float, default=0.0, help="requests a second allowed (0: no limit)")
    parser.add_argument("--no-retry-after", action="store_true", help="429s without Retry-After")
    return parser.parse_args()


def main() -> None:
    args = server_args(__doc__)
    api = FakeApi(latency_ms=args.latency_ms, fail_rate=args.fail_rate, keep_seen=0, port=args.port)
    if getattr(args, "rate", 0):  # bench/lean_api.py shares these arguments, not this one
        api.rate = args.rate
        api.rate_retry_after = None if args.no_retry_after else "1"

    async def serve() -> None:
        api._stopping = asyncio.Event()
        runner = web.AppRunner(api.app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, args.host, args.port, backlog=4096).start()
        print(f"fake api listening on http://{args.host}:{args.port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()

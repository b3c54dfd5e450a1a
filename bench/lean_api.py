"""A lean OpenAI-compatible chat server for the engine benchmark: what a remote API looks like from
the client (a fixed latency, HTTP/1.1 keep-alive, the same JSON as tests/fake_api.py), at a few
tens of microseconds of CPU a request.

Why not tests/fake_api.py: its aiohttp web server costs 0.5-0.9 ms of CPU a request, on the same two
cores as the harness being measured. At concurrency 256 and 100 ms (2,560 requests a second) it
would need more than a core of its own, and even the floor (plain aiohttp, nothing stored) stays
near 90% of N x L / C at concurrency 64 against it: the limit then measures the fake server, not the
harness. A real API's latency is spent on someone else's machine; this server comes closer to that.
It serves POST /v1/chat/completions (answers by tests/fake_api.py's rule), GET /stats, and 404 for
the rest. With --fail-rate it answers that share of requests 429 with Retry-After: 0.

    python bench/lean_api.py --port 8011 --latency-ms 100 [--fail-rate 0.1]
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fake_api import default_answer, last_user_text, openai_body, server_args

HEAD_END = b"\r\n\r\n"


def response(status: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{extra}Connection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


class Counts:
    requests = 0
    answered = 0


class ChatProtocol(asyncio.Protocol):
    """One keep-alive connection: requests parsed as they arrive, each answered after the latency."""

    def __init__(self, latency: float, fail_rate: float) -> None:
        self.latency, self.fail_rate = latency, fail_rate
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(HEAD_END)) >= 0:
            head = self.buffer[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            start = end + len(HEAD_END)
            if len(self.buffer) < start + length:
                return
            body, self.buffer = self.buffer[start : start + length], self.buffer[start + length :]
            self.handle(head.split(" ", 2), body)

    def handle(self, request_line: list[str], body: bytes) -> None:
        method, path = request_line[0], request_line[1] if len(request_line) > 1 else ""
        if method == "GET" and path == "/stats":
            stats = {"requests": Counts.requests, "answered": Counts.answered}
            self.send(response("200 OK", json.dumps(stats).encode()))
            return
        if method != "POST" or path != "/v1/chat/completions":
            self.send(response("404 Not Found", b'{"error": {"message": "no such route"}}'))
            return
        Counts.requests += 1
        if self.fail_rate and random.random() < self.fail_rate:
            error = b'{"error": {"message": "rate limited", "type": "rate_limit"}}'
            self.send(response("429 Too Many Requests", error, "Retry-After: 0\r\n"))
            return
        request = json.loads(body)
        text = last_user_text(request)
        answer = json.dumps(openai_body(request, text, default_answer(text))).encode()
        self.loop.call_later(self.latency, self.answer, response("200 OK", answer))

    def answer(self, data: bytes) -> None:
        Counts.answered += 1
        self.send(data)

    def send(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


async def serve(host: str, port: int, latency_ms: float, fail_rate: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: ChatProtocol(latency_ms / 1000, fail_rate), host, port, backlog=4096
    )
    print(f"lean api listening on http://{host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    args = server_args(__doc__)
    asyncio.run(serve(args.host, args.port, args.latency_ms, args.fail_rate))


if __name__ == "__main__":
    main()

"""Which HTTP stack should carry evaltui's requests? Measured, not guessed.

Starts a loopback model API in its own process (bench/lean_api.py, or with --server aiohttp the
tests' tests/fake_api.py, which spends far more CPU per request on the same two cores), then for each client variant runs N chat-completion
requests at concurrency C in a fresh child process, three times, and reports the child's CPU
seconds (user+sys, imports and start-up excluded) and wall time, median of the repeats.
The server's CPU is not counted.

    .venv/bin/python bench/http_stack.py [-n 5000] [-c 64] [--latency-ms 100] [--repeats 3]
                                         [--variants aiohttp,httpx-aiohttp,...] [--server lean]

Variants:
  raw                  a bare asyncio.Protocol client: one write, Content-Length framing only
                       (the least any Python asyncio client can spend; not a product)
  aiohttp              plain aiohttp session
  httpx-default        httpx.AsyncClient with its own transport (slow: off unless named; needs httpx)
  httpx-aiohttp        httpx.AsyncClient over the httpx-aiohttp package's transport (needs both)
  evaltui-request      evaltui's HttpClient.request (aiohttp under the size limit, TLS and proxy policy)
  evaltui-provider     the whole OpenAI provider: body, request, error mapping, parsing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VARIANTS = "raw,aiohttp,evaltui-request,evaltui-provider"


def body(i: int) -> dict[str, Any]:
    return {"model": "fake", "messages": [{"role": "user", "content": f"Q: case {i} alpha beta"}]}


async def _drive(n: int, concurrency: int, one: Callable[[int], Awaitable[str]]) -> int:
    sem = asyncio.Semaphore(concurrency)
    ok = 0

    async def task(i: int) -> None:
        nonlocal ok
        async with sem:
            answer = await one(i)
        ok += answer == f"CASE {i} ALPHA BETA"

    await asyncio.gather(*(task(i) for i in range(n)))
    return ok


async def run_aiohttp(base: str, n: int, c: int) -> int:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=c)) as session:

        async def one(i: int) -> str:
            async with session.post(base + "/chat/completions", json=body(i)) as response:
                return (await response.json())["choices"][0]["message"]["content"]

        return await _drive(n, c, one)


class _RawConnection(asyncio.Protocol):
    """Just enough HTTP/1.1 for the benchmark's own server: Content-Length bodies on keep-alive."""

    def __init__(self) -> None:
        self.buffer = b""
        self.waiter: asyncio.Future[bytes] | None = None
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].lower()
        at = head.find(b"content-length:") + len(b"content-length:")
        length = int(head[at:].split(b"\r\n", 1)[0])
        if len(self.buffer) < end + 4 + length:
            return
        body, self.buffer = self.buffer[end + 4 : end + 4 + length], self.buffer[end + 4 + length :]
        waiter, self.waiter = self.waiter, None
        if waiter is not None:
            waiter.set_result(body)


async def run_raw(base: str, n: int, c: int) -> int:
    host, port = base.split("//", 1)[1].split("/", 1)[0].split(":")
    loop = asyncio.get_running_loop()
    pool: asyncio.Queue[_RawConnection] = asyncio.Queue()
    for _ in range(c):
        _, conn = await loop.create_connection(_RawConnection, host, int(port))
        pool.put_nowait(conn)
    head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"

    async def one(i: int) -> str:
        conn = await pool.get()
        data = json.dumps(body(i)).encode()
        conn.waiter = loop.create_future()
        conn.transport.write(head % host.encode() + b"Content-Length: %d\r\n\r\n" % len(data) + data)
        answer = json.loads(await conn.waiter)["choices"][0]["message"]["content"]
        pool.put_nowait(conn)
        return answer

    ok = await _drive(n, c, one)
    while not pool.empty():
        pool.get_nowait().transport.close()
    return ok


async def run_asyncclient(base: str, n: int, c: int, transport: Any) -> int:
    import httpx

    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    kwargs = {"transport": transport} if transport is not None else {"limits": limits}
    async with httpx.AsyncClient(base_url=base, timeout=60, **kwargs) as client:

        async def one(i: int) -> str:
            response = await client.post("/chat/completions", json=body(i))
            return response.json()["choices"][0]["message"]["content"]

        return await _drive(n, c, one)


async def run_request(base: str, n: int, c: int) -> int:
    from evaltui.providers.http import HttpClient

    url = base + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    async with HttpClient(max_connections=c) as http:

        async def one(i: int) -> str:
            response = await http.request("POST", url, headers=headers, content=json.dumps(body(i)).encode())
            return json.loads(response.content)["choices"][0]["message"]["content"]

        return await _drive(n, c, one)


async def run_provider(base: str, n: int, c: int) -> int:
    from evaltui.providers import HttpClient, Request, make_provider
    from evaltui.suites.models import ModelSpec

    spec = ModelSpec(provider="openai", model="fake", base_url=base)
    async with HttpClient(max_connections=c) as http:
        provider = make_provider(spec, http)

        async def one(i: int) -> str:
            return (await provider.complete(Request(messages=body(i)["messages"]))).text

        return await _drive(n, c, one)


def client_main(variant: str, base: str, n: int, c: int) -> None:
    """Child process: run one variant, print its figures as JSON."""
    if variant == "raw":
        coro = run_raw(base, n, c)
    elif variant == "aiohttp":
        coro = run_aiohttp(base, n, c)
    elif variant == "httpx-default":
        coro = run_asyncclient(base, n, c, None)
    elif variant == "httpx-aiohttp":
        import httpx
        from httpx_aiohttp import AiohttpTransport as PackageTransport

        coro = run_asyncclient(base, n, c, PackageTransport(limits=httpx.Limits(max_connections=c)))
    elif variant == "evaltui-request":
        coro = run_request(base, n, c)
    elif variant == "evaltui-provider":
        coro = run_provider(base, n, c)
    else:
        raise SystemExit(f"unknown variant {variant!r}")
    import aiohttp  # imports are start-up, not per-request cost  # noqa: F401

    import evaltui.providers.openai  # noqa: F401

    wall, cpu = time.perf_counter(), time.process_time()
    ok = asyncio.run(coro)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"ok": ok, "wall": wall, "cpu": cpu}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the fake API server did not start")


def measure(variant: str, base: str, n: int, c: int) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--client", variant, "--base", base, "-n", str(n), "-c", str(c)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("-c", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", default=DEFAULT_VARIANTS)
    parser.add_argument("--server", choices=("lean", "aiohttp"), default="lean")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args.client, args.base, args.n, args.c)
        return
    port = free_port()
    script = ROOT / ("bench/lean_api.py" if args.server == "lean" else "tests/fake_api.py")
    server_cmd = [sys.executable, str(script), "--port", str(port)]
    server = subprocess.Popen([*server_cmd, "--latency-ms", str(args.latency_ms)], stdout=subprocess.DEVNULL)
    try:
        wait_ready(port)
        base = f"http://127.0.0.1:{port}/v1"
        limit = args.n * args.latency_ms / 1000 / args.c
        print(f"{args.n} requests, concurrency {args.c}, latency {args.latency_ms:g} ms, limit {limit:.2f} s")
        print(f"{'variant':<22}{'cpu s':>8}{'cpu ms/req':>12}{'wall s':>9}{'% limit':>9}{'ok':>7}")
        for variant in args.variants.split(","):
            runs = [measure(variant, base, args.n, args.c) for _ in range(args.repeats)]
            cpu = statistics.median(r["cpu"] for r in runs)
            wall = statistics.median(r["wall"] for r in runs)
            pct = f"{100 * limit / wall:.0f}%" if limit else "-"
            ok = min(int(r["ok"]) for r in runs)
            print(
                f"{variant:<22}{cpu:>8.2f}{1000 * cpu / args.n:>12.3f}{wall:>9.2f}{pct:>9}{ok:>7}", flush=True
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

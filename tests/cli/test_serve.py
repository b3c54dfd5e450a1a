"""`evaltui serve`: the TUI in a browser. A real server process on a free loopback port, real
websocket sessions (each one starts the app in its own process), and headless Chromium loading the
page until the Suites screen shows in its terminal."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from evaltui.commands.serve import is_loopback

from browser import find_chromium, open_page

EVALTUI = str(Path(sys.executable).with_name("evaltui"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "browser.png"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hostile_suites(tmp_path: Path) -> Path:
    """A suite folder whose name would run a command if the session's command line were not quoted."""
    folder = tmp_path / "it's $(touch pwned) `touch pwned` ; touch pwned"
    folder.mkdir()
    (folder / "quoted.yaml").write_text(
        "name: quoted-folder-suite\nprompt: '{{ input }}'\nmodels: [demo:echo]\n"
        "scorers: [{type: equals}]\ncases:\n  - {id: a, input: x, expected: x}\n"
    )
    return folder


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[str], str]]]:
    """Start `evaltui serve ARGS` on a free port; returns the process and its URL once it answers."""
    started: list[subprocess.Popen[str]] = []
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"), "EVALTUI_DB": str(tmp_path / "x.db")}

    def start(*args: str) -> tuple[subprocess.Popen[str], str]:
        port = free_port()
        proc = subprocess.Popen(
            [EVALTUI, "serve", "--port", str(port), *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        url = f"http://127.0.0.1:{port}/"
        asyncio.run(wait_until_answers(proc, url))
        return proc, url

    yield start
    for proc in started:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


async def wait_until_answers(proc: subprocess.Popen[str], url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if proc.poll() is not None:
                raise AssertionError(f"evaltui serve exited {proc.returncode}: {proc.communicate()}")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"evaltui serve never answered on {url}")


async def session_output(url: str, needle: bytes, headers: dict[str, str] | None = None) -> bytes:
    """Open one session the way the page's script does and read what the app draws until `needle`."""
    seen = b""
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{url}ws?width=120&height=40", headers=headers or {}) as ws,
    ):
        async with asyncio.timeout(120):
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += message.data
                    if needle in seen:
                        return seen
    raise AssertionError(f"the session ended before {needle!r} was drawn")


def test_session_opens_the_same_database_and_suites_whatever_their_names(
    serve: Callable[..., tuple[subprocess.Popen[str], str]], tmp_path: Path
) -> None:
    db = tmp_path / "a b's $(touch pwned).db"
    suites = hostile_suites(tmp_path)
    _, url = serve("--db", str(db), "--suites", str(suites))

    asyncio.run(session_output(url, b"quoted-folder-suite"))

    assert db.is_file()  # the session's app opened this very file
    assert not list(tmp_path.rglob("pwned"))  # and no shell ran anything out of the names
    assert not (tmp_path / "x.db").exists()  # not the $EVALTUI_DB it would open without --db


def test_group_options_reach_the_served_app(
    serve: Callable[..., tuple[subprocess.Popen[str], str]], tmp_path: Path
) -> None:
    """`evaltui --db X --suites D serve` serves what `evaltui --db X --suites D` opens."""
    db = tmp_path / "group.db"
    port = free_port()
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}
    args = [EVALTUI, "--db", str(db), "--suites", str(hostile_suites(tmp_path)), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        asyncio.run(wait_until_answers(proc, url))
        asyncio.run(session_output(url, b"quoted-folder-suite"))
        assert db.is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_a_page_from_another_site_cannot_open_a_session(
    serve: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    _, url = serve()
    port = url.rsplit(":", 1)[1].strip("/")

    async def handshake(headers: dict[str, str]) -> int:
        async with aiohttp.ClientSession() as http:
            try:
                async with http.ws_connect(f"{url}ws", headers=headers):
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    # Cross-site websocket hijacking: a page elsewhere points a websocket at localhost.
    assert asyncio.run(handshake({"Origin": "https://evil.example"})) == 403
    # DNS rebinding: the attacker's own name resolves to 127.0.0.1, so Origin and Host agree.
    rebound = {"Origin": f"http://evil.example:{port}", "Host": f"evil.example:{port}"}
    assert asyncio.run(handshake(rebound)) == 403
    # Another server on this machine (another port) is another site too.
    assert asyncio.run(handshake({"Origin": "http://localhost:1"})) == 403
    # The page itself, loaded as localhost while its websocket goes to 127.0.0.1, may.
    assert asyncio.run(handshake({"Origin": f"http://localhost:{port}"})) == 101


def test_behind_a_proxy_the_page_comes_from_the_public_url(
    serve: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    _, url = serve("--public-url", "https://evals.example.test/")

    async def page_and_handshake() -> tuple[str, int]:
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                page = await response.text()
            async with http.ws_connect(f"{url}ws", headers={"Origin": "https://evals.example.test"}):
                return page, 101

    page, status = asyncio.run(page_and_handshake())
    assert 'data-session-websocket-url="wss://evals.example.test/ws"' in page
    assert status == 101


def test_a_public_url_must_be_a_web_address(tmp_path: Path) -> None:
    proc = subprocess.run(
        [EVALTUI, "serve", "--port", str(free_port()), "--public-url", "evals.example.test"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "EVALTUI_DB": str(tmp_path / "r.db"), "EVALTUI_CONFIG": str(tmp_path / "c.yaml")},
    )
    assert proc.returncode == 2
    assert "--public-url 'evals.example.test': give an http:// or https:// address" in proc.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("127.evil.example", False),
    ],
)
def test_which_hosts_are_local(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [EVALTUI, "serve", "--port", str(port), "--db", str(tmp_path / "r.db")],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
    assert proc.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_non_local_host_is_warned_about(serve: Callable[..., tuple[subprocess.Popen[str], str]]) -> None:
    proc, _ = serve("--host", "0.0.0.0")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert "anyone who can reach this address can open evaltui and launch runs" in " ".join(stderr.split())


def test_local_serving_is_not_warned_about(serve: Callable[..., tuple[subprocess.Popen[str], str]]) -> None:
    proc, _ = serve()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert "warning" not in stderr


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_chromium_shows_the_suites_screen(
    serve: Callable[..., tuple[subprocess.Popen[str], str]], tmp_path: Path
) -> None:
    _, url = serve("--db", str(tmp_path / "browser.db"))
    shot = tmp_path / "browser.png"

    async def drive() -> str:
        async with open_page(url) as page:
            text = await page.wait_for_text("support-intent", timeout=120)
            await page.screenshot(shot)
            return text

    text = asyncio.run(drive())

    assert "Suites" in text and "support-intent" in text
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("EVALTUI_SAVE_SCREENSHOTS"):  # refresh the README's picture
        shutil.copy(shot, SCREENSHOT)

"""Headless Chromium driven over the DevTools protocol: load a page, read the text of the xterm.js
terminal on it, take a screenshot. A small client on aiohttp (already a dependency), enough for
the browser test of `evaltui serve`."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# textual-serve keeps its xterm.js Terminal in a closure and draws on a canvas, so no DOM node holds
# the text. Before the page's scripts run, catch the object it assigns to `.terminal` (the Terminal)
# and read rows through xterm's public buffer API.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, enumerable: true, configurable: true});
    if (!window.__xterm && value && value.buffer && typeof value.write === "function") window.__xterm = value;
  },
});
"""
READ_ROWS = """
(() => {
  const term = window.__xterm;
  if (!term) return "";
  const buffer = term.buffer.active, rows = [];
  for (let i = 0; i < term.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""


def find_chromium() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


class Page:
    """One tab, spoken to over its DevTools websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.ws.send_json({"id": call_id, "method": method, "params": params})
        async for message in self.ws:
            reply = json.loads(message.data)
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
        raise RuntimeError(f"{method}: the browser closed the connection")

    async def terminal_text(self) -> str:
        result = await self.call("Runtime.evaluate", expression=READ_ROWS, returnByValue=True)
        return result["result"].get("value") or ""

    async def wait_for_text(self, needle: str, timeout: float) -> str:
        """The terminal's rows once they contain `needle`; TimeoutError with what was there."""
        text = ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            text = await self.terminal_text()
            if needle in text:
                return text
            await asyncio.sleep(0.25)
        raise TimeoutError(f"{needle!r} never showed in the browser's terminal; it showed:\n{text}")

    async def screenshot(self, path: Path) -> None:
        result = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(result["data"]))


async def devtools_url(profile: Path, proc: subprocess.Popen[bytes], timeout: float) -> str:
    """Chromium writes its DevTools port into the profile folder once it listens."""
    port_file = profile / "DevToolsActivePort"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not port_file.exists() or not port_file.read_text().strip():
        if proc.poll() is not None or loop.time() > deadline:
            raise RuntimeError(f"chromium did not start (exit code {proc.poll()})")
        await asyncio.sleep(0.1)
    return f"http://127.0.0.1:{port_file.read_text().split()[0]}"


@asynccontextmanager
async def open_page(url: str, *, width: int = 1280, height: int = 800) -> AsyncIterator[Page]:
    """Headless Chromium on `url`, with the terminal catcher installed before the page loads."""
    chromium = find_chromium()
    assert chromium, "no chromium on PATH"
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:  # its helpers may still write
        proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",  # containers and root; the page is our own loopback server
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = await devtools_url(Path(profile), proc, timeout=60)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/json/list") as response:
                    targets = await response.json()
                target = next(t for t in targets if t["type"] == "page")
                async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    page = Page(ws)
                    await page.call("Page.enable")
                    await page.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                    await page.call("Page.navigate", url=url)
                    yield page
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

"""`evaltui serve`: the TUI in a browser, through textual-serve.

textual-serve starts one app process per browser session by running a command line through a
shell, so the command is built here with every path shlex-quoted: a database or suite folder whose
name holds quotes, `$(...)` or spaces opens that very path and runs nothing else.

The app it serves can launch runs (spending API credit, executing model code under code-exec), so
the websocket that starts a session refuses browsers on other sites: a page from elsewhere cannot
open a session on the user's localhost server (cross-site websocket hijacking), nor reach it through
a hostname of its own that resolves to 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import errno
import ipaddress
import shlex
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from evaltui.errors import EvaltuiError

if TYPE_CHECKING:
    from aiohttp import web

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    try:
        return name == "localhost" or ipaddress.ip_address(name).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


def app_command(db_path: Path, suite_dirs: Sequence[Path]) -> str:
    """The shell command of one browser session: this interpreter running evaltui's TUI on the same
    database and suite folders as the server (absolute, so the session does not depend on a cwd)."""
    argv = [sys.executable, "-m", "evaltui", "--db", str(db_path.resolve())]
    for folder in suite_dirs:
        argv += ["--suites", str(folder.resolve())]
    return shlex.join(argv)


def origin_allowed(
    origin: str | None, host_header: str, *, loopback: bool, port: int, public_url: str | None
) -> bool:
    """Whether a websocket handshake may start a session.

    No Origin header means no browser (a script on this machine, which could run evaltui itself).
    A page served from `--public-url` (a proxy in front) may. Otherwise a server bound to loopback
    takes only browsers whose page came from a loopback name on its own port, and only requests
    addressed to a loopback name; elsewhere the page must be same-origin."""
    if origin is None:
        return True
    page = urlsplit(origin)
    if public_url:
        public = urlsplit(public_url)
        if (page.scheme, page.netloc.lower()) == (public.scheme, public.netloc.lower()):
            return True
    if not loopback:
        return page.netloc.lower() == host_header.lower()
    addressed = urlsplit(f"//{host_header}").hostname or ""
    try:
        page_port = page.port or (443 if page.scheme == "https" else 80)
    except ValueError:
        return False
    return page.hostname in LOOPBACK_NAMES and addressed in LOOPBACK_NAMES and page_port == port


def check_port_free(host: str, port: int) -> None:
    """Fail before textual-serve prints its banner: a taken port is a clear error, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise port_error(host, port, exc) from None


def port_error(host: str, port: int, exc: OSError) -> EvaltuiError:
    if exc.errno == errno.EADDRINUSE:
        return EvaltuiError(f"port {port} on {host} is already in use: choose another with --port")
    return EvaltuiError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def serve(command: str, host: str, port: int, public_url: str | None) -> None:
    """Serve until Ctrl-C. Raises EvaltuiError when the address cannot be listened on."""
    from aiohttp import web

    try:
        from textual_serve.server import Server
    except ImportError:
        raise EvaltuiError("evaltui serve needs textual-serve: pip install textual-serve") from None

    class GuardedServer(Server):
        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            origin = request.headers.get("Origin")
            loopback = is_loopback(host)
            if not origin_allowed(origin, request.host, loopback=loopback, port=port, public_url=public_url):
                raise web.HTTPForbidden(text="evaltui serve: this page's origin may not open a session")
            return await super().handle_websocket(request)

    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EvaltuiError(f"--public-url {public_url!r}: give an http:// or https:// address")
        public_url = public_url.rstrip("/")  # textual-serve appends paths that start with /
    check_port_free(host, port)
    server = GuardedServer(command, host=host, port=port, title="evaltui", public_url=public_url)
    try:
        server.serve()
    except OSError as exc:  # the port was taken between the check and the bind
        raise port_error(host, port, exc) from None

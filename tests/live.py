"""Real daphne processes for browser and multi-process tests.

Each server is a separate process serving ``config.asgi`` against the test database (a file for
SQLite, the test database for PostgreSQL) and, when given, a Redis channel layer: the way the app
runs in production.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import websockets
from django.conf import settings
from django.db import connection, connections
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The running test database, as a DATABASE_URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("A live server needs a file-based SQLite test database.")
        return f"sqlite:///{name}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"daphne did not listen on {port} within {STARTUP_SECONDS}s")


@contextmanager
def daphne(
    log_dir: Path, *, redis_url: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the app in a new daphne process; yields its base URL. It uses the test database
    and the test run's Redis prefix (so it hears what this process sends), and ``extra_env``
    on top (pool sizes, another database)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = database_url()
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["SPEEDNET_REDIS_PREFIX"] = settings.SPEEDNET_REDIS_PREFIX
    # No Chinese dictionary loaded at start (about 3 s of CPU) unless a test asks for it.
    env.setdefault("SPEEDNET_PRELOAD_GLOSSES", "0")
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra_env or {})
    log = log_dir / f"daphne-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class TcpProxy:
    """A small TCP load balancer in a thread: each new connection goes to the next backend in
    turn (round robin) and bytes are copied both ways, websocket upgrades included, the way
    nginx or Caddy spread phones over several daphne processes. ``connections`` counts the
    connections each backend port received. ``port`` 0 listens on a free port; another
    listens on that one (a proxy opened again where a closed one was)."""

    def __init__(self, backend_ports: list[int], *, port: int = 0) -> None:
        self.backend_ports = backend_ports
        self.connections: Counter[int] = Counter()
        self.turn = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.serve, "127.0.0.1", port), self.loop
        ).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = self.backend_ports[self.turn % len(self.backend_ports)]
        self.turn += 1
        self.connections[port] += 1
        try:
            backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self.pipe(reader, backend_writer), self.pipe(backend_reader, writer))

    @staticmethod
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        """Stop listening and cut every connection; closing again does nothing."""
        if not self.thread.is_alive():
            return

        async def stop() -> None:
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@contextmanager
def tcp_proxy(backend_urls: list[str]) -> Iterator[tuple[str, TcpProxy]]:
    """A round-robin proxy in front of these ``http://127.0.0.1:port`` servers; yields its
    base URL and the proxy (for its connection counts)."""
    proxy = TcpProxy([int(url.rsplit(":", 1)[1]) for url in backend_urls])
    try:
        yield f"http://127.0.0.1:{proxy.port}", proxy
    finally:
        proxy.close()


class RedisServer:
    """A Redis server of the test's own, on its own port, that the test may stop and start:
    nothing another test or process uses is touched."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        program = shutil.which("redis-server")
        if program is None:
            raise RuntimeError("no redis-server on PATH")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    program,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, self.log)

    def pause(self) -> None:
        """Hang the server (SIGSTOP): connections are still accepted by the kernel, nothing is
        answered, until ``resume``."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server go on (SIGCONT), with its data and clients as they were."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot end
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def fetch(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, dict(error.headers)


def organizer_post(base_url: str, event, action: str) -> int:
    """Click a control button as the signed-in organizer, through real HTTP."""
    client = Client()
    try:
        client.force_login(event.organizer)
    finally:
        # Called from a worker thread too: its connection must not outlive the test (it would
        # keep the test database from being dropped).
        connections.close_all()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)
    request = urllib.request.Request(
        f"{base_url}/events/{event.pk}/control/act/",
        data=urllib.parse.urlencode({"action": action}).encode(),
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


async def open_phone(base_url: str, token: str):
    ws_url = base_url.replace("http://", "ws://") + f"/ws/a/{token}/"
    phone = await websockets.connect(ws_url, origin=base_url)
    state = json.loads(await asyncio.wait_for(phone.recv(), 5))
    return phone, state


async def next_of_type(phone, kind: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(phone.recv(), 5))
        if message["type"] == kind:
            return message

"""Real uvicorn servers on loopback ports, for end-to-end tests.

`ThreadServer` runs the app in a thread of the test process (so a test may look at the server's
runtime); `ProcessServer` runs it as a separate OS process (for signals and for several replicas
sharing one store).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[2]


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    with free_socket() as sock:
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url + "/health", timeout=1.0).status_code in (200, 503):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not become healthy")


class ThreadServer:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.sock = free_socket()
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=5,
            proxy_headers=False,  # as `booth serve`: booth applies BOOTH_TRUSTED_PROXIES itself
        )
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve(sockets=[self.sock]))
        finally:
            self.loop.close()

    def start(self) -> ThreadServer:
        self.thread.start()
        wait_healthy(self.url)
        return self

    @property
    def host(self):
        return self.app.state.host

    def call(self, coro, timeout: float = 10.0):
        """Run a coroutine on the server's own loop (to inspect its stores)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


class ProcessServer:
    """`python tests/support/serve.py` with the given BOOTH_* environment (see its flags)."""

    def __init__(self, env: dict[str, str], apps: bool = False, test_app: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # This tree's code (src/) wins over any installed copy, as in the test process.
        self.env = {
            **os.environ,
            **env,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
        self.flags = (["--apps"] if apps else []) + (["--test-app"] if test_app else [])
        self.process: subprocess.Popen | None = None
        self.output = b""

    def start(self) -> ProcessServer:
        cmd = [sys.executable, str(ROOT / "tests/support/serve.py"), str(self.port), *self.flags]
        self.process = subprocess.Popen(
            cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        wait_healthy(self.url, process=self.process)
        return self

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._collect_output()
        return code

    def kill(self) -> None:
        """SIGKILL: the process dies at once, without ending its runs (a crashed replica)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self._collect_output()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()
        self._collect_output()

    def _collect_output(self) -> None:
        """Read what the ended process wrote and close the pipe (no file is left open)."""
        if self.process is not None and self.process.stdout and not self.process.stdout.closed:
            with self.process.stdout:
                self.output = self.process.stdout.read()


class RedisServer:
    """A `redis-server` of the test's own on a free port (never the shared one): killed with
    SIGKILL and restarted on the same port, it is a Redis outage and its recovery."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        cmd = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def pause(self) -> None:
        """SIGSTOP: connections stay open but nothing answers (a hung or overloaded Redis)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    stop = kill

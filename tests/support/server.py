"""Run `mamori serve` as a real process (for crash tests and benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(
        self,
        database_url: str,
        *,
        env: dict[str, str] | None = None,
        workers: bool = False,
        log: Path | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MAMORI_DATABASE_URL": database_url,
            "MAMORI_ENV": "test",
            "MAMORI_INTAKE_RATE_LIMIT_PER_MINUTE": "1000000",
            **(env or {}),
        }
        self.workers = workers
        self.log = log
        self.args = args  # more `mamori serve` options (e.g. --workers N for N API processes)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> ServerProcess:
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        cmd = [
            sys.executable,
            "-m",
            "mamori.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--job-worker" if self.workers else "--no-job-worker",
            *self.args,
        ]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not become healthy")

    def kill_hard(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

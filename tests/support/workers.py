"""Run `mamori worker` as real processes (for the crash test under load)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class WorkerProcess:
    def __init__(self, env: dict[str, str], *, args: tuple[str, ...] = (), log: Path | None = None) -> None:
        self.env = {**os.environ, **env}
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        cmd = [sys.executable, "-m", "mamori.cli", "worker", *self.args]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=out)
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill_hard(self) -> None:
        """SIGKILL: no shutdown, no unregistering from the job table — a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 40) -> int | None:
        """SIGTERM: the worker lets its running jobs finish, then exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                return None
        return self.proc.returncode if self.proc else None

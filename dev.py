#!/usr/bin/env python3
"""The two commands of the quick start, with nothing but Python on the machine.

    python3 dev.py start   # virtual environment, packages, database, DEMO data, http://127.0.0.1:8000
    python3 dev.py test    # the same environment, then lint, types, import contracts and the whole test suite

Both create .venv/ on first use and reinstall only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".mamori-installed"


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
        STAMP.write_text(wanted)


def start(args: list[str]) -> None:
    ensure_environment()
    # Development: notices are written as .eml files instead of needing a mail server.
    os.environ.setdefault("MAMORI_SMTP_URL", f"file:{ROOT / 'mamori-data' / 'mail'}")
    run(BIN / "mamori", "db", "upgrade")
    run(BIN / "mamori", "demo")
    os.execv(str(BIN / "mamori"), [str(BIN / "mamori"), "serve", *args])  # noqa: S606


def test(args: list[str]) -> None:
    ensure_environment()
    run(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
    run(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
    run(BIN / "mypy")
    run(BIN / "lint-imports")  # the direction of dependencies (contracts in pyproject.toml)
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    # One test process per core (pytest-xdist): the browser and database tests take most of the time.
    run(BIN / "python", "-m", "pytest", *(args or ["-q", "-n", "auto"]), env=env)


COMMANDS = {"start": start, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [args]")
    COMMANDS[sys.argv[1]](sys.argv[2:])

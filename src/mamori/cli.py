"""The `mamori` command."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer

from mamori.core.command import settings_or_exit
from mamori.core.jobs import QUEUES

app = typer.Typer(
    help="mamori (守り): removal requests, consultation, evidence and abuse detection.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# Capability command groups: `app` of each module below, mounted under its name.
SUBCOMMANDS = {
    "users": "mamori.core.auth_cli",
    "cases": "mamori.workspace.cli",
    "services": "mamori.requests.cli",
    "criteria": "mamori.criteria.cli",
    "notices": "mamori.notices.cli",
    "detect": "mamori.detect.cli",
    "consult": "mamori.consult.cli",
    "evidence": "mamori.evidence.cli",
    "drafting": "mamori.drafting.cli",
    "logs": "mamori.logs.cli",
    "disclosure": "mamori.disclosure.cli",
    "report": "mamori.transparency.cli",
    "channels": "mamori.channels.cli",
    "hotline": "mamori.hotline.cli",
    "council": "mamori.council.cli",
    "reposts": "mamori.reposts.cli",
    "awareness": "mamori.awareness.cli",
}
for _name, _module in SUBCOMMANDS.items():
    app.add_typer(importlib.import_module(_module).app, name=_name)
# The content scan runs the detection model on a cluster; it lives above detect (mamori.scan).
importlib.import_module("mamori.detect.cli").app.command("scan")(
    importlib.import_module("mamori.scan.cli").scan_command
)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations to MAMORI_DATABASE_URL (SQLite file by default)."""
    from mamori.migrations import upgrade

    settings = settings_or_exit()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {settings.database_url.split('@')[-1]} is at {revision}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="API processes behind this one address.")
    ] = 1,
    job_worker: Annotated[
        bool,
        typer.Option(
            "--job-worker/--no-job-worker",
            help="Also run the job worker (notices, deadlines, scoring...) in this process.",
        ),
    ] = True,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", hidden=True, help="Old spelling of --no-job-worker.")
    ] = False,
) -> None:
    """Run the web UI and API (and, by default, the job worker beside it)."""
    import threading

    import uvicorn

    from mamori.core.logsetup import configure_logging
    from mamori.web.app import create_app

    settings = settings_or_exit()
    configure_logging(settings.log_format)
    run_jobs = job_worker and not no_workers
    # uvicorn would believe X-Forwarded-For from any local proxy (anyone could then reset a rate limit):
    # the app believes only MAMORI_TRUSTED_PROXIES instead (web.app). No Server header either. Its own
    # logging setup is left out: ours (MAMORI_LOG_FORMAT) is in place.
    options: dict[str, Any] = {
        "proxy_headers": False,
        "server_header": False,
        "log_config": None,
        "timeout_graceful_shutdown": 20,
    }
    if workers > 1:
        # Several processes: each builds its app from the environment; the job worker runs once, here
        # (its jobs are safe on several machines anyway: leased notices, idempotent sweeps).
        stop = threading.Event()
        if run_jobs:
            from mamori.worker import run_worker

            threading.Thread(
                target=run_worker,
                args=(settings,),
                kwargs={"stop": stop, "in_thread": True},
                name="mamori-worker",
                daemon=True,
            ).start()
        try:
            uvicorn.run(
                "mamori.web.app:app_from_environment",
                timeout_worker_healthcheck=60,  # a process may take a while to import everything on a busy host
                factory=True,
                workers=workers,
                host=host,
                port=port,
                **options,
            )
        finally:
            stop.set()
        return
    application = create_app(settings)
    if run_jobs:
        from mamori.worker import run_in_background

        run_in_background(application)
    try:
        uvicorn.run(application, host=host, port=port, log_level="info", **options)
    finally:
        # graceful: the worker finishes the jobs it is running (procrastinate waits up to 30 s)
        stop_jobs = getattr(application.state, "worker_stop", None)
        if stop_jobs is not None:
            stop_jobs.set()
            application.state.worker_thread.join(timeout=35)


@app.command()
def demo() -> None:
    """Load clearly labelled DEMO data (once): services, criteria, staff and requests in every state."""
    from mamori.demo import load_demo

    for line in load_demo(settings_or_exit()):
        typer.echo(line)


@app.command()
def setup(
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from", help="A YAML file (operator, administrator, services) instead of the prompts."
        ),
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Change an installation that was already set up.")
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the new administrator's password from the first line of stdin."
        ),
    ] = False,
) -> None:
    """Set up a real installation: the operator named in notices, the first administrator, the services
    (migrations first; all in one transaction; exit code 2 and nothing written on a refusal)."""
    from mamori.setup import run_setup

    for line in run_setup(from_file, update=update, password_stdin=password_stdin):
        typer.echo(line)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run every job once now (the loop's round), then stop.")] = False,
    queues: Annotated[
        str,
        typer.Option(
            "--queues",
            help="Comma-separated queues this worker takes (default: all): " + ", ".join(QUEUES) + ".",
        ),
    ] = "",
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=64, help="Jobs run at once by this worker (PostgreSQL)."),
    ] = 2,
) -> None:
    """Run the jobs: notices, deadline sweeps, scoring, evidence captures, retention purges. On PostgreSQL,
    workers on several machines share them (procrastinate); SIGTERM lets running jobs finish."""
    import signal
    import sys

    # Until the worker has started (and installed its own handlers) no job runs: SIGTERM ends it at once.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from mamori.core.logsetup import configure_logging
    from mamori.worker import check_queues, run_once, run_worker, uses_job_table

    settings = settings_or_exit()
    configure_logging(settings.log_format)
    chosen = [q.strip() for q in queues.split(",") if q.strip()] or None
    try:
        check_queues(chosen)
    except ValueError as exc:
        typer.echo(f"mamori worker: {exc}", err=True)
        raise typer.Exit(2) from None
    if once:
        typer.echo(run_once(settings))
        return
    engine = "procrastinate" if uses_job_table(settings.database_url) else "the loop"
    typer.echo(f"mamori worker: started on {engine}, queues: {', '.join(chosen or ['all'])}", err=True)
    run_worker(settings, queues=chosen, concurrency=concurrency)


if __name__ == "__main__":
    app()

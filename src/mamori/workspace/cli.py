"""`mamori cases`: the specialist's desk on the command line (what is due, decide, extend, the poster)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mamori.core.clock import SystemClock, format_jst
from mamori.core.command import staff_actor, unit_of_work
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.requests import service

app = typer.Typer(help="Removal requests: what is due, decisions, extension grounds.", no_args_is_help=True)
AsWho = Annotated[
    str,
    typer.Option(
        "--as", help="The staff account that acts (its e-mail): its roles and claims apply as on the web."
    ),
]


@app.command("due")
def due(as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False) -> None:
    """Open requests, overdue first, then due soonest, with the target of a decision owed after an interim
    notice (exit code 1 when any is overdue or its notice is undelivered)."""
    now = SystemClock().now()
    with unit_of_work() as (db, settings):
        items = service.open_cases_by_clock(db=db, now=now, settings=settings)
    for item in items:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "id": item.case_id,
                        "receipt_number": item.receipt_number,
                        "stage": item.stage,
                        "clock": item.state.value,
                        "due": item.decision_due_at.isoformat(),
                        "final_due": item.final_due_at.isoformat() if item.final_due_at else None,
                    }
                )
            )
        else:
            final = f"  decision due {format_jst(item.final_due_at, 'en')}" if item.final_due_at else ""
            typer.echo(
                f"{item.state.value:13} {item.receipt_number}  {item.stage:10} "
                f"due {format_jst(item.decision_due_at, 'en')}{final}"
            )
    if any(i.state.value in ("overdue", "undelivered") for i in items):
        raise typer.Exit(1)


@app.command("decide")
def decide(
    case_id: str,
    measure: Annotated[Measure, typer.Option(help="What is done to the content.")],
    criteria_version: Annotated[str, typer.Option("--criteria", help="Published criteria version cited.")],
    reason: Annotated[str, typer.Option(help="The reason (goes into the notices).")],
    as_who: AsWho,
    clause: Annotated[str | None, typer.Option(help="Clause applied (required for a removal).")] = None,
    liability_ground: Annotated[
        str | None,
        typer.Option(
            "--liability-ground",
            help="Art. 3(2)(i): the reasonable grounds for a removal while the poster's inquiry window is open.",
        ),
    ] = None,
) -> None:
    """Record a decision; the Art. 25 and Art. 27 notices are queued with it."""
    with unit_of_work() as (db, settings):
        outcome = decisions.decide(
            case_id,
            decisions.DecisionInput(measure, criteria_version, clause, reason, liability_ground),
            db=db,
            settings=settings,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
    typer.echo(f"decided: requester notice {outcome.requester_notice}, poster notice {outcome.poster_notice}")


@app.command("extend")
def extend(
    case_id: str,
    ground: Annotated[ExtensionGround, typer.Option(help="The Art. 25(1) proviso ground.")],
    as_who: AsWho,
    reason: Annotated[str, typer.Option(help="Required for 'unavoidable'.")] = "",
) -> None:
    """Record an extension ground; the requester's interim notice is queued."""
    with unit_of_work() as (db, settings):
        state = decisions.extend(
            case_id,
            ground,
            reason,
            db=db,
            settings=settings,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
    typer.echo(f"extension recorded: requester notice {state}")


@app.command("poster")
def poster(case_id: str, account_id: str, email: str, as_who: AsWho) -> None:
    """Attach the poster's account and contact (from the platform's records)."""
    with unit_of_work() as (db, settings):
        service.record_poster(
            case_id,
            service.Poster(account_id, email),
            db=db,
            settings=settings,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
    typer.echo("poster recorded")

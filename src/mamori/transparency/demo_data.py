"""【デモ】/DEMO: a draft self-evaluation of the current reporting year, so /reports shows the form filled
and the figures built from the demo's cases (built here at once: no page waits for a worker). Nothing is published: a demo never reaches the public
page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.transparency import builds, model, service, store

SYSTEM = Actor("system")  # the demo loader acts on the platform's own behalf


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    year = max(model.year_of(at), model.EARLIEST_YEAR)
    if store.self_evaluation(db, year) is not None:
        return ["transparency demo data is already loaded (【デモ】/ DEMO)"]
    service.write_self_evaluation(
        year,
        "【デモ】受付から通知までの時間は短縮できたが、期間を過ぎた申出が残った。延長の通知は理由を具体的に書く。",
        "[DEMO] Time to notice fell, but some requests ran past the period. Extension notices will "
        "give their reasons concretely.",
        db=db,
        at=at,
        by=SYSTEM,
    )
    builds.build_now(year, db=db, at=at, by=SYSTEM)
    return [
        f"transparency (【デモ】/DEMO): a draft self-evaluation and the figures of reporting year {year} → /reports/{year}"
    ]

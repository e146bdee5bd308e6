"""【デモ】/DEMO: two members' files of the liaison council, merged on /council."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import to_jst
from mamori.council import model, service, store

SYSTEM = Actor("system")  # the demo loader acts on the platform's own behalf


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    year = to_jst(at).year - 1
    if store.import_of(db, "【デモ】違法・有害情報相談センター", year) is not None:
        return ["council demo data is already loaded (【デモ】/ DEMO)"]
    members = {
        ("【デモ】違法・有害情報相談センター", "consultation_centre"): (
            540,
            {"defamation": 160, "insult": 210, "privacy": 120, "threat": 3},
        ),
        ("【デモ】誹謗中傷ホットライン", "hotline"): (240, {"defamation": 80, "insult": 120, "privacy": 40}),
    }
    for (member, kind), (per_year, harms) in members.items():
        months = Counter({f"{year}-{m:02d}": per_year // 12 + (m % 3) for m in range(1, 13)})
        cells = {
            "month": months,
            "harm": Counter(harms),
            "service": Counter({"x": per_year // 2, "other": per_year // 4}),
        }
        text = model.write(member, kind, year, cells, threshold=5)  # the 3 threats are suppressed
        service.import_file(text.encode(), f"{kind}.csv", db=db, threshold=5, at=at, by=SYSTEM)
    return [f"council (【デモ】/DEMO): two members' {year} files merged → /council?year={year}"]

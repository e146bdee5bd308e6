"""Use cases of the yearly report (Art. 28): compute it from the cases, write the self-evaluation,
publish (freeze) it, correct it in the open, and export statements of reasons (EU DSA format).

Every figure comes from the rows themselves (`store`'s GROUP BY queries), so the report cannot disagree
with what happened. A published edition is never rewritten: a later change to a case shows as a dated
correction beside it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import to_jst
from mamori.core.errors import Conflict, DomainError, Forbidden, NotFound
from mamori.core.text import refuse_control_characters
from mamori.criteria.model import Measure
from mamori.requests.model import Right
from mamori.transparency import model, store

MAX_EVALUATION = 20_000
MAX_STATEMENTS = 100_000
RIGHTS = [r.value for r in Right]
MEASURES = [m.value for m in Measure]

# What the data model does not record, said in the report itself (ja, en).
GAPS = (
    (
        "removals_without_request",
        "mamori は削除申出 (22条) から始まった措置だけを記録しています。自ら検知した情報や第三者からの通報による措置は記録されていないため、件数を示せません。",
        "mamori records only measures that started from a removal request (Art. 22). Measures taken on "
        "the platform's own detection or on a third party's report are not recorded, so they cannot be "
        "counted here.",
    ),
    (
        "court_channel",
        "裁判所からの申出を受け付ける窓口はまだありません。受付経路が「court」の申出だけを裁判所として数えます。",
        "There is no intake channel for courts yet: only requests filed with the source 'court' are "
        "counted as from courts.",
    ),
    (
        "specialists",
        "専門員の選任日・解任日は記録されていません。専門員の数は、年度末までに作成され、集計時点で有効な専門員アカウントの数です。",
        "Appointment and end dates of specialists are not recorded: the figure is the number of active "
        "specialist accounts created before the year ended, as of the time of computing.",
    ),
    (
        "automated_detection",
        "「自動検知の関与」は、申出の本文が mamori の自動判定 (AI関連技術) で採点された件数です。採点は順番付けにのみ使われ、判断はすべて人が行います。",
        "'Automated detection involved' counts requests whose text was scored by mamori's automated "
        "detection (AI-related technology); the score only orders the queue, and a person takes every "
        "decision.",
    ),
)


@dataclass(frozen=True)
class Edition:
    """A published edition as people see it."""

    year: int
    edition: int
    published_at: dt.datetime
    sha256: str
    figures: dict[str, Any]
    changes: list[dict[str, Any]]

    @property
    def is_correction(self) -> bool:
        return self.edition > 1


def _edition(row: store.PublishedReportRow) -> Edition:
    return Edition(
        year=row.year,
        edition=row.edition,
        published_at=row.published_at,
        sha256=row.sha256,
        figures=json.loads(row.figures),
        changes=json.loads(row.changes),
    )


def _check_year(year: int) -> int:
    try:
        return model.check_year(year)
    except model.YearError as exc:
        ja, _, en = str(exc).partition(" / ")
        raise DomainError(code="bad_year", field="year", ja=ja, en=en) from exc


def _may(by: Actor, permission: str) -> None:
    if not by.may(permission):
        raise Forbidden()


def check_reader(year: int | None, by: Actor) -> None:
    """Refuse someone who may not read reports (403), then a year out of range (422)."""
    _may(by, "report.read")
    if year is not None:
        _check_year(year)


def check_publisher(year: int, by: Actor) -> None:
    """Refuse someone who may not publish reports (403), then a year out of range (422)."""
    _may(by, "report.publish")
    _check_year(year)


# ---------------------------------------------------------------- computing


def _rights(stored: str) -> list[str]:
    """The rights of a request as stored (a JSON list); anything unreadable counts as その他."""
    try:
        rights = json.loads(stored)
    except ValueError:
        return [Right.OTHER.value]
    return (
        [r if r in RIGHTS else Right.OTHER.value for r in dict.fromkeys(rights)]
        if isinstance(rights, list)
        else [Right.OTHER.value]
    )


def compute(year: int, *, db: Session, at: dt.datetime) -> dict[str, Any]:
    """The Art. 28 report of reporting year `year` (April to March, JST) as it stands at `at`."""
    _check_year(year)
    start, end = model.reporting_period(year)
    # the database aggregates; here only its few grouped rows (one per combination of rights and
    # service) are added up, each group's count going to every right it names
    received: dict[str, int] = {}
    by_right = dict.fromkeys(RIGHTS, 0)
    per_service: dict[str, int] = {}
    for row in store.requests_received(db, start, end, at):
        for key, value in row.items():
            if key not in ("rights", "service_id"):
                received[key] = received.get(key, 0) + int(value)
        for right in _rights(row["rights"]):
            by_right[right] = by_right.get(right, 0) + int(row["total"])
        per_service[row["service_id"]] = per_service.get(row["service_id"], 0) + int(row["total"])
    names = store.services(db)
    by_service: list[dict[str, Any]] = [
        {**names[sid], "count": n}
        for sid, n in sorted(
            per_service.items(), key=lambda item: (-item[1], names.get(item[0], {}).get("service", ""))
        )
        if sid in names
    ]
    total = received.get("total", 0)
    trusted, court = received.get("trusted", 0), received.get("court", 0)

    art25_kinds = {kind: 0 for kind in model.ART25_KINDS}
    art25_rights = {kind: dict.fromkeys(RIGHTS, 0) for kind in model.ART25_KINDS}
    art25_skipped = 0
    removal_measures = list(model.REMOVAL_MEASURES)
    art27_measures = dict.fromkeys(removal_measures, 0)
    art27_rights = {m: dict.fromkeys(RIGHTS, 0) for m in removal_measures}
    art27_by_clause: dict[tuple[str, str], int] = {}
    art27_skipped = 0
    for row in store.notices_given(db, start, end):
        count = int(row["total"])
        if row["notice_kind"] == "poster_measure":
            if row["skipped"]:
                art27_skipped += count
                continue
            key, counts, rights = str(row["measure"]), art27_measures, art27_rights
            clause_key = (key, str(row["clause"]))
            art27_by_clause[clause_key] = art27_by_clause.get(clause_key, 0) + count
        else:
            if row["skipped"]:
                art25_skipped += count
                continue
            key, counts, rights = str(row["kind"]), art25_kinds, art25_rights
        counts[key] = counts.get(key, 0) + count
        per_right = rights.setdefault(key, dict.fromkeys(RIGHTS, 0))
        for right in _rights(row["rights"]):
            per_right[right] = per_right.get(right, 0) + count
    art27_clauses = [
        {"measure": measure, "clause": clause, "count": n} for (measure, clause), n in art27_by_clause.items()
    ]
    art27_clauses.sort(key=lambda c: (c["measure"], c["clause"]))

    decided = dict.fromkeys(MEASURES, 0)
    on_appeal = detected = by_person = 0
    deciders: set[str] = set()
    for row in store.decisions_taken(db, start, end):
        measure, count = str(row["measure"]), int(row["total"])
        decided[measure] = decided.get(measure, 0) + count
        on_appeal += int(row["on_appeal"])
        detected += int(row["detected"])
        if str(row["decided_by"]).startswith("user:"):  # a signed-in person
            by_person += count
            deciders.add(str(row["decided_by"]))
    decisions_total = sum(decided.values())
    removals = sum(n for m, n in decided.items() if m != Measure.NO_ACTION.value)

    told = received.get("told", 0)
    within, late, unanswered = (
        received.get("within", 0),
        received.get("late", 0),
        received.get("unanswered", 0),
    )
    median, p90 = store.response_percentiles(db, start, end, (0.5, 0.9), told)

    appeal_rows = {str(r["side"]): r for r in store.appeals_filed(db, start, end)}
    appeals_by_side = {
        side: {
            k: int(appeal_rows[side][k]) if side in appeal_rows else 0 for k in ("filed", "ruled", "reversed")
        }
        for side in model.APPEAL_SIDES
    }
    filed = sum(s["filed"] for s in appeals_by_side.values())
    ruled = sum(s["ruled"] for s in appeals_by_side.values())
    reversed_ = sum(s["reversed"] for s in appeals_by_side.values())

    inquiries = store.inquiries_sent(db, start, end)
    outcomes = {o: int(inquiries.get(o, 0)) for o in model.INQUIRY_OUTCOMES}

    evaluation = store.self_evaluation(db, year)
    return {
        "schema_version": model.SCHEMA_VERSION,
        "year": year,
        "period": {
            "start": to_jst(start).isoformat(),
            "end": to_jst(end).isoformat(),
            "end_is_exclusive": True,
        },
        "computed_at": to_jst(at).isoformat(),
        "requests": {
            "total": total,
            "repeats": received.get("repeats", 0),
            "by_right": by_right,
            "by_service": by_service,
            "by_channel": {"public": total - trusted - court, "trusted": trusted, "court": court},
        },
        "art25_notices": {
            "total": sum(art25_kinds.values()),
            "by_kind": art25_kinds,
            "by_kind_and_right": art25_rights,
            "not_owed": art25_skipped,
        },
        "art27_notices": {
            "total": sum(art27_measures.values()),
            "by_measure": art27_measures,
            "by_measure_and_clause": art27_clauses,
            "by_measure_and_right": art27_rights,
            "not_owed": art27_skipped,
        },
        "decisions": {
            "total": decisions_total,
            "by_measure": decided,
            "removals": removals,
            "on_appeal": on_appeal,
            "with_automated_detection": detected,
            "share_with_automated_detection": model.share(detected, decisions_total),
            "decided_by_a_person": by_person,
            "automated_decisions": decisions_total - by_person,
        },
        "removals_without_request": {
            "recorded": False,
            "own_detection": None,
            "third_party": None,
            "with_automated_detection": None,
            "decided_by_a_person": None,
        },
        "specialists": {
            "appointed": store.specialists_appointed(db, end),
            "deciding": len(deciders),
        },
        "response_time": {
            "owed": received.get("owed", 0),
            "told": told,
            "median_hours": model.hours(median),
            "p90_hours": model.hours(p90),
            "within_period": within,
            "share_within_period": model.share(within, told + unanswered),
            "late": late,
            "overdue_unanswered": unanswered,
            "overdue": late + unanswered,
            "pending": received.get("pending", 0),
        },
        "appeals": {
            "filed": filed,
            "by_side": appeals_by_side,
            "ruled": ruled,
            "reversed": reversed_,
            "upheld": ruled - reversed_,
            "open": filed - ruled,
        },
        "inquiries": {"sent": sum(inquiries.values()), "by_outcome": outcomes},
        "self_evaluation": {
            "ja": evaluation.text_ja if evaluation else "",
            "en": evaluation.text_en if evaluation else "",
            "written_at": to_jst(evaluation.written_at).isoformat() if evaluation else None,
        },
        "gaps": [{"item": item, "ja": ja, "en": en} for item, ja, en in GAPS],
    }


def report_for(year: int, *, db: Session, at: dt.datetime, by: Actor) -> dict[str, Any]:
    """The report as computed now, for someone who may read reports."""
    _may(by, "report.read")
    figures = compute(year, db=db, at=at)
    audit.record(db, at=at, actor=by, action="report.computed", subject_type="report", subject_id=str(year))
    return figures


# ---------------------------------------------------------------- the self-evaluation


def write_self_evaluation(
    year: int, text_ja: str, text_en: str, *, db: Session, at: dt.datetime, by: Actor
) -> store.SelfEvaluationRow:
    """The operator's own evaluation of the year (Art. 28), kept with the figures."""
    check_publisher(year, by)
    texts = []
    for field, text in (("text_ja", text_ja), ("text_en", text_en)):
        text = refuse_control_characters(text.strip(), field=field, single_line=False)
        if len(text) > MAX_EVALUATION:
            raise DomainError(
                code="too_long",
                field=field,
                ja=f"自己評価は{MAX_EVALUATION}文字以内にしてください。",
                en=f"The self-evaluation may be at most {MAX_EVALUATION} characters.",
            )
        texts.append(text)
    if not texts[0]:
        raise DomainError(
            code="evaluation_required",
            field="text_ja",
            ja="自己評価 (日本語) を書いてください。",
            en="Write the self-evaluation (in Japanese at least).",
        )
    row = store.self_evaluation(db, year)
    if row is None:
        row = store.SelfEvaluationRow(year=year, written_at=at, written_by=by.ident)
        db.add(row)
    row.text_ja, row.text_en, row.written_at, row.written_by = texts[0], texts[1], at, by.ident
    db.flush()
    audit.record(
        db, at=at, actor=by, action="report.self_evaluation", subject_type="report", subject_id=str(year)
    )
    return row


# ---------------------------------------------------------------- publishing and corrections


def published(db: Session, year: int) -> list[Edition]:
    """The editions of a year's report: the report, then its corrections, oldest first."""
    if not model.EARLIEST_YEAR <= year <= model.LATEST_YEAR:
        return []
    return [_edition(r) for r in store.editions(db, year)]


def every_published(db: Session) -> list[list[Edition]]:
    """Every published year, newest first, each with its editions oldest first."""
    years: dict[int, list[Edition]] = {}
    for row in store.all_editions(db):
        years.setdefault(row.year, []).append(_edition(row))
    return list(years.values())


def edition(db: Session, year: int, number: int) -> Edition:
    for item in published(db, year):
        if item.edition == number:
            return item
    raise NotFound("report", f"{year}/{number}")


def pending_changes(
    year: int, *, db: Session, at: dt.datetime, figures: dict[str, Any] | None = None
) -> list[dict[str, Any]] | None:
    """What `figures` (the latest build's; by default computed now) change in the latest published
    edition (None: not published)."""
    editions = published(db, year)
    if not editions:
        return None
    return model.changes(
        editions[-1].figures, figures if figures is not None else compute(year, db=db, at=at)
    )


def evaluation_of(year: int, *, db: Session) -> dict[str, str]:
    """The self-evaluation as saved now (the form shows it; the figures hold it as of their build)."""
    row = store.self_evaluation(db, year)
    return {"ja": row.text_ja if row else "", "en": row.text_en if row else ""}


def publish(
    year: int, *, db: Session, at: dt.datetime, by: Actor, figures: dict[str, Any] | None = None
) -> Edition:
    """Freeze the year's report (its figures and their hash): `figures` as built by a worker (the page:
    those the publisher saw), or computed now (the CLI). Published again later, it is stored as a dated
    correction listing each changed figure; the earlier edition is left as it was."""
    check_publisher(year, by)
    _start, end = model.reporting_period(year)
    if at < end:
        raise Conflict(
            "year_not_over",
            f"{year}年度 ({year}年4月〜{year + 1}年3月) はまだ終わっていません。年度が終わってから公表してください。",
            f"Reporting year {year} (April {year} to March {year + 1}) is not over yet: publish it after it ends.",
            "year",
        )
    if figures is None:
        figures = compute(year, db=db, at=at)
    editions = store.editions(db, year)
    changed: list[dict[str, Any]] = []
    if editions:
        changed = model.changes(json.loads(editions[-1].figures), figures)
        if not changed:
            raise Conflict(
                "report_unchanged",
                "公表済みの報告から数値は変わっていません。訂正の必要はありません。",
                "No figure has changed since the published report: there is nothing to correct.",
                "year",
            )
    row = store.PublishedReportRow(
        year=year,
        edition=len(editions) + 1,
        corrects=editions[0].id if editions else None,
        published_at=at,
        published_by=by.ident,
        figures=model.canonical(figures),
        sha256=model.digest(figures),
        changes=json.dumps(changed, ensure_ascii=False),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        at=at,
        actor=by,
        action="report.published" if not editions else "report.corrected",
        subject_type="report",
        subject_id=str(year),
        edition=row.edition,
        sha256=row.sha256,
    )
    return _edition(row)


# ---------------------------------------------------------------- statements of reasons (EU DSA)


def statements(
    start: dt.datetime,
    end: dt.datetime,
    *,
    db: Session,
    at: dt.datetime,
    by: Actor,
    criteria_url: str,
    limit: int = MAX_STATEMENTS,
) -> list[dict[str, Any]]:
    """A statement of reasons in the DSA Transparency Database format for each decision in [start, end)
    that removed, restricted or suspended; each is checked against the database's field rules first,
    and the export is refused whole if one breaks them."""
    _may(by, "report.read")
    if end <= start:
        raise DomainError(
            code="bad_range",
            field="to",
            ja="終了日は開始日より後にしてください。",
            en="'to' must be after 'from'.",
        )
    if not 1 <= limit <= MAX_STATEMENTS:
        raise DomainError(
            code="bad_limit",
            field="limit",
            ja=f"件数は1〜{MAX_STATEMENTS}で指定してください。",
            en=f"The limit must be 1 to {MAX_STATEMENTS}.",
        )
    out = []
    for row in store.decisions_for_statements(db, start, end, model.REMOVAL_MEASURES, limit):
        sor = model.statement_of_reasons(
            decision_id=row["id"],
            measure=row["measure"],
            rights=list(json.loads(row["rights"])),
            source=row["source"],
            decided_at=row["decided_at"],
            received_at=row["received_at"],
            decided_by_person=str(row["decided_by"]).startswith("user:"),
            criteria_version=row["version"],
            clause_code=row["clause_code"],
            clause_title_en=row["clause_title_en"],
            reason=row["reason"],
            criteria_url=criteria_url,
        )
        errors = model.statement_errors(sor)
        if errors:
            raise DomainError(
                code="statement_invalid",
                field="statements",
                ja=f"判断 {row['id']} の理由の説明が DSA データベースの規則に合いません: {'; '.join(errors)}",
                en=f"The statement of reasons of decision {row['id']} breaks the DSA database's rules: "
                + "; ".join(errors),
            )
        out.append(sor)
    audit.record(
        db,
        at=at,
        actor=by,
        action="report.statements_exported",
        subject_type="report",
        subject_id=f"{to_jst(start).date()}..{to_jst(end).date()}",
        personal_data=True,  # decision_facts is the decision's free-text reason
        count=len(out),
    )
    return out

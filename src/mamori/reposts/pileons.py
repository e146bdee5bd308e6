"""Pile-ons (集団攻撃・炎上): bursts of abusive replies to one account, the few accounts behind most of
them, and what the operator offered the target. Replies arrive in batches (HTTP or a broker consumer);
each is scored by the abuse detector and kept without its text."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError"]
from mamori.core.text import refuse_control_characters
from mamori.detect import service as detect
from mamori.reposts import model, store

MAX_REPLIES_PER_BATCH = 1000
MAX_TEXT = 10_000
OPEN, OFFERED = "open", "offered"


@dataclass(frozen=True)
class Reply:
    """One reply or mention: its reference, the account written to, the author, when, and the text."""

    ref: str
    target: str
    author: str
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class IngestReport:
    received: int
    stored: int
    abusive: int
    pileons: list[str]  # ids of pile-ons opened or still growing with this batch


def _need(by: Actor, permission: str) -> None:
    if not by.may(permission):
        raise Forbidden()


def _check(reply: Reply) -> Reply:
    for name in ("ref", "target", "author"):
        value = getattr(reply, name)
        if not 1 <= len(value) <= (500 if name == "ref" else 200):
            raise DomainError(
                code="bad_reply", field=name, ja=f"{name} の長さが不正です。", en=f"{name}: bad length."
            )
        refuse_control_characters(value, field=name, single_line=True)
    if reply.at.tzinfo is None:
        raise DomainError(
            code="naive_time",
            field="at",
            ja="時刻にタイムゾーンが必要です。",
            en="The time needs a zone offset.",
        )
    return reply


def ingest(
    replies: list[Reply], *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> IngestReport:
    """Score and keep a batch of replies (a reply seen before is skipped), then look for pile-ons on every
    account the batch wrote to."""
    _need(by, "repost.review")
    if len(replies) > MAX_REPLIES_PER_BATCH:
        raise DomainError(
            code="batch_too_large",
            field="replies",
            ja=f"一度に送れる返信は{MAX_REPLIES_PER_BATCH}件までです。",
            en=f"At most {MAX_REPLIES_PER_BATCH} replies per batch.",
        )
    replies = [_check(r) for r in replies]
    refs = [r.ref for r in replies]
    known = (
        set(db.scalars(select(store.ReplyRow.post_ref).where(store.ReplyRow.post_ref.in_(refs))))
        if refs
        else set()
    )
    fresh, seen = [], set(known)
    for r in replies:
        if r.ref not in seen:
            fresh.append(r)
            seen.add(r.ref)
    scores = detect.score_texts([r.text[:MAX_TEXT] for r in fresh]) if fresh else []
    abusive = 0
    for reply, result in zip(fresh, scores, strict=True):
        top = max(result.scores.values(), default=0.0)
        abusive += bool(result.flags)
        db.add(
            store.ReplyRow(
                post_ref=reply.ref,
                target=reply.target,
                author=reply.author,
                at=reply.at.astimezone(dt.UTC),
                score=round(float(top), 4),
                abusive=bool(result.flags),
                categories=",".join(sorted(str(c) for c in result.flags))[:200],
            )
        )
    db.flush()
    touched = sorted({r.target for r in fresh})
    pileons = [p.id for t in touched if (p := _detect(t, db=db, settings=settings, at=at)) is not None]
    return IngestReport(len(replies), len(fresh), abusive, pileons)


def _abusive_between(db: Session, target: str, start: dt.datetime, end: dt.datetime) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(store.ReplyRow)
            .where(
                store.ReplyRow.target == target,
                store.ReplyRow.abusive.is_(True),
                store.ReplyRow.at > start,
                store.ReplyRow.at <= end,
            )
        )
        or 0
    )


def _detect(target: str, *, db: Session, settings: Settings, at: dt.datetime) -> store.PileonRow | None:
    latest = db.scalar(select(func.max(store.ReplyRow.at)).where(store.ReplyRow.target == target))
    if latest is None:
        return None
    window = dt.timedelta(minutes=settings.pileon_window_minutes)
    since = latest - window
    count = _abusive_between(db, target, since, latest)
    baseline_start = latest - dt.timedelta(days=settings.pileon_baseline_days)
    baseline = _abusive_between(db, target, baseline_start, since)
    found = model.burst(
        count,
        baseline,
        (since - baseline_start) / window,
        min_count=settings.pileon_min_replies,
        factor=settings.pileon_burst_factor,
    )
    if not found.is_burst:
        return None
    ongoing = db.scalar(
        select(store.PileonRow)
        .where(store.PileonRow.target == target, store.PileonRow.last_at >= since - window)
        .order_by(store.PileonRow.last_at.desc())
    )
    if ongoing is not None:
        ongoing.last_at = max(ongoing.last_at, latest)
        ongoing.peak_count = max(ongoing.peak_count, count)
        return ongoing
    first = db.scalar(
        select(func.min(store.ReplyRow.at)).where(
            store.ReplyRow.target == target, store.ReplyRow.abusive.is_(True), store.ReplyRow.at > since
        )
    )
    row = store.PileonRow(
        target=target,
        started_at=first or since,
        last_at=latest,
        peak_count=count,
        baseline_per_window=round(found.baseline_per_window, 3),
        status=OPEN,
        detected_at=at,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        at=at,
        actor=Actor.system(),
        action="pileon.detected",
        subject_type="pileon",
        subject_id=row.id,
        count=count,
    )
    return row


def list_pileons(*, db: Session, by: Actor, limit: int = 100) -> list[store.PileonRow]:
    _need(by, "repost.read")
    return list(db.scalars(select(store.PileonRow).order_by(store.PileonRow.last_at.desc()).limit(limit)))


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    abusive: int
    other: int


@dataclass(frozen=True)
class PileonView:
    pileon: store.PileonRow
    drivers: list[tuple[str, int]]  # the fewest accounts behind 80% of the abusive replies
    authors: int  # how many accounts wrote abusive replies in all
    abusive: int
    timeline: list[Bucket]
    offered: list[str]
    choices: list[str]


def protective_actions(settings: Settings) -> list[str]:
    return [a.strip() for a in settings.pileon_protective_actions.split(",") if a.strip()]


def _get(db: Session, pileon_id: str) -> store.PileonRow:
    row = db.get(store.PileonRow, pileon_id)
    if row is None:
        raise NotFound("pile-on", pileon_id)
    return row


def view(pileon_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor) -> PileonView:
    """A pile-on for reviewers: who drives it, and its timeline in buckets (account names are personal
    data: the read is audited)."""
    _need(by, "repost.read")
    row = _get(db, pileon_id)
    window = dt.timedelta(minutes=settings.pileon_window_minutes)
    start, end = row.started_at - 2 * window, row.last_at + window
    replies = list(
        db.scalars(
            select(store.ReplyRow)
            .where(store.ReplyRow.target == row.target, store.ReplyRow.at >= start, store.ReplyRow.at <= end)
            .order_by(store.ReplyRow.at)
        )
    )
    bucket = max(window / 6, dt.timedelta(minutes=1))
    n = int((end - start) / bucket) + 1
    counts = [[0, 0] for _ in range(n)]
    for r in replies:
        i = min(int((r.at - start) / bucket), n - 1)
        counts[i][0 if r.abusive else 1] += 1
    timeline = [Bucket(start + i * bucket, a, o) for i, (a, o) in enumerate(counts)]
    in_burst = [r.author for r in replies if r.abusive and row.started_at <= r.at <= row.last_at]
    audit.record(
        db,
        at=at,
        actor=by,
        action="pileon.read",
        subject_type="pileon",
        subject_id=row.id,
        personal_data=True,
    )
    return PileonView(
        row,
        model.drivers(in_burst),
        len(set(in_burst)),
        len(in_burst),
        timeline,
        json.loads(row.measures) if row.measures else [],
        protective_actions(settings),
    )


def offer_measures(
    pileon_id: str, measures: list[str], *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.PileonRow:
    """Record which of the operator's protective measures the target is offered (or was given)."""
    _need(by, "repost.review")
    row = _get(db, pileon_id)
    allowed = protective_actions(settings)
    unknown = [m for m in measures if m not in allowed]
    if unknown or not measures:
        raise DomainError(
            code="unknown_measure",
            field="measures",
            ja="運営者が定めた保護措置から選んでください。",
            en="Choose from the operator's protective measures.",
        )
    if row.status == OFFERED:
        raise Conflict(
            "already_offered",
            "既に保護措置を記録済みです。",
            "Protective measures were already recorded.",
            "pileon",
        )
    chosen = [m for m in allowed if m in measures]
    row.measures, row.measures_by, row.measures_at, row.status = json.dumps(chosen), by.ident, at, OFFERED
    audit.record(
        db,
        at=at,
        actor=by,
        action="pileon.measures_offered",
        subject_type="pileon",
        subject_id=row.id,
        measures=chosen,
    )
    return row


def chart_png(v: PileonView, lang: str, font_path: str | None) -> bytes:
    """The pile-on's timeline: abusive and other replies per bucket, and the account's usual level."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_path) if font_path else FontProperties()
    figure = Figure(figsize=(7.2, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    xs = range(len(v.timeline))
    ja = lang != "en"
    axes.bar(
        xs,
        [b.abusive for b in v.timeline],
        color="#a61c00",
        label="攻撃的な返信" if ja else "abusive replies",
    )
    axes.bar(
        xs,
        [b.other for b in v.timeline],
        bottom=[b.abusive for b in v.timeline],
        color="#9fc5e8",
        label="その他の返信" if ja else "other replies",
    )
    per_bucket = v.pileon.baseline_per_window / 6
    axes.axhline(per_bucket, color="#333333", linestyle="--", label="平常時" if ja else "usual level")
    step = max(1, len(v.timeline) // 8)
    axes.set_xticks(
        list(xs)[::step],
        [b.start.astimezone(dt.timezone(dt.timedelta(hours=9))).strftime("%m/%d %H:%M") for b in v.timeline][
            ::step
        ],
        rotation=30,
        ha="right",
        fontsize=8,
    )
    axes.set_title(("返信の推移 (JST)" if ja else "Replies over time (JST)"), fontproperties=font)
    axes.legend(prop=font)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()

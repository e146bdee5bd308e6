"""Use cases of the repost bank: bank what was removed, check new posts against it, and let a person
confirm or dismiss each match. A match never removes anything by itself (Meta's hasher-matcher-actioner:
here the actioner is a person).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.db import new_id
from mamori.core.errors import Conflict, DomainError, Forbidden, NotFound
from mamori.core.text import refuse_control_characters
from mamori.criteria import service as criteria
from mamori.decisions import service as decisions
from mamori.notices import service as notices
from mamori.notices.model import NoticeKind
from mamori.reposts import media, model, store
from mamori.reposts.model import ALGORITHM, DiffRow
from mamori.requests import service as requests

MAX_POSTS_PER_BATCH = 200
MAX_POST_CHARS = 10_000
OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
REMOVAL_MEASURES = ("remove", "restrict_visibility", "suspend_account")


def _need(by: Actor, permission: str) -> None:
    if not by.may(permission):
        raise Forbidden()


def _sealer(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key)


def bank_version(db: Session) -> int:
    """The bank's version: raised by every change (banking a removal, an import, a withdrawal)."""
    return int(db.scalar(select(func.max(store.FingerprintRow.bank_version))) or 0)


def bank_size(db: Session) -> dict[str, int]:
    rows = db.execute(
        select(store.FingerprintRow.kind, func.count()).group_by(store.FingerprintRow.kind)
    ).all()
    return {str(kind): int(n) for kind, n in rows}


def add_text(
    db: Session,
    text: str,
    *,
    at: dt.datetime,
    version: int,
    decision_id: str | None = None,
    case_id: str | None = None,
    criteria_version: str | None = None,
    clause_code: str | None = None,
    source: str = "local",
    external_id: str | None = None,
    signature: model.U32 | None = None,
) -> store.FingerprintRow:
    """Bank one text fingerprint: its MinHash signature and its band keys (the text itself is not kept)."""
    sig = model.signature(text) if signature is None else signature
    row = store.FingerprintRow(
        kind="text",
        algorithm=ALGORITHM,
        signature=model.signature_hex(sig),
        decision_id=decision_id,
        case_id=case_id,
        criteria_version=criteria_version,
        clause_code=clause_code,
        source=source,
        bank_version=version,
        external_id=external_id,
        created_at=at,
    )
    db.add(row)
    db.flush()
    for key in set(model.to_signed(model.band_keys(sig[None, :])[0])):
        db.add(store.BandKeyRow(fingerprint_id=row.id, key=key))
    return row


def add_image_hash(
    db: Session,
    pdq: str,
    *,
    at: dt.datetime,
    version: int,
    decision_id: str | None = None,
    case_id: str | None = None,
    criteria_version: str | None = None,
    clause_code: str | None = None,
    source: str = "local",
    external_id: str | None = None,
) -> store.FingerprintRow:
    row = store.FingerprintRow(
        kind="image",
        algorithm="pdq",
        pdq=model.check_pdq_hex(pdq),
        decision_id=decision_id,
        case_id=case_id,
        criteria_version=criteria_version,
        clause_code=clause_code,
        source=source,
        bank_version=version,
        external_id=external_id,
        created_at=at,
    )
    db.add(row)
    db.flush()
    return row


def _version_name(db: Session, version_id: str) -> str | None:
    return next((v.version for v in criteria.published(db=db) if v.id == version_id), None)


def _removal_in_force(db: Session, decision: decisions.DecisionRecord) -> bool:
    latest = decisions.latest(decision.case_id, db=db)
    return latest is not None and latest.id == decision.id and decision.measure in REMOVAL_MEASURES


def bank_removals(*, db: Session, settings: Settings, at: dt.datetime, limit: int = 500) -> int:
    """The job: fingerprint the text of every post removed by a decision in force and not yet banked;
    withdraw a fingerprint whose removal an appeal reversed. Returns how many changed."""
    banked = select(store.FingerprintRow.decision_id).where(store.FingerprintRow.decision_id.is_not(None))
    new = list(
        db.scalars(
            select(decisions.DecisionRecord)
            .where(decisions.DecisionRecord.measure.in_(REMOVAL_MEASURES))
            .where(decisions.DecisionRecord.id.not_in(banked))
            .order_by(decisions.DecisionRecord.decided_at)
            .limit(limit)
        )
    )
    # a banked removal is superseded by a later decision on its case (an appeal's ruling); if that one
    # removes too, it is banked in its own right below
    superseded = select(decisions.DecisionRecord.supersedes).where(
        decisions.DecisionRecord.supersedes.is_not(None)
    )
    stale = list(
        db.scalars(
            select(store.FingerprintRow)
            .where(store.FingerprintRow.decision_id.in_(superseded))
            .where(store.FingerprintRow.source != "withdrawn")
        )
    )
    todo = [d for d in new if _removal_in_force(db, d)]
    if not todo and not stale:
        return 0
    version = bank_version(db) + 1
    for fp in stale:
        if db.scalar(
            select(func.count()).select_from(store.MatchRow).where(store.MatchRow.fingerprint_id == fp.id)
        ):
            fp.source = "withdrawn"  # kept for its review items, never matched again
            fp.bank_version = version
            for band in db.scalars(select(store.BandKeyRow).where(store.BandKeyRow.fingerprint_id == fp.id)):
                db.delete(band)
        else:
            for band in db.scalars(select(store.BandKeyRow).where(store.BandKeyRow.fingerprint_id == fp.id)):
                db.delete(band)
            db.delete(fp)
    for decision in todo:
        case = requests.get_case_row(db, decision.case_id)
        text = requests.case_texts(case, settings).content_text
        add_text(
            db,
            text,
            at=at,
            version=version,
            decision_id=decision.id,
            case_id=case.id,
            criteria_version=_version_name(db, decision.criteria_version_id),
            clause_code=decision.clause_code,
        )
    audit.record(
        db,
        at=at,
        actor=Actor.system(),
        action="repost.banked",
        subject_type="repost_bank",
        subject_id=str(version),
        added=len(todo),
        withdrawn=len(stale),
    )
    return len(todo) + len(stale)


def bank_image(
    decision_id: str, data: bytes, *, db: Session, at: dt.datetime, by: Actor
) -> store.FingerprintRow:
    """Add the PDQ hash of an image that a removal decision took down (the image itself is not kept)."""
    _need(by, "repost.manage")
    decision = decisions.get_decision(db, decision_id)
    if decision is None or decision.measure not in REMOVAL_MEASURES:
        raise DomainError(
            code="not_a_removal",
            field="decision",
            ja="削除等の措置の判断を指定してください。",
            en="Name a decision that removed or restricted the content.",
        )
    pdq, quality = media.pdq(data)
    if quality < media.MIN_PDQ_QUALITY:
        raise DomainError(
            code="image_too_plain",
            field="image",
            ja="画像が単調すぎて照合に使えません。",
            en="The image is too plain to be matched reliably.",
        )
    row = add_image_hash(
        db,
        pdq,
        at=at,
        version=bank_version(db) + 1,
        decision_id=decision.id,
        case_id=decision.case_id,
        criteria_version=_version_name(db, decision.criteria_version_id),
        clause_code=decision.clause_code,
    )
    audit.record(
        db, at=at, actor=by, action="repost.image_banked", subject_type="decision", subject_id=decision.id
    )
    return row


# --- checking new posts


@dataclass(frozen=True)
class Post:
    """A new post to check: the platform's reference, and its text and/or image."""

    ref: str
    text: str = ""
    image: bytes | None = None
    url: str | None = None
    author: str | None = None


@dataclass
class CheckResult:
    ref: str
    matched: bool = False
    match_id: str | None = None
    similarity: float = 0.0
    via: str | None = None
    decision_id: str | None = None
    clause_code: str | None = None
    notes: list[str] = field(default_factory=list)


def _best_text_match(db: Session, text: str, threshold: float) -> tuple[store.FingerprintRow, float] | None:
    sig = model.signature(text)
    keys = model.to_signed(model.band_keys(sig[None, :])[0])
    best: tuple[store.FingerprintRow, float] | None = None
    seen: set[str] = set()
    for _key, fp in store.text_candidates(db, keys):
        if fp.id in seen or fp.signature is None or fp.source == "withdrawn":
            continue
        seen.add(fp.id)
        sim = model.estimated_similarity(sig, model.signature_from_hex(fp.signature))
        if sim >= threshold and (best is None or sim > best[1]):
            best = (fp, sim)
    return best


def _best_image_match(db: Session, pdq: str, max_distance: int) -> tuple[store.FingerprintRow, float] | None:
    best: tuple[store.FingerprintRow, int] | None = None
    for fp in store.images(db):
        if fp.pdq is None or fp.source == "withdrawn":
            continue
        d = model.pdq_distance(pdq, fp.pdq)
        if d <= max_distance and (best is None or d < best[1]):
            best = (fp, d)
    return None if best is None else (best[0], 1.0 - best[1] / model.PDQ_BITS)


def _bound(match_id: str) -> str:
    return f"repost_match:{match_id}:post_text"


def check_posts(
    posts: list[Post], *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> list[CheckResult]:
    """Check new posts against the bank (the API's batches and the platform's content scan call this).

    A post whose text (or the text OCR reads in its image) is at least `repost_match_threshold` similar to
    a banked removal, or whose image is within `repost_pdq_max_distance` of a banked image, opens a review
    item linked to the original decision. Nothing is removed: a person confirms or dismisses.
    """
    if len(posts) > MAX_POSTS_PER_BATCH:
        raise DomainError(
            code="batch_too_large",
            field="posts",
            ja=f"一度に確認できる投稿は{MAX_POSTS_PER_BATCH}件までです。",
            en=f"At most {MAX_POSTS_PER_BATCH} posts per batch.",
        )
    results = []
    for post in posts:
        text = refuse_control_characters(post.text, field="text", single_line=False)[:MAX_POST_CHARS]
        result = CheckResult(post.ref)
        found: tuple[store.FingerprintRow, float] | None = None
        shown_text = text
        if model.normalise(text):
            found = _best_text_match(db, text, settings.repost_match_threshold)
            result.via = "text" if found else None
        if found is None and post.image is not None:
            pdq, quality = media.pdq(post.image)
            if quality >= media.MIN_PDQ_QUALITY:
                found = _best_image_match(db, pdq, settings.repost_pdq_max_distance)
                result.via = "image" if found else None
            if found is None and media.ocr_available():
                read = media.ocr_text(post.image)
                if model.normalise(read):
                    found = _best_text_match(db, read, settings.repost_match_threshold)
                    if found:
                        result.via, shown_text = "ocr", read
            elif found is None:
                result.notes.append("ocr_unavailable")
        if found is not None:
            fp, sim = found
            match = _open_match(db, fp, post, shown_text, result.via or "text", sim, settings=settings, at=at)
            result.matched, result.match_id, result.similarity = True, match.id, round(sim, 3)
            result.decision_id, result.clause_code = fp.decision_id, fp.clause_code
        results.append(result)
    audit.record(
        db,
        at=at,
        actor=by,
        action="repost.checked",
        subject_type="repost_bank",
        subject_id=str(bank_version(db)),
        posts=len(posts),
        matched=sum(r.matched for r in results),
    )
    return results


def _open_match(
    db: Session,
    fp: store.FingerprintRow,
    post: Post,
    text: str,
    via: str,
    sim: float,
    *,
    settings: Settings,
    at: dt.datetime,
) -> store.MatchRow:
    existing = db.scalar(
        select(store.MatchRow).where(
            store.MatchRow.fingerprint_id == fp.id, store.MatchRow.post_ref == post.ref
        )
    )
    if existing is not None:
        return existing
    match_id = new_id()  # known before the insert, so the sealed text is bound to it
    row = store.MatchRow(
        id=match_id,
        fingerprint_id=fp.id,
        post_ref=post.ref[:500],
        post_url=post.url,
        author=post.author,
        post_text_sealed=_sealer(settings).seal(text, bound_to=_bound(match_id)) if text else None,
        via=via,
        similarity=round(sim, 4),
        status=OPEN,
        found_at=at,
    )
    db.add(row)
    db.flush()
    return row


# --- review


@dataclass(frozen=True)
class Original:
    decision_id: str | None
    case_id: str | None
    receipt_number: str | None
    measure: str | None
    criteria_version: str | None
    clause_code: str | None
    reason: str | None
    decided_at: dt.datetime | None
    text: str | None  # None for an imported fingerprint: the bank holds no text
    source: str


@dataclass(frozen=True)
class MatchView:
    match: store.MatchRow
    original: Original
    post_text: str
    diff: list[DiffRow]


def list_matches(
    *, db: Session, by: Actor, status: str | None = OPEN, limit: int = 200
) -> list[store.MatchRow]:
    _need(by, "repost.read")
    query = select(store.MatchRow).order_by(store.MatchRow.found_at.desc()).limit(limit)
    if status:
        query = query.where(store.MatchRow.status == status)
    return list(db.scalars(query))


def _match(db: Session, match_id: str) -> store.MatchRow:
    row = db.get(store.MatchRow, match_id)
    if row is None:
        raise NotFound("repost match", match_id)
    return row


def view_match(match_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor) -> MatchView:
    """The review item: the original decision and post beside the new one, differences marked (audited:
    both texts may name people)."""
    _need(by, "repost.read")
    match = _match(db, match_id)
    fp = db.get(store.FingerprintRow, match.fingerprint_id)
    assert fp is not None
    decision = decisions.get_decision(db, fp.decision_id) if fp.decision_id else None
    case = requests.find_case(db, fp.case_id) if fp.case_id else None
    original_text = requests.case_texts(case, settings).content_text if case is not None else None
    original = Original(
        decision_id=fp.decision_id,
        case_id=fp.case_id,
        receipt_number=case.receipt_number if case else None,
        measure=decision.measure if decision else None,
        criteria_version=fp.criteria_version,
        clause_code=fp.clause_code,
        reason=decision.reason if decision else None,
        decided_at=decision.decided_at if decision else None,
        text=original_text,
        source=fp.source,
    )
    post_text = (
        str(_sealer(settings).open(match.post_text_sealed, bound_to=_bound(match.id)))
        if match.post_text_sealed
        else ""
    )
    audit.record(
        db,
        at=at,
        actor=by,
        action="repost.match_read",
        subject_type="repost_match",
        subject_id=match.id,
        personal_data=True,
    )
    diff = model.side_by_side(original_text, post_text) if original_text is not None else []
    return MatchView(match, original, post_text, diff)


def _resolvable(db: Session, match_id: str, by: Actor) -> store.MatchRow:
    _need(by, "repost.review")
    match = _match(db, match_id)
    if match.status != OPEN:
        raise Conflict(
            "already_resolved",
            "この照合は既に判断済みです。",
            "This match has already been resolved.",
            "match",
        )
    return match


def _note(note: str) -> str | None:
    note = refuse_control_characters(note.strip(), field="note", single_line=False)
    if len(note) > 2000:
        raise DomainError(
            code="note_too_long", field="note", ja="メモは2000文字までです。", en="At most 2,000 characters."
        )
    return note or None


def dismiss(match_id: str, note: str, *, db: Session, at: dt.datetime, by: Actor) -> store.MatchRow:
    """A person finds the post is not a repost of the removed one (quoting it to criticise, a different
    claim): nothing happens to the post."""
    match = _resolvable(db, match_id, by)
    match.status, match.resolved_at, match.resolved_by, match.note = DISMISSED, at, by.ident, _note(note)
    audit.record(
        db, at=at, actor=by, action="repost.dismissed", subject_type="repost_match", subject_id=match.id
    )
    return match


def confirm(
    match_id: str,
    note: str,
    *,
    poster_email: str | None,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> store.MatchRow:
    """A person confirms the post repeats the removed content: the confirmation cites the original
    decision's clause and criteria version, and, given the poster's address, the Art. 27 notice to the
    poster is queued citing that same clause (情プラ法 Art. 27, numbering of 2025-04-01)."""
    match = _resolvable(db, match_id, by)
    fp = db.get(store.FingerprintRow, match.fingerprint_id)
    assert fp is not None
    if fp.clause_code is None or fp.criteria_version is None:
        raise DomainError(
            code="no_clause",
            field="match",
            ja="元の判断の条項が不明なため、確認できません (取込んだバンクに条項がありません)。",
            en="The original removal's clause is unknown (the imported bank gave none): it cannot be confirmed here.",
        )
    email = (poster_email or "").strip()
    if email and ("@" not in email or len(email) > 320 or any(c.isspace() for c in email)):
        raise DomainError(
            code="bad_email",
            field="poster_email",
            ja="メールアドレスが正しくありません。",
            en="Invalid email address.",
        )
    match.status, match.resolved_at, match.resolved_by, match.note = CONFIRMED, at, by.ident, _note(note)
    match.clause_code, match.criteria_version = fp.clause_code, fp.criteria_version
    if email:
        match.notice_id = _queue_poster_notice(match, fp, email, db=db, settings=settings, at=at).id
    audit.record(
        db,
        at=at,
        actor=by,
        action="repost.confirmed",
        subject_type="repost_match",
        subject_id=match.id,
        decision_id=fp.decision_id,
        clause=fp.clause_code,
        criteria_version=fp.criteria_version,
        notice=match.notice_id,
    )
    return match


def _clause_titles(db: Session, version: str, code: str) -> tuple[str, str]:
    try:
        found = criteria.get(version, db=db)
    except DomainError:
        return "", ""
    for clause in found.clauses:
        if clause.code == code:
            return clause.title_ja, clause.title_en
    return "", ""


def _queue_poster_notice(
    match: store.MatchRow,
    fp: store.FingerprintRow,
    email: str,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
) -> notices.NoticeRow:
    version, code = fp.criteria_version or "", fp.clause_code or ""
    title_ja, title_en = _clause_titles(db, version, code)
    base = settings.base_url.rstrip("/")
    where = match.post_url or match.post_ref
    body = (
        "あなたの投稿について、送信防止措置を講じることを決定しました (情報流通プラットフォーム対処法第27条)。\n\n"
        f"対象の投稿: {where}\n"
        f"理由: 先に削除された投稿と同じ内容の再投稿であるため。\n"
        f"適用した削除基準: 削除基準 {version} 第{code}項「{title_ja}」\n"
        f"削除基準の全文: {base}/criteria\n"
        "\n――――― English ―――――\n\n"
        "We have decided to take a measure against your post (Information Distribution Platform Act, Art. 27).\n\n"
        f"Post: {where}\n"
        "Reason: it repeats content that was removed earlier.\n"
        f'Criteria applied: removal criteria {version}, clause {code} "{title_en}"\n'
        f"Full criteria: {base}/criteria\n"
    )
    return notices.queue(
        db,
        sealer=requests.sealer_for(settings),
        case_id=None,
        kind=NoticeKind.POSTER_MEASURE,
        recipient="poster",
        to_address=email,
        lang="ja",
        subject="投稿への措置のお知らせ / Notice of a measure taken on your post",
        body=body,
        dedupe_key=f"repost:{match.id}:poster_measure",
        at=at,
        ref=match.id,
    )


def matches_json(rows: list[store.MatchRow]) -> list[dict[str, object]]:
    return [
        {
            "id": r.id,
            "post_ref": r.post_ref,
            "via": r.via,
            "similarity": r.similarity,
            "status": r.status,
            "found_at": r.found_at.isoformat(),
            "clause": r.clause_code,
        }
        for r in rows
    ]


def as_json(result: CheckResult) -> dict[str, object]:
    return json.loads(json.dumps(result.__dict__))  # type: ignore[no-any-return]

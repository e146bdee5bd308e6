"""Drafting use cases: read and check a draft, produce it as PDF or text, send it, follow it.

Who may see a sending (its receipt, and the follow URL that carries the requester's key) and ask for
its status, decided here in `authorize_submission` for the API and the command line alike:

- the person who sent it (for `mamori drafting send`, the command line itself, `CLI_ACTOR`);
- when it was sent for a case or a consultation, whoever may read that case's or consultation's
  evidence (`evidence.service.authorize`): the colleague a consultation is shared with carries on
  with the person's request; a case's sendings are the platform staff's business;
- nobody else: a sending they may not see answers 404, exactly as one that does not exist.
Asking for the status (the server contacts the window) needs the right to change that evidence.
A sending may name a case or consultation only if the sender may change its evidence.

The follow URL is sealed at rest (AES-GCM, bound to its row), as the notices that carry keys are.
Nothing here commits: the caller's transaction records a sending and its audit entry together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.auth import Principal
from mamori.core.clock import to_jst, to_utc
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.db import new_id
from mamori.core.errors import DomainError, NotFound
from mamori.drafting import intake, reading, store
from mamori.drafting.document import deletion_document, disclosure_document, document_text
from mamori.drafting.model import DeletionRequest, DisclosureRequest, DraftFacts, EvidenceRef, draft_invalid
from mamori.drafting.pdf import render_pdf
from mamori.evidence import service as evidence
from mamori.evidence.model import Access

Draft = DeletionRequest | DisclosureRequest
# Who sends through `mamori drafting send`: the command line, run by whoever runs the server.
CLI_ACTOR = "cli"
Sender = Principal | str  # a signed-in person, or CLI_ACTOR


class DraftKind(StrEnum):
    DELETION = "deletion"
    DISCLOSURE = "disclosure"


class OutputFormat(StrEnum):
    PDF = "pdf"
    TEXT = "text"


@dataclass(frozen=True)
class Output:
    """A produced draft: bytes to save or download, with a name and a media type."""

    file_name: str
    media_type: str
    content: bytes


def read_draft(kind: DraftKind, data: Mapping[str, Any]) -> Draft:
    """A checked draft from its JSON form; DomainError (code draft_invalid) names each field to fix."""
    if kind is DraftKind.DELETION:
        return reading.read_deletion(data)
    return reading.read_disclosure(data)


def produce(draft: Draft, fmt: OutputFormat, *, at: dt.datetime) -> Output:
    """The draft as a PDF (laid out like the standard form) or as text to paste, dated `at` in JST."""
    dated = to_jst(at).date()
    checklist = fmt is OutputFormat.PDF
    if isinstance(draft, DeletionRequest):
        doc = deletion_document(draft, dated, checklist=checklist)
        stem = "deletion-request"
    else:
        doc = disclosure_document(draft, dated, checklist=checklist)
        stem = "disclosure-request"
    if fmt is OutputFormat.PDF:
        return Output(f"{stem}-{dated:%Y%m%d}.pdf", "application/pdf", render_pdf(doc))
    return Output(
        f"{stem}-{dated:%Y%m%d}.txt", "text/plain; charset=utf-8", document_text(doc).encode("utf-8")
    )


def evidence_for(owner_type: str, owner_id: str, *, by: Principal, db: Session) -> list[EvidenceRef]:
    """The evidence items of a case or consultation, by SHA-256, for someone who may read them."""
    refs = []
    for item in evidence.items_for(owner_type, owner_id, by=by, db=db):
        when = to_jst(item.captured_at).strftime("%Y-%m-%d %H:%M JST")
        description = f"{item.file_name}（{item.kind}, {when}）"
        refs.append(EvidenceRef(sha256=item.sha256, description=description, url=item.url or ""))
    return refs


def facts_form(facts: DraftFacts) -> dict[str, Any]:
    """A draft's JSON form pre-filled from what a case or consultation knows (to complete, then check)."""
    data: dict[str, Any] = {
        "addressee": facts.service,
        "content_url": facts.content_url,
        "post_number": facts.post_number,
        "content_text": facts.content_text,
        "rights": [right.value for right in facts.rights],
        "rights_other": facts.rights_other,
        "reason": facts.reason,
        "harm": facts.harm,
        "show_name_to_poster": facts.show_name_to_poster,
        "declaration_true": facts.declaration_true,
        "evidence": [
            {"sha256": e.sha256, "description": e.description, "url": e.url} for e in facts.evidence
        ],
    }
    if facts.requester is not None:
        r = facts.requester
        data["requester"] = {"name": r.name, "address": r.address, "email": r.email, "phone": r.phone}
    return data


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class GuidedStep:
    ja: str
    en: str


def guided_steps(service_name: str, form_url: str = "") -> list[GuidedStep]:
    """What to do when the service does not run mamori: its own form, filled from the text draft."""
    where_ja = f"（{form_url}）" if form_url else "（「通報」「報告」「お問い合わせ」などのページ）"
    where_en = f" ({form_url})" if form_url else " (its 'report', '通報' or 'contact' page)"
    return [
        GuidedStep(
            "危険がなければ、まずミュート・ブロックなどで距離を置いてください。",
            "If it is safe, first put distance between you: mute, block, limit replies.",
        ),
        GuidedStep(
            "投稿の URL を控え、画面を保存してください（証拠の SHA-256 は下書きに載っています）。",
            "Note the post's URL and save the page (the draft lists each item's SHA-256).",
        ),
        GuidedStep(
            f"{service_name}の削除依頼フォームを開いてください{where_ja}。",
            f"Open {service_name}'s removal form{where_en}.",
        ),
        GuidedStep(
            "テキスト版の下書きから、フォームの各欄に対応する部分を貼り付けてください（URL、情報、権利、理由）。",
            "Paste the matching parts of the text draft into each field (URL, content, right, reason).",
        ),
        GuidedStep(
            "フォームに添付欄があれば、証拠のファイルと PDF 版を添付してください。",
            "If the form takes attachments, attach the evidence files and the PDF draft.",
        ),
        GuidedStep(
            "送信後の受付番号・受付日時（画面やメール）を控えてください。7日ほどで判断の連絡があるはずです。",
            "Keep the receipt number and time of receipt (on screen or by mail); "
            "a decision should come in about 7 days.",
        ),
    ]


@dataclass(frozen=True)
class Submission:
    """A deletion request sent to a window that runs mamori, and what was last heard of it."""

    id: str
    service: str
    base_url: str
    receipt_number: str
    received_at: dt.datetime
    follow_url: str
    submitted_at: dt.datetime
    status: str | None
    status_checked_at: dt.datetime | None


def _follow_sealer(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key, purpose="drafting-follow-url")


def _bound(row_id: str) -> str:
    return f"drafting_submissions:{row_id}:follow_url"


def _follow_url(row: store.SubmissionRow, settings: Settings) -> str:
    if not row.follow_url.startswith("k1:"):  # recorded before follow URLs were sealed
        return row.follow_url
    url: str = _follow_sealer(settings).open(row.follow_url, bound_to=_bound(row.id))
    return url


def _submission(row: store.SubmissionRow, settings: Settings) -> Submission:
    return Submission(
        id=row.id,
        service=row.service,
        base_url=row.base_url,
        receipt_number=row.receipt_number,
        received_at=row.received_at,
        follow_url=_follow_url(row, settings),
        submitted_at=row.submitted_at,
        status=row.status,
        status_checked_at=row.status_checked_at,
    )


def _ident(by: Sender) -> str:
    return by if isinstance(by, str) else by.actor.ident


def authorize_submission(
    by: Sender, submission_id: str, *, db: Session, change: bool = False
) -> store.SubmissionRow:
    """The sending, if `by` may see it (`change`: ask for its status); NotFound otherwise (module docstring)."""
    row = db.get(store.SubmissionRow, submission_id) if len(submission_id) <= 64 else None
    if row is None:
        raise NotFound("submission", submission_id[:64])
    if row.submitted_by == _ident(by):
        return row
    if isinstance(by, Principal) and row.owner_type and row.owner_id:
        action = Access.change if change else Access.read
        if evidence.may(by, row.owner_type, row.owner_id, action, db=db):
            return row
    raise NotFound("submission", submission_id)


def window_schema(base_url: str, *, settings: Settings, at: dt.datetime) -> dict[str, Any] | None:
    """The JSON Schema of the service's mamori window, or None when it runs none (guided steps then)."""
    return intake.fetch_schema(base_url, allow_private=settings.allow_private_fetch, now=at)


def send_deletion(
    draft: DeletionRequest,
    *,
    base_url: str,
    service: str,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Sender,
    owner: tuple[str, str] | None = None,
) -> Submission:
    """Send a checked deletion request to the window at base_url and record its receipt.

    A case or consultation named as `owner` must be one whose evidence `by` may change. The payload
    is validated against the schema the window publishes before anything is posted.
    """
    if owner is not None:
        if not isinstance(by, Principal):
            raise DomainError(
                code="submission_owner",
                field="owner_id",
                ja="コマンドラインからの送信は案件・相談に結び付けられません。",
                en="A sending from the command line cannot be attached to a case or consultation.",
            )
        evidence.authorize(by, owner[0], owner[1], Access.change, db=db)
    allow_private = settings.allow_private_fetch
    schema = intake.fetch_schema(base_url, allow_private=allow_private, now=at)
    if schema is None:
        raise intake.intake_error(
            "intake_not_found",
            "このアドレスでは mamori の受付窓口が見つかりません。サービス自身のフォームから送ってください。",
            "No mamori window answers at this address: use the service's own form.",
            status=422,
        )
    payload = intake.removal_request_payload(draft, service)
    problems = intake.schema_problems(payload, schema)
    if problems:
        raise draft_invalid(problems)
    receipt = intake.submit(payload, base_url, allow_private=allow_private, now=at)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    row_id = new_id()
    row = store.SubmissionRow(
        id=row_id,
        base_url=base_url,
        service=service,
        payload_sha256=hashlib.sha256(body).hexdigest(),
        receipt_number=receipt.receipt_number,
        received_at=to_utc(receipt.received_at),
        follow_url=_follow_sealer(settings).seal(receipt.follow_url, bound_to=_bound(row_id)),
        submitted_at=at,
        submitted_by=_ident(by),
        owner_type=owner[0] if owner else None,
        owner_id=owner[1] if owner else None,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        at=at,
        actor=by.actor if isinstance(by, Principal) else by,
        action="drafting.submit",
        subject_type="drafting_submission",
        subject_id=row.id,
        receipt_number=receipt.receipt_number,
        base_url=base_url,
    )
    return _submission(row, settings)


def refresh_status(
    submission_id: str, *, by: Sender, db: Session, settings: Settings, at: dt.datetime
) -> Submission:
    """Ask the window for the request's status (its follow URL, as JSON) and keep what it says."""
    row = authorize_submission(by, submission_id, db=db, change=True)
    answer = intake.follow(_follow_url(row, settings), allow_private=settings.allow_private_fetch, now=at)
    status = answer.get("stage") or answer.get("status") or answer.get("state")
    row.status = str(status)[:40] if status is not None else "unknown"
    row.status_checked_at = at
    db.flush()
    return _submission(row, settings)


def get_submission(submission_id: str, *, by: Sender, db: Session, settings: Settings) -> Submission:
    """One recorded sending, for someone who may see it (module docstring); NotFound otherwise."""
    return _submission(authorize_submission(by, submission_id, db=db), settings)

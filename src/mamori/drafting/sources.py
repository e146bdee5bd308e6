"""Where a draft's facts come from: a platform case or a counsellor's consultation record.

Each function maps what the source already knows onto `DraftFacts`, through the owning capability's
service (never its tables), so every read of personal data is audited there with its purpose. Who
may draft from what: a case, the platform staff who may read cases (`case.read`); a consultation,
those it is shared with (`consult.service.authorize_record`: 404 for anyone else). The evidence
listed is what `evidence.service` lets the same person read. The declaration stays unticked: the
requester confirms a new document themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.auth import Principal
from mamori.core.config import Settings
from mamori.core.errors import Forbidden
from mamori.drafting.model import RIGHT_LABELS, DraftFacts, EvidenceRef, Requester, Right
from mamori.drafting.service import evidence_for, facts_form

PURPOSE = "drafting a deletion or disclosure request"

# The platform core stores rights by their Japanese names (mamori.requests.model.Right values).
RIGHT_BY_JAPANESE_NAME: dict[str, Right] = {ja: right for right, (ja, _en) in RIGHT_LABELS.items()}

# What a consultation was about → the right a request would name (only where the mapping is plain).
RIGHT_BY_CATEGORY: dict[str, Right] = {
    "defamation": Right.HONOUR,
    "insult": Right.HONOUR_FEELING,
    "privacy": Right.PRIVACY,
    "image": Right.PORTRAIT,
    "threat": Right.PEACEFUL_LIFE,
}


def _merge_evidence(first: list[EvidenceRef], second: list[EvidenceRef]) -> list[EvidenceRef]:
    """Both lists, each SHA-256 once, in order."""
    seen: set[str] = set()
    merged = []
    for ref in [*first, *second]:
        if ref.sha256 not in seen:
            seen.add(ref.sha256)
            merged.append(ref)
    return merged


def _attached_evidence(raw: str) -> list[EvidenceRef]:
    """The hashes the requester attached to their request (the case's own evidence list)."""
    refs = []
    for entry in json.loads(raw or "[]"):
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
            refs.append(
                EvidenceRef(
                    sha256=entry["sha256"].lower(),
                    description=str(entry.get("description") or ""),
                    url=str(entry.get("url") or ""),
                )
            )
    return refs


def facts_from_case(
    case_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Principal
) -> DraftFacts:
    """A removal request received by the platform, as the facts of a new draft (requester read audited)."""
    from mamori.requests import service as requests

    if not by.may("case.read"):
        raise Forbidden(ja="案件は担当者だけが開けます。", en="Cases are for the platform's staff.")
    case = requests.get_case_row(db, case_id)
    person = requests.requester_of(case, settings=settings, db=db, at=at, by=by.actor, purpose=PURPOSE)
    rights = [RIGHT_BY_JAPANESE_NAME[r] for r in case.rights_list if r in RIGHT_BY_JAPANESE_NAME]
    texts = requests.case_texts(case, settings)
    return DraftFacts(
        service=settings.platform_name,
        content_url=case.content_url,
        content_text=texts.content_text,
        rights=rights,
        reason=texts.reason,
        requester=Requester(name=person.name, address=person.address, email=person.email, phone=person.phone),
        show_name_to_poster=case.show_name_to_poster,
        evidence=_merge_evidence(
            evidence_for("case", case.id, by=by, db=db), _attached_evidence(case.evidence)
        ),
    )


def _service_name(service_id: str) -> str:
    from mamori.consult.catalogue import consult_map

    guide = consult_map().services.get(service_id)
    return guide.name.ja if guide is not None else ""


def facts_from_consultation(
    record_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Principal
) -> DraftFacts:
    """A consultation record as the facts of a new draft (the record's read is audited by consult).

    The counsellor's summary is not copied: a deletion request may be shown to the poster as written.
    The post's address is taken from the first server capture attached to the consultation.
    """
    from mamori.consult import service as consult

    consult.authorize_record(by, record_id, db=db)
    view = consult.read_consultation(record_id, by=by, db=db, at=at, secret_key=settings.secret_key)
    evidence = evidence_for("consultation", record_id, by=by, db=db)
    rights = [RIGHT_BY_CATEGORY[c] for c in view.row.category_list if c in RIGHT_BY_CATEGORY]
    requester = None
    if view.content is not None and not view.content.contact.anonymous:
        contact = view.content.contact
        requester = Requester(name=contact.name, address="", email=contact.email, phone=contact.phone)
    return DraftFacts(
        service=_service_name(view.row.service),
        content_url=next((e.url for e in evidence if e.url), ""),
        rights=list(dict.fromkeys(rights)),
        requester=requester,
        evidence=evidence,
    )


def form_values(facts: DraftFacts) -> dict[str, Any]:
    """The facts as the drafting form's field values (the names `pages.draft_from_form` reads back)."""
    values = facts_form(facts)
    for key, value in values.pop("requester", {}).items():
        values[f"requester.{key}"] = value
    values["evidence"] = "\n".join(
        " ".join(part for part in (e["sha256"], e["description"], e["url"]) if part)
        for e in values["evidence"]
    )
    shown = values["show_name_to_poster"]
    values["show_name_to_poster"] = None if shown is None else ("yes" if shown else "no")
    values.pop("declaration_true")  # the requester ticks it on the form, never the record
    return values

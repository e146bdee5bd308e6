"""Removed → banked by the job → an edited repost checked through the API opens a review item with the
original decision and the differences → a person confirms (Art. 27 notice citing the same clause reaches
the poster) or dismisses. Nothing is ever removed by a match. Both databases."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.audit import AuditRow
from mamori.core.clock import FixedClock
from mamori.reposts import jobs, media, service, store, variants
from mamori.worker import deliver_due
from tests.conftest import loud_skip
from tests.factories import make_criteria, make_service, make_staff, request_payload
from tests.support.smtp import MailSink, body_text

REASON = "投稿は具体的な事実を摘示して申出者の社会的評価を低下させ、公益性も認められないため。"
REMOVED = (
    "渋谷の市役所で働いている山田花子は会社の金を横領している犯罪者だ。証拠のスクショもある。みんな拡散して"
)
REPOST = "【拡散】渋谷の市役所で働いているﾔﾏﾀﾞ花子は\n会社の金を横領してる犯罪者だ😡😡 証拠のスクショもある！！みんな拡散して"
UNRELATED = "今日は渋谷で友だちと映画を見て、駅前のカフェでご飯を食べました。楽しかった！"


def headers(db: Session, roles: list[str]) -> dict[str, str]:
    _user, token = make_staff(db, roles)
    return {"Authorization": f"Bearer {token}"}


def removed_case(client: Any, db: Session, clock: FixedClock, specialist: dict[str, str]) -> dict[str, Any]:
    make_service(db)
    make_criteria(db)
    case = client.post("/api/v1/removal-requests", json=request_payload(content_text=REMOVED)).json()
    poster = {"account_id": "acct-1", "email": "first-poster@example.com"}
    assert (
        client.post(f"/api/v1/cases/{case['id']}/poster", json=poster, headers=specialist).status_code == 204
    )
    clock.advance(days=1)
    decided = client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "remove", "criteria_version": "2026.1", "clause": "2.1", "reason": REASON},
    )
    assert decided.status_code == 201, decided.text
    return {"case": case, "decision_id": decided.json()["decision_id"]}


def check(client: Any, h: dict[str, str], *posts: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/api/v1/reposts/check", json={"posts": list(posts)}, headers=h)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_an_edited_repost_of_removed_content_opens_a_linked_review_item_and_unrelated_posts_do_not(
    client: Any, db: Session, clock: FixedClock, settings: Any, session_factory: Any
) -> None:
    specialist = headers(db, ["specialist"])
    removed = removed_case(client, db, clock, specialist)
    assert check(client, specialist, {"ref": "p-0", "text": REPOST})[0]["matched"] is False  # not banked yet
    assert jobs.bank_removals(session_factory, settings, clock) == 1
    assert jobs.bank_removals(session_factory, settings, clock) == 0  # banked once
    fp = db.scalar(select(store.FingerprintRow))
    assert fp is not None and fp.decision_id == removed["decision_id"] and fp.clause_code == "2.1"
    assert REMOVED not in (fp.signature or "") and "山田" not in str(fp.__dict__)  # hashes, no text

    repost, unrelated = check(
        client,
        specialist,
        {"ref": "p-1", "text": REPOST, "url": "https://board.example/t/9#p1"},
        {"ref": "p-2", "text": UNRELATED},
    )
    assert repost["matched"] and repost["via"] == "text" and repost["decision_id"] == removed["decision_id"]
    assert repost["similarity"] >= settings.repost_match_threshold
    assert unrelated["matched"] is False
    again = check(client, specialist, {"ref": "p-1", "text": REPOST})[0]
    assert again["match_id"] == repost["match_id"]  # the same post does not open a second item

    item = client.get(f"/api/v1/reposts/matches/{repost['match_id']}", headers=specialist).json()
    assert item["status"] == "open"
    assert item["original"]["decision_id"] == removed["decision_id"] and item["original"]["clause"] == "2.1"
    assert item["original"]["text"] == REMOVED and item["post_text"] == REPOST
    changed = [d for d in item["diff"] if d["kind"] != "equal"]
    assert any("【拡散】" in d["new"] for d in changed) and any("山田" in d["original"] for d in changed)
    assert "".join(d["original"] for d in item["diff"]) == REMOVED
    assert "".join(d["new"] for d in item["diff"]) == REPOST
    reads = db.scalars(select(AuditRow).where(AuditRow.action == "repost.match_read")).all()
    assert reads and all(r.personal_data for r in reads)


def test_confirming_cites_the_same_clause_and_the_poster_is_told_under_art_27(
    client: Any, db: Session, clock: FixedClock, settings: Any, session_factory: Any, mail: MailSink
) -> None:
    specialist = headers(db, ["specialist"])
    removed_case(client, db, clock, specialist)
    jobs.bank_removals(session_factory, settings, clock)
    (result,) = check(
        client, specialist, {"ref": "p-1", "text": REPOST, "url": "https://board.example/t/9#p1"}
    )
    bad = client.post(
        f"/api/v1/reposts/matches/{result['match_id']}/confirm",
        headers=specialist,
        json={"poster_email": "not an address"},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "poster_email"
    assert db.get(store.MatchRow, result["match_id"]).status == "open"  # type: ignore[union-attr]
    confirmed = client.post(
        f"/api/v1/reposts/matches/{result['match_id']}/confirm",
        headers=specialist,
        json={"poster_email": "reposter@example.com", "note": "同じ内容の再投稿"},
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["clause"] == "2.1" and body["criteria_version"] == "2026.1"
    assert body["notice_id"]
    twice = client.post(f"/api/v1/reposts/matches/{result['match_id']}/dismiss", headers=specialist, json={})
    assert twice.status_code == 409
    deliver_due(session_factory, settings, clock)
    (notice,) = mail.to("reposter@example.com")
    text = body_text(notice)
    assert (
        "第27条" in text
        and "2026.1" in text
        and "第2.1項" in text
        and "他人の社会的評価を低下させる投稿" in text
    )
    assert "https://board.example/t/9#p1" in text
    assert REMOVED not in text  # the notice names the post, not the removed content


def test_dismissing_leaves_the_post_alone_and_is_audited(
    client: Any, db: Session, clock: FixedClock, settings: Any, session_factory: Any
) -> None:
    specialist = headers(db, ["specialist"])
    removed_case(client, db, clock, specialist)
    jobs.bank_removals(session_factory, settings, clock)
    (result,) = check(client, specialist, {"ref": "p-1", "text": REPOST})
    gone = client.post(
        f"/api/v1/reposts/matches/{result['match_id']}/dismiss",
        headers=specialist,
        json={"note": "引用して批判"},
    )
    assert gone.status_code == 200 and gone.json()["status"] == "dismissed"
    assert db.scalar(select(AuditRow).where(AuditRow.action == "repost.dismissed")) is not None
    listed = client.get("/api/v1/reposts/matches?status=dismissed", headers=specialist).json()["matches"]
    assert [m["id"] for m in listed] == [result["match_id"]]


def test_a_removal_reversed_on_appeal_leaves_the_bank(
    client: Any, db: Session, clock: FixedClock, settings: Any, session_factory: Any
) -> None:
    specialist = headers(db, ["specialist"])
    removed = removed_case(client, db, clock, specialist)
    jobs.bank_removals(session_factory, settings, clock)
    decision = db.get(service.decisions.DecisionRecord, removed["decision_id"])
    assert decision is not None
    reversal = service.decisions.DecisionRecord(
        case_id=decision.case_id,
        measure="no_action",
        criteria_version_id=decision.criteria_version_id,
        clause_code=None,
        reason="異議を認め、削除を取り消します。",
        decided_at=clock.now() + dt.timedelta(days=3),
        decided_by="user:other",
        supersedes=decision.id,
        basis="appeal_by_poster",
    )
    db.add(reversal)
    db.flush()
    assert service.bank_removals(db=db, settings=settings, at=clock.now()) == 1
    assert db.scalar(select(store.FingerprintRow)) is None
    assert check(client, specialist, {"ref": "p-1", "text": REPOST})[0]["matched"] is False


def test_too_many_posts_in_one_batch_are_refused_whole(client: Any, db: Session) -> None:
    specialist = headers(db, ["specialist"])
    posts = [{"ref": f"p-{i}", "text": "x"} for i in range(service.MAX_POSTS_PER_BATCH + 1)]
    response = client.post("/api/v1/reposts/check", json={"posts": posts}, headers=specialist)
    assert response.status_code == 422
    assert db.scalar(select(store.MatchRow)) is None


def photo(seed: int) -> bytes:
    """A photo-like picture (smooth colour fields), as PNG."""
    from PIL import Image

    pixels = (np.random.default_rng(seed).random((12, 16, 3)) * 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).resize((640, 480), Image.Resampling.BICUBIC).save(out, format="PNG")
    return out.getvalue()


def png_to_jpeg_smaller(data: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.resize((image.width * 3 // 4, image.height * 3 // 4)).save(out, format="JPEG", quality=70)
    return out.getvalue()


def test_a_banked_image_is_found_resized_and_a_screenshot_of_the_text_is_read_by_ocr(
    client: Any, db: Session, clock: FixedClock, settings: Any, session_factory: Any
) -> None:
    font = media.japanese_font_path()
    assert font is not None, "install fonts-noto-cjk or fonts-ipaexfont"
    specialist = headers(db, ["specialist"])
    removed = removed_case(client, db, clock, specialist)
    jobs.bank_removals(session_factory, settings, clock)
    picture = photo(3)
    banked = client.post(
        "/api/v1/reposts/bank/images",
        json={"decision_id": removed["decision_id"], "image_base64": base64.b64encode(picture).decode()},
        headers=headers(db, ["administrator"]),
    )
    assert banked.status_code == 201, banked.text
    assert (
        client.post(
            "/api/v1/reposts/bank/images",
            json={"decision_id": removed["decision_id"], "image_base64": base64.b64encode(picture).decode()},
            headers=specialist,
        ).status_code
        == 403
    )
    (by_image,) = check(
        client,
        specialist,
        {"ref": "img-1", "image_base64": base64.b64encode(png_to_jpeg_smaller(picture)).decode()},
    )
    assert (
        by_image["matched"]
        and by_image["via"] == "image"
        and by_image["decision_id"] == removed["decision_id"]
    )
    (other,) = check(
        client, specialist, {"ref": "img-3", "image_base64": base64.b64encode(photo(4)).decode()}
    )
    assert other["matched"] is False
    if not media.ocr_available():
        loud_skip("tesseract with its Japanese model (tesseract-ocr-jpn) is not installed")
    shot = variants.screenshot(REPOST, font)
    (by_ocr,) = check(client, specialist, {"ref": "img-2", "image_base64": base64.b64encode(shot).decode()})
    assert by_ocr["matched"] and by_ocr["via"] == "ocr" and by_ocr["clause_code"] == "2.1"
    item = client.get(f"/api/v1/reposts/matches/{by_ocr['match_id']}", headers=specialist).json()
    assert "横領" in item["post_text"]  # what OCR read is what the reviewer compares


def test_an_image_that_is_not_an_image_is_refused(client: Any, db: Session) -> None:
    specialist = headers(db, ["specialist"])
    bad = client.post(
        "/api/v1/reposts/check",
        json={"posts": [{"ref": "x", "image_base64": base64.b64encode(b"not a picture").decode()}]},
        headers=specialist,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "image"

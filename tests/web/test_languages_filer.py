"""The removal-request form sent in やさしい日本語 records the filer's language, so the receipt mail is the
Japanese receipt with a plain summary (needs /tmp/ja-easy-filers.patch applied)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.notices import service as notices
from mamori.requests import service as requests
from tests.web.test_languages import FORM
from tests.workspace import support


def test_a_request_sent_in_plain_japanese_gets_its_receipt_mail_with_a_plain_summary(
    client: Any, db: Session, settings: Settings
) -> None:
    support.board(db)
    db.flush()
    form_page = client.get("/request?lang=ja-easy").text
    token = form_page.split('name="csrf_token" value="')[1].split('"')[0]
    receipt = client.post("/request?lang=ja-easy", data={**FORM, "csrf_token": token})
    number = re.search(r'id="receipt-number"[^>]*>\s*([\w-]+)', receipt.text)
    assert number
    case = requests.case_by_receipt(db, number.group(1))
    assert case is not None and case.lang == "ja-easy"
    (mail,) = [n for n in notices.for_case(db, case.id) if n.kind == "receipt"]
    body = notices.body_of(mail, requests.sealer_for(settings))
    assert "削除の申出を受け付けました" in mail.subject and "うけつけ ばんごうは" in body

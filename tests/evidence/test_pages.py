"""The staff evidence pages: sign-in prompt, upload, item, downloads in the ledger, hand-over, deletion,
ledger check, ja/en, and every page text in the evidence catalogues."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.auth import Principal
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.evidence import service
from mamori.evidence.model import LedgerAction
from mamori.evidence.settings import evidence_settings
from mamori.evidence.vault import MAGIC
from mamori.worker import tick
from tests.evidence.factories import a_case, a_consultation, person

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "mamori" / "evidence" / "templates" / "evidence"
LOCALE = ROOT / "src" / "mamori" / "locale"


def png(colour: tuple[int, int, int] = (0, 120, 0)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(buf, format="PNG")
    return buf.getvalue()


def signed_in(client: Any, db: Session, clock: FixedClock, role: str) -> Principal:
    someone = person(db, role, clock.now())
    someone.signed_in(client)
    return someone.principal


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


@pytest.fixture
def counsellor(client: Any, db: Session, clock: FixedClock) -> Principal:
    """A counsellor signed in on `client`."""
    return signed_in(client, db, clock, "counsellor")


@pytest.fixture
def owner(counsellor: Principal, db: Session, clock: FixedClock, settings: Settings) -> dict[str, str]:
    """The signed-in counsellor's consultation: the owner of the evidence."""
    return {"owner_type": "consultation", "owner_id": a_consultation(db, counsellor, settings, clock.now())}


def upload(client: Any, owner: dict[str, str], content: bytes | None = None, name: str = "shot.png") -> Any:
    page = client.get("/evidence", params=owner)
    return client.post(
        "/evidence/uploads",
        data={**owner, "reason": "相談者が保存", "csrf_token": csrf(page.text)},
        files={"file": (name, content or png(), "image/png")},
        follow_redirects=False,
    )


def items(db: Session, owner: dict[str, str], by: Principal) -> list[Any]:
    return service.items_for(owner["owner_type"], owner["owner_id"], by=by, db=db)


def test_a_visitor_is_asked_to_sign_in_and_told_how_to_save_evidence(client: Any) -> None:
    answer = client.get("/evidence")
    assert answer.status_code == 401
    assert "スクリーンショット" in answer.text and "/login?next=" in answer.text
    assert client.get("/evidence/ledger?lang=en").status_code == 401


def test_a_reader_who_may_not_capture_sees_no_capture_or_upload_form(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    signed_in(client, db, clock, "legal_officer")  # reads a case's evidence, adds none
    page = client.get(
        "/evidence", params={"owner_type": "case", "owner_id": a_case(db, settings, clock.now())}
    )
    assert page.status_code == 200
    assert 'action="/evidence/uploads' not in page.text and 'action="/evidence/captures' not in page.text


def test_an_upload_from_the_form_shows_the_item_with_its_hash(
    client: Any, db: Session, counsellor: Principal, owner: dict[str, str]
) -> None:
    created = upload(client, owner)
    assert created.status_code == 303, created.text
    item_page = client.get(created.headers["location"])
    assert item_page.status_code == 200
    item = items(db, owner, counsellor)[0]
    assert item.sha256 in item_page.text and "アップロード" in item_page.text
    assert f"/evidence/items/{item.id}/thumbnail.png" in item_page.text
    thumb = client.get(f"/evidence/items/{item.id}/thumbnail.png")
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")
    listing = client.get("/evidence", params={**owner, "lang": "en"})
    assert item.sha256[:16] in listing.text and "Evidence report (PDF)" in listing.text


def test_a_download_enters_the_ledger_as_an_export(
    client: Any, db: Session, counsellor: Principal, owner: dict[str, str]
) -> None:
    upload(client, owner)
    item = items(db, owner, counsellor)[0]
    answer = client.get(f"/evidence/items/{item.id}/files/{item.file_name}")
    assert answer.status_code == 200 and answer.content == png()
    assert client.get(f"/evidence/items/{item.id}/files/..%2Fsecret").status_code == 404
    from mamori.evidence import store

    actions = [e.action for e in store.ledger_entries(db, item_id=item.id)]
    assert actions == [LedgerAction.upload, LedgerAction.export]


def test_hand_over_and_deletion_need_their_fields_and_are_recorded(
    client: Any, db: Session, counsellor: Principal, owner: dict[str, str]
) -> None:
    upload(client, owner)
    item = items(db, owner, counsellor)[0]
    page = client.get(f"/evidence/items/{item.id}").text
    token = csrf(page)
    missing = client.post(f"/evidence/items/{item.id}/handover", data={"csrf_token": token, "recipient": " "})
    assert missing.status_code == 422 and "渡した相手を入力してください" in missing.text
    handed = client.post(
        f"/evidence/items/{item.id}/handover",
        data={"csrf_token": token, "recipient": "山田弁護士", "reason": "訴訟準備"},
        follow_redirects=False,
    )
    assert handed.status_code == 303
    assert "引き渡しを台帳に記録しました" in client.get(handed.headers["location"]).text
    no_reason = client.post(f"/evidence/items/{item.id}/delete?lang=en", data={"csrf_token": token})
    assert no_reason.status_code == 422 and "Give a reason." in no_reason.text
    deleted = client.post(
        f"/evidence/items/{item.id}/delete",
        data={"csrf_token": token, "reason": "本人の求め"},
        follow_redirects=False,
    )
    assert deleted.status_code == 303 and f"owner_id={owner['owner_id']}" in deleted.headers["location"]
    assert items(db, owner, counsellor) == []
    after = client.get(f"/evidence/items/{item.id}?lang=ja")
    assert after.status_code == 200 and "ファイルは削除されました" in after.text
    assert 'name="recipient"' not in after.text


def test_a_form_post_without_the_csrf_token_is_refused(client: Any, owner: dict[str, str]) -> None:
    refused = client.post("/evidence/uploads", data=owner, files={"file": ("s.png", png(), "image/png")})
    assert refused.status_code == 403


def test_an_upload_that_is_not_an_image_video_or_audio_is_shown_again_with_the_reason(
    client: Any, db: Session, counsellor: Principal, owner: dict[str, str]
) -> None:
    answer = upload(client, owner, content=b"#!/bin/sh\necho hi\n", name="x.sh")
    assert answer.status_code == 422
    assert 'class="errors"' in answer.text
    assert items(db, owner, counsellor) == []


def test_the_ledger_page_says_the_chain_is_intact(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, clock, "auditor")
    ja = client.get("/evidence/ledger")
    assert ja.status_code == 200 and "台帳は改ざんされていません" in ja.text
    en = client.get("/evidence/ledger?lang=en")
    assert "The ledger is intact" in en.text


def test_an_unknown_owner_type_is_named_on_the_page(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, clock, "counsellor")
    answer = client.get("/evidence", params={"owner_type": "tweet", "owner_id": "1"})
    assert answer.status_code == 422 and "case (案件) か consultation (相談)" in answer.text


# ---------------------------------------------------------------- capture (Chromium, loopback page)


@pytest.fixture
def capturing_client(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app
    from tests.conftest import CHROMIUM, loud_skip

    if not Path(CHROMIUM).exists():
        loud_skip(f"evidence capture pages: no Chromium at {CHROMIUM}")
    test_settings = settings.model_copy(update={"allow_private_fetch": True, "chromium": Path(CHROMIUM)})
    with TestClient(create_app(test_settings, clock=clock, session_factory=session_factory)) as client:
        yield client


@pytest.mark.browser
def test_a_capture_from_the_form_shows_hashes_banded_screenshot_and_what_is_still_needed(
    capturing_client: Any,
    db: Session,
    clock: FixedClock,
    site: Any,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    client = capturing_client
    specialist = signed_in(client, db, clock, "specialist")
    case_id = a_case(db, settings, clock.now())
    page = client.get("/evidence", params={"owner_type": "case", "owner_id": case_id})
    answer = client.post(
        "/evidence/captures",
        data={
            "owner_type": "case",
            "owner_id": case_id,
            "url": f"{site.base}/post",
            "csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:2000]
    # the form answers at once: the capture waits for a worker, and its page refreshes itself
    assert answer.headers["location"].startswith("/evidence/captures/")
    waiting = client.get(answer.headers["location"], follow_redirects=False)
    assert waiting.status_code == 200 and '<meta http-equiv="refresh"' in waiting.text
    assert 'id="capture-state"' in waiting.text and "順番を待っています" in waiting.text
    assert service.items_for("case", case_id, by=specialist, db=db) == []
    report = tick(session_factory, client.app.state.settings, clock, queues=["captures"])
    assert report.results["evidence.captures"] == {"done": 1}, report
    done = client.get(answer.headers["location"], follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/evidence/items/")
    shown = client.get(done.headers["location"]).text
    item = service.items_for("case", case_id, by=specialist, db=db)[0]
    assert item.sha256 in shown and "山田太郎" in shown and "@yamada_taro" in shown
    assert "screenshot-banded.png" in shown and "capture.wacz" in shown
    assert 'id="still-needed"' in shown
    banded = client.get(f"/evidence/items/{item.id}/files/screenshot-banded.png")
    assert banded.status_code == 200 and banded.content.startswith(b"\x89PNG")
    assert f"/drafting/deletion?case={case_id}" in shown
    stored = sorted((evidence_settings(settings).root / "items" / item.id).iterdir())
    assert [p.name for p in stored] == sorted(
        [
            "capture.wacz",
            "metadata.json",
            "page.html",
            "screenshot-banded.png",
            "screenshot.png",
            "signature.json",
        ]
    )
    for path in stored:  # every file of the package is sealed at rest; a download is the original
        assert path.read_bytes().startswith(MAGIC) and "山田太郎".encode() not in path.read_bytes()
    wacz = client.get(f"/evidence/items/{item.id}/files/capture.wacz").content
    assert hashlib.sha256(wacz).hexdigest() == item.sha256


def test_a_refused_address_is_shown_on_the_form(client: Any, owner: dict[str, str]) -> None:
    page = client.get("/evidence", params=owner)
    answer = client.post(
        "/evidence/captures",
        data={**owner, "url": "http://127.0.0.1:9/secret", "csrf_token": csrf(page.text)},
    )
    assert answer.status_code == 422
    assert 'value="http://127.0.0.1:9/secret"' in answer.text and 'class="errors"' in answer.text


# ---------------------------------------------------------------- catalogues


def msgids_in_templates() -> set[str]:
    found: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', template.read_text(encoding="utf-8")))
        found |= set(re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", template.read_text(encoding="utf-8")))
    return found | {"capture", "upload", "redaction"}  # item kinds, translated as _(item.kind.value)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_text_of_the_evidence_pages_is_in_the_catalogue(lang: str) -> None:
    with (LOCALE / lang / "LC_MESSAGES" / "evidence.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = msgids_in_templates() - translated
    assert not missing, sorted(missing)

"""The reviewers' workspace pages in ja and en: the list of matches, the side-by-side review with its
confirm/dismiss form, the pile-ons with their chart (PNG) and the measures form; sign-in and roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.reposts import jobs, store
from mamori.web.csrf import session_csrf_token
from tests.factories import STAFF_PASSWORD, make_staff
from tests.reposts.test_matching import REPOST, check, headers, removed_case
from tests.reposts.test_pileons import ABUSE, reply, send


def sign_in(client: Any, db: Session, roles: list[str]) -> str:
    user, _token = make_staff(db, roles, f"{'-'.join(roles)}@pages.example.jp")
    client.get("/login")
    token = client.cookies.get("mamori_csrf").split(".")[0]
    answer = client.post(
        "/login",
        data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return session_csrf_token(Settings().secret_key, client.cookies.get("mamori_session"))


def match_id(client: Any, db: Session, clock: Any, settings: Any, session_factory: Any) -> str:
    specialist = headers(db, ["specialist"])
    removed_case(client, db, clock, specialist)
    jobs.bank_removals(session_factory, settings, clock)
    return str(check(client, specialist, {"ref": "p-1", "text": REPOST})[0]["match_id"])


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ja", ["再投稿の照合", "確認: 再投稿である", "削除基準 2026.1 第2.1項"]),
        ("en", ["Repost matches", "Confirm: it is a repost", "Criteria 2026.1, clause 2.1"]),
    ],
)
def test_a_reviewer_sees_the_match_side_by_side_and_confirms_it(
    client: Any, db: Session, clock: Any, settings: Any, session_factory: Any, lang: str, words: list[str]
) -> None:
    mid = match_id(client, db, clock, settings, session_factory)
    csrf = sign_in(client, db, ["reviewer"])
    listing = client.get(f"/reposts?lang={lang}")
    assert (
        listing.status_code == 200 and words[0] in listing.text and f"/reposts/matches/{mid}" in listing.text
    )
    page = client.get(f"/reposts/matches/{mid}?lang={lang}")
    assert page.status_code == 200
    assert words[1] in page.text and words[2] in page.text
    assert '<table id="diff">' in page.text and "<ins>" in page.text and "<del>" in page.text
    assert 'name="csrf_token"' in page.text
    done = client.post(
        f"/reposts/matches/{mid}?lang={lang}",
        data={"action": "confirm", "note": "", "poster_email": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    row = db.get(store.MatchRow, mid)
    assert row is not None and row.status == "confirmed" and row.clause_code == "2.1"
    assert 'id="resolution"' in client.get(f"/reposts/matches/{mid}?lang={lang}").text


def test_a_bad_address_on_the_form_is_shown_and_nothing_changes(
    client: Any, db: Session, clock: Any, settings: Any, session_factory: Any
) -> None:
    mid = match_id(client, db, clock, settings, session_factory)
    csrf = sign_in(client, db, ["specialist"])
    answer = client.post(
        f"/reposts/matches/{mid}?lang=en",
        data={"action": "confirm", "poster_email": "nope", "csrf_token": csrf},
    )
    assert answer.status_code == 422 and "Invalid email address." in answer.text
    assert db.get(store.MatchRow, mid).status == "open"  # type: ignore[union-attr]


def test_the_auditor_reads_but_gets_no_review_form(
    client: Any, db: Session, clock: Any, settings: Any, session_factory: Any
) -> None:
    mid = match_id(client, db, clock, settings, session_factory)
    csrf = sign_in(client, db, ["auditor"])
    page = client.get(f"/reposts/matches/{mid}")
    assert page.status_code == 200 and 'value="confirm"' not in page.text
    refused = client.post(f"/reposts/matches/{mid}", data={"action": "dismiss", "csrf_token": csrf})
    assert refused.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: Any) -> None:
    for path in ("/reposts", "/reposts/pileons"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_pile_on_page_shows_its_drivers_a_chart_and_records_the_measures_offered(
    client: Any, db: Session, clock: Any, lang: str
) -> None:
    now = clock.now()
    burst = [
        reply(
            i, "@t", f"troll{i % 2}", now - dt.timedelta(minutes=30) + dt.timedelta(minutes=i), ABUSE[i % 3]
        )
        for i in range(15)
    ]
    (pid,) = send(client, headers(db, ["specialist"]), burst)["pileons"]
    csrf = sign_in(client, db, ["specialist"])
    listing = client.get(f"/reposts/pileons?lang={lang}")
    assert listing.status_code == 200 and f"/reposts/pileons/{pid}" in listing.text
    page = client.get(f"/reposts/pileons/{pid}?lang={lang}")
    assert page.status_code == 200 and 'id="drivers"' in page.text and "troll0" in page.text
    assert ("返信できる人を制限する" if lang == "ja" else "Limit who can reply") in page.text
    chart = client.get(f"/reposts/pileons/{pid}/chart.png?lang={lang}")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content[:8] == b"\x89PNG\r\n\x1a\n"
    none_chosen = client.post(f"/reposts/pileons/{pid}?lang={lang}", data={"csrf_token": csrf})
    assert none_chosen.status_code == 422
    done = client.post(
        f"/reposts/pileons/{pid}?lang={lang}",
        data={"measures": ["limit_replies", "pause_notifications"], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'id="offered"' in client.get(f"/reposts/pileons/{pid}?lang={lang}").text

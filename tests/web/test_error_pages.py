"""Every error a browser meets is a page in the visitor's language with a way on; the API keeps JSON."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from tests.factories import make_staff

PAGE = {"Accept": "text/html,application/xhtml+xml"}


def test_an_unknown_address_is_a_page_in_japanese_with_a_way_home(client: Any) -> None:
    response = client.get("/no-such-page", headers=PAGE)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'lang="ja"' in response.text and "ページが見つかりません" in response.text
    assert 'href="/?lang=ja"' in response.text


def test_an_unknown_address_is_in_english_for_an_english_visitor(client: Any) -> None:
    response = client.get("/no-such-page?lang=en", headers=PAGE)
    assert response.status_code == 404 and "We could not find this page" in response.text
    assert 'lang="en"' in response.text and '{"detail"' not in response.text


def test_the_api_keeps_json_for_an_unknown_address(client: Any) -> None:
    response = client.get("/api/v1/no-such-thing", headers=PAGE)
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    assert client.get("/no-such-page").json() == {"detail": "Not Found"}  # not a browser: JSON


def test_a_method_not_allowed_is_a_page(client: Any) -> None:
    response = client.delete("/healthz", headers=PAGE)
    assert response.status_code == 405 and "この方法では使えません" in response.text


def test_a_signed_out_browser_on_any_page_is_sent_to_sign_in(client: Any) -> None:
    response = client.get("/consult/dashboard?x=1", headers=PAGE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_a_forbidden_page_offers_sign_in_with_another_account(client: Any, db: Session) -> None:
    from mamori.core import auth

    user, _token = make_staff(db, ["counsellor"])
    cookie, _csrf = auth.start_session(user, db=db, at=client.app.state.clock.now())
    db.flush()
    client.cookies.set("mamori_session", cookie)
    response = client.get("/workspace", headers=PAGE)
    assert (
        response.status_code == 403
        and 'href="/login' in response.text
        and 'href="/?lang=ja"' in response.text
    )


@pytest.fixture
def failing_client(settings: Settings, clock: FixedClock, session_factory: Any) -> Any:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app
    from mamori.web.deps import PUBLIC

    app = create_app(settings, clock=clock, session_factory=session_factory)

    @app.get("/boom", dependencies=[PUBLIC])
    @app.get("/api/v1/boom", dependencies=[PUBLIC])
    def boom() -> None:
        raise RuntimeError("secret-internal-detail")

    @app.get("/typed", dependencies=[PUBLIC])
    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_server_error_is_a_page_without_the_traceback(failing_client: Any) -> None:
    response = failing_client.get("/boom?lang=en", headers=PAGE)
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in response.text
    assert "secret-internal-detail" not in response.text and "Traceback" not in response.text


def test_a_server_error_in_the_api_is_json_without_the_detail(failing_client: Any) -> None:
    response = failing_client.get("/api/v1/boom", headers=PAGE)
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert "secret-internal-detail" not in response.text


def test_an_unreadable_query_on_a_page_is_a_page_and_json_for_the_api(failing_client: Any) -> None:
    page = failing_client.get("/typed?n=x", headers=PAGE)
    assert page.status_code == 422 and "送られた内容を読み取れませんでした" in page.text
    assert failing_client.get("/typed?n=x").headers["content-type"].startswith("application/json")

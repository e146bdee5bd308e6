"""Two running mamori over loopback, each on a database of its own: a hotline's desk and a platform.

The desk notifies the platform into its trusted channel with the key the platform issued; the platform's
specialist decides through the decisions service; the desk sees the outcome; a revoked key is refused
at once. Real uvicorn servers, real HTTP (httpx), no part faked."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from mamori.channels import service as channels
from mamori.core import auth
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.hotline import service as hotline
from mamori.hotline.store import HotlineNoticeRow, HotlineReportRow
from mamori.requests import service as requests
from mamori.web.app import create_app
from mamori.web.csrf import session_csrf_token
from tests.channels.support import ADMIN
from tests.conftest import LiveServer, _create_pg_database, _drop_pg_database
from tests.hotline import support as hotline_support
from tests.workspace import support

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)


@pytest.fixture
def second_database_url(
    migrated_database: tuple[str, str], postgres_server: str | None, tmp_path: Path
) -> Iterator[str]:
    """Another database of its own (the hotline's), on the same backend as fresh_database_url."""
    backend, template_url = migrated_database
    if backend == "sqlite":
        dst = tmp_path / "hotline.db"
        shutil.copyfile(Path(template_url.removeprefix("sqlite:///")), dst)
        yield f"sqlite:///{dst}"
        return
    assert postgres_server is not None
    name = f"mamori_h_{uuid.uuid4().hex[:10]}"
    yield _create_pg_database(postgres_server, name, template=template_url.rpartition("/")[2])
    _drop_pg_database(postgres_server, name)


def test_the_desk_notifies_a_platform_that_decides_and_the_desk_sees_the_outcome(
    fresh_database_url: str, second_database_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(AT)
    # the platform: a service, criteria, and the hotline registered as a trusted body with a key
    platform_factory = make_sessionmaker(make_engine(fresh_database_url))
    with transaction(platform_factory) as db:
        support.board(db)
        support.published_criteria(db)
        channels.add_body(
            channels.NewBody("sia", "誹謗中傷ホットライン", "hotline", "desk@hotline.example"),
            db=db,
            at=AT,
            by=ADMIN,
        )
        key, row = channels.issue_key("sia", valid_days=30, db=db, at=AT, by=ADMIN)
        key_id = row.key_id
    platform_settings = Settings(database_url=fresh_database_url, env="test", data_dir=tmp_path / "p")
    platform = LiveServer(create_app(platform_settings, clock=clock, session_factory=platform_factory))
    # the hotline: its own database, a desk officer, and the platform with the key it was given
    hotline_factory = make_sessionmaker(make_engine(second_database_url))
    hotline_settings = Settings(
        database_url=second_database_url, env="test", data_dir=tmp_path / "h", secret_key="h" * 40
    )
    with transaction(hotline_factory) as db:
        officer = support.staff(db, "desk@hotline.example", ["hotline_staff"], "窓口 担当")
        session, _ = auth.start_session(officer, db=db, at=AT)
        hotline.add_platform(
            hotline.NewPlatform("board", "掲示板 (mamori)", "api", platform.url, key, "board"),
            db=db,
            settings=hotline_settings,
            at=AT,
            by=hotline_support.DESK,
        )
    with (
        platform,
        LiveServer(create_app(hotline_settings, clock=clock, session_factory=hotline_factory)) as desk,
    ):
        csrf = session_csrf_token(hotline_settings.secret_key, session)
        browser = httpx.Client(
            base_url=desk.url, cookies={"mamori_session": session}, follow_redirects=True, timeout=60
        )
        url = hotline_support.unique_url()
        filed = browser.post(
            "/hotline/report",
            data={**hotline_support.form_data(content_url=url, platform="board"), "csrf_token": csrf},
        )
        assert filed.status_code == 200 and "report-number" in filed.text
        with transaction(hotline_factory) as db:
            report_id = db.scalar(select(HotlineReportRow.id).where(HotlineReportRow.content_url == url))
        assessed = browser.post(
            f"/hotline/reports/{report_id}/assess",
            data={
                "csrf_token": csrf,
                "identifiable_person": "yes",
                "no_public_interest": "yes",
                "beyond_tolerable": "yes",
                "note": "特定可能な生徒への侮辱。",
                "platform": "board",
            },
        )
        assert assessed.status_code == 200 and "基準に該当します。" in assessed.text
        notified = browser.post(f"/hotline/reports/{report_id}/notify?lang=en", data={"csrf_token": csrf})
        assert notified.status_code == 200 and "Waiting for the answer" in notified.text, notified.text

        # on the platform: a trusted case from the hotline, decided by a specialist
        with transaction(platform_factory) as db:
            case = db.scalar(select(requests.CaseRecord).where(requests.CaseRecord.content_url == url))
            assert case is not None and (case.source, case.trusted_source) == (
                "trusted",
                "誹謗中傷ホットライン",
            )
            support.with_poster(db, platform_settings, case.id, AT)
            decisions.decide(
                case.id,
                decisions.DecisionInput(
                    Measure.REMOVE, "2026.1", "2.1", "特定の個人の社会的評価を低下させるため。"
                ),
                db=db,
                settings=platform_settings,
                at=AT,
                by=support.SYSTEM,
            )
        with transaction(hotline_factory) as db:
            notice_id = db.scalar(select(HotlineNoticeRow.id).where(HotlineNoticeRow.report_id == report_id))
        checked = browser.post(f"/hotline/notices/{notice_id}/check?lang=en", data={"csrf_token": csrf})
        assert checked.status_code == 200 and 'id="outcome">Removed<' in checked.text
        with transaction(hotline_factory) as db:
            assert hotline.figures(2026, db=db).removed == 1

        # the platform revokes the key: refused at once, and the desk says so
        with transaction(platform_factory) as db:
            channels.revoke_key("sia", key_id, db=db, at=AT, by=ADMIN)
        assert (
            httpx.get(
                f"{platform.url}/api/v1/channels/requests", headers={"Authorization": f"Bearer {key}"}
            ).status_code
            == 401
        )
        second = hotline_support.unique_url()
        browser.post(
            "/hotline/report",
            data={
                **hotline_support.form_data(content_url=second, platform="board", filer_email="b@example.jp"),
                "csrf_token": csrf,
            },
        )
        with transaction(hotline_factory) as db:
            second_id = db.scalar(select(HotlineReportRow.id).where(HotlineReportRow.content_url == second))
        browser.post(
            f"/hotline/reports/{second_id}/assess",
            data={
                "csrf_token": csrf,
                "identifiable_person": "yes",
                "no_public_interest": "yes",
                "beyond_tolerable": "yes",
                "platform": "board",
            },
        )
        refused = browser.post(f"/hotline/reports/{second_id}/notify?lang=en", data={"csrf_token": csrf})
        assert "refused the key" in re.sub(r"\s+", " ", refused.text)
        with transaction(hotline_factory) as db:
            assert db.scalar(select(HotlineNoticeRow).where(HotlineNoticeRow.report_id == second_id)) is None
        browser.close()

"""【デモ】/DEMO: a hotline desk with a platform abroad (letters), reports from a person harmed and from a
guardian for a 14-year-old, assessed, notified and answered, so the desk and the figures have content."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.hotline import model, service, store

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 (demo accounts, printed on screen)
SYSTEM = Actor.system()  # the demo loader acts on the platform's own behalf
DESK = "hotline@demo.example.com"
POSTS = [
    # (path, text, filer, outcome or None when it does not qualify)
    ("p/101", "【デモ】〇〇市の佐藤花子は最低の人間。みんなで追い出そう", "self", "removed"),
    ("p/102", "【デモ】△△中学2年のＡは気持ち悪い。学校に来るな", "guardian", "removed"),
    ("p/103", "【デモ】□□社の社長はブラック経営者", "self", "not_removed"),
    ("p/104", "【デモ】市長の公約違反を批判する", "self", None),
]


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    if store.platform_by_slug(db, "demo-abroad") is not None:
        return ["hotline demo data is already loaded (【デモ】/ DEMO)"]
    settings = Settings()
    desk = auth.create_user(
        DESK, "【デモ】ホットライン窓口", ["hotline_staff"], DEMO_PASSWORD, db=db, at=at, by=SYSTEM
    )
    by = desk.actor()
    service.add_platform(
        service.NewPlatform(
            "demo-abroad",
            "【DEMO】Abroad Social",
            "letter",
            contact_email="legal@abroad.demo.example.com",
            lang="en",
        ),
        db=db,
        settings=settings,
        at=at,
        by=by,
    )
    for n, (path, text, filer, outcome) in enumerate(POSTS):
        extra = (
            {"relation": "【デモ】母", "child": True, "child_age": 14, "child_consent": True}
            if filer == "guardian"
            else {}
        )
        report, _ = service.file_report(
            service.ReportForm(
                content_url=f"https://abroad.demo.example.com/{path}",
                content_text=text,
                harm="insult",
                filer=filer,
                filer_name=f"【デモ】通報者{n + 1}",
                filer_email=f"reporter{n + 1}@demo.example.com",
                platform="demo-abroad",
                **extra,  # type: ignore[arg-type]
            ),
            db=db,
            settings=settings,
            at=at,
            by=SYSTEM,
        )
        if outcome is None:
            service.assess(
                report.id,
                model.Assessment(True, False, True, "【デモ】公人の公務への批判であり公益性がある。"),
                db=db,
                at=at,
                by=by,
            )
            continue
        service.assess(
            report.id, model.Assessment(True, True, True, "【デモ】特定の人物への侮辱。"), db=db, at=at, by=by
        )
        notice = service.notify(report.id, db=db, settings=settings, at=at, by=by)
        service.record_answer(notice.id, outcome, "【デモ】", db=db, at=at, by=by)
    return [
        f"hotline (【デモ】/DEMO): {len(POSTS)} reports; sign in as {DESK} / {DEMO_PASSWORD} → /hotline, /hotline/figures"
    ]

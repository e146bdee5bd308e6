"""DEMO DATA for `mamori demo`: fictional services, criteria, staff and requests in every state.

Everything here is invented and labelled 【デモ】/ DEMO. Nothing is real: no person, post or account.
Times are relative to now, so the legal clock shows requests on time, due soon, overdue and answered.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import SystemClock
from mamori.core.command import staff_actor
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.criteria import service as criteria
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.migrations import upgrade
from mamori.requests import service as requests
from mamori.requests import services
from mamori.requests.jobs import deliver_notices

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 (demo accounts, printed on screen)
DEMO_STAFF = (
    ("admin@demo.example.com", "【デモ】管理者", ["administrator"]),
    ("specialist@demo.example.com", "【デモ】専門員 佐藤", ["specialist"]),
    ("specialist2@demo.example.com", "【デモ】専門員 鈴木", ["specialist"]),
    ("reviewer@demo.example.com", "【デモ】審査員", ["reviewer"]),
    ("legal@demo.example.com", "【デモ】法務担当", ["legal_officer"]),
    ("auditor@demo.example.com", "【デモ】監査担当", ["auditor"]),
    ("counsellor@demo.example.com", "【デモ】相談員", ["counsellor"]),
    ("supervisor@demo.example.com", "【デモ】相談スーパーバイザー", ["supervisor"]),
)
SERVICES = (
    ("demo-board", "【デモ】なんでも掲示板", "DEMO general board"),
    ("demo-video", "【デモ】動画サイト", "DEMO video site"),
    ("demo-qa", "【デモ】知恵袋風Q&A", "DEMO Q&A site"),
)
SYSTEM = Actor("cli:demo")


def _clauses(extra: bool) -> list[criteria.DraftClause]:
    all_ways = ["request", "own_detection", "third_party"]
    removal = ["remove", "restrict_visibility", "suspend_account"]
    clauses = [
        criteria.DraftClause(
            "1.1",
            "他人の社会的評価を低下させる投稿",
            "Posts lowering a person's social standing",
            "特定の個人・団体について事実を摘示し、その社会的評価を低下させる投稿であって、公共の利害に関する事実に"
            "係り専ら公益を図る目的によるものと認められないものは、削除します。",
            "We remove posts that state facts about an identifiable person or body lowering its standing, "
            "unless they concern a matter of public interest made solely for the public benefit.",
            all_ways,
            removal,
            "特定の個人の社会的評価を低下させる事実を摘示しており、公益目的が認められないため。",
            "The post states facts lowering an identifiable person's standing with no public-interest purpose.",
        ),
        criteria.DraftClause(
            "1.2",
            "社会通念上許される限度を超える侮辱",
            "Insults beyond what society tolerates",
            "特定の個人に対し、社会通念上許される限度を超えて名誉感情を害する侮辱的な表現は、削除します。"
            "意見・論評や正当な批判は対象としません。",
            "We remove insults to an identifiable person beyond the limits society tolerates. "
            "Opinions, commentary and fair criticism are not covered.",
            all_ways,
            removal,
            "社会通念上許される限度を超えて名誉感情を害する侮辱的表現であるため。",
            "The post insults the person beyond what society tolerates.",
        ),
        criteria.DraftClause(
            "2.1",
            "住所・電話番号等の無断公開",
            "Publishing addresses, phone numbers without consent",
            "本人の同意なく、住所、電話番号、勤務先など特定の個人を識別し所在を知り得る情報を公開する投稿は削除します。",
            "We remove posts that publish, without consent, a person's address, phone number, workplace or "
            "other details that identify and locate them.",
            all_ways,
            removal,
            "本人の同意なく住所等の私生活上の情報を公開しているため。",
            "The post publishes private details without the person's consent.",
        ),
        criteria.DraftClause(
            "3.1",
            "脅迫・殺害予告",
            "Threats and death threats",
            "生命・身体・自由・名誉・財産に害を加える旨を告知する投稿は削除し、悪質な場合はアカウントを停止します。",
            "We remove posts threatening harm to life, body, freedom, honour or property, and suspend the "
            "account in serious cases.",
            all_ways,
            removal,
            "他人の生命・身体に害を加える旨の告知であるため。",
            "The post threatens harm to a person's life or body.",
        ),
    ]
    if extra:
        clauses.append(
            criteria.DraftClause(
                "4.1",
                "繰り返しの嫌がらせ",
                "Repeated harassment",
                "同一の個人に対し執拗に繰り返される嫌がらせ投稿は、閲覧制限またはアカウント停止の対象とします。",
                "Harassment repeated against the same person leads to restricted visibility or suspension.",
                all_ways,
                ["restrict_visibility", "suspend_account"],
                "同一人物への執拗な嫌がらせにあたるため。",
                "The posts harass the same person repeatedly.",
            )
        )
    return clauses


@dataclass(frozen=True)
class DemoRequest:
    service: str
    days_ago: float
    text: str
    rights: list[str]
    reason: str
    outcome: str  # received, review, extend:<ground>, decide:<measure>:<clause>, repeat


DEMO_REQUESTS = (
    DemoRequest(
        "demo-board",
        0.1,
        "【デモ投稿】〇〇市の山田(仮名)は会社の金を横領して逃げた。",
        ["名誉権"],
        "横領の事実は一切なく、勤務先の同僚にも知られて社会的評価が低下した。",
        "received",
    ),
    DemoRequest(
        "demo-board",
        6.3,
        "【デモ投稿】あの店長(仮名)は客の個人情報を売っている。",
        ["名誉権", "営業権"],
        "事実無根であり、店の売上が減少している。",
        "review",
    ),
    DemoRequest(
        "demo-video",
        9.0,
        "【デモ投稿】コメント欄: 田中(仮名)の家はここ→東京都〇〇区1-2-3",
        ["プライバシー"],
        "自宅住所を晒され、見知らぬ人が家の前に来るようになった。",
        "received",
    ),
    DemoRequest(
        "demo-video",
        3.0,
        "【デモ投稿】佐々木(仮名)は顔もひどいし生きている価値がない",
        ["名誉感情"],
        "容姿を侮辱され、精神的苦痛を受けている。",
        "inquiry",
    ),
    DemoRequest(
        "demo-qa",
        2.0,
        "【デモ投稿】回答者の高橋(仮名)は詐欺師なので信用しないように",
        ["名誉権"],
        "詐欺をした事実はなく、回答者としての信用を傷つけられた。",
        "extend:specialist_investigation",
    ),
    DemoRequest(
        "demo-board",
        4.0,
        "【デモ投稿】伊藤(仮名)、夜道に気をつけろよ。家は知ってるからな",
        ["私生活の平穏"],
        "脅迫的な投稿で外出が怖くなった。",
        "decide:remove:3.1",
    ),
    DemoRequest(
        "demo-board",
        6.0,
        "【デモ投稿】この市長(仮名)の政策は失敗だ。説明責任を果たすべきだ。",
        ["名誉権"],
        "市長として批判されており、名誉を傷つけられた。",
        "decide:no_action:",
    ),
    DemoRequest(
        "demo-video",
        8.0,
        "【デモ投稿】中村(仮名)は前科者だから近づくな",
        ["名誉権"],
        "前科はなく、地域で避けられるようになった。",
        "appeal:remove:1.1",
    ),
    DemoRequest(
        "demo-qa",
        1.0,
        "【デモ投稿】渡辺(仮名)の電話番号は090-0000-0000、勤務先は〇〇商事",
        ["プライバシー"],
        "電話番号と勤務先を公開され、いたずら電話が続いている。",
        "decide:suspend_account:2.1",
    ),
    DemoRequest(
        "demo-board",
        0.5,
        "【デモ投稿】〇〇市の山田(仮名)は会社の金を横領して逃げた。",
        ["名誉権"],
        "横領の事実は一切なく、勤務先の同僚にも知られて社会的評価が低下した。",
        "repeat",
    ),
)


def load_demo(settings: Settings) -> list[str]:
    """Apply migrations and load the demo data once; returns lines to print."""
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    now = SystemClock().now()
    try:
        with transaction(factory) as db:
            if services.find_service(db, "demo-board") is not None:
                return ["demo data is already loaded (【デモ】/ DEMO)", *_accounts()]
            _load(db, settings, now)
        # An identical repeat is exempt only once the first request's decision was delivered (Art. 25(1)
        # proviso): deliver what is due (to .eml files in development), then file the repeat requests.
        deliver_notices(factory, settings, SystemClock())
        with transaction(factory) as db:
            specialist = staff_actor("specialist@demo.example.com", db)
            _file_requests(db, settings, now, specialist, repeats=True)
        more = _load_capabilities(factory, settings, now)
    finally:
        engine.dispose()
    return [
        "loaded DEMO data: 3 services, 2 criteria versions, 8 staff accounts, "
        f"{len(DEMO_REQUESTS)} requests in every state",
        *more,
        *_accounts(),
    ]


# Each capability's own DEMO data (`<capability>/demo_data.py: load_demo(db, *, at[, settings])`), loaded
# after the requests (the yearly report counts them), each in its own transaction.
DEMO_MODULES = (
    "mamori.logs.demo_data",
    "mamori.disclosure.demo_data",
    "mamori.channels.demo_data",
    "mamori.hotline.demo_data",
    "mamori.council.demo_data",
    "mamori.awareness.demo_data",
    "mamori.reposts.demo_data",
    "mamori.transparency.demo_data",
)


def _load_capabilities(factory: Any, settings: Settings, now: dt.datetime) -> list[str]:
    lines: list[str] = []
    for name in DEMO_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # this capability ships no demo data
            raise
        loader = module.load_demo
        with transaction(factory) as db:
            if "settings" in inspect.signature(loader).parameters:
                lines += loader(db, at=now, settings=settings)
            else:
                lines += loader(db, at=now)
    return lines


def _accounts() -> list[str]:
    return [
        f"  demo account {email} / {DEMO_PASSWORD} ({', '.join(roles)})" for email, _, roles in DEMO_STAFF
    ]


def _load(db: Session, settings: Settings, now: dt.datetime) -> None:
    year_ago = now - dt.timedelta(days=365)
    for slug, ja, en in SERVICES:
        services.add_service(slug, ja, en, db=db, at=year_ago, by=Actor.system())
    staff = {}
    for email, name, roles in DEMO_STAFF:
        staff[email] = auth.create_user(email, name, roles, DEMO_PASSWORD, db=db, at=year_ago, by=SYSTEM)
    criteria.create_draft(
        "2025.1",
        year_ago,
        _clauses(extra=False),
        db=db,
        at=year_ago,
        by=SYSTEM,
        summary_ja="【デモ】初版",
        summary_en="DEMO first edition",
    )
    criteria.publish("2025.1", db=db, at=year_ago, by=SYSTEM)
    revised = now - dt.timedelta(days=30)
    criteria.create_draft(
        "2026.1",
        revised,
        _clauses(extra=True),
        db=db,
        at=revised - dt.timedelta(days=14),
        by=SYSTEM,
        summary_ja="【デモ】繰り返しの嫌がらせの条項を追加",
        summary_en="DEMO: adds a clause on repeated harassment",
    )
    criteria.publish("2026.1", db=db, at=revised - dt.timedelta(days=7), by=SYSTEM)
    _load_consultations(db, settings, now, staff["counsellor@demo.example.com"])
    _file_requests(db, settings, now, staff["specialist@demo.example.com"].actor(), repeats=False)


# A repeat copies the first request that was decided (so that it was answered).
REPEATED = next(n for n, r in enumerate(DEMO_REQUESTS, start=1) if r.outcome.startswith("decide:"))


def _file_requests(
    db: Session, settings: Settings, now: dt.datetime, specialist: Actor, *, repeats: bool
) -> None:
    for n, item in enumerate(DEMO_REQUESTS, start=1):
        if (item.outcome == "repeat") != repeats:
            continue
        received = now - dt.timedelta(days=item.days_ago)
        requester_n = REPEATED if item.outcome == "repeat" else n
        if item.outcome == "repeat":
            item = replace(DEMO_REQUESTS[REPEATED - 1], days_ago=item.days_ago, outcome="repeat")
        form = requests.RequestForm(
            service=item.service,
            content_url=f"https://{item.service}.example/posts/{1000 + requester_n}",
            content_text=item.text,
            rights=item.rights,
            reason=item.reason,
            requester=requests.Requester(
                f"【デモ】申出者{requester_n}",
                f"東京都千代田区デモ町{requester_n}-1",
                f"demo-requester{requester_n}@example.com",
                "03-0000-0000",
            ),
            show_name_to_poster=n % 2 == 0,
            declaration_true=True,
            source="web" if n % 3 else "api",
        )
        receipt = requests.file_request(form, db=db, settings=settings, at=received, by=Actor("public:demo"))
        requests.record_poster(
            receipt.case_id,
            requests.Poster(f"demo-account-{n}", f"demo-poster{n}@example.com"),
            db=db,
            settings=settings,
            at=received + dt.timedelta(minutes=5),
            by=specialist,
        )
        acted = min(received + dt.timedelta(days=1), now)
        kind, _, rest = item.outcome.partition(":")
        if kind == "review":
            requests.start_review(receipt.case_id, db=db, at=acted, by=specialist)
        elif kind == "extend":
            decisions.extend(
                receipt.case_id, ExtensionGround(rest), "", db=db, settings=settings, at=acted, by=specialist
            )
        elif kind == "inquiry":
            from mamori.inquiry.service import ElectionClaim, send_inquiry

            send_inquiry(receipt.case_id, ElectionClaim(), db=db, settings=settings, at=acted, by=specialist)
        elif kind in ("decide", "appeal"):
            measure, _, clause = rest.partition(":")
            reason = (
                "【デモ】政策への批判であり、特定の事実の摘示による社会的評価の低下は認められないため。"
                if measure == "no_action"
                else "【デモ】公表している削除基準の条項に該当するため。"
            )
            decisions.decide(
                receipt.case_id,
                decisions.DecisionInput(Measure(measure), "2026.1", clause or None, reason),
                db=db,
                settings=settings,
                at=acted,
                by=specialist,
            )
            if kind == "appeal":
                from mamori.appeals.model import Side
                from mamori.appeals.service import file_appeal

                file_appeal(
                    receipt.case_id,
                    Side.POSTER,
                    "【デモ】記載は事実であり、削除は不当であるとの異議。",
                    db=db,
                    settings=settings,
                    at=acted + dt.timedelta(hours=6),
                    by=Actor("poster:demo"),
                )


# (days ago, channel, categories, service, summary, outcome, referral body or "")
DEMO_CONSULTATIONS = (
    (
        80,
        "web",
        ("defamation",),
        "x",
        "【デモ】職場の同僚を名指しした虚偽の投稿について相談。",
        "advised",
        "",
    ),
    (
        62,
        "phone",
        ("insult", "image"),
        "instagram",
        "【デモ】容姿を侮辱するコメントが続いている。",
        "referred",
        "ihaho-center",
    ),
    (45, "web", ("privacy",), "bakusai", "【デモ】自宅住所が掲示板に書き込まれた。", "removed", ""),
    (
        30,
        "chat",
        ("threat",),
        "x",
        "【デモ】殺害をほのめかす投稿。警察への相談を勧めた。",
        "referred",
        "police-cyber",
    ),
    (
        21,
        "mail",
        ("defamation", "impersonation"),
        "tiktok",
        "【デモ】なりすましアカウントが虚偽を発信。",
        "open",
        "",
    ),
    (
        12,
        "web",
        ("discrimination",),
        "youtube",
        "【デモ】出身地を理由にした差別的なコメント。",
        "referred",
        "moj-jinken",
    ),
    (
        5,
        "web",
        ("insult",),
        "5ch",
        "【デモ】学校名と共に中傷されている (相談者は未成年)。",
        "referred",
        "sia-hotline",
    ),
    (1, "phone", ("other",), "line", "【デモ】グループから外され悪口を言われている。", "open", ""),
)


def _load_consultations(db: Session, settings: Settings, now: dt.datetime, counsellor: auth.UserRow) -> None:
    """DEMO counsellors' records (anonymous, invented) so the dashboard has something to count."""
    from mamori.consult import service as consult

    principal = auth.Principal(counsellor.id, counsellor.email, counsellor.display_name, counsellor.role_set)
    for days, channel, categories, svc, summary, outcome, body in DEMO_CONSULTATIONS:
        at = now - dt.timedelta(days=days)
        row = consult.record_consultation(
            consult.NewConsultation(
                channel=channel,
                categories=categories,
                service=svc,
                summary=summary,
                advice="【デモ】証拠の保存方法と削除依頼の手順を案内。",
            ),
            by=principal,
            db=db,
            at=at,
            secret_key=settings.secret_key,
        )
        if body:
            consult.refer(row.id, body, consent=True, by=principal, db=db, at=at)
        if outcome not in ("open", "referred"):
            consult.set_outcome(row.id, outcome, by=principal, db=db, at=at)

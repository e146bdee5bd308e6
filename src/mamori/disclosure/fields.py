"""What comes in: a request's or an order's fields read and checked one by one, each problem named
by its field in Japanese and English (nothing is written while any remains), and the target the logs
are searched and held by."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mamori.core.clock import JST, to_utc
from mamori.core.errors import DomainError, FieldProblem
from mamori.drafting.model import DisclosureItem

MAX_TEXT = 2000


def invalid(problems: list[FieldProblem]) -> DomainError:
    return DomainError(
        code="disclosure_invalid",
        ja=f"入力内容を確認してください（{len(problems)}件）。",
        en=f"Please check what you entered ({len(problems)} problem(s)).",
        field=problems[0].field,
        problems=problems,
    )


def text(value: object, name: str, problems: list[FieldProblem], *, required: bool, ja: str, en: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        problems.append(FieldProblem(name, f"{ja}は文字列で入力してください。", f"Give the {en} as text."))
    elif required and not text:
        problems.append(FieldProblem(name, f"{ja}を入力してください。", f"Enter the {en}."))
    elif len(text) > MAX_TEXT or any(ord(c) < 32 and c not in "\n\t" for c in text):
        problems.append(
            FieldProblem(
                name,
                f"{ja}が長すぎるか、使えない文字があります。",
                f"The {en} is too long or has control characters.",
            )
        )
    return text


def moment(
    value: object, name: str, problems: list[FieldProblem], *, required: bool, ja: str, en: str
) -> dt.datetime | None:
    if value in (None, ""):
        if required:
            problems.append(FieldProblem(name, f"{ja}を入力してください。", f"Enter the {en}."))
        return None
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        problems.append(
            FieldProblem(
                name,
                f"{ja}は 2026-04-01T10:00:00+09:00 の形で入力してください。",
                f"Give the {en} as 2026-04-01T10:00:00+09:00.",
            )
        )
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JST)  # a date typed in a Japanese court's order is JST
    return to_utc(moment)


def ip_address(value: object, problems: list[FieldProblem], name: str = "ip") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return ""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        problems.append(
            FieldProblem(name, "IP アドレスの形式が正しくありません。", "This IP address is not valid.")
        )
        return ""


def port(value: object, problems: list[FieldProblem]) -> int | None:
    if value in (None, ""):
        return None
    try:
        port = int(str(value))
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        problems.append(FieldProblem("port", "ポート番号は 0〜65535 です。", "A port number is 0 to 65535."))
        return None
    return port


def items(value: object, problems: list[FieldProblem], *, required: bool) -> list[str]:
    raw = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    items = [str(v).strip() for v in raw if str(v).strip()]
    known = {i.value for i in DisclosureItem}
    wrong = [i for i in items if i not in known]
    if wrong:
        problems.append(
            FieldProblem(
                "items",
                f"開示の対象にできない項目です: {', '.join(wrong)}",
                f"Not an item of sender information: {', '.join(wrong)}",
            )
        )
    elif required and not items:
        problems.append(
            FieldProblem(
                "items",
                "開示する発信者情報を一つ以上選んでください。",
                "Choose at least one item of sender information.",
            )
        )
    return [i for i in dict.fromkeys(items) if i in known]


@dataclass
class Target:
    """What the logs are searched and held by: the post, the account, or an address at a time."""

    post_id: str = ""
    account_id: str = ""
    ip: str = ""
    port: int | None = None
    at: dt.datetime | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "account_id": self.account_id,
            "ip": self.ip,
            "port": self.port,
            "at": self.at.isoformat() if self.at else None,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        def moment(key: str) -> dt.datetime | None:
            return dt.datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            data.get("post_id") or "",
            data.get("account_id") or "",
            data.get("ip") or "",
            data.get("port"),
            moment("at"),
            moment("start"),
            moment("end"),
        )


def target_from(data: Mapping[str, Any], problems: list[FieldProblem]) -> Target:
    target = Target(
        post_id=text(data.get("post_id"), "post_id", problems, required=False, ja="投稿 ID", en="post id"),
        account_id=text(
            data.get("account_id"),
            "account_id",
            problems,
            required=False,
            ja="アカウント ID",
            en="account id",
        ),
        ip=ip_address(data.get("ip"), problems),
        port=port(data.get("port"), problems),
        at=moment(
            data.get("sent_at"), "sent_at", problems, required=False, ja="発信時刻", en="time of sending"
        ),
        start=moment(
            data.get("start"), "start", problems, required=False, ja="期間の始め", en="start of the period"
        ),
        end=moment(
            data.get("end"), "end", problems, required=False, ja="期間の終わり", en="end of the period"
        ),
    )
    if target.start and target.end and target.end <= target.start:
        problems.append(
            FieldProblem(
                "end", "期間の終わりは始めより後にしてください。", "The end must be after the start."
            )
        )
    if target.ip and target.at is None:
        problems.append(
            FieldProblem(
                "sent_at", "IP アドレスには発信時刻が必要です。", "An IP address needs the time of sending."
            )
        )
    return target

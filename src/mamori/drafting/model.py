"""The two request forms of MISSION.md §4 and the checks a draft must pass before it is produced.

侵害情報の通知書 兼 送信防止措置に関する照会書 (deletion request): the same paper a provider forwards to the
poster as its sender inquiry (情プラ法 Art. 3(2)), so it states only what may be shown to the poster.
発信者情報開示請求書 (disclosure request, 情プラ法 Art. 5): infringement must be *clear* and the requester
needs a legitimate reason. Everything here is pure: dataclasses, enums, and functions returning problems.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from mamori.core.errors import DomainError, FieldProblem


class Right(StrEnum):
    """The right the post infringes, as the standard forms list them."""

    HONOUR = "honour"  # 名誉権
    HONOUR_FEELING = "honour_feeling"  # 名誉感情
    PRIVACY = "privacy"  # プライバシー
    PORTRAIT = "portrait"  # 肖像権
    PEACEFUL_LIFE = "peaceful_life"  # 私生活の平穏
    BUSINESS = "business"  # 営業権
    OTHER = "other"  # その他 (say which)


RIGHT_LABELS: dict[Right, tuple[str, str]] = {
    Right.HONOUR: ("名誉権", "Honour (reputation)"),
    Right.HONOUR_FEELING: ("名誉感情", "Feeling of honour"),
    Right.PRIVACY: ("プライバシー", "Privacy"),
    Right.PORTRAIT: ("肖像権", "Portrait right"),
    Right.PEACEFUL_LIFE: ("私生活の平穏", "Peace of private life"),
    Right.BUSINESS: ("営業権", "Right to conduct business"),
    Right.OTHER: ("その他", "Other"),
}


class Purpose(StrEnum):
    """The legitimate reason for disclosure (情プラ法 Art. 5(1)(ii): 開示を受けるべき正当な理由)."""

    DAMAGES = "damages"  # 損害賠償請求権の行使
    APOLOGY = "apology"  # 謝罪広告等の名誉回復措置の要請
    INJUNCTION = "injunction"  # 差止請求権の行使
    DELETION = "deletion"  # 発信者への削除要求
    OTHER = "other"


PURPOSE_LABELS: dict[Purpose, tuple[str, str]] = {
    Purpose.DAMAGES: ("損害賠償請求権の行使のため", "To claim damages"),
    Purpose.APOLOGY: ("謝罪広告等の名誉回復措置の要請のため", "To ask for an apology or other redress"),
    Purpose.INJUNCTION: ("差止請求権の行使のため", "To seek an injunction"),
    Purpose.DELETION: ("発信者に対する削除要求のため", "To ask the poster to delete"),
    Purpose.OTHER: ("その他", "Other"),
}


class DisclosureItem(StrEnum):
    """The sender information that may be requested (情プラ法 Art. 2(vi) and the ministerial ordinance)."""

    NAME = "name"
    ADDRESS = "address"
    PHONE = "phone"
    EMAIL = "email"
    IP_PORT = "ip_port"
    MOBILE_ID = "mobile_id"
    ICCID = "iccid"
    TIMESTAMP = "timestamp"
    LOGIN_INFO = "login_info"  # 特定発信者情報: only under Art. 5(1)(iii)'s extra conditions


ITEM_LABELS: dict[DisclosureItem, tuple[str, str]] = {
    DisclosureItem.NAME: ("発信者の氏名又は名称", "Poster's name"),
    DisclosureItem.ADDRESS: ("発信者の住所", "Poster's address"),
    DisclosureItem.PHONE: ("発信者の電話番号", "Poster's telephone number"),
    DisclosureItem.EMAIL: ("発信者の電子メールアドレス", "Poster's email address"),
    DisclosureItem.IP_PORT: (
        "侵害情報の送信に係るIPアドレス及び当該IPアドレスと組み合わされたポート番号",
        "IP address and port number used to send the post",
    ),
    DisclosureItem.MOBILE_ID: (
        "侵害情報の送信に係る携帯電話端末等の利用者識別符号",
        "Mobile user identifier used to send the post",
    ),
    DisclosureItem.ICCID: ("侵害情報の送信に係るSIMカード識別番号", "SIM card number (ICCID)"),
    DisclosureItem.TIMESTAMP: ("侵害情報が送信された年月日及び時刻", "Date and time the post was sent"),
    DisclosureItem.LOGIN_INFO: (
        "特定発信者情報（ログイン時等の通信に係る情報）",
        "Login-time information (特定発信者情報)",
    ),
}


class LoginCondition(StrEnum):
    """Art. 5(1)(iii)(a)-(c): one must hold before login-time information may be requested."""

    NO_OTHER_INFO = "no_other_info"
    ONLY_LIMITED_INFO = "only_limited_info"
    OTHER_DISCLOSURE_FAILED = "other_disclosure_failed"


LOGIN_CONDITION_LABELS: dict[LoginCondition, tuple[str, str]] = {
    LoginCondition.NO_OTHER_INFO: (
        "開示関係役務提供者が特定発信者情報以外の発信者情報を保有していないと認められる",
        "The provider holds no sender information other than login-time information",
    ),
    LoginCondition.ONLY_LIMITED_INFO: (
        "開示関係役務提供者が保有する特定発信者情報以外の発信者情報が、氏名・住所等以外の総務省令で定めるもののみである",
        "The other sender information the provider holds is only of the kinds the ordinance names",
    ),
    LoginCondition.OTHER_DISCLOSURE_FAILED: (
        "特定発信者情報以外の発信者情報の開示を受けても発信者を特定できない",
        "The poster cannot be identified from the other sender information disclosed",
    ),
}


class ProviderKind(StrEnum):
    """Who receives the disclosure request: the service (content) or the poster's access provider."""

    CONTENT = "content"  # コンテンツプロバイダ (the service hosting the post)
    ACCESS = "access"  # 経由プロバイダ (the poster's internet access provider)


class Withheld(StrEnum):
    """What the requester asks the provider not to show the poster at the opinion hearing (Art. 11)."""

    NAME = "name"
    ADDRESS = "address"
    CONTACT = "contact"
    CLEAR_REASON = "clear_reason"
    EVIDENCE = "evidence"
    OTHER = "other"


WITHHELD_LABELS: dict[Withheld, tuple[str, str]] = {
    Withheld.NAME: ("請求者の氏名（個人の場合に限る）", "Requester's name (individuals only)"),
    Withheld.ADDRESS: ("請求者の住所", "Requester's address"),
    Withheld.CONTACT: ("請求者の連絡先", "Requester's contact details"),
    Withheld.CLEAR_REASON: ("「権利侵害が明らかである理由」欄の記載事項", "The reason infringement is clear"),
    Withheld.EVIDENCE: ("添付した証拠", "The attached evidence"),
    Withheld.OTHER: ("その他", "Other"),
}


@dataclass(frozen=True)
class Requester:
    """The person asking (申出者 / 請求者); contact means an email address or a telephone number."""

    name: str
    address: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class EvidenceRef:
    """One item of evidence, named by the SHA-256 of its bytes, so the recipient can check it."""

    sha256: str
    description: str
    url: str = ""


@dataclass(frozen=True)
class DeletionRequest:
    """侵害情報の通知書 兼 送信防止措置に関する照会書."""

    addressee: str
    requester: Requester
    content_url: str
    content_text: str
    rights: tuple[Right, ...]
    reason: str
    show_name_to_poster: bool | None  # None: the requester has not chosen yet
    declaration_true: bool
    post_number: str = ""
    rights_other: str = ""
    harm: str = ""
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class DisclosureRequest:
    """発信者情報開示請求書."""

    addressee: str
    provider_kind: ProviderKind
    requester: Requester
    content_url: str
    content_text: str
    rights: tuple[Right, ...]
    clear_reason: str
    purposes: tuple[Purpose, ...]
    items: tuple[DisclosureItem, ...]
    withheld_from_poster: tuple[Withheld, ...] | None  # None: the requester has not chosen yet
    responsibility_acknowledged: bool
    post_number: str = ""
    ip_address: str = ""
    port: int | None = None
    sent_at: datetime | None = None
    rights_other: str = ""
    purpose_other: str = ""
    login_conditions: tuple[LoginCondition, ...] = ()
    withheld_other: str = ""
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass
class DraftFacts:
    """What a case or a consultation already knows; every field optional, so either source maps onto it.

    The drafting form starts from these facts; the requester completes and confirms the rest.
    """

    service: str = ""
    content_url: str = ""
    post_number: str = ""
    content_text: str = ""
    rights: list[Right] = field(default_factory=list)
    rights_other: str = ""
    reason: str = ""
    harm: str = ""
    requester: Requester | None = None
    show_name_to_poster: bool | None = None
    declaration_true: bool = False
    evidence: list[EvidenceRef] = field(default_factory=list)


SHA256 = re.compile(r"^[0-9a-f]{64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{6,19}$")
MAX_TEXT = 20_000


def problem(field_name: str, ja: str, en: str) -> FieldProblem:
    return FieldProblem(field=field_name, ja=ja, en=en)


def _required(value: str, name: str, ja_label: str, en_label: str) -> list[FieldProblem]:
    if not value.strip():
        return [problem(name, f"{ja_label}を入力してください。", f"Enter the {en_label}.")]
    if len(value) > MAX_TEXT:
        return [problem(name, f"{ja_label}が長すぎます ({MAX_TEXT}字まで)。", f"The {en_label} is too long.")]
    return []


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_requester(requester: Requester) -> list[FieldProblem]:
    """Name, address and a way to reach the requester (email or telephone)."""
    found = _required(requester.name, "requester.name", "申出者の氏名", "requester's name")
    found += _required(requester.address, "requester.address", "申出者の住所", "requester's address")
    if not requester.email.strip() and not requester.phone.strip():
        found.append(
            problem(
                "requester.email",
                "連絡先（メールアドレスか電話番号）を入力してください。",
                "Give a way to reach you: an email address or a telephone number.",
            )
        )
    if requester.email.strip() and not EMAIL.match(requester.email.strip()):
        found.append(
            problem(
                "requester.email",
                "メールアドレスの形式が正しくありません。",
                "This email address is not valid.",
            )
        )
    if requester.phone.strip() and not PHONE.match(requester.phone.strip()):
        found.append(
            problem(
                "requester.phone", "電話番号の形式が正しくありません。", "This telephone number is not valid."
            )
        )
    return found


def check_evidence(evidence: tuple[EvidenceRef, ...]) -> list[FieldProblem]:
    """Every item says what it is; a SHA-256, when given (a chosen file's), is 64 lowercase hex digits."""
    found: list[FieldProblem] = []
    for index, item in enumerate(evidence):
        if item.sha256 and not SHA256.match(item.sha256):
            found.append(
                problem(
                    f"evidence.{index}.sha256",
                    "SHA-256 は16進数64桁（小文字）で入力してください。",
                    "A SHA-256 is 64 lowercase hexadecimal digits.",
                )
            )
        if not item.description.strip():
            found.append(
                problem(
                    f"evidence.{index}.description",
                    "証拠の説明を入力してください。",
                    "Say what this evidence item is.",
                )
            )
        if item.url and not is_web_url(item.url):
            found.append(
                problem(
                    f"evidence.{index}.url", "http(s) の URL を入力してください。", "Give an http(s) URL."
                )
            )
    return found


def _check_where(content_url: str) -> list[FieldProblem]:
    if not content_url.strip():
        return [problem("content_url", "投稿の URL を入力してください。", "Enter the URL of the post.")]
    if not is_web_url(content_url):
        return [
            problem(
                "content_url",
                "URL は http:// か https:// で始まる形で入力してください。",
                "The URL must start with http:// or https://.",
            )
        ]
    return []


def _check_rights(rights: tuple[Right, ...], rights_other: str) -> list[FieldProblem]:
    if not rights:
        return [
            problem(
                "rights", "侵害された権利を一つ以上選んでください。", "Choose at least one right infringed."
            )
        ]
    if Right.OTHER in rights and not rights_other.strip():
        return [
            problem(
                "rights_other",
                "「その他」の権利の内容を書いてください。",
                "Say which other right is infringed.",
            )
        ]
    return []


def check_deletion(draft: DeletionRequest) -> list[FieldProblem]:
    """Every problem that stops the deletion request from being produced, one per field."""
    found = _required(
        draft.addressee, "addressee", "宛先（サービス提供者）", "addressee (the service provider)"
    )
    found += check_requester(draft.requester)
    found += _check_where(draft.content_url)
    found += _required(draft.content_text, "content_text", "掲載されている情報", "content of the post")
    found += _check_rights(draft.rights, draft.rights_other)
    found += _required(draft.reason, "reason", "権利が侵害されたとする理由", "reason the right is infringed")
    if draft.show_name_to_poster is None:
        found.append(
            problem(
                "show_name_to_poster",
                "発信者に氏名を開示してよいかどうかを選んでください。",
                "Choose whether your name may be shown to the poster.",
            )
        )
    if not draft.declaration_true:
        found.append(
            problem(
                "declaration_true",
                "記載内容が事実であり、発信者にそのまま示されてもよいことを確認してください。",
                "Confirm that what you wrote is true and may be shown to the poster as written.",
            )
        )
    found += check_evidence(draft.evidence)
    return found


def _check_access_point(draft: DisclosureRequest) -> list[FieldProblem]:
    """An access provider can only find its subscriber from the IP address, port and time of sending."""
    found: list[FieldProblem] = []
    if draft.ip_address:
        try:
            ipaddress.ip_address(draft.ip_address)
        except ValueError:
            found.append(
                problem(
                    "ip_address", "IP アドレスの形式が正しくありません。", "This IP address is not valid."
                )
            )
    if draft.port is not None and not 0 <= draft.port <= 65535:
        found.append(problem("port", "ポート番号は 0〜65535 です。", "A port number is 0 to 65535."))
    if draft.sent_at is not None and draft.sent_at.tzinfo is None:
        found.append(
            problem(
                "sent_at",
                "発信時刻には時差（例: +09:00）を付けてください。",
                "Give the time of sending with its offset (e.g. +09:00).",
            )
        )
    if draft.provider_kind is ProviderKind.ACCESS:
        for name, value, ja, en in (
            ("ip_address", draft.ip_address, "IP アドレス", "IP address"),
            ("port", draft.port, "ポート番号", "port number"),
            ("sent_at", draft.sent_at, "発信時刻（タイムスタンプ）", "time of sending (timestamp)"),
        ):
            if value in (None, ""):
                found.append(
                    problem(
                        name,
                        f"経由プロバイダへの請求には{ja}が必要です。",
                        f"A request to an access provider needs the {en}.",
                    )
                )
    return found


def check_disclosure(draft: DisclosureRequest) -> list[FieldProblem]:
    """Every problem that stops the disclosure request from being produced (情プラ法 Art. 5(1))."""
    found = _required(draft.addressee, "addressee", "宛先（開示関係役務提供者）", "addressee (the provider)")
    found += check_requester(draft.requester)
    found += _check_where(draft.content_url)
    found += _check_access_point(draft)
    found += _required(draft.content_text, "content_text", "掲載されている情報", "content of the post")
    found += _check_rights(draft.rights, draft.rights_other)
    # Art. 5(1)(i): the infringement must be *clear* (権利侵害の明白性).
    found += _required(
        draft.clear_reason, "clear_reason", "権利侵害が明らかである理由", "reason the infringement is clear"
    )
    # Art. 5(1)(ii): a legitimate reason to receive the information.
    if not draft.purposes:
        found.append(
            problem(
                "purposes",
                "開示を受けるべき正当な理由を一つ以上選んでください。",
                "Choose at least one legitimate reason for disclosure.",
            )
        )
    elif Purpose.OTHER in draft.purposes and not draft.purpose_other.strip():
        found.append(
            problem("purpose_other", "「その他」の理由を書いてください。", "Say what the other reason is.")
        )
    if not draft.items:
        found.append(
            problem(
                "items",
                "開示を請求する発信者情報を一つ以上選んでください。",
                "Choose at least one item of sender information you want disclosed.",
            )
        )
    if DisclosureItem.LOGIN_INFO in draft.items and not draft.login_conditions:
        # Art. 5(1)(iii): login-time information is the last resort.
        found.append(
            problem(
                "login_conditions",
                "特定発信者情報を請求するには、補充的な要件のどれに当たるかを選んでください。",
                "To request login-time information, choose which of the extra conditions applies.",
            )
        )
    if draft.withheld_from_poster is None:
        found.append(
            problem(
                "withheld_from_poster",
                "発信者に示してほしくない情報を選んでください（ない場合は「なし」）。",
                "Choose what must not be shown to the poster (or say: nothing).",
            )
        )
    elif Withheld.OTHER in draft.withheld_from_poster and not draft.withheld_other.strip():
        found.append(
            problem(
                "withheld_other",
                "発信者に示してほしくない「その他」の情報を書いてください。",
                "Say what else must not be shown to the poster.",
            )
        )
    if not draft.responsibility_acknowledged:
        found.append(
            problem(
                "responsibility_acknowledged",
                "記載内容が事実に反していた場合、請求者が責任を負うことを確認してください。",
                "Confirm that you bear responsibility if what you state is not true.",
            )
        )
    found += check_evidence(draft.evidence)
    return found


def draft_invalid(problems: list[FieldProblem]) -> DomainError:
    """One error naming every field to fix; the first names the field of the error itself."""
    return DomainError(
        code="draft_invalid",
        ja=f"入力内容を確認してください（{len(problems)}件）。",
        en=f"Please check what you entered ({len(problems)} problem(s)).",
        field=problems[0].field if problems else None,
        problems=problems,
    )


def ensure_deletion(draft: DeletionRequest) -> DeletionRequest:
    """The draft, if it passes every check; otherwise DomainError listing each field to fix."""
    problems = check_deletion(draft)
    if problems:
        raise draft_invalid(problems)
    return draft


def ensure_disclosure(draft: DisclosureRequest) -> DisclosureRequest:
    """The draft, if it passes every check; otherwise DomainError listing each field to fix."""
    problems = check_disclosure(draft)
    if problems:
        raise draft_invalid(problems)
    return draft

"""The wording and order of each form, once, for both outputs: the PDF and the text to paste.

The wording follows the standard forms of the プロバイダ責任制限法 guidelines (now 情プラ法), which providers
recognise at a glance: addressee, date, the requester's block, the title, a preamble, then a table of
labelled rows ("記") and the declarations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from mamori.core.clock import to_jst
from mamori.drafting.model import (
    ITEM_LABELS,
    LOGIN_CONDITION_LABELS,
    PURPOSE_LABELS,
    RIGHT_LABELS,
    WITHHELD_LABELS,
    DeletionRequest,
    DisclosureItem,
    DisclosureRequest,
    EvidenceRef,
    ProviderKind,
    Purpose,
    Requester,
    Right,
    Withheld,
)

DELETION_TITLE = "侵害情報の通知書 兼 送信防止措置に関する照会書"
DISCLOSURE_TITLE = "発信者情報開示請求書"
CHECKED, UNCHECKED = "■", "□"
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Document:
    """A form laid out: what the PDF draws and the text repeats, in this order."""

    title: str
    dated: date
    addressee: str
    requester: tuple[Row, ...]
    preamble: str
    rows: tuple[Row, ...]
    declarations: tuple[str, ...]
    evidence: tuple[EvidenceRef, ...]


def options(
    labels: Mapping[E, tuple[str, str]], chosen: Iterable[E], *, checklist: bool, other: str = ""
) -> str:
    """Chosen options, one a line; as a checklist (■/□, every option shown) on paper."""
    picked = set(chosen)
    lines = []
    for member, (ja, _en) in labels.items():
        text = f"{ja}（{other}）" if member.value == "other" and other and member in picked else ja
        if checklist:
            lines.append(f"{CHECKED if member in picked else UNCHECKED} {text}")
        elif member in picked:
            lines.append(f"・{text}")
    return "\n".join(lines)


def requester_rows(requester: Requester) -> tuple[Row, ...]:
    contact = " / ".join(part for part in (requester.phone, requester.email) if part)
    return (Row("住所", requester.address), Row("氏名", requester.name), Row("連絡先", contact))


def where_text(url: str, post_number: str) -> str:
    lines = [f"URL: {url}"]
    if post_number:
        lines.append(f"投稿番号等: {post_number}")
    return "\n".join(lines)


def evidence_row(evidence: tuple[EvidenceRef, ...]) -> Row:
    if not evidence:
        return Row("証拠", "なし")
    hashed = sum(1 for item in evidence if item.sha256)
    note = f"、うち{hashed}点はファイルの SHA-256 を記載" if hashed else ""
    return Row("証拠", f"別紙「証拠一覧」のとおり（{len(evidence)}点{note}）")


def deletion_document(draft: DeletionRequest, dated: date, *, checklist: bool = True) -> Document:
    """The deletion request laid out as the standard 侵害情報の通知書 兼 送信防止措置に関する照会書."""
    reason = draft.reason + (f"\n\n（被害の状況）\n{draft.harm}" if draft.harm else "")
    rights: Iterable[Right] = draft.rights
    name_shown = (
        "発信者に氏名を開示して差し支えありません。"
        if draft.show_name_to_poster
        else ("発信者に氏名を開示することには同意しません。")
    )
    return Document(
        title=DELETION_TITLE,
        dated=dated,
        addressee=f"{draft.addressee} 御中",
        requester=requester_rows(draft.requester),
        preamble=(
            "あなたが管理する特定電気通信設備に掲載されている下記の情報の流通により私の権利が侵害されたので、"
            "あなたに対し当該情報の送信を防止する措置を講じるよう依頼します。"
        ),
        rows=(
            Row("掲載されている場所", where_text(draft.content_url, draft.post_number)),
            Row("掲載されている情報", draft.content_text),
            Row(
                "侵害されたとする権利",
                options(RIGHT_LABELS, rights, checklist=checklist, other=draft.rights_other),
            ),
            Row("権利が侵害されたとする理由（被害の状況など）", reason),
            evidence_row(draft.evidence),
            Row("氏名の開示", name_shown),
        ),
        declarations=(
            "上記の記載内容は事実に相違なく、あなたから発信者にそのまま通知されることに同意いたします。",
        ),
        evidence=draft.evidence,
    )


def _sent_at_text(draft: DisclosureRequest) -> str:
    if draft.sent_at is None:
        return ""
    local = to_jst(draft.sent_at)
    return f"{local:%Y-%m-%d %H:%M:%S}（日本時間）"


def disclosure_where(draft: DisclosureRequest) -> str:
    text = where_text(draft.content_url, draft.post_number)
    extra = []
    if draft.ip_address:
        extra.append(f"IPアドレス: {draft.ip_address}")
    if draft.port is not None:
        extra.append(f"ポート番号: {draft.port}")
    if draft.sent_at is not None:
        extra.append(f"発信時刻（タイムスタンプ）: {_sent_at_text(draft)}")
    return "\n".join([text, *extra])


def disclosure_document(draft: DisclosureRequest, dated: date, *, checklist: bool = True) -> Document:
    """The disclosure request laid out as the standard 発信者情報開示請求書 (情プラ法 Art. 5(1))."""
    facility = (
        "特定電気通信設備等" if draft.provider_kind is ProviderKind.CONTENT else "特定電気通信設備等（経由）"
    )
    purposes: Iterable[Purpose] = draft.purposes
    items: Iterable[DisclosureItem] = draft.items
    withheld: Iterable[Withheld] = draft.withheld_from_poster or ()
    rows = [
        Row(f"貴社が管理する{facility}", disclosure_where(draft)),
        Row("掲載された情報", draft.content_text),
        Row(
            "侵害された権利",
            options(RIGHT_LABELS, draft.rights, checklist=checklist, other=draft.rights_other),
        ),
        Row("権利が明らかに侵害されたとする理由", draft.clear_reason),
        Row(
            "発信者情報の開示を受けるべき正当理由",
            options(PURPOSE_LABELS, purposes, checklist=checklist, other=draft.purpose_other),
        ),
        Row("開示を請求する発信者情報", options(ITEM_LABELS, items, checklist=checklist)),
    ]
    if draft.login_conditions:
        rows.append(
            Row(
                "特定発信者情報の請求に係る補充的な要件",
                options(LOGIN_CONDITION_LABELS, draft.login_conditions, checklist=checklist),
            )
        )
    rows.append(evidence_row(draft.evidence))
    rows.append(
        Row(
            "発信者に示したくない私の情報",
            options(WITHHELD_LABELS, withheld, checklist=checklist, other=draft.withheld_other)
            if draft.withheld_from_poster
            else "なし（すべて示して差し支えありません）",
        )
    )
    return Document(
        title=DISCLOSURE_TITLE,
        dated=dated,
        addressee=f"{draft.addressee} 御中",
        requester=requester_rows(draft.requester),
        preamble=(
            "貴社が管理する特定電気通信設備等に掲載された下記の情報の流通により、私の権利が侵害されたので、"
            "特定電気通信による情報の流通によって発生する権利侵害等への対処に関する法律第5条第1項に基づき、"
            "貴社が保有する、下記記載の、侵害情報の発信者の特定に資する情報（発信者情報）を開示くださるよう、請求します。"
        ),
        rows=tuple(rows),
        declarations=(
            "万一、本請求書の記載事項（添付・追加資料を含む。）に虚偽の事実が含まれており、その結果貴社が"
            "発信者情報を開示された契約者等から苦情又は損害賠償請求等を受けた場合には、私が責任をもって対処いたします。",
        ),
        evidence=draft.evidence,
    )


def evidence_lines(evidence: tuple[EvidenceRef, ...]) -> list[str]:
    lines = []
    for number, item in enumerate(evidence, start=1):
        lines.append(f"{number}. {item.description}")
        if item.sha256:
            lines.append(f"   SHA-256: {item.sha256}")
        if item.url:
            lines.append(f"   URL: {item.url}")
    return lines


def document_text(doc: Document) -> str:
    """The form as plain text, to paste into a provider's web form or an email."""
    date_text = f"{doc.dated.year}年{doc.dated.month}月{doc.dated.day}日"
    out = [doc.title, "", date_text, doc.addressee, "", "【申出者】"]
    out += [f"{row.label}: {row.value}" for row in doc.requester]
    out += ["", doc.preamble, "", "記", ""]
    for row in doc.rows:
        out.append(f"【{row.label}】")
        out.append(row.value)
        out.append("")
    out += list(doc.declarations)
    if doc.evidence:
        out += ["", "【証拠一覧】", *evidence_lines(doc.evidence)]
    out.append("")
    out.append("以上")
    return "\n".join(out) + "\n"

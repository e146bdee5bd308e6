"""The removal request as JSON: the published format other systems send (Pydantic → JSON Schema).

Every text field refuses invisible controls, lone surrogates and bidi overrides (core.text); the
single-line ones (names, address, phone, URLs, service) refuse line breaks too.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from mamori.core.text import MultiLineText, SingleLineText
from mamori.requests.model import Right

PHONE = re.compile(r"^\+?[0-9０-９][0-9０-９\-‐ー－() ]{5,24}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _not_blank(value: str, ja: str, en: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(f"{ja} / {en}")
    return value


class RequesterIn(BaseModel):
    """The requester (申出者). Shown to the poster only by name, and only if they agree."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        SingleLineText, Field(max_length=200, description="Full name (氏名) or organisation name.")
    ]
    address: Annotated[SingleLineText, Field(max_length=500, description="Postal address (住所).")]
    email: Annotated[EmailStr, Field(description="Where the receipt and the notices are sent.")]
    phone: Annotated[SingleLineText, Field(max_length=30, description="Telephone number (電話番号).")]
    relation: Annotated[
        Literal["self", "parent", "lawyer", "representative"],
        Field(
            description="Who files: the person harmed (self), a parent or guardian of a child, a lawyer, or "
            "another representative (代理人)."
        ),
    ] = "self"
    on_behalf_of: Annotated[
        SingleLineText,
        Field(
            max_length=200,
            validate_default=True,
            description="The harmed person's name, when filing for someone else (required then).",
        ),
    ] = ""

    @field_validator("on_behalf_of")
    @classmethod
    def _for_whom(cls, v: str, info: ValidationInfo) -> str:
        v = v.strip()
        if info.data.get("relation", "self") != "self" and not v:
            raise ValueError(
                "代わりに申し出る相手 (被害を受けた方) の氏名を入力してください。 / "
                "Enter the name of the person you act for (the person harmed)."
            )
        if info.data.get("relation", "self") == "self":
            return ""
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _not_blank(v, "氏名を入力してください。", "Enter your name.")

    @field_validator("address")
    @classmethod
    def _address(cls, v: str) -> str:
        return _not_blank(v, "住所を入力してください。", "Enter your postal address.")

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        v = _not_blank(v, "電話番号を入力してください。", "Enter your telephone number.")
        if not PHONE.match(v):
            raise ValueError(
                "電話番号は数字とハイフンで入力してください (例: 03-1234-5678)。 / "
                "Enter the telephone number with digits and hyphens (e.g. 03-1234-5678)."
            )
        return v

    @field_validator("email", mode="wrap")
    @classmethod
    def _email(cls, v: object, handler: ValidatorFunctionWrapHandler) -> str:
        """The rule stays EmailStr's; only the words change, so a person knows what to do."""
        if isinstance(v, str) and not v.strip():
            raise ValueError("メールアドレスを入力してください。 / Enter your e-mail address.")
        try:
            return str(handler(v.strip() if isinstance(v, str) else v))
        except ValidationError:
            raise ValueError(
                "メールアドレスの形が正しくありません (例: hanako@example.com)。 / "
                "This e-mail address is not complete; check it (e.g. hanako@example.com)."
            ) from None


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: Annotated[str, Field(description="SHA-256 of the evidence file, 64 lowercase hex digits.")]
    description: Annotated[MultiLineText, Field(max_length=500)] = ""
    url: Annotated[SingleLineText, Field(max_length=2000)] = ""

    @field_validator("sha256")
    @classmethod
    def _hash(cls, v: str) -> str:
        v = v.strip().lower()
        if not SHA256.match(v):
            raise ValueError(
                "SHA-256 は16進数64文字で指定してください / sha256 must be 64 hexadecimal digits"
            )
        return v


class RemovalRequestIn(BaseModel):
    """侵害情報の通知書 兼 送信防止措置に関する照会書: a removal request (情プラ法 Art. 22)."""

    model_config = ConfigDict(extra="forbid", title="mamori removal request (削除申出)")

    service: Annotated[
        SingleLineText, Field(min_length=1, max_length=60, description="The service's id (slug).")
    ]
    content_url: Annotated[
        SingleLineText, Field(max_length=2000, description="Where the content is (URL, post number).")
    ]
    content_text: Annotated[
        MultiLineText, Field(max_length=20000, description="The content itself, as posted.")
    ]
    rights: Annotated[list[Right], Field(min_length=1, description="The rights infringed.")]
    reason: Annotated[
        MultiLineText, Field(max_length=10000, description="Why the rights are infringed, and the harm.")
    ]
    requester: RequesterIn
    show_name_to_poster: Annotated[bool, Field(strict=True, description="May the poster see your name?")]
    declaration_true: Annotated[
        bool,
        Field(strict=True, description="I declare this is true and may be shown to the poster as written."),
    ]
    lang: Literal["ja", "en", "ja-easy"] = "ja"
    evidence: Annotated[list[EvidenceIn], Field(max_length=100)] = []

    @field_validator("service", mode="before")
    @classmethod
    def _service_chosen(cls, v: object) -> object:
        if isinstance(v, str) and not v.strip():
            raise ValueError("サービスを選んでください。 / Choose the service where the post is.")
        return v

    @field_validator("rights", mode="before")
    @classmethod
    def _rights_chosen(cls, v: object) -> object:
        if isinstance(v, list) and not v:
            raise ValueError(
                "侵害された権利を少なくとも一つ選んでください。 / "
                "Choose at least one right that the post infringes."
            )
        return v

    @field_validator("content_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", v, re.IGNORECASE):
            raise ValueError(
                "投稿の URL を http:// または https:// から始まる形で入力してください。 / "
                "Enter the URL of the post, starting with http:// or https://."
            )
        return v

    @field_validator("content_text")
    @classmethod
    def _content(cls, v: str) -> str:
        return _not_blank(v, "問題の投稿の内容を入力してください。", "Enter what the post says.")

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        v = _not_blank(
            v, "権利が侵害された理由を入力してください。", "Explain why the post infringes your rights."
        )
        if len(v) < 10:
            raise ValueError(
                "理由をもう少し具体的に (10文字以上) 書いてください。 / "
                "Explain why in a little more detail (10 characters or more)."
            )
        return v

    @field_validator("rights")
    @classmethod
    def _unique(cls, v: list[Right]) -> list[Right]:
        return list(dict.fromkeys(v))

    @field_validator("declaration_true")
    @classmethod
    def _declared(cls, v: bool) -> bool:
        if v is not True:
            raise ValueError(
                "書いた内容が事実であることを確かめ、宣誓の欄にチェックを入れてください。 / "
                "Tick the box to declare that what you wrote is true."
            )
        return v


class ReceiptOut(BaseModel):
    id: str
    receipt_number: str
    received_at: str = Field(description="ISO 8601 with offset (JST).")
    decision_due_at: str = Field(description="ISO 8601 with offset (JST): the Art. 25 deadline.")
    follow_url: str
    repeat_of: str | None = None


def json_schema() -> dict[str, object]:
    schema = RemovalRequestIn.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://mamori.invalid/schema/removal-request.json"
    return schema

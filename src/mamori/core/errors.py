"""Domain errors: a code, a message in Japanese and English, and the field to fix."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field


@dataclass
class FieldProblem:
    field: str
    ja: str
    en: str


@dataclass
class DomainError(Exception):
    """Raised by services; the web layer answers 4xx with the field named."""

    code: str
    ja: str
    en: str
    field: str | None = None
    status: int = 422
    problems: list[FieldProblem] = dc_field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.en}"

    def as_json(self) -> dict[str, object]:
        problems = self.problems or [FieldProblem(self.field or "", self.ja, self.en)]
        return {
            "error": self.code,
            "message": {"ja": self.ja, "en": self.en},
            "detail": [{"field": p.field, "message": {"ja": p.ja, "en": p.en}} for p in problems],
        }


class NotFound(DomainError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(
            code="not_found",
            ja=f"{what} {ident} は見つかりません。",
            en=f"{what} {ident} was not found.",
            status=404,
        )


class Conflict(DomainError):
    def __init__(self, code: str, ja: str, en: str, field: str | None = None) -> None:
        super().__init__(code=code, ja=ja, en=en, field=field, status=409)


class Forbidden(DomainError):
    def __init__(self, ja: str = "この操作の権限がありません。", en: str = "You may not do this.") -> None:
        super().__init__(code="forbidden", ja=ja, en=en, status=403)

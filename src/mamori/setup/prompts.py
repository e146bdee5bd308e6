"""The interactive `mamori setup`: the same plan as a file gives, one answer at a time, each answer
checked by the same rule as the file's value and asked again when refused."""

from __future__ import annotations

from collections.abc import Callable

import typer

from mamori.core import operator as operators
from mamori.core.errors import DomainError
from mamori.requests import services
from mamori.setup.plan import MAX_SERVICES, Lines, SetupPlan, validated

MIN_PASSWORD_LENGTH = 12  # core.auth.create_user refuses shorter; asked again here rather than aborting


def _prompted(label: str, check: Callable[[str], str | None], default: str | None = None) -> str | None:
    """Ask until the answer passes the same check the file gets (an empty optional answer is None)."""

    def value_proc(value: str) -> str | None:
        try:
            return check(value)
        except DomainError as exc:
            raise typer.BadParameter(f"{exc.ja}\n{exc.en}") from None

    answer: str | None = typer.prompt(
        label, default=default or "", show_default=bool(default), value_proc=value_proc
    )
    return answer


def plan_from_prompts(
    current: operators.OperatorProfile, account_exists: Callable[[str], bool]
) -> tuple[SetupPlan, str | None]:
    """The same plan as a file gives, asked for one answer at a time (defaults: what is set now), and
    the new administrator's password (asked twice, without echo; None when the account exists)."""

    def ask(field_name: str, label: str, default: str | None) -> str | None:
        return _prompted(label, lambda v: operators.check_field(field_name, v), default)

    typer.echo("運営者 / The operator (shown in notices)")
    operator = {
        "name_ja": ask("name_ja", "名称 (日本語) / Name in Japanese", current.name_ja),
        "name_en": ask("name_en", "名称 (英語) / Name in English", current.name_en),
        "email": ask("email", "通知に載せる連絡先メール / Contact e-mail for notices", current.email),
        "postal_address": ask(
            "postal_address", "住所 (任意) / Postal address (optional)", current.postal_address
        ),
        "phone": ask("phone", "電話番号 (任意) / Phone (optional)", current.phone),
        "contact_url": ask(
            "contact_url", "問い合わせページ (任意) / Contact page URL (optional)", current.contact_url
        ),
        "public_url": ask(
            "public_url", "申出を受け付ける公開アドレス / Public address of the window", current.public_url
        ),
    }
    typer.echo("最初の管理者 / The first administrator")
    email = _prompted("メールアドレス / E-mail", lambda v: operators.check_email(v).lower())
    name = _prompted(
        "表示名 / Display name",
        lambda v: operators.check_name(v, field="name_ja"),
        str(email).partition("@")[0],
    )
    password = None if account_exists(str(email)) else ask_password()
    typer.echo("サービス / Services (空欄で終わり / empty to finish)")
    found: list[dict[str, str | None]] = []
    while len(found) < MAX_SERVICES:
        slug = typer.prompt("スラッグ / Slug (e.g. board)", default="", show_default=False)
        if not str(slug).strip():
            break
        try:
            slug = services.check_slug(str(slug).strip())
        except DomainError as exc:
            typer.echo(f"Error: {exc.ja}\n{exc.en}", err=True)
            continue
        found.append(
            {
                "slug": slug,
                "name_ja": _prompted(
                    "  名称 (日本語) / Name in Japanese", lambda v: services.check_name(v, field="name_ja")
                ),
                "name_en": _prompted(
                    "  名称 (英語) / Name in English", lambda v: services.check_name(v, field="name_en")
                ),
            }
        )
    data = {"operator": operator, "administrator": {"email": email, "name": name}, "services": found}
    plan = validated(data, Lines())
    return plan, password


def ask_password() -> str:
    def long_enough(value: str) -> str:
        if len(value) < MIN_PASSWORD_LENGTH:
            raise typer.BadParameter(
                f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。\n"
                f"Use a password of at least {MIN_PASSWORD_LENGTH} characters."
            )
        return value

    return str(
        typer.prompt(
            "管理者のパスワード / Administrator's password",
            hide_input=True,
            confirmation_prompt=True,
            value_proc=long_enough,
        )
    )

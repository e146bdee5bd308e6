"""The setup file (or the answers to the prompts): what `mamori setup` writes, checked whole before anything
runs, each problem named by where it is written (`setup.yaml:7: services[1].slug: ...`).

The values are checked by the services' own rules (core.operator, requests.services), so the file, the
command line and the administrator's page refuse the same things with the same words. The file is read
with PyYAML's composer so every value keeps its line; aliases are refused (a few lines of them can
expand without end) and so is a key written twice (YAML would keep the last one silently).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from mamori.core import operator as operators
from mamori.core.errors import DomainError
from mamori.requests import services

MAX_FILE_BYTES = 1024 * 1024
MAX_SERVICES = 500
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
Loc = tuple[str | int, ...]


# ---------------------------------------------------------------- what the file (or the prompts) give


def _domain_checked(check: Callable[[str], str | None], value: str | None) -> str | None:
    """Run a service's own check; its refusal becomes a validation error carrying ja and en."""
    try:
        return check(value) if value is not None else None
    except DomainError as exc:
        raise PydanticCustomError(exc.code, "{en}", {"ja": exc.ja, "en": exc.en}) from None


class OperatorPart(BaseModel):
    """The operator as notices name them."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name_ja: str
    name_en: str
    email: str
    public_url: str
    postal_address: str | None = None
    phone: str | None = None
    contact_url: str | None = None

    @field_validator("*")
    @classmethod
    def _checked(cls, value: str | None, info: Any) -> str | None:
        name = str(info.field_name)
        return _domain_checked(lambda v: operators.check_field(name, v), value)


class AdministratorPart(BaseModel):
    """The first administrator's account (made if it does not exist; an existing one is left as it is)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    email: str
    name: str | None = None
    password_env: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str | None:
        return _domain_checked(lambda v: operators.check_email(v, field="email").lower(), value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _domain_checked(lambda v: operators.check_name(v, field="name_ja"), value)

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise PydanticCustomError(
                "invalid_env_name",
                "{en}",
                {
                    "ja": f"環境変数の名前として正しくありません: {value[:80]} (英数字と _ だけ)",
                    "en": f"Not the name of an environment variable: {value[:80]} (letters, digits and _)",
                },
            )
        return value


class ServicePart(BaseModel):
    """A service whose removal requests the window receives."""

    model_config = ConfigDict(extra="forbid", strict=True)
    slug: str
    name_ja: str
    name_en: str

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str | None:
        return _domain_checked(services.check_slug, value)

    @field_validator("name_ja", "name_en")
    @classmethod
    def _name(cls, value: str, info: Any) -> str | None:
        name = str(info.field_name)
        return _domain_checked(lambda v: services.check_name(v, field=name), value)


class SetupPlan(BaseModel):
    """Everything `mamori setup` writes."""

    model_config = ConfigDict(extra="forbid", strict=True)
    operator: OperatorPart
    administrator: AdministratorPart
    services: list[ServicePart] = Field(default_factory=list, max_length=MAX_SERVICES)


# ---------------------------------------------------------------- problems, and where they are


@dataclass(frozen=True)
class Problem:
    loc: Loc
    ja: str
    en: str
    placed: bool = False  # the message already says where (a YAML syntax error, an unreadable file)
    line: int | None = None  # where it is, when that is not where `loc` leads (a key written twice)


class SetupRefused(Exception):
    """What is wrong, each problem with its place; nothing was written."""

    def __init__(self, problems: list[Problem], lines: Lines) -> None:
        super().__init__(problems[0].en if problems else "")
        self.problems = problems
        self.lines = lines

    def message(self) -> str:
        return self.lines.message(self.problems)


def where(loc: Loc) -> str:
    """`services[1].slug` for ("services", 1, "slug")."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


@dataclass
class Lines:
    """Where each part of the file is written (1-based lines), for messages that name file:line."""

    source: str | None = None  # None: the answers came from the prompts
    root: yaml.Node | None = None

    def line_of(self, loc: Loc) -> int | None:
        node = self.root
        if node is None:
            return 1 if self.source else None  # an empty file: its first line
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == part), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def describe(self, loc: Loc, line: int | None = None) -> str:
        line = line or self.line_of(loc)
        head = (
            f"{self.source}:{line}: " if self.source and line else (f"{self.source}: " if self.source else "")
        )
        return f"{head}{where(loc)}"

    def message(self, problems: Sequence[Problem]) -> str:
        out = []
        for p in problems:
            place = "" if p.placed else f"{self.describe(p.loc, p.line)}: "
            out += [f"{place}{p.ja}", f"{place}{p.en}"]
        return "\n".join(out)


_JA_FOR_PYDANTIC = {
    "missing": "必須の項目がありません。",
    "extra_forbidden": "この項目は使えません (綴りを確認してください)。",
    "string_type": "文字列を書いてください (数字や yes/no などは引用符で囲んでください)。",
    "list_type": "一覧 (- で始まる行) を書いてください。",
    "model_type": "項目の組 (名前: 値) を書いてください。",
    "too_long": f"多すぎます (サービスは {MAX_SERVICES} 件まで)。",
}


def problems_of(exc: ValidationError) -> list[Problem]:
    found = []
    for error in exc.errors():
        ctx = error.get("ctx") or {}
        ja = str(
            ctx.get("ja") or _JA_FOR_PYDANTIC.get(error["type"], f"入力が正しくありません: {error['msg']}")
        )
        en = str(ctx.get("en") or error["msg"])
        found.append(Problem(tuple(error["loc"]), ja, en))
    return found


# ---------------------------------------------------------------- reading the file


def _yaml_problem(exc: yaml.YAMLError, source: str) -> SetupRefused:
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 if mark is not None else 1
    return _placed(f"{source}:{line}: YAML として読めません: {what}", f"{source}:{line}: not YAML: {what}")


def _placed(ja: str, en: str) -> SetupRefused:
    return SetupRefused([Problem((), ja, en, placed=True)], Lines())


def _duplicate_keys(node: yaml.Node | None, loc: Loc = ()) -> list[Problem]:
    """A key written twice in one mapping (YAML would keep the last one silently)."""
    found: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append(
                    Problem(
                        (*loc, name),
                        f"{name} が2回書かれています (後の方が前を黙って上書きしてしまいます)。",
                        f"{name} is written twice (the second would silently replace the first).",
                        line=key.start_mark.line + 1,
                    )
                )
            seen.add(name)
            found += _duplicate_keys(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += _duplicate_keys(item, (*loc, index))
    return found


def read_plan(path: Path) -> tuple[SetupPlan, Lines]:
    """The setup file, checked whole: every problem at once, each with its file:line."""
    source = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _placed(
                f"{source}: ファイルが大きすぎます (1 MiB まで)。", f"{source}: the file is over 1 MiB."
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _placed(f"{source}: 読めません: {exc}", f"{source}: cannot be read: {exc}") from None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):  # no anchors: a file of aliases can expand without end
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise _placed(
                    f"{source}:{line}: 別名 (*名前) は使えません。値をそのまま書いてください。",
                    f"{source}:{line}: aliases (*name) are not accepted; write the value itself.",
                )
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, source) from None
    lines = Lines(source, root)
    problems = _duplicate_keys(root)
    admin = data.get("administrator") if isinstance(data, dict) else None
    if isinstance(admin, dict) and "password" in admin:
        problems.append(
            Problem(
                ("administrator", "password"),
                "パスワードはファイルに書けません。password_env: 環境変数名 で指定するか、--password-stdin "
                "または入力画面で入れてください。",
                "A password is never read from the file: name an environment variable with password_env, "
                "or use --password-stdin or the prompt.",
            )
        )
    try:
        plan = SetupPlan.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems += [
            p
            for p in problems_of(exc)
            if p.loc != ("administrator", "password") or not isinstance(admin, dict)
        ]
        plan = None
    if plan is not None:
        problems += repeated_services(plan)
    if problems or plan is None:
        raise SetupRefused(problems, lines)
    return plan, lines


def repeated_services(plan: SetupPlan) -> list[Problem]:
    found: list[Problem] = []
    seen: dict[str, dict[str, int]] = {"slug": {}, "name_ja": {}, "name_en": {}}
    for index, service in enumerate(plan.services):
        for key in seen:
            value = getattr(service, key)
            value = value.casefold() if key == "name_en" else value
            if value in seen[key]:
                first = seen[key][value]
                found.append(
                    Problem(
                        ("services", index, key),
                        f"services[{first}] と同じ {key} です: {getattr(service, key)}",
                        f"the same {key} as services[{first}]: {getattr(service, key)}",
                    )
                )
            seen[key].setdefault(value, index)
    return found


def validated(data: Any, lines: Lines) -> SetupPlan:
    """The plan these values describe, or every problem with its place."""
    try:
        plan = SetupPlan.model_validate(data)
    except ValidationError as exc:
        raise SetupRefused(problems_of(exc), lines) from None
    repeated = repeated_services(plan)
    if repeated:
        raise SetupRefused(repeated, lines)
    return plan

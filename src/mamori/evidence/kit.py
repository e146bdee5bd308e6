"""The evidence kit for a person without an account: their own screenshots sealed into a package.

A harmed person uploads what they saved (screenshots, a PDF, a recording), says where and when they
saw it, and gets back one ZIP file to keep or hand to a lawyer or the police:

files/NN-name.ext       each file as it arrived (type checked by content)
report.pdf              a Japanese summary: the address, the times, each file's SHA-256 and a thumbnail,
                        the evidence profile and what is still needed
README.txt              what this is and how to check it (ja/en)
metadata.json           format, the address, what the person stated, when the server sealed it,
                        the profile, and the SHA-256 of every file above
signature.json          Ed25519 signature over metadata.json (the operator's evidence key)
timestamp.tsr           RFC 3161 time-stamp over metadata.json (when a TSA is configured)

Nothing is kept on the server: the package is built in a temporary folder and answered as one
download. The signature proves when the server received these exact bytes, not what the page showed;
the README says so. `mamori evidence verify KIT.zip` checks the whole package offline.

Where the operator enables it (MAMORI_EVIDENCE_PUBLIC_CAPTURE), the person may instead ask the server
to capture a public address (the same checked, pinned fetch as staff captures: no private address).
That capture runs in a worker (`mamori.evidence.kit_captures`): its ZIP is kept, encrypted, only until
the person downloads it or it expires (MAMORI_EVIDENCE_KIT_CAPTURE_KEEP_HOURS).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from mamori import __version__
from mamori.core.clock import Clock, format_jst
from mamori.core.errors import DomainError
from mamori.core.text import refuse_control_characters
from mamori.evidence import package, uploads
from mamori.evidence.capture import CaptureResult
from mamori.evidence.model import EvidenceProfile
from mamori.evidence.profile import POST_PERMALINK
from mamori.evidence.report import FONT, _register_font, thumbnail
from mamori.evidence.settings import EvidenceSettings

FORMAT = "mamori-evidence-kit/1"
MAX_FILES = 10
MAX_NOTE = 2000
MAX_FIELD = 200
MAX_URL = 2000
SAFE_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")
README = """mamori 証拠保全キット / evidence kit

【日本語】
このZIPファイルには、あなたが保存したスクリーンショットなどのファイルと、その内容を示す
metadata.json、署名 (signature.json)、報告書 (report.pdf) が入っています。
・署名は「このサーバーがこの日時にこのファイルを受け取った」ことを示します。ページにその内容が
  表示されていたこと自体は証明しません。投稿のURL・投稿日時・投稿者がわかる画面を保存してください。
・ファイルを1バイトでも変えると検証で分かります。ZIPのまま保管し、弁護士や警察に渡してください。
・検証: mamori evidence verify このファイル.zip
・このサーバーにはファイルを残していません。

[English]
This ZIP holds the files you saved (screenshots and the like), metadata.json describing them, a
signature (signature.json) and a report (report.pdf).
- The signature shows that this server received these exact files at this time. It does not prove
  what the page showed: keep screens that show the post's address, time and poster.
- Changing a single byte shows up when the package is checked. Keep the ZIP as it is and hand it to
  a lawyer or the police.
- Check it: mamori evidence verify THIS-FILE.zip
- Nothing of it was kept on this server.
"""


@dataclass(frozen=True)
class KitFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class KitRequest:
    """What the person gives: where and when they saw it, what the page showed, and their files."""

    url: str
    seen_at: dt.datetime | None = None
    posted_at: str = ""
    poster_name: str = ""
    poster_id: str = ""
    note: str = ""
    files: list[KitFile] = field(default_factory=list)


def _problem(
    field_name: str, ja: str, en: str, code: str = "evidence_kit_invalid", status: int = 422
) -> DomainError:
    return DomainError(code=code, field=field_name, ja=ja, en=en, status=status)


def check_url(url: str) -> str:
    url = url.strip()
    if not url:
        raise _problem(
            "url", "見たページのURLを入力してください。", "Enter the address (URL) of the page you saw."
        )
    refuse_control_characters(url, field="url", single_line=True)
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise _problem(
            "url",
            "URLは https:// または http:// で始まる形で入力してください (2000文字まで)。",
            "Enter the address as it starts: https:// or http:// (up to 2,000 characters).",
        )
    return url


def check_request(kit: KitRequest, *, max_bytes: int, now: dt.datetime) -> list[tuple[KitFile, str, str]]:
    """Every refusal names its field; returns each file with its media type and extension."""
    check_url(kit.url)
    for name, value, limit in (
        ("posted_at", kit.posted_at, MAX_FIELD),
        ("poster_name", kit.poster_name, MAX_FIELD),
        ("poster_id", kit.poster_id, MAX_FIELD),
        ("note", kit.note, MAX_NOTE),
    ):
        refuse_control_characters(value, field=name, single_line=name != "note")
        if len(value) > limit:
            raise _problem(
                name, f"{limit}文字以内で入力してください。", f"Keep this to {limit:,} characters."
            )
    if kit.seen_at is not None and kit.seen_at > now + dt.timedelta(minutes=5):
        raise _problem("seen_at", "見た日時が未来になっています。", "The time you saw it is in the future.")
    if not kit.files:
        raise _problem(
            "files",
            "保存したスクリーンショットなどのファイルを1つ以上選んでください。",
            "Choose at least one file you saved (a screenshot, a PDF, a recording).",
        )
    types = uploads.check_files(
        [(f.name, f.content) for f in kit.files], max_files=MAX_FILES, max_bytes=max_bytes
    )
    return [(f, media, ext) for f, (media, ext) in zip(kit.files, types, strict=True)]


def profile_of(kit: KitRequest, *, at: dt.datetime) -> EvidenceProfile:
    """The evidence profile from what the person stated (the server saw none of the page)."""
    path = urlsplit(kit.url)
    is_post = bool(POST_PERMALINK.search(path.path + "?" + path.query))
    return EvidenceProfile(
        url=kit.url,
        captured_at=kit.seen_at or at,
        posted_at=kit.posted_at.strip() or None,
        poster_name=kit.poster_name.strip() or None,
        poster_id=kit.poster_id.strip() or None,
        permalink=kit.url if is_post else None,
        permalink_captured=is_post,
    )


def _pdf(meta: dict[str, Any], pictures: list[tuple[str, bytes | None]]) -> bytes:
    """report.pdf: the kit in Japanese, one block per file with its hash and a thumbnail."""
    _register_font()
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    _width, height = A4
    y = height - 20 * mm

    def line(text: str, size: int = 10, gap: float = 6) -> None:
        nonlocal y
        if y < 25 * mm:
            page.showPage()
            y = height - 20 * mm
        page.setFont(FONT, size)
        for start in range(0, max(len(text), 1), 60):
            page.drawString(18 * mm, y, text[start : start + 60])
            y -= gap * mm

    line("証拠保全キット 報告書 (mamori)", 16, 10)
    line(f"封印日時 (サーバー): {meta['sealed_at_jst']}")
    line(f"URL: {meta['url']}")
    line(f"見た日時 (本人の申告): {meta['stated']['seen_at_jst'] or '—'}")
    profile = meta["profile"]
    line(f"投稿日時 (本人の申告): {profile['posted_at'] or '—'}")
    line(
        f"投稿者 (本人の申告): {' '.join(x for x in (profile['poster_name'], profile['poster_id']) if x) or '—'}"
    )
    line(f"パーマリンク: {'あり' if profile['permalink_captured'] else 'なし'}")
    if profile["still_needed"]:
        line("まだ必要なもの: " + "、".join(n["ja"] for n in profile["still_needed"]))
    line("署名はこのサーバーがこの日時にこれらのファイルを受け取ったことを示します。", 9)
    y -= 4 * mm
    for name, picture in pictures:
        info = meta["files"][name]
        line(f"ファイル: {name} ({info['media_type']}, {info['size']:,} bytes)", 10)
        line(f"SHA-256: {info['sha256']}", 8, 5)
        if picture:
            image = ImageReader(io.BytesIO(picture))
            w, h = image.getSize()
            draw_w = 60 * mm
            draw_h = draw_w * h / w
            if y - draw_h < 25 * mm:
                page.showPage()
                y = height - 20 * mm
            page.drawImage(image, 18 * mm, y - draw_h, width=draw_w, height=draw_h)
            y -= draw_h + 6 * mm
    page.showPage()
    page.save()
    return buf.getvalue()


def _zip(folder: Path, target: Path | io.BytesIO) -> None:
    """Every file under `folder` into one ZIP at `target` (a file, or memory), in a stable order."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())


def build_kit(
    kit: KitRequest, *, settings: EvidenceSettings, clock: Clock, max_bytes: int
) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the sealed package; refuses bad input before anything is built."""
    at = clock.now()
    typed = check_request(kit, max_bytes=max_bytes, now=at)
    profile = profile_of(kit, at=at)
    with tempfile.TemporaryDirectory(prefix="mamori-kit-") as scratch:
        folder = Path(scratch)
        (folder / "files").mkdir()
        files: dict[str, dict[str, Any]] = {}
        pictures: list[tuple[str, bytes | None]] = []
        for number, (f, media, ext) in enumerate(typed, start=1):
            stem = SAFE_NAME.sub("_", Path(f.name).stem)[:60].strip("._") or "file"
            name = f"files/{number:02d}-{stem}.{ext}"
            (folder / name).write_bytes(f.content)
            files[name] = {
                "sha256": hashlib.sha256(f.content).hexdigest(),
                "size": len(f.content),
                "media_type": media,
                "original_name": f.name[:200],
            }
            pictures.append((name, thumbnail(f.content) if media.startswith("image/") else None))
        meta: dict[str, Any] = {
            "format": FORMAT,
            "url": kit.url,
            "sealed_at_utc": at.astimezone(dt.UTC).isoformat(),
            "sealed_at_jst": format_jst(at, "ja"),
            "stated": {
                "seen_at_utc": kit.seen_at.astimezone(dt.UTC).isoformat() if kit.seen_at else None,
                "seen_at_jst": format_jst(kit.seen_at, "ja") if kit.seen_at else None,
                "note": kit.note,
            },
            "attests": "the server received these files at sealed_at; what the page showed is the person's statement",
            "profile": package.profile_json(profile),
            "software": {"mamori": __version__},
            "files": files,
        }
        (folder / "report.pdf").write_bytes(_pdf(meta, pictures))
        (folder / "README.txt").write_text(README, encoding="utf-8")
        for name, media in (("report.pdf", "application/pdf"), ("README.txt", "text/plain")):
            meta["files"][name] = {
                "sha256": package.sha256_file(folder / name),
                "size": (folder / name).stat().st_size,
                "media_type": media,
            }
        (folder / package.METADATA).write_bytes(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        )
        package.seal(folder, settings)
        stamp = at.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
        buf = io.BytesIO()
        _zip(folder, buf)
        return f"mamori-evidence-{stamp}.zip", buf.getvalue()


def seal_capture(url: str, result: CaptureResult, *, settings: EvidenceSettings, out: Path) -> str:
    """Write the signed package of a capture made for a person without an account as one ZIP at `out`
    (run by a worker: `mamori.evidence.kit_captures`); returns the file name the person downloads."""
    stamp = result.started_at.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    item_id = "kit-" + hashlib.sha256(f"{url}|{result.started_at.isoformat()}".encode()).hexdigest()[:16]
    with tempfile.TemporaryDirectory(prefix="mamori-kit-") as scratch:
        folder = Path(scratch) / "package"
        package.write_package(folder, result, item_id=item_id, settings=settings)
        _zip(folder, out)
    return f"mamori-capture-{stamp}.zip"


MAX_ZIP_MEMBERS = 64
MAX_ZIP_BYTES = 2 * 1024 * 1024 * 1024


def verify_zip(path: Path, *, tsa_ca: Path | None = None) -> list[str]:
    """Problems of a kit or capture handed out as a ZIP (empty: intact): unpacked safely, then checked."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                return [f"{path.name}: too many or too large members for an evidence package"]
            with tempfile.TemporaryDirectory(prefix="mamori-verify-") as scratch:
                root = Path(scratch).resolve()
                for member in members:
                    target = (root / member.filename).resolve()
                    if not target.is_relative_to(root) or member.filename.startswith("/"):
                        return [f"{member.filename}: a path outside the package (refused)"]
                    if member.is_dir():
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        target.write_bytes(archive.read(member))
                    except (zipfile.BadZipFile, OSError, ValueError) as exc:
                        return [f"{member.filename}: damaged in the ZIP ({exc})"]
                unsealed = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
                problems = package.verify_package(root, tsa_ca=tsa_ca)
                meta_path = root / package.METADATA
                if meta_path.is_file() and not problems:
                    listed = set(json.loads(meta_path.read_bytes()).get("files", {}))
                    extra = sorted(
                        set(unsealed) - listed - {package.METADATA, package.SIGNATURE, package.TIMESTAMP}
                    )
                    problems += [f"{name}: not part of what was sealed (added later)" for name in extra]
                return problems
    except zipfile.BadZipFile as exc:
        return [f"{path.name}: not a readable ZIP ({exc}): altered or damaged"]

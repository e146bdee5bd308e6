"""What a person saved themselves: type checked by content (never by name or claimed type), size limited."""

from __future__ import annotations

from mamori.core.errors import DomainError
from mamori.core.text import refuse_control_characters

# (offset, magic bytes, media type, extension)
SIGNATURES: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (0, b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (0, b"GIF87a", "image/gif", "gif"),
    (0, b"GIF89a", "image/gif", "gif"),
    (0, b"\x1aE\xdf\xa3", "video/webm", "webm"),
    (0, b"ID3", "audio/mpeg", "mp3"),
    (0, b"\xff\xfb", "audio/mpeg", "mp3"),
    (0, b"\xff\xf3", "audio/mpeg", "mp3"),
    (0, b"OggS", "audio/ogg", "ogg"),
    (0, b"fLaC", "audio/flac", "flac"),
    (0, b"%PDF-", "application/pdf", "pdf"),
)
FTYP_BRANDS = {
    b"M4A ": ("audio/mp4", "m4a"),
    b"qt  ": ("video/quicktime", "mov"),
    b"heic": ("image/heic", "heic"),
    b"heix": ("image/heic", "heic"),
    b"mif1": ("image/heif", "heif"),
}


def sniff(content: bytes) -> tuple[str, str]:
    """(media type, extension) from the first bytes; refuses anything that is not an image, video or audio."""
    for offset, magic, media, ext in SIGNATURES:
        if content[offset : offset + len(magic)] == magic:
            return media, ext
    if content[:4] == b"RIFF" and content[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {
            b"WEBP": ("image/webp", "webp"),
            b"WAVE": ("audio/wav", "wav"),
            b"AVI ": ("video/x-msvideo", "avi"),
        }[content[8:12]]
    if content[4:8] == b"ftyp":
        return FTYP_BRANDS.get(content[8:12], ("video/mp4", "mp4"))
    raise DomainError(
        code="evidence_upload_type",
        field="file",
        ja="画像・動画・音声・PDFのファイルを選んでください (中身で判定しています)。",
        en="Choose an image, video, audio or PDF file (the type is checked by its content).",
    )


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise DomainError(
            code="evidence_upload_empty", field="file", ja="ファイルが空です。", en="The file is empty."
        )
    if size > limit:
        raise DomainError(
            code="evidence_upload_too_large",
            field="file",
            status=413,
            ja=f"ファイルが大きすぎます (上限 {limit // (1024 * 1024)} MB)。",
            en=f"The file is too large (limit {limit // (1024 * 1024)} MB).",
        )


def check_files(files: list[tuple[str, bytes]], *, max_files: int, max_bytes: int) -> list[tuple[str, str]]:
    """Several files a person sends at once: their count, their size together and each one's type, every
    refusal on the field "files" and naming the file; the (media type, extension) of each otherwise."""
    if len(files) > max_files:
        raise DomainError(
            code="evidence_upload_count",
            field="files",
            ja=f"ファイルは{max_files}個までです。",
            en=f"Up to {max_files} files at a time.",
        )
    if sum(len(content) for _, content in files) > max_bytes:
        mib = max_bytes // (1024 * 1024)
        raise DomainError(
            code="evidence_upload_too_large",
            field="files",
            status=413,
            ja=f"ファイルの合計が大きすぎます (上限 {mib} MB)。",
            en=f"The files are too large together (limit {mib} MB).",
        )
    typed = []
    for name, content in files:
        try:
            refuse_control_characters(name, field="files", single_line=True)
            check_size(len(content), max_bytes)
            typed.append(sniff(content))
        except DomainError as exc:
            raise DomainError(
                code=exc.code,
                field="files",
                status=exc.status,
                ja=f"{name[:80]}: {exc.ja}",
                en=f"{name[:80]}: {exc.en}",
            ) from None
    return typed

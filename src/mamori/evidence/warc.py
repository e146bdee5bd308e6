"""Every HTTP response of a capture as it arrived, in WARC records (warcio), packaged as WACZ.

The rendered page and the screenshots are added as WARC resource records, so the WACZ alone holds
the whole capture and replays in any WACZ viewer (ReplayWeb.page).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from mamori.core.errors import DomainError
from mamori.evidence.fetcher import HOP_BY_HOP, Exchange


@dataclass(frozen=True)
class Resource:
    """A file of the capture stored as a WARC resource record (screenshot, rendered HTML)."""

    uri: str
    media_type: str
    content: bytes


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _warc_date(at: dt.datetime) -> str:
    return datetime_to_iso_date(at.astimezone(dt.UTC).replace(tzinfo=None), use_micros=True)


def write_warc(
    path: Path,
    exchanges: Sequence[Exchange],
    resources: Sequence[Resource],
    *,
    info: dict[str, str],
    at: dt.datetime,
) -> None:
    """Write warcinfo, then request/response pairs, then the resources, gzip per record."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        for ex in exchanges:
            # The body is kept content-encoded as received; chunking is undone, so its header goes.
            headers = [(k, v) for k, v in ex.response_headers if k.lower() not in HOP_BY_HOP]
            protocol = "HTTP/1.1" if ex.http_version.upper().startswith("HTTP/1") else ex.http_version
            response = writer.create_warc_record(
                ex.url,
                "response",
                payload=io.BytesIO(ex.raw_body),
                http_headers=StatusAndHeaders(f"{ex.status} {ex.reason}".strip(), headers, protocol=protocol),
                warc_headers_dict={"WARC-Date": _warc_date(ex.started_at), "WARC-IP-Address": ex.server_ip},
            )
            request = writer.create_warc_record(
                ex.url,
                "request",
                payload=io.BytesIO(ex.request_body),
                http_headers=StatusAndHeaders(
                    f"{ex.method} {_request_target(ex.url)} HTTP/1.1",
                    ex.request_headers,
                    is_http_request=True,
                ),
                warc_headers_dict={"WARC-Date": _warc_date(ex.started_at)},
            )
            request.rec_headers.add_header(
                "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID") or ""
            )
            writer.write_record(response)
            writer.write_record(request)
        for res in resources:
            writer.write_record(
                writer.create_warc_record(
                    res.uri,
                    "resource",
                    payload=io.BytesIO(res.content),
                    warc_content_type=res.media_type,
                    warc_headers_dict={"WARC-Date": _warc_date(at)},
                )
            )


def write_wacz(
    wacz_path: Path, warc_path: Path, *, page_url: str, title: str, at: dt.datetime, work_dir: Path
) -> None:
    """Package the WARC as WACZ with the captured page as its one page (the wacz tools' own writer)."""
    from wacz.main import main as wacz_main

    pages = work_dir / "pages.jsonl"
    ts = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    pages.write_text(
        json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})
        + "\n"
        + json.dumps({"id": "1", "url": page_url, "ts": ts, "title": title}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    args = ["create", "-o", str(wacz_path), str(warc_path), "-p", str(pages), "--hash-type", "sha256"]
    args += ["--title", title or page_url]
    with contextlib.redirect_stdout(io.StringIO()) as log:
        try:
            code = wacz_main(args)
        except ValueError as exc:
            log.write(str(exc))
            code = 1
        finally:
            pages.unlink()
    if code != 0:
        raise DomainError(
            code="evidence_wacz_failed",
            ja="WACZの作成に失敗しました。",
            en=f"WACZ packaging failed: {log.getvalue()}",
        )


def validate_wacz(path: Path) -> tuple[bool, str]:
    """The wacz package's own validator: (valid, its output)."""
    from wacz.main import main as wacz_main

    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = wacz_main(["validate", "-f", str(path)])
    return code == 0, out.getvalue()

"""How a file handed out is named in the answer (RFC 6266: a UTF-8 name for Japanese file names)."""

from __future__ import annotations

from urllib.parse import quote


def attachment(name: str) -> dict[str, str]:
    """The Content-Disposition header that makes the browser save `name` (safe for any characters)."""
    quoted = quote(name, safe="")
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("\\", "_")
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"}

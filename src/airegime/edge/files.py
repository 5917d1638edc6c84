"""Kept evidence files as downloads, the same for the pages and the API: always an attachment
(never shown inline), in the type read from the bytes (text as ``application/octet-stream``),
never sniffed again by the browser (``X-Content-Type-Options: nosniff``, which the web app's edge
adds to every response, the mounted API's included), sandboxed should it be opened anyway."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi.responses import Response

from airegime.storage.evidence import Attachment


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")[:120] or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def evidence_download(found: Attachment, data: bytes) -> Response:
    return Response(
        data,
        media_type=found.served_as,
        headers={
            "Content-Disposition": content_disposition(found.name),
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )

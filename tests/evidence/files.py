"""Small files of each kind, and hostile ones, for the evidence tests."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
TEXT = "Contrat signé le 3 mars.\nClause 4 : sous-traitance.\n".encode()
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HIDDEN_SCRIPT = b"Just a note\n<script>fetch('/api')</script>\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
PLAIN_ZIP = zipped({"readme.txt": b"hello"})
# A DOCX whose one entry inflates 20 MB of zeros from a few kilobytes.
BOMB_DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * 20_000_000})
MACRO_DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"VBA"})
MACRO_ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "Basic/Standard/Module1.xml": b"<m/>"})

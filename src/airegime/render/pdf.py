"""PDF from the HTML views, with WeasyPrint (A4 and page numbers come from the print styles)."""

from __future__ import annotations

import io
import logging
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# An image the page names by a private address ("airegime:diagram"), produced on demand: the
# callable may wait for a Graphviz process started before the layout, so both run at once.
Resources = Mapping[str, Callable[[], tuple[bytes, str]]]


def html_to_pdf(html: str, *, resources: Resources | None = None) -> bytes:
    """Lay out ``html`` on A4 pages.

    Only data: addresses and ``resources`` are read: a hostile link or image address in a report
    fetches nothing, locally or remotely.
    """
    from weasyprint import HTML  # heavy: imported only when a PDF is asked for

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    swaps = _PngSwaps()
    pdf = HTML(string=html, url_fetcher=_fetcher(resources or {}, swaps)).write_pdf(finisher=swaps.put_back)
    if swaps.left_out:  # WeasyPrint stored an image otherwise than expected: embed the PNGs its own way
        pdf = HTML(string=html, url_fetcher=_fetcher(resources or {}, None)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _fetcher(resources: Resources, swaps: _PngSwaps | None) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class InlineFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in resources:
                body, media_type = resources[url]()
                if swaps is not None and media_type == "image/png":
                    body, media_type = swaps.stand_in(body)
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            return super().fetch(url, headers)

    return InlineFetcher(allowed_protocols={"data"})


# WeasyPrint decodes every PNG and compresses it again (a tenth of a second for the printed diagram),
# but embeds a JPEG as it is. So it is handed a stand-in JPEG of the same size, and once the PDF is
# built the stand-in's bytes are replaced by the PNG's own compressed pixels, which a PDF reads as
# they are (FlateDecode with PNG predictors): the same image, lossless, and no pixel decoded here.


@dataclass
class _Png:
    width: int
    height: int
    pixels: bytes  # the IDAT chunks' zlib stream: filtered 8-bit RGB rows


@dataclass
class _PngSwaps:
    pngs: dict[bytes, _Png] = field(default_factory=dict)  # by their stand-in's bytes
    left_out: bool = False

    def stand_in(self, png: bytes) -> tuple[bytes, str]:
        found = _plain_rgb_png(png)
        if found is None or max(found.width, found.height) > 0xFFFF:  # a JPEG header holds 16-bit sizes
            return png, "image/png"
        jpeg = _stand_in_jpeg(found.width, found.height, tag=len(self.pngs))
        self.pngs[jpeg] = found
        return jpeg, "image/jpeg"

    def put_back(self, document: Any, pdf: Any) -> None:
        """WeasyPrint's finisher: each stand-in's stream gets its PNG's pixels."""
        import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer

        swapped = set()
        for stream in pdf.objects:
            if not isinstance(stream, pydyf.Stream) or stream.extra.get("Subtype") != "/Image":
                continue
            png = self.pngs.get(b"".join(_bytes(item) for item in stream.stream))
            if png is None:
                continue
            stream.stream = [png.pixels]
            stream.extra.pop("Decode", None)
            stream.extra.update(Width=png.width, Height=png.height, ColorSpace="/DeviceRGB", BitsPerComponent=8)
            stream.extra["Filter"] = "/FlateDecode"
            stream.extra["DecodeParms"] = pydyf.Dictionary({"Predictor": 15, "Colors": 3, "Columns": png.width})
            swapped.add(id(png))
        self.left_out = any(id(png) not in swapped for png in self.pngs.values())


def _bytes(item: Any) -> bytes:
    return item if isinstance(item, bytes) else bytes(item.data) if hasattr(item, "data") else b""


def _plain_rgb_png(png: bytes) -> _Png | None:
    """Size and pixels of an 8-bit RGB, non-interlaced PNG (as Graphviz writes on a white background)."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    position, pixels, header = 8, [], None
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            pixels.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length  # length, kind, body, CRC
    if header is None or header[2:] != (8, 2, 0, 0, 0) or not pixels:  # depth 8, RGB, deflate, adaptive, plain
        return None
    return _Png(width=header[0], height=header[1], pixels=b"".join(pixels))


def _stand_in_jpeg(width: int, height: int, *, tag: int) -> bytes:
    """A small JPEG whose header says ``width`` × ``height`` (all WeasyPrint reads), unique by ``tag``."""
    jpeg = _tiny_jpeg()
    position = 2  # after the start-of-image marker
    while position + 4 <= len(jpeg):
        marker, length = struct.unpack(">HH", jpeg[position : position + 4])
        if marker == 0xFFC0:  # baseline frame header: precision (1 byte), height, width
            size = struct.pack(">HH", height, width)
            jpeg = jpeg[: position + 5] + size + jpeg[position + 9 :]
            break
        position += 2 + length
    else:
        raise AssertionError("Pillow wrote no baseline JPEG header")
    comment = f"airegime stand-in {tag}".encode()
    return jpeg[:2] + struct.pack(">HH", 0xFFFE, 2 + len(comment)) + comment + jpeg[2:]


@cache
def _tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG")
    return out.getvalue()

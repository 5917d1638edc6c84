"""PDF from the HTML views, with WeasyPrint (A4 and page numbers come from the print styles)."""

from __future__ import annotations

import logging


def html_to_pdf(html: str) -> bytes:
    """Lay out ``html`` on A4 pages. Reports embed their images as data: addresses, so the fetcher
    allows only those: a hostile link or image address in a report fetches nothing, locally or remotely."""
    from weasyprint import HTML  # heavy: imported only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf

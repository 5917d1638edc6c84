"""PDF from the HTML views, with WeasyPrint (A4 and page numbers come from the print styles)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
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
    pdf = HTML(string=html, url_fetcher=_fetcher(resources or {})).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _fetcher(resources: Resources) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class InlineFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in resources:
                body, media_type = resources[url]()
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            return super().fetch(url, headers)

    return InlineFetcher(allowed_protocols={"data"})

"""PDF reports and the methodology, and the diagram's PNG, laid out by Typst (templates/*.typ).

The templates read their data as JSON through ``sys.inputs`` (``json(bytes(sys.inputs.data))``):
every string stays a string, so a name holding ``#let``, ``$``, ``*`` or ``<script>`` is printed as
it is, never read as markup. Images come the same way (the diagram's SVG text): nothing is read
from the disk but the templates and the fonts, nothing from the network.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airegime.errors import AiregimeError, msg
from airegime.kb.models import Lang
from airegime.render.report_data import unknown_answers, without_controls
from airegime.render.report_markdown import WHATIF_SHOWN, more_changes_note, whatif_split
from airegime.render.sentences import TRUTH_MARK, condition_lines

if TYPE_CHECKING:
    import typst

TEMPLATES = Path(__file__).parent / "templates"
_LOCK = threading.Lock()


def printable(value: Any) -> Any:
    """``value`` with control characters (a bell in a description…) dropped from every string: no glyph."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


@cache
def _compiler() -> typst.Compiler:
    import typst

    # System fonts (DejaVu Sans from fonts-dejavu-core) plus Typst's own; read once per process.
    return typst.Compiler(root=TEMPLATES)


def compile_typst(
    template: str,
    inputs: dict[str, str],
    *,
    fmt: str = "pdf",
    ppi: float | None = None,
    timestamp: datetime | None = None,
) -> bytes:
    """Lay out ``templates/<template>`` with ``inputs`` as ``sys.inputs``: the PDF, or the first page as PNG.

    PDFs are tagged for accessibility (headings, paragraphs, tables, lists and reading order for
    screen readers; ``pdfinfo`` says ``Tagged: yes``), in the document's language.
    """
    import typst

    options: dict[str, Any] = {"input": TEMPLATES / template, "format": fmt, "sys_inputs": inputs}
    if fmt == "png":
        options["ppi"] = ppi
    else:
        options.update(pdf_tags=True, timestamp=timestamp)  # None: now
    try:
        # One compiler keeps the fonts loaded; a request arriving while it works gets its own.
        if _LOCK.acquire(blocking=False):
            try:
                out = _compiler().compile(**options)
            finally:
                _LOCK.release()
        else:
            out = typst.compile(root=TEMPLATES, **options)
    except typst.TypstError as error:
        raise AiregimeError(
            msg("error.pdf.typst", template=template, reason=error), hint=msg("error.bug.hint")
        ) from None
    if isinstance(out, list):  # a PNG of a document with several pages: ours have one
        out = out[0]
    assert isinstance(out, bytes)
    return out if fmt == "png" else without_suspects(out)


# Typst marks a tagged PDF ``/MarkInfo<</Marked true/Suspects false>>`` in its catalog. Poppler 22.12
# (Debian 12's pdfinfo, pdffonts, evince…) wants another type there and prints "Syntax Error: Suspects
# object is wrong type (boolean)". ``false`` is the default: blanked to spaces of the same length, the
# catalog means the same and every object keeps its offset, so the cross-reference table stays right.
_MARK_INFO = b"/MarkInfo<</Marked true/Suspects false>>"
_MARK_INFO_PLAIN = b"/MarkInfo<</Marked true" + b" " * len(b"/Suspects false") + b">>"


def without_suspects(pdf: bytes) -> bytes:
    """The PDF with its catalog's ``/Suspects false`` (the default value) blanked, for older poppler.

    Only in the catalog object: the same characters in a title (the metadata) stay as they are.
    """
    catalog = pdf.rfind(b"/Type/Catalog")
    if catalog < 0:
        return pdf
    start, end = pdf.rfind(b" obj", 0, catalog), pdf.find(b"endobj", catalog)
    mark = pdf.find(_MARK_INFO, start, end)
    if start < 0 or end < 0 or mark < 0:
        return pdf
    return pdf[:mark] + _MARK_INFO_PLAIN + pdf[mark + len(_MARK_INFO) :]


def _data(value: dict[str, Any]) -> str:
    return json.dumps(printable(value), ensure_ascii=False, separators=(",", ":"))


def report_pdf(report: dict[str, Any], *, words: dict[str, str], diagram_svg: str | None = None) -> bytes:
    """The report dict laid out as an A4 PDF, with the path diagram on a landscape page if given."""
    lang: Lang = report["lang"]
    data = {
        "r": report,
        "words": words,
        "marks": TRUTH_MARK,
        "unknown": unknown_answers(report),
        "conditions": [
            [condition_lines(rule["condition"], lang, traced=True) for rule in phase["rules"]]
            for phase in report["phases"]
        ],
        "whatif_shown": WHATIF_SHOWN,
        # per phase: what the short "would change" table leaves to the annex ("" when nothing)
        "more_changes": [
            more_changes_note(len(rest), lang) if (rest := whatif_split(phase)[1]) else "" for phase in report["phases"]
        ],
    }
    inputs = {"data": _data(data)}
    if diagram_svg is not None:
        inputs["diagram"] = diagram_svg
    day = datetime.fromisoformat(report["generated"]).replace(tzinfo=UTC)
    return compile_typst("report.typ", inputs, timestamp=day)


def methodology_pdf(data: dict[str, Any], *, words: dict[str, str], diagram_svgs: list[str]) -> bytes:
    """The methodology laid out as an A4 PDF, one landscape page per diagram."""
    lang: Lang = data["lang"]
    view = {
        "m": data,
        "words": words,
        "conditions": {
            "phases": [
                [condition_lines(rule["condition"], lang, traced=False) for rule in group["rules"]]
                for group in data["phases"]
            ],
        },
    }
    inputs = {"data": _data(view)} | {f"diagram{i}": svg for i, svg in enumerate(diagram_svgs)}
    return compile_typst("methodology.typ", inputs)


def svg_to_png(svg: str, *, ppi: float) -> bytes:
    """An SVG drawn at ``ppi`` on an opaque white page of its own size (Graphviz's own PNG size at 96)."""
    return compile_typst("picture.typ", {"svg": svg}, fmt="png", ppi=ppi)

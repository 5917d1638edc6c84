"""Rendering: every page gets the reader's language, its words, the CSRF token and the rule set.
A request from htmx gets only the page's <main> (a partial update); others get the whole page."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from airegime.edge.inputs import text_problem
from airegime.errors import AiregimeError, DescriptorError
from airegime.i18n import N_, plural_translator, translate, translator
from airegime.kb import LANGS, KnowledgeBase, Lang, as_lang
from airegime.render.summary import colon
from airegime.storage import PhaseSummary

LANG_COOKIE = "airegime_lang"  # the language a reader chose, kept a year

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def phase_name(summary: PhaseSummary, _: Callable[..., str], lang: Lang) -> str:
    """A stored phase, as the badges and re-check tables name it: "Development" (the only one, or an
    unnamed one: "Development processing 2"), "Development: its name", or the deployment context's name."""
    if summary.phase != "development":
        return summary.name
    if summary.name == "development":
        return _("phase.development")
    unnamed = re.fullmatch(r"development (\d+)", summary.name)  # the engine's name for an unnamed one of several
    if unnamed:
        return _("developments.unnamed", n=unnamed.group(1))
    return f"{_('phase.development')}{colon(lang)}{summary.name}"


templates.env.globals["phase_name"] = phase_name
templates.env.globals["colon"] = colon  # "Statut : " / "Status: ", as everywhere else


def language_name(code: Lang) -> str:
    """A language named in itself ("Français", "English"), as the language switch offers it."""
    return translate("language.name", code)


templates.env.globals["languages"] = LANGS
templates.env.globals["language_name"] = language_name

MONTHS = (  # abbreviated as Intl.DateTimeFormat's "medium" style writes them
    N_("month.jan"),
    N_("month.feb"),
    N_("month.mar"),
    N_("month.apr"),
    N_("month.may"),
    N_("month.jun"),
    N_("month.jul"),
    N_("month.aug"),
    N_("month.sep"),
    N_("month.oct"),
    N_("month.nov"),
    N_("month.dec"),
)
TimeStyle = Literal["minutes", "seconds", "date"]


def when(moment: datetime, lang: Lang, style: TimeStyle = "minutes") -> Markup:
    """A stored time as ``<time datetime="ISO, UTC">``, written in UTC in the page's language
    ("4 déc. 2026, 14:05 UTC"); app.js rewrites the text in the reader's time zone and format."""
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)  # stored naive means UTC
    text = f"{utc.day} {translate(MONTHS[utc.month - 1], lang)} {utc.year}"
    if style != "date":
        text += f", {utc:%H:%M:%S} UTC" if style == "seconds" else f", {utc:%H:%M} UTC"
    iso = utc.isoformat(timespec="seconds").replace("+00:00", "Z")
    return Markup('<time datetime="{}" data-when="{}">{}</time>').format(iso, style, text)


@pass_context
def _when(context: Context, moment: datetime, style: TimeStyle = "minutes") -> Markup:
    return when(moment, context.get("lang", "en"), style)


templates.env.filters["when"] = _when  # {{ row.at|when }}, {{ token.expires_at|when("date") }}


def lang_of(request: Request) -> Lang:
    """The pages' language: the reader's cookie (``/lang/{code}``), else the app's default."""
    default: Lang = request.app.state.default_lang
    return as_lang(request.cookies.get(LANG_COOKIE)) or default


async def page_lang(request: Request) -> Lang:
    return lang_of(request)


# The pages' language as a typed dependency (the API's is ``edge.deps.ApiLangDep``: ``?lang=``).
PageLangDep = Annotated[Lang, Depends(page_lang)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def see_other(url: str) -> RedirectResponse:
    """Where to go next after a form (303: the browser then asks for it with GET)."""
    return RedirectResponse(url, status_code=303)


def here(request: Request) -> str:
    """The page's own address: its path and query."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    kb: KnowledgeBase = request.app.state.kb
    principal = getattr(request.state, "principal", None)
    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "_": translator(lang),
            "ngettext": plural_translator(lang),
            "csrf": request.state.csrf,
            "kb": kb,
            "partial": is_htmx(request),
            "here": here(request),
            "principal": principal,
            "editor": principal is None or principal.can("editor"),  # may change what the page shows
            "signed_out": principal is None and request.app.state.gate.accounts_on(),
            **context,
        },
        status_code=status,
    )


def error(request: Request, status: int, kind: str, *, error: AiregimeError | None = None) -> HTMLResponse:
    """A clear error page (or, for htmx, the error in place of the page's main part), in the page's language."""
    lang = lang_of(request)
    response = render(
        request,
        "error.html",
        status,
        kind=kind,
        status_code=status,
        detail=error.message_in(lang) if error else "",
        hint=error.hint_in(lang) if error else "",
        location=error.location if isinstance(error, DescriptorError) else "",
    )
    if is_htmx(request):
        response.headers["HX-Retarget"] = "#main"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


# What airegime.text.problem says, as the form's message keys (the rule stays there: these are its words).
PROBLEM_KEYS = {"text.control": "form.control", "text.invisible": "form.invisible"}


def text_problems(values: dict[str, str | None]) -> dict[str, str]:
    """Field -> message key, for each text the one text rule (``airegime.text.problem``) refuses:
    control characters, or only invisible characters. The API refuses the same texts
    (``airegime.api.deps.text_problem``)."""
    found = {}
    for field, value in values.items():
        reason = text_problem(value) if value else None
        if reason:
            found[field] = PROBLEM_KEYS.get(reason.key, "form.invalid")
    return found


SHORT_TEXTS = ("name", "organisation", "first_context")  # at most 200 characters; other texts 10,000


def form_problems(values: Mapping[str, str | None], required: tuple[str, ...] = ()) -> dict[str, str]:
    """Field -> message key, for a form's texts checked before anything is saved: unreadable (the one
    text rule, ``text_problems``), ``required`` but left empty, or too long. Unreadable ones come first."""
    problems = text_problems(dict(values))
    for field, value in values.items():
        text = (value or "").strip()
        if field in problems:
            continue
        if field in required and not text:
            problems[field] = "form.required"
        elif len(text) > (200 if field in SHORT_TEXTS else 10_000):
            problems[field] = "form.too_long"
    return problems

"""How a question is put to the person: its text, the phase it is about, and a note when the answer
concerns someone else. One function for the web app and the terminal, so both say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from airegime.i18n import translate
from airegime.kb.models import Lang, Question, Scope

# A development carried out on a client's documented instructions is the client's processing (the
# controller is whoever decides why and how): every answer about who decides or why is the client's.
# Whether data are personal is judged by whoever runs the phase, so that question gets no note.
ABOUT_THE_CLIENT = frozenset({"establishment", "organisation_kind", "development_uses", "purpose", "legal_mission"})


@dataclass(frozen=True, slots=True)
class PlacedQuestion:
    """A question as shown: ``text``, then ``where`` (the phase it is about), then ``note`` ("" if none)."""

    text: str
    where: str
    note: str

    @property
    def line(self) -> str:
        """The question and its phase on one line, for places that have room for one line only."""
        return f"{self.text} ({self.where})"


def placed_question(question: Question, lang: Lang, *, scope: Scope, name: str = "") -> PlacedQuestion:
    """``question`` asked for ``scope``: the system, a development (``name``: "" for the only or an
    unnamed one) or the deployment context called ``name``."""
    if scope == "system":
        where = translate("where.system", lang)
    elif scope == "development":
        where = translate("where.named_development", lang, name=name) if name else translate("where.development", lang)
    else:
        where = translate("where.deployment", lang, name=name)
    note = translate("where.client", lang) if scope == "development" and question.id in ABOUT_THE_CLIENT else ""
    return PlacedQuestion(question.text.get(lang), where, note)

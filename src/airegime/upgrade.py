"""Reading format-1 descriptors (rule sets up to 2026.11) as format 2.

Format 1 asked one household question for the whole system, mixed the organisation and its
activity in ``controller_kind``, and described development with ``use_defined``,
``same_purpose_only``, ``foreseen_uses`` and ``for_client``. Format 2 asks, per phase, who the
controller is (``organisation_kind``), what it does (``purpose``), whether a law gives it that
mission (``legal_mission``), and for which uses development is carried out (``development_uses``).

Most answers map exactly. Where the mapping is a guess, an :class:`UpgradeNote` names the
question and says what to check; nothing is changed silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from airegime.answers import normalise_answers_with
from airegime.errors import Problems
from airegime.i18n import N_, translate
from airegime.kb.loader import default_knowledge_dir, load_questions
from airegime.kb.models import UNKNOWN, Question

# Questions only format 1 asks, at the system's level and at a phase's.
FORMAT1_PHASE = frozenset(
    {"eu_link", "controller_kind", "for_client", "use_defined", "same_purpose_only", "foreseen_uses"}
)
FORMAT1_SYSTEM = FORMAT1_PHASE | {"household"}
KIND = {
    "private_body": "private_body",
    "public_body": "public_body",
    "competent_authority": "competent_authority",
    "defence_security_body": "state_security_service",
    "eu_institution": "eu_institution",
}
PURPOSE = {
    "criminal_law": "criminal_law",
    "crowd_safety": "crowd_safety",
    "mixed_criminal_administrative": "mixed_inseparable",  # format 1 said "that cannot be separated"
    "national_security": "national_security",
    "other": "other",
}
ESTABLISHMENT = {"yes": "eu", "no": "outside"}
SEVERAL_USES = {"all_criminal_law": "criminal_law", "all_national_security": "national_security"}


@dataclass(frozen=True, slots=True)
class UpgradeNote:
    """A format-1 answer whose format-2 reading is a guess: where, which question, what to check."""

    location: str
    question: str
    note: str  # its message id in the catalogues

    def text(self, lang: str) -> str:
        return translate(self.note, lang)

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "question": self.question, "fr": self.text("fr"), "en": self.text("en")}


def is_format1(data: Mapping[str, Any]) -> bool:
    """A descriptor of format 1: it says so, or (no format given) it answers a format-1 question."""
    if "airegime" in data:
        return bool(data["airegime"] == 1)
    if "developments" in data:
        return False
    located = [(data.get("answers"), FORMAT1_SYSTEM)]
    development = data.get("development")
    if isinstance(development, Mapping):
        located.append((development.get("answers"), FORMAT1_PHASE))
    deployments = data.get("deployments")
    if isinstance(deployments, list):
        located.extend((d.get("answers"), FORMAT1_PHASE) for d in deployments if isinstance(d, Mapping))
    return any(isinstance(answers, Mapping) and any(str(q) in only for q in answers) for answers, only in located)


@lru_cache(maxsize=1)
def format1_questions() -> dict[str, Question]:
    """The format-1 questions (kept in knowledge/format1/), to read old answers in any of their words."""
    questions = load_questions(default_knowledge_dir() / "format1" / "questions.yaml")
    return {question.id: question for question in questions}


def upgrade(
    data: Mapping[str, Any], *, source: str = "", problems: Problems | None = None
) -> tuple[dict[str, Any], tuple[UpgradeNote, ...]]:
    """A format-1 descriptor as format 2 (answers as codes), with a note wherever that is a guess.

    With ``problems``, wrong answers are added there and left out, so that the caller can go on
    and report every problem of the file at once; without, they are raised together.
    """
    old = format1_questions()
    found = Problems() if problems is None else problems

    def codes(answers: Any, location: str) -> dict[str, str]:
        if answers is None:
            return {}
        return normalise_answers_with(old, answers, location=location, source=source, problems=found)

    system_answers = codes(data.get("answers"), "answers")
    household = system_answers.get("household", UNKNOWN)
    notes: list[UpgradeNote] = []
    development = data.get("development") if isinstance(data.get("development"), Mapping) else {}
    assert isinstance(development, Mapping)
    phases: list[tuple[str, dict[str, str], bool]] = [
        ("development.answers", codes(development.get("answers"), "development.answers"), True)
    ]
    deployments = data.get("deployments") if isinstance(data.get("deployments"), list) else []
    assert isinstance(deployments, list)
    phases.extend(
        (f"deployments[{i}].answers", codes(d.get("answers"), f"deployments[{i}].answers"), False)
        for i, d in enumerate(deployments)
        if isinstance(d, Mapping)
    )
    if problems is None:
        found.raise_if_any(source=source)
    upgraded = [
        upgrade_phase(answers, household, location, is_development, notes)
        for location, answers, is_development in phases
    ]
    establishment = {answers.get("establishment") for answers in upgraded}
    new_system: dict[str, str] = {}
    if len(establishment) == 1 and None not in establishment:  # one answer for every phase: the system's
        new_system["establishment"] = establishment.pop() or UNKNOWN
        for answers in upgraded:
            del answers["establishment"]
    result = {key: value for key, value in data.items() if key not in ("airegime", "development", "answers")}
    result["airegime"] = 2
    result["answers"] = new_system
    result["developments"] = [{"description": development.get("description", ""), "answers": upgraded[0]}]
    result["deployments"] = [
        {**d, "answers": answers}
        for d, answers in zip([d for d in deployments if isinstance(d, Mapping)], upgraded[1:], strict=True)
    ] + [d for d in deployments if not isinstance(d, Mapping)]
    return result, tuple(notes)


def upgrade_phase(
    old: dict[str, str], household: str, location: str, is_development: bool, notes: list[UpgradeNote]
) -> dict[str, str]:
    """One phase's format-1 answers (codes) as format 2, given the system's household answer;
    appends to ``notes`` the guesses made (inventories call it once per combination of answers)."""
    new: dict[str, str] = {}
    if "personal_data" in old:
        new["personal_data"] = old["personal_data"]
    if "eu_link" in old:
        new["establishment"] = ESTABLISHMENT.get(old["eu_link"], UNKNOWN)
    kind = old.get("controller_kind")
    if kind is not None:
        new["organisation_kind"] = KIND.get(kind, UNKNOWN)
    if "purpose" in old:
        new["purpose"] = PURPOSE.get(old["purpose"], UNKNOWN)
    if household == "yes":
        new["organisation_kind"], new["household"] = "natural_person", "yes"
        notes.append(_note(location, "organisation_kind", HOUSEHOLD_NOTE))
    if kind == "eu_institution" and old.get("purpose") in ("criminal_law", "mixed_criminal_administrative"):
        notes.append(_note(location, "organisation_kind", EU_BODY_NOTE))
    if is_development:
        _development_uses(old, new, location, notes)
    return new


def _development_uses(old: dict[str, str], new: dict[str, str], location: str, notes: list[UpgradeNote]) -> None:
    defined, same, foreseen = old.get("use_defined"), old.get("same_purpose_only"), old.get("foreseen_uses")
    if defined == "yes" and same == "yes":
        new["development_uses"] = "single_use"
    elif defined == "yes" and same == "no":
        new["development_uses"] = "single_use_with_other_ends"
        notes.append(_note(location, "development_uses", OTHER_ENDS_NOTE))
    elif defined == "no" and foreseen == "various":
        new["development_uses"] = "various"
    elif defined == "no" and foreseen in SEVERAL_USES:
        new["development_uses"] = "several_uses_same_purpose"
        purpose = SEVERAL_USES[foreseen]
        if new.get("purpose", purpose) != purpose:
            notes.append(_note(location, "purpose", SEVERAL_USES_NOTE))
        new["purpose"] = purpose


def _note(location: str, question: str, note: str) -> UpgradeNote:
    return UpgradeNote(f"{location}.{question}", question, note)


HOUSEHOLD_NOTE = N_("upgrade.note.household")
EU_BODY_NOTE = N_("upgrade.note.eu_body")
OTHER_ENDS_NOTE = N_("upgrade.note.other_ends")
SEVERAL_USES_NOTE = N_("upgrade.note.several_uses")

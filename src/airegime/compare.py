"""Two systems side by side: the answers that differ, the regimes that differ, and why.

Two descriptors (two versions of one assessment, or two assessments) are evaluated with one
knowledge base and compared phase by phase: the system-level answers, then each development
processing and each deployment context, matched by name, then by position (one left over on
one side only is *added* or *removed*). For each pair: the answers that differ, the regime and
the reason that decided it on each side, in the words of the reports (``render.summary`` and the
report's ``deciding``), so a comparison never words a result differently from the result page.

``Comparison.to_dict`` is the JSON form (``COMPARISON_FORMAT``): question, rule and outcome ids
are kept there, beside the labels; a page or a terminal shows the labels only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment, PhaseResult
from airegime.i18n import translate
from airegime.kb.models import KnowledgeBase, Lang, Phase
from airegime.render.report_data import deciding
from airegime.render.summary import answer_label, headline, phase_title, short_reason, status_label
from airegime.system import Deployment, Development, System

COMPARISON_FORMAT = "airegime.comparison/1"
# What changed in a phase, the weightiest first: its regime (status or outcome), else the reason
# that decided it, else only some of its answers; or it is on one side only.
Change = Literal["regime", "added", "removed", "reason", "answers", "same"]
CHANGES: tuple[Change, ...] = ("regime", "added", "removed", "reason", "answers", "same")
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AnswerDifference:
    """One question answered differently (``before``/``after``: the codes; None: not answered)."""

    question: str
    short: str
    text: str
    before: str | None
    after: str | None
    before_label: str
    after_label: str

    def to_dict(self) -> Json:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Side:
    """A phase as one side has it: its regime and the reason that decided it, in words."""

    result: PhaseResult
    title: str
    status_label: str
    headline: str
    reason: str
    deciding: Json | None

    @property
    def regime(self) -> tuple[str, str | None]:
        return self.result.status, self.result.outcome

    @property
    def why(self) -> tuple[object, ...]:
        """What the reason rests on: the deciding rule and answers, or the questions it depends on."""
        return self.result.reason, tuple(d.question for d in self.result.depends_on)

    def to_dict(self) -> Json:
        return {
            "title": self.title,
            "index": self.result.position,
            "name": self.result.name,
            "status": self.result.status,
            "status_label": self.status_label,
            "outcome": self.result.outcome,
            "headline": self.headline,
            "reason": self.reason,
            "deciding": self.deciding,
        }


@dataclass(frozen=True, slots=True)
class PhaseComparison:
    """One development processing or deployment context on both sides (``before`` or ``after``
    None: on one side only), with its own answers that differ."""

    phase: Phase
    before: Side | None
    after: Side | None
    answers: tuple[AnswerDifference, ...]

    @property
    def title(self) -> str:
        side = self.after or self.before
        assert side is not None
        return side.title

    @property
    def renamed_from(self) -> str:
        """The title it had before, when it was renamed (else empty)."""
        if self.before and self.after and self.before.title != self.after.title:
            return self.before.title
        return ""

    @property
    def change(self) -> Change:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if self.before.regime != self.after.regime:
            return "regime"
        if self.before.why != self.after.why:
            return "reason"
        return "answers" if self.answers else "same"

    @property
    def regime_differs(self) -> bool:
        return self.change in ("regime", "added", "removed")

    def to_dict(self) -> Json:
        return {
            "phase": self.phase,
            "title": self.title,
            "renamed_from": self.renamed_from,
            "change": self.change,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "answers": [a.to_dict() for a in self.answers],
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    lang: Lang
    before: Assessment
    after: Assessment
    system_answers: tuple[AnswerDifference, ...]
    phases: tuple[PhaseComparison, ...]

    @property
    def differs(self) -> bool:
        """Some answer, phase, regime or reason differs (names and descriptions aside)."""
        return bool(self.system_answers) or any(p.change != "same" for p in self.phases)

    @property
    def regimes_differ(self) -> bool:
        return any(p.regime_differs for p in self.phases)

    def ranked(self) -> list[PhaseComparison]:
        """The phases, those whose regime differs first, then those whose reason or answers do,
        then the others; in their order within each."""
        return sorted(self.phases, key=lambda p: 0 if p.regime_differs else CHANGES.index(p.change))

    def to_dict(self) -> Json:
        return {
            "format": COMPARISON_FORMAT,
            "lang": self.lang,
            "rule_set": {"version": self.after.rule_set_version, "hash": self.after.rule_set_hash},
            "before": {"name": self.before.system.name, "organisation": self.before.system.organisation},
            "after": {"name": self.after.system.name, "organisation": self.after.system.organisation},
            "differs": self.differs,
            "regimes_differ": self.regimes_differ,
            "system_answers": [a.to_dict() for a in self.system_answers],
            "phases": [p.to_dict() for p in self.phases],
        }


def compare(*, kb: KnowledgeBase, before: System, after: System, lang: Lang) -> Comparison:
    """``before`` and ``after`` evaluated with ``kb`` and compared, in ``lang``."""
    old, new = evaluate(kb=kb, system=before), evaluate(kb=kb, system=after)
    phases = [
        *_phases(kb, old, new, "development", lang),
        *_phases(kb, old, new, "deployment", lang),
    ]
    return Comparison(
        lang=lang,
        before=old,
        after=new,
        system_answers=answer_differences(kb, before.answers, after.answers, lang),
        phases=tuple(phases),
    )


def pairs(before: Sequence[str], after: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Positions paired by name first, then by position; in ``after``'s order, those of ``before``
    left alone (removed) last."""
    match: dict[int, int] = {}  # after's position -> before's
    for i, name in enumerate(before):
        j = next((j for j, other in enumerate(after) if other == name and j not in match), None)
        if j is not None:
            match[j] = i
    paired = set(match.values())
    for i in range(min(len(before), len(after))):
        if i not in paired and i not in match:
            match[i] = i
    kept = set(match.values())
    return [(match.get(j), j) for j in range(len(after))] + [(i, None) for i in range(len(before)) if i not in kept]


def _phases(kb: KnowledgeBase, old: Assessment, new: Assessment, phase: Phase, lang: Lang) -> list[PhaseComparison]:
    described: tuple[Sequence[Development | Deployment], Sequence[Development | Deployment]]
    if phase == "development":
        results = old.developments, new.developments
        described = old.system.developments, new.system.developments
    else:
        results = old.deployments, new.deployments
        described = old.system.deployments, new.system.deployments
    counts = len(old.developments), len(new.developments)
    found = []
    for i, j in pairs([d.name for d in described[0]], [d.name for d in described[1]]):
        before = _side(kb, results[0][i], lang, counts[0]) if i is not None else None
        after = _side(kb, results[1][j], lang, counts[1]) if j is not None else None
        answers = answer_differences(
            kb,
            described[0][i].answers if i is not None else {},
            described[1][j].answers if j is not None else {},
            lang,
        )
        found.append(PhaseComparison(phase, before, after, answers))
    return found


def _side(kb: KnowledgeBase, result: PhaseResult, lang: Lang, developments: int) -> Side:
    return Side(
        result=result,
        title=phase_title(result, lang, developments=developments),
        status_label=status_label(result, lang),
        headline=headline(kb, result, lang),
        reason=short_reason(kb, result, lang),
        deciding=deciding(kb, result, lang),
    )


def answer_differences(
    kb: KnowledgeBase, before: dict[str, str], after: dict[str, str], lang: Lang
) -> tuple[AnswerDifference, ...]:
    """The questions answered differently (or on one side only), in the knowledge base's order.
    Answers to questions this knowledge base does not have are left out: no rule reads them."""
    found = []
    for question in kb.questions:
        old, new = before.get(question.id), after.get(question.id)
        if old != new:
            found.append(
                AnswerDifference(
                    question=question.id,
                    short=question.short.get(lang),
                    text=question.text.get(lang),
                    before=old,
                    after=new,
                    before_label=_label(kb, question.id, old, lang),
                    after_label=_label(kb, question.id, new, lang),
                )
            )
    return tuple(found)


def _label(kb: KnowledgeBase, question: str, code: str | None, lang: Lang) -> str:
    return translate("compare.not_answered", lang) if code is None else answer_label(kb, question, code, lang)

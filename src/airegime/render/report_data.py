"""The report as data: one JSON-ready dict built from an explanation, read by every format.

Markdown, HTML, PDF, Word and JSON are views of this dict, so no format re-decides anything:
the labels, traces and counterfactuals are resolved here once, in the report's language. The
dict's shape is the versioned JSON report format (``REPORT_FORMAT``, documented in
docs/reports.md); its ``system`` member is a descriptor, which is how a report is imported back.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from airegime.engine.explain import ConditionTrace, Explanation, PhaseExplanation
from airegime.engine.results import Dependency, PhaseResult
from airegime.errors import DescriptorError, msg
from airegime.i18n import translate
from airegime.kb.models import UNKNOWN, Citation, KnowledgeBase, Lang
from airegime.render.summary import (
    answer_label,
    change_label,
    deciding_title,
    file_size,
    headline,
    outcome_label,
    phase_title,
    short_label,
    short_reason,
    split_parts,
    status_label,
)
from airegime.system import System, parse_system, syntax_message

REPORT_FORMAT = "airegime.report/1"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # no glyph: every view drops them


def without_controls(text: str) -> str:
    """``text`` without control characters (a bell in a description…), which no document can show."""
    return CONTROL_CHARACTERS.sub("", text)


Json = dict[str, Any]


def report_date(generated: date | None = None) -> date:
    """The report's date: the one given, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if generated is not None:
        return generated
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(tz=UTC).date()


def build_report(
    *,
    kb: KnowledgeBase,
    explanation: Explanation,
    lang: Lang,
    generated: date | None = None,
    review: Json | None = None,
) -> Json:
    """Resolve everything a reader needs, in ``lang``, into one plain dict.

    ``review``: a saved assessment's review (``storage.reviews.ReviewState.to_report``): the report
    then has a ``review`` member, with the line its summary page shows."""
    assessment = explanation.assessment
    system = assessment.system
    count = len(assessment.developments)
    phases = [_phase(kb, system, phase, lang, count) for phase in explanation.phases]
    return {
        "format": REPORT_FORMAT,
        "lang": lang,
        "generated": report_date(generated).isoformat(),
        "title": kb.title.get(lang),
        "rule_set": {"version": assessment.rule_set_version, "hash": assessment.rule_set_hash},
        "system": system.to_dict(),
        "summary": [_summary_row(kb, result, lang, count) for result in assessment.phases],
        "answers": _answer_groups(kb, system, lang),
        "evidence": evidence_groups(kb, system, lang),
        "phases": phases,
        "next_steps": _next_steps(kb, assessment.phases, lang, count),
        "caveats": [caveat.get(lang) for caveat in kb.caveats],
        "rule_caveats": _rule_caveats(phases),
        "sources": _cited_sources(kb, explanation, lang),
        "disclaimer": kb.disclaimer.get(lang),
        **({"review": review_member(review, lang)} if review is not None else {}),
    }


def review_member(review: Json, lang: Lang) -> Json:
    """The report's ``review``: status, reviewer, date and opinion of the approval (as data), and the
    summary page's ``label`` and ``line`` in ``lang`` ("Approved by … on 2026-12-04")."""
    last = str(review.get("last_approved_at", ""))[:10]
    if review["status"] == "approved":
        line = translate("review.report.approved", lang, name=review["reviewer"], date=str(review["approved_at"])[:10])
        if review.get("flag"):
            line += " " + translate("review.report.flagged", lang)
    elif review["status"] == "in_review":
        line = translate("review.report.in_review", lang)
    else:
        line = translate("review.report.draft", lang)
    if review["status"] != "approved" and last:
        line += " " + translate("review.report.last_approved", lang, date=last)
    return {**review, "label": translate("review.report.label", lang), "line": line}


def _summary_row(kb: KnowledgeBase, result: PhaseResult, lang: Lang, developments: int) -> Json:
    return {
        "phase": result.phase,
        "deployment_index": result.deployment_index,
        "development_index": result.development_index,
        "title": phase_title(result, lang, developments=developments),
        "status": result.status,
        "status_label": status_label(result, lang),
        "outcome": result.outcome,
        "outcome_label": outcome_label(kb, result, lang),
        "headline": headline(kb, result, lang),
        "reason": short_reason(kb, result, lang),
    }


def _answer_groups(kb: KnowledgeBase, system: System, lang: Lang) -> list[Json]:
    """Every answer given, grouped by where it was given, in the knowledge base's question order."""
    groups = [_answer_group(kb, translate("report.system_answers", lang), "system", None, system.answers, lang)]
    count = len(system.developments)
    for index, development in enumerate(system.developments):
        name = development.name or ("development" if count == 1 else f"development {index + 1}")
        result = PhaseResult("development", name, "determined", None, (), (), (), (), development_index=index)
        title = phase_title(result, lang, developments=count)
        groups.append(_answer_group(kb, title, "development", None, development.answers, lang, development=index))
    for index, deployment in enumerate(system.deployments):
        title = phase_title(PhaseResult("deployment", deployment.name, "determined", None, (), (), (), ()), lang)
        groups.append(_answer_group(kb, title, "deployment", index, deployment.answers, lang))
    return groups


def _answer_group(
    kb: KnowledgeBase,
    title: str,
    scope: str,
    index: int | None,
    answers: dict[str, str],
    lang: Lang,
    *,
    development: int | None = None,
) -> Json:
    items = [
        {
            "question": question.id,
            "text": question.text.get(lang),
            "answer": answers[question.id],
            "answer_label": answer_label(kb, question.id, answers[question.id], lang),
            "unknown": answers[question.id] == UNKNOWN,
        }
        for question in kb.questions
        if question.id in answers
    ]
    return {"scope": scope, "deployment_index": index, "development_index": development, "title": title, "items": items}


def _phase(kb: KnowledgeBase, system: System, phase: PhaseExplanation, lang: Lang, developments: int) -> Json:
    result = phase.result
    outcome = kb.outcome_by_id[result.outcome] if result.outcome else None
    described = system.developments if result.phase == "development" else system.deployments
    return {
        **_summary_row(kb, result, lang, developments),
        "description": described[result.position].description if result.position < len(described) else "",
        "outcome_summary": outcome.summary.get(lang) if outcome else "",
        "parts": [
            {"outcome": part.outcome, "label": label, "purposes": purposes}
            for part, (label, purposes) in zip(outcome.parts, split_parts(kb, outcome, lang), strict=True)
        ]
        if outcome
        else [],
        "authority": outcome.authority.get(lang) if outcome and outcome.authority else "",
        "competing": [kb.outcome_by_id[o].label.get(lang) for o in outcome.competing] if outcome else [],
        "possible": [{"outcome": o, "label": kb.outcome_by_id[o].label.get(lang)} for o in result.possible],
        "deciding": deciding(kb, result, lang),
        "rules": _rules(kb, phase, lang),
        "open_questions": [_dependency(kb, d, lang) for d in result.depends_on],
        "counterfactuals": [
            {
                "outcome": change.outcome,
                "outcome_label": kb.outcome_by_id[change.outcome].label.get(lang),
                "if_answer": [change_label(kb, c.question, c.new, lang, short=True) for c in change.changes],
                "changes": [
                    {
                        "question": c.question,
                        "text": kb.question_by_id[c.question].text.get(lang),
                        "short": kb.question_by_id[c.question].short.get(lang),
                        "from": c.current,
                        "from_label": short_label(answer_label(kb, c.question, c.current, lang)),
                        "to": c.new,
                        "to_label": short_label(answer_label(kb, c.question, c.new, lang)),
                    }
                    for c in change.changes
                ],
            }
            for change in sorted(phase.counterfactuals, key=lambda change: len(change.changes))
        ],
    }


def deciding(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> Json | None:
    """The reason that decided: the rule that states it and the fewest answers that force it (a
    report's ``phases[].deciding``; the comparison of two systems shows it for each side)."""
    if result.reason is None:
        return None
    rule = kb.rule_by_id[result.reason.rule] if result.reason.rule else None
    return {
        "rule": rule.id if rule else None,
        "sentence": short_reason(kb, result, lang),
        "title": deciding_title(kb, result, lang),
        "explanation": rule.explanation.get(lang) if rule else translate("reason.all_lead_here", lang),
        "caveat": rule.caveat.get(lang) if rule and rule.caveat else "",
        "sources": citations(kb, rule.sources, lang) if rule else [],
        "answers": [
            {
                "question": question,
                "short": kb.question_by_id[question].short.get(lang),
                "text": kb.question_by_id[question].text.get(lang),
                "answer": answer,
                "answer_label": answer_label(kb, question, answer, lang),
            }
            for question, answer in result.reason.answers
        ],
    }


def _rules(kb: KnowledgeBase, phase: PhaseExplanation, lang: Lang) -> list[Json]:
    """Every rule still possible, traced; the deciding one first and marked, the others after."""
    deciding = phase.result.reason.rule if phase.result.reason else None
    traces = sorted(phase.rules, key=lambda trace: trace.rule != deciding)
    return [
        _rule(kb, trace.rule, trace.truth, trace.condition, lang, deciding=trace.rule == deciding) for trace in traces
    ]


def _rule(
    kb: KnowledgeBase, rule_id: str, truth: str, condition: ConditionTrace, lang: Lang, *, deciding: bool = False
) -> Json:
    rule = kb.rule_by_id[rule_id]
    return {
        "rule": rule.id,
        "deciding": deciding,
        "truth": truth,
        "title": rule.title.get(lang),
        "explanation": rule.explanation.get(lang),
        "condition": condition_dict(kb, condition, lang),
        "caveat": rule.caveat.get(lang) if rule.caveat else "",
        "sources": citations(kb, rule.sources, lang),
    }


def condition_dict(kb: KnowledgeBase, node: ConditionTrace, lang: Lang) -> Json:
    """A condition trace with its questions and answers in words (``answer`` empty when not traced)."""
    if node.kind != "question":
        return {
            "kind": node.kind,
            "truth": node.truth,
            "children": [condition_dict(kb, c, lang) for c in node.children],
        }
    question = kb.question_by_id[node.question]
    return {
        "kind": "question",
        "truth": node.truth,
        "question": node.question,
        "text": question.text.get(lang),
        "expected": list(node.expected),
        "expected_labels": [short_label(answer_label(kb, node.question, code, lang)) for code in node.expected],
        "excluded_labels": [short_label(o.label.get(lang)) for o in question.options if o.code not in node.expected],
        "answer": node.answer,
        "answer_label": short_label(answer_label(kb, node.question, node.answer, lang)) if node.answer else "",
    }


def citations(kb: KnowledgeBase, cited: tuple[Citation, ...], lang: Lang) -> list[Json]:
    return [
        {
            "source": c.source,
            "title": kb.source_by_id[c.source].title.get(lang),
            "pinpoint": c.pinpoint_in(lang),
            "url": kb.source_by_id[c.source].link(lang),
            "summary": kb.source_by_id[c.source].summary.get(lang),
        }
        for c in cited
    ]


def _dependency(kb: KnowledgeBase, dependency: Dependency, lang: Lang) -> Json:
    """An open question, ranked: ``expected_outcomes`` remain on average once it is answered."""
    question = dependency.question
    return {
        "question": question,
        "text": kb.question_by_id[question].text.get(lang),
        "short": kb.question_by_id[question].short.get(lang),
        "expected_outcomes": dependency.expected_outcomes,
        "outcomes_by_answer": [
            {
                "answer": answer,
                "answer_label": answer_label(kb, question, answer, lang),
                "outcomes": [kb.outcome_by_id[o].label.get(lang) for o in outcomes],
            }
            for answer, outcomes in dependency.outcomes_by_answer
        ],
    }


def _next_steps(kb: KnowledgeBase, results: tuple[PhaseResult, ...], lang: Lang, developments: int) -> list[Json]:
    """The next steps of each outcome reached, once, with the phases that reached it."""
    phases: dict[str, list[str]] = {}
    for result in results:
        if result.outcome and kb.outcome_by_id[result.outcome].next_steps:
            phases.setdefault(result.outcome, []).append(phase_title(result, lang, developments=developments))
    return [
        {
            "outcome": outcome,
            "label": kb.outcome_by_id[outcome].label.get(lang),
            "phases": titles,
            "steps": [{"text": s.text.get(lang), "url": s.link(lang)} for s in kb.outcome_by_id[outcome].next_steps],
        }
        for outcome, titles in phases.items()
    ]


def _rule_caveats(phases: list[Json]) -> list[str]:
    seen: dict[str, None] = {}
    for phase in phases:
        for rule in phase["rules"]:
            if rule["caveat"] and rule["truth"] != "not_met":
                seen.setdefault(rule["caveat"], None)
    return list(seen)


def _cited_sources(kb: KnowledgeBase, explanation: Explanation, lang: Lang) -> list[Json]:
    """Every source the deciding rules and their outcomes cite, in order of first citation."""
    ids: dict[str, None] = {}
    for result in explanation.assessment.phases:
        for source in result.sources:
            ids.setdefault(source, None)
    return [
        {
            "source": s,
            "title": kb.source_by_id[s].title.get(lang),
            "url": kb.source_by_id[s].link(lang),
            "summary": kb.source_by_id[s].summary.get(lang),
        }
        for s in ids
    ]


def evidence_groups(kb: KnowledgeBase, system: System, lang: Lang) -> list[Json]:
    """Each answer's note and evidence (the descriptor's ``notes`` and ``evidence``, a saved
    assessment's as stored), grouped as the answers are; only the answers that have some."""
    parts: list[tuple[str, int | None, int | None, Any]] = [("system", None, None, system)]
    parts += [("development", None, i, d) for i, d in enumerate(system.developments)]
    parts += [("deployment", i, None, d) for i, d in enumerate(system.deployments)]
    titles = {
        (g["scope"], g["deployment_index"], g["development_index"]): g["title"]
        for g in _answer_groups(kb, system, lang)
    }
    groups = []
    for scope, deployment, development, part in parts:
        items = [
            {
                "question": question.id,
                "text": question.text.get(lang),
                "note": part.notes.get(question.id, ""),
                "evidence": [_evidence_item(ref.model_dump(), lang) for ref in part.evidence.get(question.id, ())],
            }
            for question in kb.questions
            if question.id in part.notes or part.evidence.get(question.id)
        ]
        if items:
            title = titles[(scope, deployment, development)]
            groups.append(
                {
                    "scope": scope,
                    "deployment_index": deployment,
                    "development_index": development,
                    "title": title,
                    "items": items,
                }
            )
    return groups


def _evidence_item(ref: Json, lang: Lang) -> Json:
    """A file as "name (PDF, 12 KB)", a link as its name (``address``: its address, to show beside
    the name, unless the name is the address)."""
    if ref["url"]:
        return {**ref, "label": ref["name"], "address": "" if ref["name"] == ref["url"] else ref["url"]}
    size = ref["size"]
    details = ", ".join(part for part in (ref["type"], file_size(size, lang) if size else "") if part)
    return {**ref, "label": f"{ref['name']} ({details})" if details else ref["name"]}


def unknown_answers(report: Json) -> list[str]:
    """Each "I don't know" answer as "where — question", for the call-out every format opens with."""
    return [
        f"{group['title']} — {item['text']}"
        for group in report["answers"]
        for item in group["items"]
        if item["unknown"]
    ]


def report_json(report: Json) -> bytes:
    """The JSON report: UTF-8, keys in a fixed order, one line per top-level member and per list item.

    Line-per-item keeps diffs readable (a changed phase is a changed line) while letting the C
    encoder do the work: a fully indented dump is four times slower.
    """
    members = []
    for key, value in report.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(_compact(item) for item in value)
            members.append(f"  {_compact(key)}: [\n    {items}\n  ]")
        else:
            members.append(f"  {_compact(key)}: {_compact(value)}")
    return ("{\n" + ",\n".join(members) + "\n}\n").encode("utf-8")


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def is_report(data: object) -> bool:
    return isinstance(data, dict) and str(data.get("format", "")).startswith("airegime.report/")


def load_report_json(source: Path | str | bytes | Json, *, kb: KnowledgeBase) -> System:
    """Read a JSON report back into the system it describes (then ``evaluate`` recreates the result).

    ``source`` is a path, the report's bytes, or the already-parsed dict. The answers are checked
    against ``kb`` like any descriptor's, so a report made under other rules fails clearly.
    """
    where = str(source) if isinstance(source, (Path, str)) else "report"
    data = _read_json(source, where)
    if not is_report(data):
        raise DescriptorError(
            msg("error.report.not_a_report", member="'format': 'airegime.report/…'"),
            source=where,
            hint=msg("error.report.not_a_report.hint"),
        )
    if data["format"] != REPORT_FORMAT:
        raise DescriptorError(
            msg("error.report.version", found=repr(data["format"]), format=REPORT_FORMAT),
            source=where,
            hint=msg("error.report.version.hint"),
        )
    if not isinstance(data.get("system"), dict):
        raise DescriptorError(msg("error.report.no_system"), location="system", source=where)
    return parse_system(data["system"], kb=kb, source=where)


def _read_json(source: Path | str | bytes | Json, where: str) -> Any:
    if isinstance(source, dict):
        return source
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
        return json.loads(raw)
    except OSError as error:
        raise DescriptorError(msg("error.file.unreadable", reason=error.strerror), source=where) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = syntax_message(error) if isinstance(error, json.JSONDecodeError) else str(error)
        raise DescriptorError(
            msg("error.report.json", reason=reason), source=where, hint=msg("error.report.json.hint")
        ) from None


def load_descriptor_or_report(path: Path | str, *, kb: KnowledgeBase) -> System:
    """A system from a descriptor (YAML or JSON) or from a JSON report, whichever the file holds."""
    from airegime.system import load_system

    path = Path(path)
    try:
        raw = path.read_bytes()
        data = json.loads(raw) if raw.lstrip().startswith(b"{") and b"airegime.report/" in raw[:4096] else None
    except (OSError, ValueError):
        data = None  # not a readable report: the descriptor loader words the error, with the file's name
    return load_report_json(path, kb=kb) if is_report(data) else load_system(path, kb=kb)

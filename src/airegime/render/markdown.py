"""A compact Markdown view of an assessment (the full report lives beside it)."""

from __future__ import annotations

from airegime.engine.results import Assessment
from airegime.i18n import translate
from airegime.kb.models import KnowledgeBase, Lang
from airegime.render.report_markdown import BREAKING_SPACES
from airegime.render.summary import (
    colon,
    outcome_label,
    phase_table_headings,
    phase_title,
    short_reason,
    status_label,
)


def _cell(text: str) -> str:
    """Keep a table cell on one line and its pipes literal."""
    return BREAKING_SPACES.sub(" ", text).strip(" ").replace("|", "\\|")


def assessment_summary_markdown(kb: KnowledgeBase, assessment: Assessment, lang: Lang) -> str:
    system = assessment.system
    lines = [f"# {_cell(system.name)}", ""]
    if system.organisation:
        lines += [
            f"{translate('organisation', lang)}{colon(lang)}{_cell(system.organisation)}",
            "",
        ]
    lines += [
        "| " + " | ".join(phase_table_headings(lang)) + " |",
        "|---|---|---|---|",
    ]
    for phase in assessment.phases:
        lines.append(
            f"| {_cell(phase_title(phase, lang))} | {_cell(outcome_label(kb, phase, lang))} | "
            f"{status_label(phase, lang)} | {_cell(short_reason(kb, phase, lang))} |"
        )
    lines += [
        "",
        f"{translate('rule_set', lang)} {assessment.rule_set_version} ({assessment.rule_set_hash})",
        "",
        f"> {kb.disclaimer.get(lang)}",
        "",
    ]
    return "\n".join(lines)

"""What the batch results page shows, as plain data: the rows that pass the filters (one page of
them), the regime distribution per phase as bars, the filter choices. No legal logic: every
regime, status and reason comes from the batch library's result columns.

A bar takes its outcome kind's colour from the decision diagram the result pages show
(``render.diagram.OUTCOME_STYLE``, the one definition), as an SVG ``fill`` attribute; an
undetermined phase takes the result pages' colour for that status (``--orange`` in style.css)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from airegime.batch import Summary
from airegime.batch.assess import ERRORS_COLUMN, INVALID_KEY, PHASES, UNDETERMINED_KEY
from airegime.i18n import plural, translate
from airegime.kb import KnowledgeBase, Lang
from airegime.render.diagram import OUTCOME_STYLE

PAGE_ROWS = 50
STATUSES = ("determined", "case_by_case", "undetermined", "invalid")


@dataclass(frozen=True, slots=True)
class Filters:
    development: str = ""  # outcome id, "undetermined", "invalid" (not assessed), or "" for every row
    deployment: str = ""
    status: str = ""  # one of STATUSES, matched by either phase ("invalid": rows with errors)

    def query(self, **changes: object) -> str:
        """The GET parameters of these filters (for links that keep them)."""
        values = {"development": self.development, "deployment": self.deployment, "status": self.status, **changes}
        return "&".join(f"{key}={value}" for key, value in values.items() if value)


@dataclass(frozen=True, slots=True)
class Bar:
    key: str  # outcome id or "undetermined"
    kind: str  # the outcome's kind, "undetermined" otherwise
    colour: str  # the diagram's fill for that kind; "" for undetermined (a CSS class colours it)
    label: str
    count: int
    percent: float

    @property
    def percent_shown(self) -> str:
        """The share in whole percents, never 0 for some rows nor 100 for fewer than all."""
        if 0 < self.percent < 1:
            return "< 1"
        if 99 < self.percent < 100:
            return "> 99"
        return str(round(self.percent))


@dataclass(frozen=True, slots=True)
class Chart:
    phase: str
    bars: tuple[Bar, ...]
    total: int


def clean_filters(development: str, deployment: str, status: str, kb: KnowledgeBase) -> Filters:
    """Filters from GET parameters; an unknown value is dropped (the page shows every row)."""
    known = {*kb.outcome_by_id, UNDETERMINED_KEY, INVALID_KEY}
    return Filters(
        development if development in known else "",
        deployment if deployment in known else "",
        status if status in STATUSES else "",
    )


def filtered(table: pl.DataFrame, filters: Filters, lang: Lang) -> pl.DataFrame:
    for phase in PHASES:
        wanted = getattr(filters, phase)
        if wanted:
            table = table.filter(pl.col(f"{phase}_outcome") == wanted)
    if filters.status == "invalid":
        table = table.filter(pl.col(ERRORS_COLUMN).fill_null("") != "")
    elif filters.status:
        label = translate(f"status.{filters.status}", lang)  # the words the batch library writes in …_status
        table = table.filter((pl.col("development_status") == label) | (pl.col("deployment_status") == label))
    return table


FILTER_COLUMNS = tuple(
    [f"{phase}_outcome" for phase in PHASES] + [f"{phase}_status" for phase in PHASES] + [ERRORS_COLUMN]
)  # what the filters read: a page needs these columns of every row, and every column of its rows only
POSITION = "__position"


def filter_positions(columns: pl.DataFrame, filters: Filters, lang: Lang, page: int) -> tuple[list[int], int, int, int]:
    """From the ``FILTER_COLUMNS`` of every row: the positions of the rows on ``page``, the page
    number shown, the page count and how many rows match."""
    shown = filtered(columns.with_row_index(POSITION), filters, lang)
    pages = max(1, -(-shown.height // PAGE_ROWS))
    page = min(max(page, 1), pages)
    positions = shown.get_column(POSITION).slice((page - 1) * PAGE_ROWS, PAGE_ROWS).to_list()
    return positions, page, pages, shown.height


def rows_of(table: pl.DataFrame) -> list[dict[str, str]]:
    """Rows as text, blanks as ""."""
    return table.cast(pl.String).fill_null("").to_dicts()


def charts(summary: Summary, kb: KnowledgeBase, lang: Lang) -> tuple[Chart, ...]:
    """Regimes per phase: development counted per system, deployment per row (as the library counts)."""
    found = []
    for phase in PHASES:
        counts = summary.outcomes[phase]
        total = sum(counts.values())
        order = [o.id for o in kb.outcomes if o.id in counts] + [k for k in counts if k not in kb.outcome_by_id]
        bars = tuple(_bar(kb, key, counts[key], total, lang) for key in order)
        found.append(Chart(phase, bars, total))
    return tuple(found)


def status_choices(lang: Lang) -> list[tuple[str, str]]:
    """The (value, label) of each status, for the status filter's list."""
    return [(status, translate(f"batch.status.{status}", lang)) for status in STATUSES]


def outcome_choices(summary: Summary, kb: KnowledgeBase, lang: Lang) -> dict[str, list[tuple[str, str]]]:
    """Per phase, the (value, label) of each regime present in the results, for the filter lists,
    then "not assessed" where an invalid cell left some phase unassessed."""
    choices = {chart.phase: [(bar.key, bar.label) for bar in chart.bars] for chart in charts(summary, kb, lang)}
    for phase in PHASES:
        if summary.invalid[phase]:
            choices[phase].append((INVALID_KEY, translate("status.invalid", lang)))
    return choices


def invalid_note(summary: Summary, lang: Lang) -> str:
    """How many phases invalid cells left unassessed, in words ("" when none)."""
    if not summary.invalid_rows:
        return ""
    phases = [
        plural("batch.developments" if phase == "development" else "batch.deployments", summary.invalid[phase], lang)
        for phase in PHASES
        if summary.invalid[phase]
    ]
    return plural("web.invalid_phases", summary.invalid_rows, lang, phases=", ".join(phases))


def _bar(kb: KnowledgeBase, key: str, count: int, total: int, lang: Lang) -> Bar:
    outcome = kb.outcome_by_id.get(key)
    label = outcome.label.get(lang) if outcome else translate("status.undetermined", lang).capitalize()
    kind = outcome.kind if outcome else "undetermined"
    return Bar(key, kind, OUTCOME_STYLE.get(kind, ""), label, count, round(100 * count / total, 1) if total else 0.0)

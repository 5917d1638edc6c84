"""Inventories with the old (format-1) columns: each row gives what its system gives as a format-1
descriptor (read through airegime.upgrade) and as a format-2 inventory, and every guess the
reading makes is in the row's notes."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from random_inventories import COLUMNS, KB, expected_rows, frame_of, inventories

from airegime.batch.columns import canonical_name, column_label, format1_columns
from airegime.batch.format1 import upgrade_codes
from airegime.batch.inventory import assess_frame, assess_inventory
from airegime.errors import LayoutError
from airegime.kb.models import Lang, Phase
from airegime.system import System, parse_system
from airegime.upgrade import UpgradeNote, format1_questions, upgrade

FORMAT1 = format1_columns()
REGIME_FIELDS = [f"{phase}_{name}" for phase in ("development", "deployment") for name in ("outcome", "regime")]


def format2_rows(system: System) -> list[dict[str, Any]]:
    """The rows of a format-2 inventory describing ``system`` (answers as codes)."""
    rows = []
    for deployment in system.deployments:
        row: dict[str, Any] = {"system_id": system.name, "deployment_name": deployment.name}
        for scope, question in COLUMNS:
            answers = {
                "system": system.answers,
                "development": system.development.answers,
                "deployment": deployment.answers,
            }[scope]
            row[canonical_name(scope, question.id)] = answers.get(question.id)
        rows.append(row)
    return rows


def batch_location(note: UpgradeNote, deployment_index: int, lang: Lang = "en") -> str | None:
    """Where a descriptor's note concerns this row, as the batch names it, in words (None: another row's)."""
    question = KB.question_by_id[note.question]
    if note.location.startswith("development."):
        return column_label("development", question, lang)
    if note.location.startswith(f"deployments[{deployment_index}]."):
        return column_label("deployment", question, lang)
    return None


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(FORMAT1, old=True))
def test_old_inventories_give_what_their_descriptors_and_new_inventories_give(
    inventory: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    rows, systems = inventory
    result = assess_frame(frame_of(rows, FORMAT1), kb=KB, lang="en")
    assert result.valid and result.table is not None and result.format == 1
    expected = expected_rows(systems)  # parse_system reads the format-1 descriptors through upgrade
    fields = list(next(iter(expected.values())))
    by_row = {(r["system_id"], r["deployment_name"]): r for r in result.table.iter_rows(named=True)}
    assert {key: {f: row[f] for f in fields} for key, row in by_row.items()} == expected

    parsed = [parse_system(data, kb=KB) for data in systems]
    new = assess_frame(pl.DataFrame([r for s in parsed for r in format2_rows(s)]), kb=KB, lang="en")
    assert new.valid and new.table is not None and new.format == 2
    assert new.table.get_column("notes").null_count() == new.table.height
    for row in new.table.iter_rows(named=True):
        old = by_row[(row["system_id"], row["deployment_name"])]
        assert {f: old[f] for f in REGIME_FIELDS} == {f: row[f] for f in REGIME_FIELDS}
    assert new.summary.outcomes == result.summary.outcomes

    noted = 0
    for system in parsed:
        for i, deployment in enumerate(system.deployments):
            cell = by_row[(system.name, deployment.name)]["notes"]
            wanted = [(where, n) for n in system.upgrade_notes if (where := batch_location(n, i)) is not None]
            if not wanted:
                assert cell is None
                continue
            noted += 1
            for where, note in wanted:
                assert where in cell and note.text("en") in cell
            assert cell.count(" | ") + 1 == len({note.text("en") for _, note in wanted})  # one entry per guess
    assert result.summary.noted_rows == noted


def test_each_guess_is_noted_on_its_rows() -> None:
    frame = pl.DataFrame(
        {
            "system_id": ["home", "home", "lab", "eu", "plain"],
            "deployment_name": ["own use", "shared", "investigation", "agency", "shop"],
            "household": ["yes", None, "no", "no", "no"],
            "development.personal_data": ["yes", None, "yes", "yes", "yes"],
            "development.eu_link": ["yes", None, "yes", "yes", "yes"],
            "development.controller_kind": [
                "private_body",
                None,
                "competent_authority",
                "eu_institution",
                "private_body",
            ],
            "development.use_defined": [None, None, "yes", "no", "no"],
            "development.same_purpose_only": [None, None, "no", None, None],
            "development.foreseen_uses": [None, None, None, "all_criminal_law", "various"],
            "development.purpose": [None, None, "criminal_law", "other", "other"],
            "deployment.personal_data": ["yes", "yes", "yes", "yes", "yes"],
            "deployment.eu_link": ["yes", "yes", "yes", "yes", "yes"],
            "deployment.controller_kind": [
                "private_body",
                "private_body",
                "competent_authority",
                "eu_institution",
                "private_body",
            ],
            "deployment.purpose": ["other", "other", "criminal_law", "criminal_law", "other"],
        }
    )
    result = assess_frame(frame, kb=KB, lang="fr")
    assert result.valid and result.table is not None
    notes = dict(zip(result.table.get_column("deployment_name"), result.table.get_column("notes"), strict=True))
    assert notes["shop"] is None  # nothing was guessed
    for context in ("own use", "shared"):  # household: the whole system's answer, now each phase's
        assert (
            "Responsable du traitement (développement), Responsable du traitement (déploiement)\u00a0: "
            in notes[context]
        )
        assert "particulier" in notes[context]
    assert (
        "Usages du développement (développement)\u00a0: " in notes["investigation"]
    )  # "not exclusively" read as other ends
    assert "autres fins" in notes["investigation"]
    assert "Finalité (développement)\u00a0: " in notes["agency"]  # the foreseen uses now set the purpose
    assert "Responsable du traitement (déploiement)\u00a0: " in notes["agency"]  # an EU body with criminal-law ends
    assert "Europol" in notes["agency"]
    outcomes = dict(
        zip(result.table.get_column("deployment_name"), result.table.get_column("deployment_outcome"), strict=True)
    )
    assert outcomes["own use"] == outcomes["shared"] == "not_applicable_household"
    assert outcomes["shop"] == "gdpr" and outcomes["investigation"] == "police_justice"
    assert result.summary.noted_rows == 4
    assert sum(count for note, count in result.summary.notes.items() if note.question == "organisation_kind") == 5


def test_old_answers_in_conflict_are_reported_under_the_old_column() -> None:
    frame = pl.DataFrame({"system_id": ["A", "A"], "household": ["yes", "no"], "deployment.eu_link": ["yes", "no"]})
    result = assess_frame(frame, kb=KB, lang="en")
    assert [(e.row, e.column) for e in result.errors] == [(1, "household"), (2, "household")]
    assert result.table is not None  # household is the system's: neither phase is assessed
    assert result.table.get_column("deployment_outcome").to_list() == ["invalid", "invalid"]
    assert result.table.get_column("development_outcome").to_list() == ["invalid", "invalid"]


def test_old_and_new_columns_in_one_file_are_refused() -> None:
    frame = pl.DataFrame({"system_id": ["A"], "deployment.eu_link": ["yes"], "system.establishment": ["eu"]})
    with pytest.raises(LayoutError, match="old format") as error:
        assess_frame(frame, kb=KB)
    assert "deployment.eu_link" in error.value.message and "system.establishment" in error.value.message


def test_an_old_file_read_in_small_chunks_gives_the_in_memory_results(tmp_path: Path) -> None:
    kinds = ["competent_authority", "private_body", "public_body", "defence_security_body", "eu_institution", None]
    purposes = ["criminal_law", "other", "mixed_criminal_administrative", "national_security", "crowd_safety", None]
    rows = [
        {
            "system_id": f"S{number:02d}",
            "deployment_name": f"c{i}",
            "system.household": ["no", "yes", None][number % 3] if i == 0 else None,
            "development.use_defined": ["yes", "no", None][number % 3] if i == 0 else None,
            "development.same_purpose_only": ["no", "yes"][number % 2] if i == 0 else None,
            "development.foreseen_uses": ["all_criminal_law", "various"][number % 2] if i == 0 else None,
            "development.purpose": purposes[number % 6] if i == 0 else None,
            "development.controller_kind": kinds[number % 6] if i == 0 else None,
            "deployment.personal_data": "yes",
            "deployment.eu_link": ["yes", "no", None][(number + i) % 3],
            "deployment.controller_kind": kinds[(number + i) % 6],
            "deployment.purpose": purposes[(number * 2 + i) % 6],
        }
        for number in range(30)
        for i in range(3)
    ]
    frame = pl.DataFrame(rows)
    expected = assess_frame(frame, kb=KB, lang="en")
    path = tmp_path / "inventory.csv"
    frame.write_csv(path)
    chunked = assess_inventory(kb=KB, source=path, lang="en", chunk_rows=4)
    assert chunked.table is not None and expected.table is not None
    assert chunked.table.equals(expected.table)
    assert chunked.summary == expected.summary and chunked.summary.noted_rows > 0


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["development", "deployment"])
def test_every_old_answer_combination_maps_as_upgrade_maps_it(phase: Phase) -> None:
    """The vectorised mapping, on every combination of a phase's old answers ("unknown" included),
    against ``airegime.upgrade.upgrade`` on a descriptor holding that combination."""
    household = format1_questions()["household"]
    axes = [("system", household), *((scope, q) for scope, q in FORMAT1 if scope == phase)]
    combinations = list(itertools.product(*(range(len(q.codes) + 1) for _, q in axes)))
    columns = np.array(combinations, dtype=np.uint8).T
    codes = {canonical_name(scope, q.id): column for (scope, q), column in zip(axes, columns, strict=True)}
    upgraded = upgrade_codes(KB, codes, len(combinations))
    targets = [q for q in KB.questions if phase in q.scope]
    mismatches = []
    for row, combination in enumerate(combinations):
        old = {q.id: q.codes[c] if c < len(q.codes) else "unknown" for (_, q), c in zip(axes, combination, strict=True)}
        own = {k: v for k, v in old.items() if k != "household"}
        data = {
            "airegime": 1,
            "name": "S",
            "answers": {"household": old["household"]},
            "development": {"answers": own if phase == "development" else {}},
            "deployments": [{"name": "d", "answers": own if phase == "deployment" else {}}],
        }
        new, notes = upgrade(data)
        where = "developments" if phase == "development" else "deployments"
        expected = {**new["answers"], **new[where][0]["answers"]}
        expected_notes = [
            (n.question, n.note)
            for n in notes
            if batch_location(n, 0) == column_label(phase, KB.question_by_id[n.question], "en")
        ]
        got = {}
        for question in targets:
            code = int(upgraded.codes[canonical_name(phase, question.id)][row])
            got[question.id] = question.codes[code] if code < len(question.codes) else "unknown"
        got_notes = [(n.question, n.note) for n in upgraded.note_sets[phase][upgraded.note_ids[phase][row]]]
        if {k: v for k, v in got.items() if v != "unknown"} != {
            k: v for k, v in expected.items() if v != "unknown"
        } or got_notes != expected_notes:
            mismatches.append((old, got, expected))
    assert mismatches == []
    assert len(combinations) == 3 * math.prod(len(q.codes) + 1 for _, q in axes[1:])

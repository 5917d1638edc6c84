"""Random inventories, in both layouts, give row by row what the scalar engine gives per system."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_inventories import KB, expected_rows, frame_of, inventories

from airegime.batch.columns import canonical_name, column_label, inventory_columns
from airegime.batch.inventory import assess_frame, assess_inventory
from airegime.engine.evaluate import evaluate
from airegime.kb import load_knowledge_base
from airegime.kb.models import Lang


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_random_inventories_match_the_scalar_engine(
    inventory: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    rows, systems = inventory
    result = assess_frame(frame_of(rows), kb=KB, lang="en")
    assert result.valid and result.table is not None
    expected = expected_rows(systems)
    fields = list(next(iter(expected.values())))
    got = {
        (r["system_id"], r["deployment_name"]): {f: r[f] for f in fields} for r in result.table.iter_rows(named=True)
    }
    assert got == expected
    assert result.summary.systems == len(systems)
    assert sum(result.summary.outcomes["deployment"].values()) == len(rows)


def test_chunks_cut_between_systems_only(tmp_path: Path) -> None:
    """Shared answers given once at a system's first row still reach rows in the next chunk."""
    rows = []
    for number in range(7):
        for i in range(3):
            first = i == 0
            rows.append(
                {
                    "system_id": f"S{number}",
                    "deployment_name": f"c{i}",
                    "system.establishment": "eu" if first else None,
                    "development.personal_data": "yes" if first else None,
                    "development.development_uses": "various" if first else None,
                    "development.organisation_kind": "private_body" if first else None,
                    "deployment.personal_data": "yes",
                    "deployment.organisation_kind": "public_body",
                    "deployment.purpose": "other",
                }
            )
    path = tmp_path / "inventory.csv"
    pl.DataFrame(rows).write_csv(path)
    whole = assess_inventory(kb=KB, source=path)
    chunked = assess_inventory(kb=KB, source=path, chunk_rows=2)
    assert whole.table is not None and chunked.table is not None
    assert chunked.table.equals(whole.table)
    assert set(chunked.table.get_column("development_outcome")) == {"gdpr"}
    assert chunked.summary.systems == 7
    assert chunked.summary.outcomes["development"] == {"gdpr": 7}


@pytest.mark.parametrize("order", [(0, 1, 2), (0, 2, 1)])  # rows of A together, or scattered
def test_conflicting_shared_answers_make_the_systems_rows_invalid(order: tuple[int, int, int]) -> None:
    rows = [("A", "other"), ("A", "criminal_law"), ("B", "other")]
    ordered = [rows[i] for i in order]
    frame = pl.DataFrame(
        {
            "system_id": [r[0] for r in ordered],
            "development.purpose": [r[1] for r in ordered],
            "deployment.purpose": ["other"] * 3,
        }
    )
    result = assess_frame(frame, kb=KB, lang="en")
    assert result.table is not None
    system_a = result.table.filter(pl.col("system_id") == "A")
    assert system_a.get_column("development_outcome").to_list() == ["invalid", "invalid"]
    # A development answer: the deployments are still assessed.
    assert system_a.get_column("deployment_outcome").to_list() == ["undetermined", "undetermined"]
    assert result.table.filter(pl.col("system_id") == "B").get_column("errors").to_list() == [None]
    assert sorted(e.row for e in result.errors) == sorted(i + 1 for i, r in enumerate(ordered) if r[0] == "A")
    message = next(e.message for e in result.errors if e.value == "criminal_law")
    assert message.startswith("Column “development.purpose”: “criminal_law” here, but another answer on another row")
    assert message.endswith("Development is not assessed (on every row of the system); deployment may be.")
    assert result.summary.invalid_rows == 2


def test_invalid_cells_are_reported_and_other_rows_assessed() -> None:
    frame = pl.DataFrame(
        {
            "system_id": ["A", "B", None],
            "development_uses": ["perhaps", "various", "various"],
            "deployment.organisation_kind": ["police", "entreprise", "police"],
        }
    )
    result = assess_frame(frame, kb=KB, lang="fr")
    assert result.table is not None
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "system_id", ""),
        (1, "development_uses", "perhaps"),
    ]
    uses = KB.question_by_id["development_uses"]
    assert all(f"«\u00a0{o.label.fr}\u00a0»" in result.errors[1].expected for o in uses.options)
    assert "single_use" not in result.errors[1].expected  # labels, not codes
    development = result.table.get_column("development_outcome").to_list()
    deployment = result.table.get_column("deployment_outcome").to_list()
    assert development == ["invalid", "undetermined", "invalid"]
    assert deployment[1:] == ["undetermined", "invalid"]
    assert deployment[0] not in ("invalid", None)  # A's bad development cell leaves its deployment assessed
    assert result.error_count == 2 and not result.valid


WRONG = {
    "system_id": ["A", "A", "B", "C"],
    "deployment_name": ["shop", "office", "police", "abroad"],
    "system.establishment": ["eu", None, "eu", "mars"],
    "development.personal_data": ["yes", None, "yes", "yes"],
    "development.organisation_kind": ["private_body", None, "private_body", "private_body"],
    "development.development_uses": ["polise", None, "various", "various"],
    "deployment.personal_data": ["yes", "yes", "yes", "yes"],
    "deployment.organisation_kind": ["private_body", "private_body", "competent_authority", "private_body"],
    "deployment.purpose": ["other", "other", "polise", "other"],
    "deployment.legal_mission": ["no", "no", "yes", "no"],
}


def test_a_bad_cell_leaves_only_the_phases_that_read_it_unassessed() -> None:
    result = assess_frame(pl.DataFrame(WRONG), kb=KB, lang="en")
    assert result.table is not None
    rows = {r["deployment_name"]: r for r in result.table.iter_rows(named=True)}
    # A's development answer is bad (row 1): its development is not assessed on either row, its deployments are.
    for name in ("shop", "office"):
        assert rows[name]["development_outcome"] == "invalid"
        assert rows[name]["development_status"] == "not assessed (invalid cell)"
        assert rows[name]["development_regime"] is None and rows[name]["development_reason"] is None
        assert rows[name]["deployment_outcome"] == "gdpr" and rows[name]["deployment_status"] == "determined"
    assert "on row 1 is not valid" in rows["office"]["errors"]  # the other row says where the bad cell is
    # B's deployment purpose is bad: its development is assessed, its deployment is not.
    assert rows["police"]["development_outcome"] == "gdpr"
    assert rows["police"]["deployment_outcome"] == "invalid"
    # C's system-level answer is bad: both phases read it, neither is assessed, and the message says so.
    assert rows["abroad"]["development_outcome"] == rows["abroad"]["deployment_outcome"] == "invalid"
    assert (
        "Neither development nor deployment is assessed: this column holds for the whole system."
        in (rows["abroad"]["errors"])
    )
    assert [(e.row, e.column, e.phases) for e in result.errors] == [
        (4, "system.establishment", ("development", "deployment")),
        (1, "development.development_uses", ("development",)),
        (3, "deployment.purpose", ("deployment",)),
    ]
    # Counts: development once per system, deployment once per row; a phase not assessed is in no outcome.
    summary = result.summary
    assert summary.invalid == {"development": 2, "deployment": 2}  # systems A and C; rows police and abroad
    assert summary.outcomes["development"] == {"gdpr": 1} and summary.systems == 3
    assert summary.outcomes["deployment"] == {"gdpr": 2}
    assert sum(summary.outcomes["development"].values()) + summary.invalid["development"] == summary.systems
    assert sum(summary.outcomes["deployment"].values()) + summary.invalid["deployment"] == summary.rows
    assert summary.invalid_rows == 4


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_invalid_cell_messages_name_the_column_and_the_value_as_typed_and_the_labels_allowed(lang: Lang) -> None:
    frame = pl.DataFrame(
        {
            "system_id": ["A", "B"],
            "Finalité (déploiement)": ["polise", "autre"],  # a column headed by its label
            "deployment.personal_data": ["{peut-être}", "oui"],  # braces stay as typed
        }
    )
    result = assess_frame(frame, kb=KB, lang=lang)
    assert result.table is not None
    errors = result.table.get_column("errors").to_list()
    purpose, personal = KB.question_by_id["purpose"], KB.question_by_id["personal_data"]
    if lang == "fr":
        assert errors[0].startswith(
            "Colonne «\u00a0Finalité (déploiement)\u00a0»\u00a0: «\u00a0polise\u00a0» n’est pas une réponse possible\u00a0; réponses possibles\u00a0: "
            f"«\u00a0{purpose.options[0].label.fr}\u00a0», "
        )
        assert (
            "Colonne «\u00a0deployment.personal_data\u00a0»\u00a0: «\u00a0{peut-être}\u00a0» n’est pas une réponse possible\u00a0; "
            in errors[0]
        )
        assert (
            "«\u00a0Oui\u00a0», «\u00a0Non\u00a0» ou «\u00a0je ne sais pas\u00a0» (ou une cellule vide)." in errors[0]
        )
        assert errors[0].endswith("Le déploiement de cette ligne n’est pas évalué\u00a0; le développement peut l’être.")
    else:
        assert errors[0].startswith(
            "Column “Finalité (déploiement)”: “polise” is not a possible answer; possible answers: "
            f"“{purpose.options[0].label.en}”, "
        )
        assert "“Yes”, “No” or “I don't know” (or a blank cell)." in errors[0]
        assert errors[0].endswith("This row's deployment is not assessed; development may be.")
    assert errors[1] is None
    assert [e.message for e in result.errors] == errors[0].split(" | ")  # the same sentences in both
    # No code (criminal_law, personal_data…) beyond the header typed; plain words like "other" are English too.
    codes = [c for c in (*purpose.codes, *personal.codes, "personal_data") if "_" in c]
    assert codes and not [c for c in codes if c in errors[0].replace("deployment.personal_data", "")]
    assert result.table.get_column("deployment_outcome").to_list()[0] == "invalid"


@pytest.mark.parametrize("header", ["development.nonsense", "deployment.development_uses", "system.purpose"])
def test_answer_columns_that_name_no_question_are_refused(header: str) -> None:
    from airegime.errors import LayoutError

    with pytest.raises(LayoutError):
        assess_frame(pl.DataFrame({"system_id": ["A"], header: ["yes"]}), kb=KB)


def test_columns_that_look_like_answer_columns_are_named_with_what_they_may_mean() -> None:
    """Carried through unread, as any other column, but said: a misspelt answer column, or a
    question of both phases headed without its phase, would otherwise leave answers silently unread."""
    frame = pl.DataFrame(
        {
            "system_id": ["A"],
            "deployment.purpose": ["other"],  # read: not named
            "purpse": ["other"],  # a typo of a question of both phases
            "Finalité": ["x"],  # its short name, without the phase
            "development_use": ["single_use"],  # a typo of a question of one phase
            "ÉTABLISSEMENT": ["eu"],  # a system question without its prefix: the system's column
            "system_name": ["A"],
            "owner": ["Legal"],  # any other column: nothing said
        }
    )
    result = assess_frame(frame, kb=KB)
    assert {c.name: c.suggestions for c in result.unread_columns} == {
        "purpse": ("development.purpose", "deployment.purpose"),
        "Finalité": ("development.purpose", "deployment.purpose"),
        "development_use": ("development.development_uses",),
        "ÉTABLISSEMENT": ("system.establishment",),
    }
    assert result.table is not None and result.table.get_column("purpse").to_list() == ["other"]  # carried through
    said = {c.name: c.message().text("en") for c in result.unread_columns}
    assert said["development_use"].endswith("Did you mean “development.development_uses”?")
    assert said["purpse"].endswith("a column for each phase: development.purpose, deployment.purpose.")
    assert "« purpse »" in result.unread_columns[0].message().text("fr").replace("\u00a0", " ")


def test_a_file_without_system_id_is_refused() -> None:
    from airegime.errors import LayoutError

    with pytest.raises(LayoutError, match="system_id"):
        assess_frame(pl.DataFrame({"name": ["A"]}), kb=KB)


def test_a_system_coming_back_in_a_later_chunk_is_reported(tmp_path: Path) -> None:
    rows = [{"system_id": system, "deployment.purpose": "other"} for system in ["A", "A", "B", "B", "C", "A"]]
    path = tmp_path / "inventory.csv"
    pl.DataFrame(rows).write_csv(path)
    chunked = assess_inventory(kb=KB, source=path, chunk_rows=2)
    assert chunked.split_system_count == 1
    assert chunked.split_systems == [("A", 7)]
    whole = assess_inventory(kb=KB, source=path)  # one chunk: any order is fine
    assert whole.split_system_count == 0 and whole.summary.systems == 3


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.integers(1, 5))
def test_files_read_in_small_chunks_give_the_in_memory_results(
    inventory: tuple[list[dict[str, Any]], list[dict[str, Any]]], chunk_rows: int
) -> None:
    """Systems kept together (sorted), any chunk size: the same results as one in-memory batch."""
    rows = sorted(inventory[0], key=lambda row: row["system_id"])
    frame = frame_of(rows)
    expected = assess_frame(frame, kb=KB, lang="fr").table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inventory.csv"
        frame.write_csv(path)
        result = assess_inventory(kb=KB, source=path, lang="fr", chunk_rows=chunk_rows)
    assert result.table is not None and expected is not None
    assert result.table.equals(expected)
    assert result.split_system_count == 0


def test_the_sources_column_cites_sources_as_people_do_not_by_id(tmp_path: Path) -> None:
    from airegime.batch.assess import result_texts
    from airegime.system import load_system

    kb = load_knowledge_base()
    system = load_system(Path(__file__).resolve().parents[2] / "examples" / "zone-crossing-detector.yaml", kb=kb)
    police = evaluate(kb=kb, system=system).deployments[1]
    english = result_texts(kb, police, "deployment", "en")[-1]
    french = result_texts(kb, police, "deployment", "fr")[-1]
    assert english.startswith("Directive 2016/680 art. 1(1), 2(1) and 3(7)") and "CJEU C-817/19 §67 and §81" in english
    assert "CJUE C-817/19 §67 et §81" in french and "RGPD art. 55(3)" in french
    assert not [s.id for s in kb.sources if s.id in english + french]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_results_files_name_no_rule_question_or_source_by_its_id(tmp_path: Path, suffix: str) -> None:
    """What people read (every result column but the outcome key, which is data for filters and
    programs) is in words: no rule id, question id, answer code or source id."""
    labelled = {  # the same inventory, its columns headed by their English labels
        canonical_name(scope, q.id): column_label(scope, q, "en") for scope, q in inventory_columns(KB)
    }
    frame = pl.DataFrame(WRONG).rename(lambda name: labelled.get(name, name))
    frame = pl.concat([frame, pl.DataFrame({"system_id": ["D"], "deployment_name": ["unknown"]})], how="diagonal")
    source = tmp_path / "inventory.csv"
    frame.write_csv(source)
    for lang in ("fr", "en"):
        output = tmp_path / f"results-{lang}{suffix}"
        assess_inventory(kb=KB, source=source, output=output, lang=lang)
        written = pl.read_csv(output) if suffix == ".csv" else pl.read_excel(output, infer_schema_length=0)
        shown = written.drop(frame.columns, "development_outcome", "deployment_outcome")
        text = " ".join(str(value) for row in shown.iter_rows() for value in row if value is not None)
        assert "(système)" in text or "(system)" in text  # the columns to fill, in words
        assert "polise" in text and "mars" in text  # the values as typed
        ids = {r.id for r in KB.rules} | {s.id for s in KB.sources} | {q.id for q in KB.questions}
        ids |= {code for q in KB.questions for code in q.codes}
        coded = [i for i in ids if "_" in i and re.search(rf"(?<!\w){re.escape(i)}(?!\w)", text)]
        assert coded == [], coded

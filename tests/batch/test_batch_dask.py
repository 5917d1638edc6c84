"""The batch evaluator as a pure function over partitions, on Dask's local scheduler."""

from __future__ import annotations

import polars as pl
import pytest

from airegime.batch.inventory import assess_frame, assess_table
from airegime.kb import KnowledgeBase

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")


def inventory(systems: int) -> pl.DataFrame:
    purposes = ["criminal_law", "other", "mixed_separable", "national_security", None]
    kinds = ["competent_authority", "private_body", "public_body", "state_security_service", None]
    rows = []
    for number in range(systems):
        for i in range(3):
            rows.append(
                {
                    "system_id": f"S{number:04d}",
                    "system.establishment": "eu",
                    "development.personal_data": ["yes", "no", None][number % 3],
                    "deployment.personal_data": "yes",
                    "deployment.establishment": [None, "outside", None, None][(number + i) % 4],
                    "deployment.organisation_kind": kinds[(number + i) % 5],
                    "deployment.purpose": purposes[(number * 3 + i) % 5],
                    "deployment.legal_mission": "yes",
                }
            )
    return pl.DataFrame(rows)


def test_partitions_on_dask_give_the_single_machine_results(kb: KnowledgeBase) -> None:
    frame = inventory(200)
    expected = assess_frame(frame, kb=kb, lang="en").table
    assert expected is not None
    # Whole systems per partition: partition on the system id (the recipe in docs/batch.md).
    source = dd.from_pandas(frame.to_pandas().set_index("system_id"), npartitions=4).reset_index()
    meta = assess_table(frame.head(0), kb=kb, lang="en").to_pandas()

    def assess_partition(part: pd.DataFrame) -> pd.DataFrame:
        return assess_table(pl.from_pandas(part), kb=kb, lang="en").to_pandas()

    result = source.map_partitions(assess_partition, meta=meta).compute(scheduler="threads")
    got = pl.from_pandas(result).sort("system_id", maintain_order=True)
    assert source.npartitions == 4
    assert got.select(expected.columns).equals(expected.sort("system_id", maintain_order=True))


def test_arrow_batches_are_accepted(kb: KnowledgeBase) -> None:
    frame = inventory(5)
    from_arrow = assess_table(frame.to_arrow(), kb=kb)
    assert from_arrow.equals(assess_table(frame, kb=kb))

"""Assessing a whole inventory of AI systems at once, with the engine's compiled decision tables.

    from airegime.batch import assess_inventory
    result = assess_inventory(kb=kb, source="inventory.xlsx", output="results.xlsx", lang="fr")

See docs/batch.md for the file format, the results and the Dask / Spark recipe.
"""

from airegime.batch.assess import CellError, Summary, result_columns
from airegime.batch.columns import UnreadColumn
from airegime.batch.inventory import BatchResult, assess_frame, assess_inventory, assess_table
from airegime.batch.template import write_template
from airegime.errors import InventoryReadError, LayoutError

__all__ = [
    "BatchResult",
    "CellError",
    "InventoryReadError",
    "LayoutError",
    "Summary",
    "UnreadColumn",
    "assess_frame",
    "assess_inventory",
    "assess_table",
    "result_columns",
    "write_template",
]

"""CSV export of a report table, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from insights.reports import Table

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell as text; a leading quote stops formula characters running."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def table_csv(table: Table) -> str:
    """Header row of column titles, then one line per row, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(title) for _, title in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(row.get(key)) for key, _ in table.columns])
    return out.getvalue()

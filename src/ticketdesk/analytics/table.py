"""What an analytics figure answers with: rows of plain values under named columns.

A DataFrame is made only to write a table as CSV. Made for every answer, and turned into
JSON records, pandas cost about 0.8 ms a request, a sixth of the cheaper figures' CPU
(bench/RESULTS.md, session 15).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        """One dict per row, for JSON."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (missing values, None, become NaN in numeric columns)."""
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def column(self, name: str) -> list[Any]:
        at = list(self.columns).index(name)
        return [row[at] for row in self.rows]

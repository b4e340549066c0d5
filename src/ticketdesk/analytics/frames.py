"""Query results into pandas frames."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Select
from sqlalchemy.orm import Session


def fetch_frame(
    session: Session,
    queries: Iterable[Select[*tuple[Any, ...]]],
    *,
    dtypes: Mapping[str, Any],
    categories: Collection[str] = (),
) -> pd.DataFrame:
    """The rows of all `queries` in one frame with columns `dtypes`; when `categories` is
    given, each query is narrowed on its first column (the category) to those."""
    rows: list[Any] = []
    for query in queries:
        if categories:
            query = query.where(query.selected_columns[0].in_(categories))
        # Plain tuples: pandas probes each Row for namedtuple fields, slowly.
        rows.extend(tuple(row) for row in session.execute(query))
    frame = pd.DataFrame(rows, columns=list(dtypes))
    return frame.astype(dict(dtypes))

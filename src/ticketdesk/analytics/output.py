"""JSON or CSV, as the client asks: `?format=csv` or `Accept: text/csv`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from flask import Response, current_app, jsonify, request


def wants_csv(format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def csv_response(frame: pd.DataFrame, *, name: str) -> Response:
    response = current_app.response_class(frame.to_csv(index=False), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts of plain values, missing values (NaN) as null. (In Python: the
    same through pandas' `astype(object).where(notna)` cost a millisecond a request.)"""
    return [
        {str(key): None if _missing(value) else value for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def respond(
    table: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    format: str | None,
    name: str,
    body: Any | None = None,
) -> Response:
    """The `table` as CSV, or as JSON: `body` when given, else the table's rows. With a
    `body`, the table may be a function that makes it: it is then made only for CSV."""

    def frame() -> pd.DataFrame:
        return table if isinstance(table, pd.DataFrame) else table()

    if wants_csv(format):
        response = csv_response(frame(), name=name)
    elif body is not None:
        response = jsonify(body)
    else:
        response = jsonify(records(frame()))
    response.vary.add("Accept")
    return response

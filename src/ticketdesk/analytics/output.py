"""JSON or CSV, as the client asks: `?format=csv` or `Accept: text/csv`."""

from __future__ import annotations

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
    """Rows as plain dicts, missing values as null."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return [{str(key): value for key, value in row.items()} for row in cleaned.to_dict("records")]


def respond(
    frame: pd.DataFrame, *, format: str | None, name: str, body: Any | None = None
) -> Response:
    """`frame` as CSV, or as JSON: `body` when given, else the frame's rows."""
    response = (
        csv_response(frame, name=name)
        if wants_csv(format)
        else jsonify(records(frame) if body is None else body)
    )
    response.vary.add("Accept")
    return response

"""JSON or CSV, as the client asks: `?format=csv` or `Accept: text/csv`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, request

from ticketdesk.analytics.table import Table


def wants_csv(format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def csv_response(table: Table, *, name: str) -> Response:
    response = current_app.response_class(table.frame().to_csv(index=False), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def respond(
    table: Table | Callable[[], Table],
    *,
    format: str | None,
    name: str,
    body: Any | None = None,
) -> Response:
    """The `table` as CSV, or as JSON: `body` when given, else the table's rows. With a
    `body`, the table may be a function that makes it: it is then made only for CSV."""

    def made() -> Table:
        return table if isinstance(table, Table) else table()

    if wants_csv(format):
        response = csv_response(made(), name=name)
    elif body is not None:
        response = jsonify(body)
    else:
        response = jsonify(made().records())
    response.vary.add("Accept")
    return response

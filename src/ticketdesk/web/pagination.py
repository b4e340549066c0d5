"""Page parameters and the headers that describe a page: X-Total-Count and RFC 8288 Link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request
from pydantic import Field

from ticketdesk.web.params import QueryParams

MAX_PER_PAGE = 100


class PageQuery(QueryParams):
    page: int = Field(default=1, ge=1, le=1_000_000, description="1-based page number")
    per_page: int = Field(default=25, ge=1, le=MAX_PER_PAGE, description="items per page")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_response(
    items: Sequence[Any] | bytes, *, total: int, query: PageQuery, exact: bool = True
) -> Response:
    """A JSON array of `items` (or the array already encoded) with the headers a client
    needs to walk the pages. Not `exact`: more than `total` items match, counted no further
    than this page (a search's count stops short), so there is a next page and no known
    last one."""
    if isinstance(items, bytes):
        response = Response(items, mimetype="application/json")
    else:
        response = jsonify(list(items))
    response.headers["X-Total-Count"] = str(total)
    links = {"first": 1}
    if exact:
        last = max(1, -(-total // query.per_page))
        links["last"] = last
        if query.page > 1:
            links["prev"] = min(query.page - 1, last)
        if query.page < last:
            links["next"] = query.page + 1
    else:
        response.headers["X-Total-Count-Exact"] = "false"
        if query.page > 1:
            links["prev"] = query.page - 1
        links["next"] = query.page + 1
    # Every link is this request's URL with another page number: encoded once.
    kept = urlencode(
        [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    )
    base = f"{request.path}?{kept}&page=" if kept else f"{request.path}?page="
    response.headers["Link"] = ", ".join(
        f'<{base}{number}>; rel="{rel}"' for rel, number in links.items()
    )
    return response

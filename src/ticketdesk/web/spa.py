"""Serves the built React app at `/`: real files as they are, every other path the app's
index.html (client-side routes such as /tickets/42). /api is never served from here."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request, send_from_directory
from werkzeug.routing import PathConverter

APP_DIR = Path(__file__).resolve().parent.parent / "static" / "app"
NOT_BUILT = (
    "<!DOCTYPE html><title>ticketdesk</title>"
    "<p>The web front end is not built yet: run <code>make run</code> (or "
    "<code>make frontend</code>). The API is at <a href='/api/docs'>/api/docs</a>.</p>"
)


class SpaPathConverter(PathConverter):
    """Any path except /api and below."""

    regex = r"(?!api(?:/|$))[^/].*?"


def _serve(path: str = "") -> Response:
    if path and (APP_DIR / path).is_file():
        response = send_from_directory(APP_DIR, path)
        if path.startswith("assets/"):  # hashed file names: safe to keep for a year
            response.cache_control.max_age = 31_536_000
            response.cache_control.immutable = True
        return response
    if not (APP_DIR / "index.html").is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/html")
    # Read whole (it is small) rather than streamed, so no open file outlives the response.
    response = Response((APP_DIR / "index.html").read_bytes(), mimetype="text/html")
    response.cache_control.no_cache = True
    response.add_etag()
    response.make_conditional(request)
    return response


def register(app: Flask) -> None:
    app.url_map.converters["spa_path"] = SpaPathConverter
    app.add_url_rule("/", "spa_root", _serve)
    app.add_url_rule("/<spa_path:path>", "spa", _serve)

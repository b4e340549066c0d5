"""The browsable API docs (Swagger UI), served without inline scripts so the CSP holds."""

from __future__ import annotations

from flask import Flask, Response, redirect

DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>ticketdesk API</title>
  <link rel="stylesheet" type="text/css" href="swagger/css/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger/js/swagger-ui-bundle.js"></script>
<script src="swagger/js/swagger-ui-standalone-preset.js"></script>
<script src="swagger-init.js"></script>
</body>
</html>
"""

INIT_SCRIPT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("/api/openapi.json", window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
"""


def register(app: Flask) -> None:
    app.config["SWAGGER_HTML_STRING"] = DOCS_PAGE
    app.add_url_rule(
        "/api/docs/swagger-init.js",
        "docs_init",
        lambda: Response(INIT_SCRIPT, mimetype="text/javascript"),
    )
    app.add_url_rule("/api/docs", "api_docs", lambda: redirect("/api/docs/swagger", code=302))

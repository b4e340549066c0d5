"""The application factory: any subset of the services, on the configured databases."""

from __future__ import annotations

from collections.abc import Collection

from flask_openapi3.models.info import Info
from flask_openapi3.openapi import OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from ticketdesk import __version__
from ticketdesk.db import Database, open_database
from ticketdesk.settings import Settings
from ticketdesk.web import docs, guards, headers, problems, spa
from ticketdesk.web.context import AppState, app_state, close_sessions
from ticketdesk.web.cookieless import NoFlaskSession
from ticketdesk.web.openapi import SECURITY_SCHEMES

SERVICES = ("tickets", "analytics")


def _database(settings: Settings, url: str) -> Database:
    return open_database(
        url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        connect_timeout_s=settings.db_connect_timeout_s,
        pool_size=settings.db_pool_size,
        sqlite_synchronous=settings.sqlite_synchronous,
    )


def create_app(
    settings: Settings | None = None, *, services: Collection[str] = SERVICES
) -> OpenAPI:
    """Build the WSGI app serving `services` ("tickets", "analytics") under /api."""
    settings = settings or Settings()
    unknown = set(services) - set(SERVICES)
    if unknown:
        raise ValueError(f"unknown services: {', '.join(sorted(unknown))}")
    app = OpenAPI(
        __name__,
        info=Info(title="ticketdesk", version=__version__),
        security_schemes=SECURITY_SCHEMES,
        doc_prefix="/api/docs",
        doc_url="/openapi.json",
        validation_error_status=422,
        validation_error_callback=problems.validation_problem,
    )
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    if settings.trusted_proxies:
        proxies = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    database = _database(settings, settings.database_url)
    analytics_database = (
        database
        if settings.analytics_database_url == settings.database_url
        else _database(settings, settings.analytics_database_url)
    )
    app.extensions["ticketdesk"] = AppState(settings, database, analytics_database)
    app.session_interface = NoFlaskSession()
    app.teardown_appcontext(close_sessions)
    app.before_request(guards.require_json_body)
    app.after_request(guards.settle_caller)
    problems.register(app)
    headers.register(app)
    _register_blueprints(app, services)
    app.add_url_rule("/api/openapi.json", "openapi_json", lambda: app.api_doc)
    docs.register(app)
    spa.register(app)
    return app


def _register_blueprints(app: OpenAPI, services: Collection[str]) -> None:
    from ticketdesk.accounts.session_api import bp as session_bp
    from ticketdesk.web import health

    app.register_api(health.bp)
    app.register_api(session_bp)  # every service authenticates browsers the same way
    if "tickets" in services:
        from ticketdesk.accounts.api import agents_bp, tokens_bp, users_bp
        from ticketdesk.imports.api import bp as imports_bp
        from ticketdesk.tickets.api import bp as tickets_bp
        from ticketdesk.tickets.api import categories_bp

        blueprints = (tickets_bp, categories_bp, users_bp, agents_bp, tokens_bp, imports_bp)
        for blueprint in blueprints:
            app.register_api(blueprint)
    if "analytics" in services:
        from ticketdesk.analytics.api import bp as analytics_bp

        app.register_api(analytics_bp)


def dispose(app: OpenAPI) -> None:
    """Close the app's connection pools (tests, and gunicorn workers at exit)."""
    with app.app_context():
        state = app_state()
        state.database.dispose()
        state.analytics_database.dispose()

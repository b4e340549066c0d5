"""No Flask session: ticketdesk keeps a signed-in browser's session in the database
(`accounts.web_sessions`, found by the guards), so Flask's signed-cookie session is never
read or written. Opened anyway, it built a signing serializer at every request: about 2%
of a ticket read's CPU (bench/RESULTS.md, session 15)."""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin


class NoFlaskSession(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> SessionMixin:
        # Flask's NullSession: reading finds nothing, writing raises, so a use shows at once.
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None

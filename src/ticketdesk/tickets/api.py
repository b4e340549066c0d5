"""HTTP views of the ticket service: parse, call the service, serialize."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, url_for
from pydantic import TypeAdapter

from ticketdesk.accounts.actor import Actor
from ticketdesk.accounts.service import caller_for_token_hash, token_hash
from ticketdesk.enums import Status
from ticketdesk.errors import NotFound
from ticketdesk.tickets import comments, history, service
from ticketdesk.tickets.models import Comment, Ticket
from ticketdesk.tickets.schemas import (
    CategoryList,
    ChangeList,
    ChangeOut,
    CommentCreate,
    CommentList,
    CommentOut,
    IfMatchHeader,
    TicketCreate,
    TicketList,
    TicketListQuery,
    TicketOut,
    TicketPatch,
    TicketPath,
    TicketReplace,
)
from ticketdesk.tickets.workflow import next_statuses
from ticketdesk.web.conditional import etag, if_match_versions
from ticketdesk.web.context import current_user, db_session, read_connection
from ticketdesk.web.guards import (
    accept_caller,
    authenticate,
    finds_caller_itself,
    unchecked_bearer_token,
)
from ticketdesk.web.openapi import api_blueprint, errors
from ticketdesk.web.pagination import PageQuery, page_response

bp = api_blueprint(
    "tickets",
    url_prefix="/api/tickets",
    tag="tickets",
    guard=authenticate,
    description="tickets, their conversation and history",
)

categories_bp = api_blueprint(
    "categories", url_prefix="/api/categories", tag="tickets", guard=authenticate
)


# Validated and encoded in one pass: a page of tickets costs a third of doing it per ticket.
TICKET_LIST = TypeAdapter(list[TicketOut])


def ticket_body(ticket: Ticket | Mapping[str, Any], actor: Actor) -> TicketOut:
    """A mapped ticket, or one read by `shown_tickets`, as the API shows it to `actor`."""
    body = TicketOut.model_validate(ticket)
    body.next_statuses = _next_statuses(body.status, actor)
    return body


def _next_statuses(status: Status, actor: Actor) -> list[Status]:
    return next_statuses(status) if actor.is_agent else []


def ticket_response(ticket: Ticket | Mapping[str, Any], status: int = 200) -> Response:
    body = ticket_body(ticket, current_user())
    response = Response(body.model_dump_json(), status=status, mimetype="application/json")
    response.headers["ETag"] = etag(body.version)
    if status == 201:
        response.headers["Location"] = url_for(".get_ticket", ticket_id=body.id)
    return response


def comment_body(comment: Comment | Mapping[str, Any]) -> dict[str, Any]:
    return CommentOut.model_validate(comment).model_dump(mode="json")


@bp.post("", responses={201: TicketOut, **errors(403)})
def create_ticket(body: TicketCreate) -> Response:
    """Open a ticket; answers 201 with the ticket, its `ticket_id` and a Location."""
    session = db_session()
    ticket = service.create_ticket(session, actor=current_user(), **body.model_dump())
    session.commit()
    return ticket_response(ticket, status=201)


@bp.get("", responses={200: TicketList})
@finds_caller_itself
def list_tickets(query: TicketListQuery) -> Response:
    """The tickets you may see, filtered, sorted and paginated (see X-Total-Count and Link).
    A search (`q`) counts its matches up to 500, or to the page's last if further: with
    more, `X-Total-Count-Exact: false` says that more than X-Total-Count match."""
    token = unchecked_bearer_token()
    listed = None if token is None else _queue_for_token(token, query)
    actor = current_user()
    if listed is None:
        listed = service.list_tickets(
            db_session(),
            actor=actor,
            filters=_filters(query, me=actor.id),
            sort=query.sort,
            offset=query.offset,
            limit=query.per_page,
        )
    tickets, total = listed
    for ticket in tickets:
        ticket["next_statuses"] = _next_statuses(ticket["status"], actor)
    return page_response(
        TICKET_LIST.dump_json(TICKET_LIST.validate_python(tickets)),
        total=total.count,
        exact=total.exact,
        query=query,
    )


def _filters(query: TicketListQuery, *, me: int | None) -> service.TicketFilters:
    """What `query` narrows the list to; `me` is the caller's id, which `assignee=me`
    stands for (None before the caller is known)."""

    def assignee_id(key: int | str) -> int:
        if key != "me":
            return int(key)
        if me is None:
            raise ValueError("assignee=me read before the caller is known")
        return me

    assignees = query.assignee or []
    return service.TicketFilters(
        statuses=query.status or (),
        categories=query.category or (),
        priorities=query.priority or (),
        assignee_ids=[assignee_id(key) for key in assignees if key != "none"],
        unassigned="none" in assignees,
        requester_ids=query.requester or (),
        text=query.q or None,
    )


def _queue_for_token(token: str, query: TicketListQuery) -> service.Listed | None:
    """Who signed the request with `token` (accepted as its caller), found together with
    their queue's page when the list is one (see `service.queue_for_token`). None when the
    list is still to be read."""
    session, hashed = db_session(), token_hash(token)
    if query.assignee:  # an assignee filter is no queue, and `me` needs the caller first
        accept_caller(caller_for_token_hash(session, hashed))
        return None
    caller, queue = service.queue_for_token(
        session,
        token_hash=hashed,
        filters=_filters(query, me=None),
        sort=query.sort,
        offset=query.offset,
        limit=query.per_page,
    )
    accept_caller(caller)
    return queue


@bp.get("/<int:ticket_id>", responses={200: TicketOut, **errors(404)})
@finds_caller_itself
def get_ticket(path: TicketPath) -> Response:
    """One ticket, with its version as the ETag."""
    token = unchecked_bearer_token()
    if token is None:  # signed in with a cookie
        ticket = service.read_ticket(db_session(), actor=current_user(), ticket_id=path.ticket_id)
        return ticket_response(ticket)
    caller, found = service.read_ticket_for_token(
        read_connection(), token_hash=token_hash(token), ticket_id=path.ticket_id
    )
    accept_caller(caller)
    if found is None:
        raise NotFound(f"ticket {path.ticket_id} not found")
    return ticket_response(found)


def _update(ticket_id: int, changes: dict[str, Any]) -> Response:
    session = db_session()
    ticket = service.update_ticket(
        session,
        actor=current_user(),
        ticket_id=ticket_id,
        changes=changes,
        expected_versions=if_match_versions(),
    )
    session.commit()
    return ticket_response(ticket)


@bp.put("/<int:ticket_id>", responses={200: TicketOut, **errors(403, 404, 409, 412)})
def replace_ticket(path: TicketPath, header: IfMatchHeader, body: TicketReplace) -> Response:
    """Full update of the editable fields; send If-Match to refuse overwriting newer edits."""
    changes = body.model_dump()
    changes["title"] = body.title or service.title_from(body.description)
    return _update(path.ticket_id, changes)


@bp.patch("/<int:ticket_id>", responses={200: TicketOut, **errors(403, 404, 409, 412)})
def patch_ticket(path: TicketPath, header: IfMatchHeader, body: TicketPatch) -> Response:
    """Change some fields, e.g. `{"status": "resolved"}`; illegal status moves are 409."""
    return _update(path.ticket_id, body.model_dump(exclude_unset=True))


@bp.post("/<int:ticket_id>/comments", responses={201: CommentOut, **errors(403, 404)})
def add_comment(path: TicketPath, body: CommentCreate) -> Response:
    """Reply to the requester, or (agents) add an internal note."""
    session = db_session()
    comment = comments.add_comment(
        session,
        actor=current_user(),
        ticket_id=path.ticket_id,
        content=body.content,
        internal=body.internal,
    )
    session.commit()
    response = jsonify(comment_body(comment))
    response.status_code = 201
    return response


@bp.get("/<int:ticket_id>/comments", responses={200: CommentList, **errors(404)})
def list_comments(path: TicketPath, query: PageQuery) -> Response:
    """The conversation, oldest first; requesters do not see internal notes."""
    page, total = comments.list_comments(
        db_session(),
        actor=current_user(),
        ticket_id=path.ticket_id,
        offset=query.offset,
        limit=query.per_page,
    )
    return page_response([comment_body(c) for c in page], total=total, query=query)


@bp.get("/<int:ticket_id>/history", responses={200: ChangeList, **errors(404)})
def list_history(path: TicketPath, query: PageQuery) -> Response:
    """Every change to the ticket: who, when, which field, old and new value."""
    session = db_session()
    ticket = service.get_ticket(session, actor=current_user(), ticket_id=path.ticket_id)
    page, total = history.list_changes(
        session, ticket=ticket, offset=query.offset, limit=query.per_page
    )
    return page_response(
        [ChangeOut.model_validate(change).model_dump(mode="json") for change in page],
        total=total,
        query=query,
    )


@categories_bp.get("", responses={200: CategoryList})
def list_categories() -> Response:
    """Every category in use, alphabetically (for pickers and filters)."""
    return jsonify(service.list_categories(db_session()))

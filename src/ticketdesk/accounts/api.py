"""HTTP views for users (admins) and API tokens (everyone, for themselves)."""

from __future__ import annotations

from flask import Response, jsonify

from ticketdesk.accounts import service
from ticketdesk.accounts.schemas import (
    TokenCreate,
    TokenCreated,
    TokenList,
    TokenOut,
    TokenPath,
    UserCreate,
    UserList,
    UserOut,
    UserPath,
    UserSummary,
    UserSummaryList,
    UserUpdate,
)
from ticketdesk.enums import Role
from ticketdesk.errors import NotAllowed
from ticketdesk.web.context import current_user, db_session
from ticketdesk.web.guards import authenticate, require_admin, require_agent
from ticketdesk.web.openapi import api_blueprint, errors
from ticketdesk.web.pagination import PageQuery, page_response

users_bp = api_blueprint(
    "users",
    url_prefix="/api/users",
    tag="users",
    guard=require_admin,
    also=[403],
    description="accounts and roles (admins)",
)

tokens_bp = api_blueprint(
    "tokens",
    url_prefix="/api/tokens",
    tag="tokens",
    guard=authenticate,
    description="API tokens for scripts",
)

agents_bp = api_blueprint(
    "agents", url_prefix="/api/agents", tag="users", guard=require_agent, also=[403]
)


def _user_json(user: object) -> object:
    return UserOut.model_validate(user).model_dump(mode="json")


@users_bp.get("", responses={200: UserList})
def list_users(query: PageQuery) -> Response:
    users, total = service.list_users(db_session(), offset=query.offset, limit=query.per_page)
    return page_response([_user_json(user) for user in users], total=total, query=query)


@users_bp.post("", responses={201: UserOut, **errors(409)})
def create_user(body: UserCreate) -> Response:
    session = db_session()
    user = service.create_user(
        session, email=body.email, role=body.role, name=body.name, password=body.password
    )
    session.commit()
    response = jsonify(_user_json(user))
    response.status_code = 201
    return response


@users_bp.get("/<int:user_id>", responses={200: UserOut, **errors(404)})
def get_user(path: UserPath) -> Response:
    return jsonify(_user_json(service.get_user(db_session(), user_id=path.user_id)))


@users_bp.patch("/<int:user_id>", responses={200: UserOut, **errors(404)})
def update_user(path: UserPath, body: UserUpdate) -> Response:
    """Rename, change role, (de)activate or set a password."""
    if path.user_id == current_user().id and (body.role or body.is_active is False):
        raise NotAllowed("admins may not demote or deactivate themselves")
    session = db_session()
    user = service.update_user(session, user_id=path.user_id, **body.model_dump(exclude_unset=True))
    session.commit()
    return jsonify(_user_json(user))


def _token_owner(user_id: int | None) -> int:
    """The id of the user a new token is for: the caller, or (admins) an existing user."""
    actor = current_user()
    if user_id is None or user_id == actor.id:
        return actor.id
    if actor.role != Role.ADMIN:
        raise NotAllowed("only admins may manage other users' tokens", field="user_id")
    return service.get_user(db_session(), user_id=user_id).id


@tokens_bp.get("", responses={200: TokenList})
def list_tokens() -> Response:
    """Your live tokens; admins see everyone's."""
    actor = current_user()
    owner_id = None if actor.role == Role.ADMIN else actor.id
    tokens = service.list_tokens(db_session(), user_id=owner_id)
    return jsonify([TokenOut.model_validate(token).model_dump(mode="json") for token in tokens])


@tokens_bp.post("", responses={201: TokenCreated, **errors(403, 404)})
def create_token(body: TokenCreate) -> Response:
    """A new token; its secret is in this response only."""
    session = db_session()
    token, raw_token = service.create_token(
        session, user_id=_token_owner(body.user_id), label=body.label
    )
    session.commit()
    created = TokenCreated.model_validate(
        {**TokenOut.model_validate(token).model_dump(), "token": raw_token}
    )
    response = jsonify(created.model_dump(mode="json"))
    response.status_code = 201
    return response


@tokens_bp.delete("/<int:token_id>", responses={204: None, **errors(404)})
def revoke_token(path: TokenPath) -> Response:
    actor = current_user()
    session = db_session()
    service.revoke_token(
        session, token_id=path.token_id, owner_id=None if actor.role == Role.ADMIN else actor.id
    )
    session.commit()
    return Response(status=204)


@agents_bp.get("", responses={200: UserSummaryList})
def list_agents() -> Response:
    """Active agents and admins, for assigning tickets (agents and admins only)."""
    agents = service.list_agents(db_session())
    return jsonify([UserSummary.model_validate(user).model_dump(mode="json") for user in agents])

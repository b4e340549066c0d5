"""Schemathesis over /api/openapi.json: every operation, as an admin, an agent and a requester.

Each generated request (valid ones, and ones that break the schema on purpose) must get a
response that is documented: no 5xx, a declared status code, the declared content type and
a body matching the declared schema. Schema-valid requests must be accepted, except where
the server refuses them for a documented domain reason (an unknown user, a field the role
may not set, a stale If-Match), and schema-violating ones must be refused.

The examples per operation are bounded to keep `make test` within budget
(TICKETDESK_FUZZ_EXAMPLES raises it for a deeper local run). In CI the seed is fixed, so a
red run can be replayed; elsewhere each run explores new inputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy import update

from tests.conftest import _empty_tables
from ticketdesk import errors
from ticketdesk.accounts.models import ApiToken, User
from ticketdesk.accounts.service import create_token, create_user
from ticketdesk.app import create_app, dispose
from ticketdesk.db import open_database
from ticketdesk.enums import Role
from ticketdesk.settings import Settings
from ticketdesk.tickets.comments import add_comment
from ticketdesk.tickets.schemas import _split_commas
from ticketdesk.tickets.service import create_ticket

EXAMPLES = int(os.environ.get("TICKETDESK_FUZZ_EXAMPLES", "12"))
# Statuses a schema-valid request may get: 412 for a stale or unparseable If-Match, 422 only
# for domain refusals (checked by `_only_domain_refusals` below).
ACCEPTED_OR_REFUSED_FOR_CAUSE = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429"]
DOMAIN_ERROR_TYPES = frozenset(
    kind.__name__ for kind in vars(errors).values() if isinstance(kind, type)
)
# The fuzzers' own accounts sit far from the small ids that generated paths hit, so that an
# admin's generated PATCH /api/users/1 or DELETE /api/tokens/2 lands on a decoy instead.
ACTOR_ID_BASE = 900_000


def _config() -> SchemathesisConfig:
    data: dict[str, Any] = {
        "generation": {"mode": "all", "max-examples": EXAMPLES},
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_REFUSED_FOR_CAUSE}
        },
    }
    if os.environ.get("CI"):
        data["seed"] = int(os.environ.get("TICKETDESK_FUZZ_SEED", "20261122"))
    return SchemathesisConfig.from_dict(data)


# The document does not depend on the database, so it is read once from a throwaway app;
# each backend's requests go to that backend's own app (see `target`).
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json",
    create_app(Settings(database_url="sqlite://", TICKETDESK_ENV="test")),
    config=_config(),
)


def _only_domain_refusals(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """A schema-valid request refused with 422 must be refused for a domain reason.

    A pydantic error type here would mean the validator is stricter than the document.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    kinds = {item["type"] for item in response.json().get("errors", [])}
    assert kinds and kinds <= DOMAIN_ERROR_TYPES, (
        f"schema-valid request refused by the validator ({sorted(kinds)}): "
        "the document and the code disagree"
    )


def _broken_parts_arrive_whole(case: schemathesis.Case) -> bool:
    """A "negative" case none of whose broken parts is what the server receives, so
    accepting it is right and refusing it would be the bug. A broken part arrives whole when
    it is:

    - the `Authorization` header: the harness sends a real token in its place;
    - a list parameter of the query, which the server reads as comma-separated items,
      trimmed, blank ones dropped (`_split_commas`): `?category=x` is a list of one item
      and `?category=` an empty list, whatever violation the generator meant by them;
    - a parameter of the query generated as some other JSON value than a string (an
      object, a number), which goes on the wire as its text: the server gets a string, and
      judges that string;
    - an optional parameter of the query generated as null, which is not sent at all.
    """
    meta = case.meta
    if meta is None or meta.generation.mode.is_positive:
        return False
    data = meta.phase.data
    parts = [(getattr(data, "parameter_location", None), getattr(data, "parameter", None))]
    if parts[0][1] is None:
        # The fuzzing phase may break several parts at once, and names them one by one.
        parts = [
            (mutation.parameter_location, mutation.path[0] if mutation.path else None)
            for mutation in getattr(data, "mutations", ())
        ]
    return bool(parts) and all(
        _arrives_whole(case, str(getattr(location, "value", location)), name)
        for location, name in parts
    )


def _on_the_wire(value: Any) -> str:
    """A query value as the test client sends it."""
    return value if isinstance(value, str) else str(value)


def _arrives_whole(case: schemathesis.Case, location: str, name: Any) -> bool:
    if (location, name) == ("header", "Authorization"):
        return True
    if location != "query":
        return False
    operation = case.operation
    declared = schema.raw_schema["paths"][operation.path][operation.method.lower()]
    found = [p for p in declared.get("parameters", []) if (p["in"], p["name"]) == ("query", name)]
    value = (case.query or {}).get(name)
    if value is None:
        # A null is not sent at all: an optional parameter then arrives absent, as valid.
        return bool(found) and name in (case.query or {}) and not found[0].get("required")
    options = found[0]["schema"].get("anyOf", [found[0]["schema"]]) if found else []
    lists = [option for option in options if option.get("type") == "array"]
    if lists:
        sent = value if isinstance(value, list) else [value]
        if any(item is None for item in sent):
            return False
        received, candidates = _split_commas([_on_the_wire(item) for item in sent]), lists
    elif isinstance(value, list):
        return False  # sent repeated: the server refuses that itself
    else:
        received = _on_the_wire(value)
        candidates = [option for option in options if option.get("type") == "string"]
    # `$ref`s point into the document's components: validate with them at hand.
    components = schema.raw_schema.get("components", {})
    return any(
        jsonschema_rs.is_valid({**option, "components": components}, received)
        for option in candidates
    )


@dataclass
class Target:
    app: Flask
    headers: dict[str, dict[str, str]]


def _seed(session: Any) -> dict[str, str]:
    """Decoys at small ids (users, tokens, tickets with comments); actors far away."""
    decoy_agent = create_user(session, email="decoy.agent@example.com", role=Role.AGENT)
    decoy_requester = create_user(session, email="decoy@example.com", role=Role.REQUESTER)
    create_token(session, user_id=decoy_requester.id, label="decoy")
    actors = {
        role: create_user(session, email=f"fuzz.{role}@example.com", role=Role(role))
        for role in ("admin", "agent", "requester")
    }
    for offset, user in enumerate(actors.values(), start=1):
        session.execute(update(User).where(User.id == user.id).values(id=ACTOR_ID_BASE + offset))
        session.expunge(user)
    actors = {role: session.get_one(User, ACTOR_ID_BASE + n) for n, role in enumerate(actors, 1)}
    tokens = {}
    for offset, (role, user) in enumerate(actors.items(), start=1):
        token, raw = create_token(session, user_id=user.id, label="fuzz")
        session.flush()
        session.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(id=ACTOR_ID_BASE + offset)
        )
        tokens[role] = raw
    for owner in (actors["requester"], actors["requester"], decoy_requester):
        ticket = create_ticket(session, actor=owner, description="Printer on fire\nreally")
        add_comment(session, actor=owner, ticket_id=ticket["id"], content="any news?")
        add_comment(
            session, actor=decoy_agent, ticket_id=ticket["id"], content="note", internal=True
        )
    return tokens


@pytest.fixture(scope="module")
def target(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    app_settings = Settings(
        TICKETDESK_ENV="test",
        TICKETDESK_INSTANCE=tmp_path_factory.mktemp("fuzz"),
        database_url=database_url,
        secret_key="fuzz-secret",
    )
    database = open_database(database_url)
    with database.session(write=True) as session, session.begin():
        tokens = _seed(session)
    database.dispose()
    app = create_app(app_settings)
    yield Target(app, {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()})
    dispose(app)
    _empty_tables(database_url)


@pytest.mark.parametrize("role", ["admin", "agent", "requester"])
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, target: Target, role: str
) -> None:
    case.call_and_validate(
        app=target.app,
        headers=target.headers[role],
        additional_checks=[_only_domain_refusals],
        excluded_checks=[negative_data_rejection] if _broken_parts_arrive_whole(case) else [],
    )

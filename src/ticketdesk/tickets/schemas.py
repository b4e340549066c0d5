"""Request and response bodies of the ticket API: declared once, validated and documented."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from ticketdesk.accounts.schemas import UserSummary
from ticketdesk.enums import Priority, Status
from ticketdesk.fields import JsonInt, NotBlank, Trim
from ticketdesk.tickets.service import SORT_VALUES, TITLE_MAX
from ticketdesk.web.pagination import PageQuery
from ticketdesk.web.params import RequestParams

MAX_ID = 2**31 - 1

Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX), NotBlank(), Trim]
Description = Annotated[str, StringConstraints(min_length=1, max_length=50_000)]
Category = Annotated[str, StringConstraints(min_length=1, max_length=100), NotBlank(), Trim]
UserId = Annotated[int, Field(ge=1, le=MAX_ID)]
# In a JSON body an id is a JSON integer: not `true` (which lax parsing reads as 1) nor "5".
BodyUserId = Annotated[int, Field(ge=1, le=MAX_ID), JsonInt()]
NOT_NULL = ("title", "description", "category", "priority", "status")


class TicketCreate(BaseModel):
    """A new ticket. Seed clients' bodies work as sent: `{title, description}` or
    `{description, status, category}` (the title is then the description's first line)."""

    model_config = ConfigDict(extra="forbid")

    description: Description
    title: Title | None = None
    category: Category | None = None
    priority: Priority | None = None
    status: Status | None = Field(default=None, description="agents only; requesters: open")
    assignee_id: BodyUserId | None = Field(default=None, description="agents only")
    requester_id: BodyUserId | None = Field(
        default=None, description="agents only: open the ticket on someone's behalf"
    )


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """Fields that may be omitted but not sent as null have no default to show."""
    for field in schema.get("properties", {}).values():
        if field.get("default", ...) is None and "anyOf" not in field:
            del field["default"]


class TicketPatch(BaseModel):
    """Any subset of a ticket's editable fields, e.g. `{"status": "resolved"}`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_defaults)

    # None only stands for "not sent": the document says these may not be null, and the
    # validator below refuses an explicit null.
    title: Title | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    category: Category | SkipJsonSchema[None] = None
    priority: Priority | SkipJsonSchema[None] = None
    status: Status | SkipJsonSchema[None] = None
    assignee_id: BodyUserId | None = Field(default=None, description="null unassigns")

    @field_validator(*NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Validators run only on values sent, so this refuses an explicit null and nothing else.
        if value is None:
            raise ValueError("may not be null")
        return value


class TicketReplace(BaseModel):
    """A full update. Omitted optional fields take their defaults: the title is derived from
    the description, priority is normal and the ticket is unassigned."""

    model_config = ConfigDict(extra="forbid")

    description: Description
    status: Status
    category: Category
    title: Title | None = None
    priority: Priority = Priority.NORMAL
    assignee_id: BodyUserId | None = None


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int = Field(
        validation_alias=AliasChoices("ticket_id", "id"), description="the same as id (seed 001)"
    )
    title: str
    description: str
    status: Status
    category: str
    priority: Priority
    requester_id: int
    requester: UserSummary
    assignee_id: int | None
    assignee: UserSummary | None
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    version: int = Field(description="bumped by every change; also the ETag")
    next_statuses: list[Status] = Field(
        default_factory=list, description="the states the caller may move it to next"
    )


class TicketList(RootModel[list[TicketOut]]):
    pass


def _split_commas(value: Any) -> Any:
    """`?status=open,waiting` and `?status=open&status=waiting` mean the same."""
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


CommaList = BeforeValidator(_split_commas)
# A user id (in the same range as ids everywhere else: the database's integer), `me` or `none`.
AssigneeKey = Literal["me", "none"] | UserId


class TicketListQuery(PageQuery):
    status: Annotated[list[Status] | None, CommaList] = None
    category: Annotated[list[Category] | None, CommaList] = None
    priority: Annotated[list[Priority] | None, CommaList] = None
    assignee: Annotated[list[AssigneeKey] | None, CommaList] = Field(
        default=None, description="user ids, `me` or `none` (unassigned)"
    )
    requester: Annotated[list[UserId] | None, CommaList] = None
    q: Annotated[str, StringConstraints(max_length=200), Trim] | None = Field(
        default=None,
        description=(
            "text in the title or description, in any case: `jam` finds 'Printer JAMMED'."
            " Taken literally (no wildcards or operators). Three characters or more are"
            " looked up in an index; one or two are compared with every ticket, which is"
            " slow on a large help desk"
        ),
    )
    sort: str = Field(
        default="-opened_at",
        description="a field, `-` first for descending: " + ", ".join(SORT_VALUES),
        json_schema_extra={"enum": list(SORT_VALUES)},
    )

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str) -> str:
        if value not in SORT_VALUES:
            raise ValueError("must be one of " + ", ".join(SORT_VALUES))
        return value


class TicketPath(BaseModel):
    ticket_id: UserId


class IfMatchHeader(RequestParams):
    if_match: str | None = Field(
        default=None,
        alias="If-Match",
        description="the ETag you last read; a stale one gets 412 and changes nothing",
    )


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(min_length=1, max_length=50_000), NotBlank()]
    internal: StrictBool = Field(default=False, description="an agent-only note")


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    author: UserSummary
    content: str
    internal: bool
    created_at: datetime


class CommentList(RootModel[list[CommentOut]]):
    pass


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    actor: UserSummary | None
    changed_at: datetime
    field: str
    old_value: str | None
    new_value: str | None


class ChangeList(RootModel[list[ChangeOut]]):
    pass


class CategoryList(RootModel[list[str]]):
    pass

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from ticketdesk.accounts.service import checked_email
from ticketdesk.enums import Role
from ticketdesk.errors import InvalidValue
from ticketdesk.fields import JsonInt, NotBlank, Trim

Name = Annotated[str, StringConstraints(min_length=1, max_length=200), NotBlank(), Trim]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1024)]
Label = Annotated[str, StringConstraints(max_length=100), Trim]


def _usable_email(value: str) -> str:
    try:
        return checked_email(value)
    except InvalidValue as error:
        # Well-formed but refused (say, an address at a reserved name such as `.test`): the
        # same error type as when a service refuses a value.
        raise PydanticCustomError("InvalidValue", error.message) from error


Email = Annotated[
    str,
    Field(max_length=320, json_schema_extra={"format": "email"}),
    AfterValidator(_usable_email),
]


class UserSummary(BaseModel):
    """Who someone is, as shown beside a ticket or comment."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


class UserSummaryList(RootModel[list[UserSummary]]):
    pass


class UserOut(UserSummary):
    role: Role
    is_active: bool
    created_at: datetime


class UserList(RootModel[list[UserOut]]):
    pass


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    role: Role = Role.REQUESTER
    name: Name | None = None
    password: Password


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    role: Role | None = None
    is_active: StrictBool | None = None
    password: Password | None = None


class UserPath(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label = ""
    user_id: Annotated[int, Field(ge=1, le=2**31 - 1), JsonInt()] | None = Field(
        default=None, description="admins only: whose token it is"
    )


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    user_id: int
    created_at: datetime


class TokenList(RootModel[list[TokenOut]]):
    pass


class TokenCreated(TokenOut):
    token: str = Field(description="the secret; shown this once and never again")


class TokenPath(BaseModel):
    token_id: int = Field(ge=1, le=2**31 - 1)

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, RootModel, StringConstraints

from ticketdesk.enums import Role

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1024)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


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

    email: EmailStr
    role: Role = Role.REQUESTER
    name: Name | None = None
    password: Password


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: Password | None = None


class UserPath(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label = ""
    user_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="admins only: whose token it is"
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

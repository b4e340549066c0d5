"""Field types of request bodies whose checks are exactly what the OpenAPI document says.

Text: pydantic's `strip_whitespace` strips before it measures, which JSON Schema cannot
express: the document would promise that `"   "` is a valid title, and that 201 characters are too
many even when the last one is a space. Instead the raw text is measured (as the document
says), must hold something other than whitespace (a documented `pattern`), and only then is
it trimmed:

    Title = Annotated[str, StringConstraints(min_length=1, max_length=200), NotBlank(), Trim]

Integers: a JSON Schema integer is any number with no fractional part (`5` or `5.0`), while
pydantic's lax mode also takes `true` as 1 and `"5"` as 5, and its strict mode refuses `5.0`.
`JsonInt` takes what the document allows and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, BeforeValidator, Field, Strict

# ASCII whitespace only, the same set in the pattern and in the check, so that a client
# validating against the document and the server never disagree about what is blank.
WHITESPACE = " \t\n\r\f\v"
NOT_BLANK_PATTERN = "[^ \\t\\n\\r\\f\\v]"


def _trimmed(value: str) -> str:
    return value.strip(WHITESPACE)


def _refuse_blank(value: str) -> str:
    if not value.strip(WHITESPACE):
        raise ValueError("may not be blank")
    return value


# Removes surrounding whitespace after the length checks.
Trim = AfterValidator(_trimmed)


class NotBlank(GroupedMetadata):
    """Must contain a character other than whitespace: checked, and said in the document."""

    def __iter__(self) -> Iterator[Any]:
        yield Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})
        yield AfterValidator(_refuse_blank)


def _json_integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # anything else goes to strict int validation, which refuses bools and text


class JsonInt(GroupedMetadata):
    """An integer as JSON Schema has it; put it on an `int` in a request body."""

    def __iter__(self) -> Iterator[Any]:
        yield Strict()
        yield BeforeValidator(_json_integer)

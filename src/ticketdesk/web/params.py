"""The base of every query-string and header model the API declares."""

from __future__ import annotations

from typing import Any, Literal

from flask import has_request_context, request
from pydantic import BaseModel, field_validator, model_validator
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaMode
from pydantic_core import PydanticCustomError

_SCHEMAS: dict[type[BaseModel], dict[str, Any]] = {}


class RequestParams(BaseModel):
    """Query-string or header parameters of an operation.

    flask-openapi3 asks such a model for its JSON schema on every request (to see which
    fields are lists) and pydantic builds the schema anew each time: 5 ms of the ticket
    list's 7 ms. A class's schema never changes, so that plain call is answered once per
    class; calls with other arguments (the OpenAPI document's) are built as usual.
    """

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = None,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = GenerateJsonSchema,
        mode: JsonSchemaMode = "validation",
        *,
        union_format: Literal["any_of", "primitive_type_array"] = "any_of",
    ) -> dict[str, Any]:
        plain = (by_alias, ref_template, schema_generator, mode, union_format) == (
            None,
            DEFAULT_REF_TEMPLATE,
            GenerateJsonSchema,
            "validation",
            "any_of",
        )
        if not plain:
            return super().model_json_schema(
                by_alias, ref_template, schema_generator, mode, union_format=union_format
            )
        if cls not in _SCHEMAS:
            _SCHEMAS[cls] = super().model_json_schema()
        return _SCHEMAS[cls]


class _Repeated:
    """A query parameter of one value sent more than once (see `QueryParams`)."""

    def __init__(self, count: int) -> None:
        self.count = count


class QueryParams(RequestParams):
    """Query-string parameters: each one that takes a single value must be sent once.

    flask-openapi3 hands such a field only the first of its values, so `?q=a&q=b` would
    quietly search for "a"; the field is refused instead (422 naming it). List parameters
    take every value and are not concerned.
    """

    @model_validator(mode="before")
    @classmethod
    def _mark_repeated(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not has_request_context():
            return data
        marked = dict(data)
        for name, field in cls.model_fields.items():
            key = field.alias or name
            sent = len(request.args.getlist(key))
            if sent > 1 and not isinstance(data.get(key), list):
                marked[key] = _Repeated(sent)
        return marked

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_repeated(cls, value: Any) -> Any:
        if isinstance(value, _Repeated):
            raise PydanticCustomError(
                "repeated",
                "sent {count} times; this parameter takes one value",
                {"count": value.count},
            )
        return value

"""The base of every query-string and header model the API declares."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaMode

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

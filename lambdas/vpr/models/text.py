"""Bounded, normalized string and list types shared by the models.

Every string is NFC-normalized and stripped, so two requests that differ only in Unicode composition or
surrounding blanks are the same request (and the same job).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler, StringConstraints
from pydantic_core import CoreSchema

#: "Not blank" for the exported JSON schema. The validator strips, then requires a character; a JSON
#: schema cannot strip, so it requires one character that Python's ``str.strip`` would not remove:
#: ECMA-262's ``\s`` plus the separators Python also strips (U+001C-U+001F, U+0085).
NOT_BLANK_PATTERN = r"[^\s\u001c-\u001f\u0085]"


@dataclass(frozen=True)
class SchemaPattern:
    """Puts a ``pattern`` in the JSON schema only, for a rule the validator enforces another way."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def text(max_length: int, min_length: int = 1, pattern: str | None = None) -> type[str]:
    """A stripped, NFC-normalized, non-blank string of bounded length (optionally matching ``pattern``)."""
    return Annotated[  # type: ignore[return-value]
        str,
        AfterValidator(_nfc),
        StringConstraints(
            strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern
        ),
        SchemaPattern(pattern or NOT_BLANK_PATTERN),
    ]


def text_list(item_max_length: int, max_items: int, min_items: int = 0) -> type[list[str]]:
    """A bounded list of bounded strings."""
    return Annotated[  # type: ignore[return-value]
        list[text(item_max_length)],  # type: ignore[misc]
        Field(min_length=min_items, max_length=max_items),
    ]


#: Identifiers end up in S3 keys (``vpr/{user_id}/{application_id}/``) and execution inputs, so they are
#: letters, digits, ``_``, ``-`` and ``.`` — never starting with a dot, so ``.``, ``..`` and hidden-file
#: names cannot become path segments that clients normalise away.
IDENTIFIER_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$"
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=IDENTIFIER_PATTERN),
]


def is_identifier(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(IDENTIFIER_PATTERN, value) is not None


ShortText = text(200)
MediumText = text(2_000)
LongText = text(20_000)


class InputModel(BaseModel):
    """Base of request-side models: unknown fields are ignored (clients evolve), values are frozen."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

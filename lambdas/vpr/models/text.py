"""Bounded, normalized string and list types shared by the models.

Every text is NFC-normalized and stripped, so two requests that differ only in Unicode composition or
surrounding blanks are the same request (and the same job). Its bounds and pattern apply to the value
as sent, which is what the exported JSON schema can state, so a body valid against the schema is
accepted and one invalid against it is refused (schemathesis checks both ways). The value kept is then
NFC-normalized and stripped, and must still be within bounds — which only a value near its bound made of
the rare characters NFC expands (U+0958 becomes two) can fail, the one case where a value valid against
the schema is refused. Identifiers are exact: a blank in one is refused, not stripped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler, StringConstraints
from pydantic_core import CoreSchema

#: The blank characters: what Python's ``str.isspace`` calls space, plus U+FEFF; the same set is
#: ECMA-262's ``\s`` (JSON schema patterns) plus U+001C-U+001F and U+0085. Listed as code point ranges,
#: never as ``\s``, because regex dialects disagree on it (Python's and Rust's omit U+FEFF; ECMA-262's
#: omits U+001C-U+001F and U+0085, Rust's U+001C-U+001F), and pydantic strips only Unicode White_Space.
_BLANK_RANGES = (
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)
BLANK_CHARACTERS = "".join(chr(code) for low, high in _BLANK_RANGES for code in range(low, high + 1))
#: The inside of a regex character class matching one blank (the same in ECMA-262, Python and Rust).
BLANK_CLASS = "".join(
    rf"\u{low:04x}" + (rf"-\u{high:04x}" if high > low else "") for low, high in _BLANK_RANGES
)
#: "Not blank" for the exported JSON schema: the validator strips blanks, then requires a character; a
#: JSON schema cannot strip, so it requires one character that is not blank.
NOT_BLANK_PATTERN = f"[^{BLANK_CLASS}]"


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


def _normalized(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip(BLANK_CHARACTERS)


def text(max_length: int, min_length: int = 1, pattern: str | None = None) -> type[str]:
    """A non-blank string of bounded length as sent (optionally matching ``pattern`` as sent, so the
    pattern must allow surrounding blanks), kept NFC-normalized and stripped."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern),
        AfterValidator(_normalized),
        # Still a character once stripped (not blank), and within bounds once normalized, so a kept value
        # validates again (the workflow re-validates its input).
        StringConstraints(min_length=min_length, max_length=max_length),
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
    """Base of request-side models: unknown fields are ignored (clients evolve), values are frozen.

    Strict: a value must have its schema's JSON type (``"remote": 0`` is not a boolean), because the
    exported schema says so and a client validating against it must get the same answer.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)  # text() strips; ids are exact

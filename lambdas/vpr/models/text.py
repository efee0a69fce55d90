"""Bounded, normalized string and list types shared by the models.

Every string is NFC-normalized and stripped, so two requests that differ only in Unicode composition or
surrounding blanks are the same request (and the same job).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def text(max_length: int, min_length: int = 1) -> type[str]:
    """A stripped, NFC-normalized string of bounded length."""
    return Annotated[  # type: ignore[return-value]
        str,
        AfterValidator(_nfc),
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
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

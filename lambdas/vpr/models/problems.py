"""Pydantic validation errors as (field, problem) pairs: the one way every layer names bad input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def field_problems(
    errors: Iterable[Mapping[str, Any]], *, inside: str | None = None, whole: str = "body"
) -> list[tuple[str, str]]:
    """``("job_posting.language", "Input should be 'en' or 'he'")`` for each error.

    Only pydantic's message is kept, never the offending value (it may be CV text). ``inside`` drops a
    leading location part (Powertools reports body fields under ``body``); ``whole`` names an error
    about the value as a whole.
    """
    problems = []
    for error in errors:
        location = [str(part) for part in error["loc"]]
        if inside is not None and location[:1] == [inside]:
            location = location[1:]
        problems.append((".".join(location) or whole, error["msg"]))
    return problems


def describe(problems: list[tuple[str, str]]) -> str:
    return "; ".join(f"{field}: {message}" for field, message in problems)

"""Years of experience read from a CV's dates: one definition for the offline generator and grounding.

A role lasts ``end year - start year`` (a role without an end, or ending "present", runs to the current
year). Whole years, because that is how a report states them ("5 years") and how the grounding check
accepts them: whatever the offline generator computes from the dates is a figure the check recognises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from vpr.models.profile import CandidateProfile, Experience

_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def role_years(job: Experience, this_year: int | None = None) -> tuple[int, int] | None:
    """(start year, end year) of a role, or None when its start has no year."""
    start = _YEAR.search(job.start or "")
    if not start:
        return None
    end = _YEAR.search(job.end or "")
    return int(start.group()), int(end.group()) if end else (this_year or datetime.now(UTC).year)


def career_years(cv: CandidateProfile | None) -> list[tuple[int, int]]:
    """The dated roles of a CV as (start year, end year), in CV order."""
    if cv is None:
        return []
    this_year = datetime.now(UTC).year
    return [span for job in cv.experience if (span := role_years(job, this_year))]

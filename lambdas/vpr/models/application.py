"""What Validate hands to Generate: the request with the candidate's CV resolved."""

from __future__ import annotations

from vpr.models.profile import CandidateProfile
from vpr.models.request import VprRequest
from vpr.models.text import Identifier


class Application(VprRequest):
    user_id: Identifier
    cv: CandidateProfile  # required here: Validate fills it from the profile store when the request had none

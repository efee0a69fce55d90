"""Pydantic models of the service's inputs, outputs and errors (JSON schemas: ``python -m vpr.models``)."""

from vpr.models.application import Application
from vpr.models.profile import CandidateProfile
from vpr.models.report import ReportContent, Verification, VprReport
from vpr.models.request import VprRequest
from vpr.models.responses import ErrorResponse, JobStatusResponse, SubmitResponse
from vpr.models.usage import TokenUsage

__all__ = [
    "Application",
    "CandidateProfile",
    "ErrorResponse",
    "JobStatusResponse",
    "ReportContent",
    "SubmitResponse",
    "TokenUsage",
    "Verification",
    "VprReport",
    "VprRequest",
]

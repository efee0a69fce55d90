"""Builds the domain services from settings, once per warm container (and anew if settings change)."""

from __future__ import annotations

from functools import lru_cache

from vpr.aws.jobview import JobView
from vpr.aws.profiles import ProfileStore
from vpr.aws.results import ResultStore
from vpr.aws.workflow import WorkflowStore
from vpr.control import JobControl
from vpr.jobs import JobService
from vpr.settings import Settings, get_settings


@lru_cache(maxsize=4)
def _job_service(settings: Settings) -> JobService:
    return JobService(
        WorkflowStore(settings.state_machine_arn),
        ResultStore(settings.results_bucket),
        settings.result_url_ttl_seconds,
        job_view(settings),
    )


def job_service() -> JobService:
    return _job_service(get_settings())


def job_control() -> JobControl:
    """Cancel and retry, on the same job service (one per warm container)."""
    return JobControl(job_service())


def job_view(settings: Settings | None = None) -> JobView | None:
    """The job view, or None where no table is configured (reads then go to Step Functions)."""
    settings = settings or get_settings()
    return JobView(settings.job_view_table, settings.job_view_ttl_days) if settings.job_view_table else None


def profile_store() -> ProfileStore:
    return ProfileStore(get_settings().profile_table)


def result_store() -> ResultStore:
    return ResultStore(get_settings().results_bucket)

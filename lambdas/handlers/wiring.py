"""Builds the domain services from settings, once per warm container (and anew if settings change)."""

from __future__ import annotations

from functools import lru_cache

from vpr.aws.profiles import ProfileStore
from vpr.aws.results import ResultStore
from vpr.aws.workflow import WorkflowStore
from vpr.jobs import JobService
from vpr.settings import Settings, get_settings


@lru_cache(maxsize=4)
def _job_service(settings: Settings) -> JobService:
    return JobService(
        WorkflowStore(settings.state_machine_arn),
        ResultStore(settings.results_bucket),
        settings.result_url_ttl_seconds,
    )


def job_service() -> JobService:
    return _job_service(get_settings())


def profile_store() -> ProfileStore:
    return ProfileStore(get_settings().profile_table)


def result_store() -> ResultStore:
    return ResultStore(get_settings().results_bucket)

"""Cancel and retry over HTTP, against the service as ``make run`` starts it, writing with Claude (the
real SDK, a fake Messages API in this process) and checking identity (``X-Vpr-User``)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.api.conftest import ClaudeService, Reply, Service
from tests.conftest import example_with
from tests.fakes.anthropic_server import bad_request, overloaded

OWNER = {"X-Vpr-User": "user-uuid-456"}
STRANGER = {"X-Vpr-User": "someone-else"}


def _cancel(service: Service, job_id: str, headers: dict[str, str]) -> Reply:
    return service.request("DELETE", f"/api/vpr/{job_id}", headers=headers)


def _retry(service: Service, job_id: str, headers: dict[str, str]) -> Reply:
    return service.request("POST", f"/api/vpr/{job_id}/retry", headers=headers)


def _submit(service: Service, application_id: str) -> str:
    reply = service.submit(example_with(application_id=application_id), OWNER)
    assert reply.status == 202, reply.body
    return reply.body["job_id"]


def _until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.02)


def test_cancel_stops_the_job_and_no_claude_call_follows(writer: ClaudeService):
    service, fake = writer.service, writer.fake
    inside, release = [], threading.Event()

    def hold(request, job):
        inside.append(job.id)
        release.wait(timeout=30)
        return None

    fake.route = hold
    job_id = _submit(service, "app-http-cancel")
    _until(lambda: len(inside) == 6)  # every section (the summary too) is being written

    foreign = _cancel(service, job_id, STRANGER)
    cancelled = _cancel(service, job_id, OWNER)
    calls_at_cancel = fake.calls
    release.set()
    time.sleep(1.0)  # the held sections finish; nothing else may call
    again = _cancel(service, job_id, OWNER)
    status = service.status(job_id, OWNER)

    assert foreign.status == 404 and foreign.body["error"] == "Job not found."
    assert cancelled.status == 200
    assert (cancelled.body["status"], cancelled.body["error_code"]) == ("FAILED", "Cancelled")
    assert fake.calls == calls_at_cancel == 6  # no regeneration, no other call after the cancel
    assert again.status == 200 and again.body == cancelled.body  # twice: the same answer
    assert status.body["status"] == "FAILED" and status.body["error_code"] == "Cancelled"
    assert status.body["retryable"] is False and "Retry-After" not in status.headers
    refused = _retry(service, job_id, OWNER)
    assert refused.status == 409 and refused.body["code"] == "JobNotRetryable"
    assert refused.body == {**refused.body, "status_code": 409, "fields": []}  # the error envelope


def test_a_transient_failure_is_retried_over_http_and_only_its_section_runs_again(writer: ClaudeService):
    service, fake = writer.service, writer.fake
    failing = {"on": True}
    fake.route = lambda request, job: overloaded() if job.id == "culture" and failing["on"] else None
    job_id = _submit(service, "app-http-retry")
    failed = service.wait(job_id, OWNER)
    failing["on"] = False

    foreign = _retry(service, job_id, STRANGER)
    retried = _retry(service, job_id, OWNER)
    completed = service.wait(job_id, OWNER)

    assert (failed.body["status"], failed.body["error_code"]) == ("FAILED", "ClaudeOverloaded")
    assert failed.body["retryable"] is True
    assert foreign.status == 404 and foreign.body["error"] == "Job not found."
    assert retried.status == 202 and retried.body["job_id"] == job_id
    assert retried.body["status"] == "PROCESSING" and retried.headers["Location"].endswith(job_id)
    assert completed.body["status"] == "COMPLETED"
    calls = fake.calls_per_section()
    assert calls["culture"] == 6  # five before the retry (the ASL gave up), one after
    assert all(count == 1 for section, count in calls.items() if section != "culture")
    again = _retry(service, job_id, OWNER)
    assert again.status == 409 and "already completed" in again.body["error"]
    assert _cancel(service, job_id, OWNER).status == 409  # a completed job cannot be cancelled


def test_a_permanent_failure_is_not_retried_over_http(writer: ClaudeService):
    service, fake = writer.service, writer.fake
    fake.route = lambda request, job: bad_request() if job.id == "interview" else None
    job_id = _submit(service, "app-http-permanent")
    failed = service.wait(job_id, OWNER)
    calls = fake.calls

    refused = _retry(service, job_id, OWNER)

    assert failed.body["error_code"] == "ClaudeRequestRejected" and failed.body["retryable"] is False
    assert refused.status == 409 and refused.body["code"] == "JobNotRetryable"
    assert "ClaudeRequestRejected" in refused.body["error"]
    assert fake.calls == calls


def test_unknown_and_malformed_jobs_are_404_like_status(writer: ClaudeService):
    service = writer.service
    for job_id in (
        "vpr-" + "0" * 64,
        "not-a-job",
        "arn:aws:states:us-east-1:1:execution:other:vpr-" + "0" * 64,
    ):
        for reply in (
            _cancel(service, job_id, OWNER),
            _retry(service, job_id, OWNER),
            service.status(job_id, OWNER),
        ):
            assert reply.status == 404 and reply.body["error"] == "Job not found.", (job_id, reply.body)
    assert service.request("DELETE", "/api/vpr/x").status == 401  # no identity: the authorizer says no

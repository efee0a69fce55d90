"""The progressive report over HTTP: ``sections_ready`` while the sections are written, to its owner only.

A service of its own, started as ``make run`` starts it, with identity required (``X-Vpr-User`` plays
the Cognito authorizer) and the offline writer paced (``VPR_OFFLINE_DELAY_SECONDS``: each section takes
its share of 6 s, the longest about 1.6 s), so a job stays in its Map long enough to be polled.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.api.conftest import Service, _start_service, _stop
from tests.conftest import example_with

OWNER = {"X-Vpr-User": "user-uuid-456"}
KIND_FIELDS = {
    "summary": {"executive_summary"},
    "evidence": {"evidence_matrix", "gap_strategies"},
    "differentiators": {"differentiators"},
    "culture": {"cultural_fit"},
    "interview": {"talking_points"},
    "keywords": {"keywords"},
}


@pytest.fixture(scope="module")
def paced_service() -> Iterator[Service]:
    process, service = _start_service({"VPR_REQUIRE_IDENTITY": "true", "VPR_OFFLINE_DELAY_SECONDS": "6"})
    yield service
    _stop(process)


def _submit(service: Service, application_id: str) -> str:
    payload = example_with(application_id=application_id)
    del payload["user_id"]  # filled from the identity
    reply = service.submit(payload, OWNER)
    assert reply.status == 202, reply.body
    return reply.body["job_id"]


def test_the_status_lists_each_section_as_it_is_written_then_the_report(paced_service):
    job_id = _submit(paced_service, "app-progressive")

    polls: list[dict] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reply = paced_service.status(job_id, OWNER)
        assert reply.status == 200
        polls.append(reply.body)
        if reply.body["status"] in {"COMPLETED", "FAILED"}:
            break
        time.sleep(0.05)

    done = polls[-1]
    assert done["status"] == "COMPLETED", done
    assert not {"sections_ready", "sections_planned"} & set(done)  # the report is one link away now
    running = [p for p in polls if p.get("sections_ready")]
    assert running, "no poll saw a section before the job completed"
    assert all(p["status"] == "PROCESSING" for p in running)
    counts = [len(p["sections_ready"]) for p in running]
    assert counts == sorted(counts) and counts[0] < len(running[-1]["sections_planned"])  # some still pending
    planned = [s["id"] for s in running[-1]["sections_planned"]]
    assert planned == ["summary", "evidence-1", "differentiators", "culture", "interview", "keywords"]
    for poll in running:
        ids = [s["id"] for s in poll["sections_ready"]]
        assert ids == [i for i in planned if i in ids]  # report order, each once
        for section in poll["sections_ready"]:
            assert set(section["content"]) == KIND_FIELDS[section["kind"]]
    # The texts shown while running are the stored report's own.
    with urllib.request.urlopen(done["result_url"], timeout=10) as response:
        report = json.loads(response.read())
    last = {s["id"]: s["content"] for p in running for s in p["sections_ready"]}
    for content in last.values():
        assert content == {field: report[field] for field in content}


def test_another_user_sees_no_sections_of_a_running_job(paced_service):
    job_id = _submit(paced_service, "app-progressive-private")
    deadline = time.monotonic() + 30
    while not paced_service.status(job_id, OWNER).body.get("sections_ready"):
        assert time.monotonic() < deadline, "no section was listed"
        time.sleep(0.05)

    other = paced_service.status(job_id, {"X-Vpr-User": "someone-else"})
    anonymous = paced_service.status(job_id)

    assert other.status == 404 and other.body == {
        "error": "Job not found.",
        "code": "JobNotFound",
        "status_code": 404,
        "fields": [],
    }
    assert "sections_ready" not in json.dumps(other.body)
    assert anonymous.status == 401
    assert paced_service.wait(job_id, OWNER).body["status"] == "COMPLETED"

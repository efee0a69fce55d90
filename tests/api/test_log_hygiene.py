"""No personal data or secret in what the service logs (issue 7.2), and one line per expected failure.

A whole job runs through a local service started as `make run` starts it, with INFO logging and an API
key configured; everything the process printed is then searched for what must never be there.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Service, _start_service, _stop
from tests.conftest import example_with

API_KEY = "sk-ant-api03-NEVER-LOG-THIS-KEY-0123456789"
CV_SECRET = "Quokka Logistics cross-border audit 7781"
GAP_SECRET = "my salamander-breeding side project"


@pytest.fixture(scope="module")
def logged_service(tmp_path_factory) -> Iterator[tuple[Service, Path]]:
    log = tmp_path_factory.mktemp("logs") / "service.log"
    with log.open("w") as output:
        process, service = _start_service(
            {"POWERTOOLS_LOG_LEVEL": "INFO", "ANTHROPIC_API_KEY": API_KEY, "VPR_GENERATOR": "offline"}, output
        )
        yield service, log
        _stop(process)


def _request_with_private_data() -> dict:
    request = example_with(application_id="app-log-hygiene")
    request["gap_responses"] = [{"question": "Anything else?", "answer": GAP_SECRET}]
    request["cv"] = {
        "headline": "L&D lead",
        "summary": CV_SECRET,
        "experience": [
            {
                "company": "Quokka Logistics",
                "title": "L&D Manager",
                "start": "2018-01",
                "highlights": [CV_SECRET],
            }
        ],
        "skills": ["Instructional design"],
    }
    return request


def test_a_whole_job_logs_no_cv_answers_report_key_or_url_signature(logged_service):
    service, log = logged_service
    submitted = service.submit(_request_with_private_data())
    done = service.wait(submitted.body["job_id"])
    assert done.body["status"] == "COMPLETED"
    with urllib.request.urlopen(done.body["result_url"], timeout=10) as response:
        report = response.read().decode()
    signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", done.body["result_url"]).group(1)
    summary_sentence = report.split('"executive_summary": "', 1)[1][:60]

    output = log.read_text()

    assert '"level":"INFO"' in output and "Job submitted" in output, "INFO lines were captured"
    for secret in (API_KEY, CV_SECRET, GAP_SECRET, "salamander", signature, summary_sentence):
        assert secret not in output, f"logged: {secret[:30]}"


def test_an_expected_job_failure_is_not_a_stack_trace_in_the_terminal(logged_service):
    service, log = logged_service
    before = len(log.read_text())
    request = example_with(application_id="app-log-no-cv", user_id="user-without-any-cv")

    done = service.wait(service.submit(request).body["job_id"])

    assert done.body["error_code"] == "CvNotFound"
    new_output = log.read_text()[before:]
    assert "Traceback" not in new_output and "stackTrace" not in new_output
    (line,) = [line for line in new_output.splitlines() if "CvNotFound" in line]
    assert line.startswith("[vpr] job vpr-") and "Validate failed with CvNotFound: No CV" in line
    assert len(new_output) < 4_000, new_output[:500]

"""POST /api/vpr and GET /api/vpr/status over real HTTP against the local service (as `make run` runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from tests.conftest import EXAMPLE_REQUEST, ROOT, example_with


def test_documented_example_completes_and_the_report_can_be_fetched(service):
    submitted = service.submit(EXAMPLE_REQUEST)

    assert submitted.status in {200, 202}  # 200 if another test already submitted the very same request
    job_id = submitted.body["job_id"]
    assert (
        job_id.startswith("arn:aws:states:us-east-1:")
        and ":execution:careervp-vpr-workflow-local:vpr-" in job_id
    )
    assert submitted.headers["Location"] == submitted.body["status_url"]
    assert submitted.body["status_url"].startswith(service.url + "/api/vpr/status/")

    done = service.wait(job_id)

    assert done.body["status"] == "COMPLETED", done.body
    assert done.body["vpr_version"] >= 1 and done.body["word_count"] > 100
    assert done.body["token_usage"]["model"] == "offline"
    assert done.body["completed_at"].endswith("Z") and done.body["created_at"].endswith("Z")
    with urllib.request.urlopen(done.body["result_url"], timeout=10) as response:  # a plain GET, like curl
        report = json.loads(response.read())
    assert report["application_id"] == "app-uuid-123"
    assert report["version"] == done.body["vpr_version"]
    assert {"executive_summary", "evidence_matrix", "talking_points", "generator"} <= report.keys()


def test_new_job_is_202_and_the_same_request_again_is_200_with_the_same_job(service):
    payload = example_with(application_id="app-resubmit")

    first = service.submit(payload)
    again = service.submit(payload)

    assert first.status == 202
    assert first.body["status"] in {"PENDING", "PROCESSING", "COMPLETED"}
    assert again.status == 200
    assert again.body["job_id"] == first.body["job_id"]
    assert "already exists" in again.body["message"]


def test_resubmission_after_completion_returns_the_finished_job(service):
    payload = example_with(application_id="app-after-completion")
    job_id = service.submit(payload).body["job_id"]
    assert service.wait(job_id).body["status"] == "COMPLETED"

    again = service.submit(payload)

    assert again.status == 200
    assert (again.body["job_id"], again.body["status"]) == (job_id, "COMPLETED")


def test_key_order_and_unknown_fields_are_the_same_job(service):
    payload = example_with(application_id="app-key-order")
    reordered = {k: payload[k] for k in reversed(list(payload))}
    reordered["client_version"] = "9.9"

    assert service.submit(payload).body["job_id"] == service.submit(reordered).body["job_id"]


def test_concurrent_identical_submissions_start_one_execution(service):
    payload = example_with(application_id="app-concurrent")

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: service.submit(payload), range(8)))

    assert {r.status for r in replies} <= {200, 202}
    job_ids = {r.body["job_id"] for r in replies}
    assert len(job_ids) == 1
    name = job_ids.pop().rsplit(":", 1)[1]
    assert [e["name"] for e in service.executions()].count(name) == 1


def test_a_hundred_concurrent_identical_submissions_tell_exactly_one_client_202(service):
    """StartExecution answers every identical submitter of a running job; only one may hear "created"."""
    payload = example_with(application_id="app-concurrent-100")
    gate = threading.Barrier(100)

    def submit(_: int):
        gate.wait()
        for _attempt in range(20):  # a connection the listen backlog refused never reached the API
            try:
                return service.submit(payload)
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.05)
        raise AssertionError("could not connect")

    with ThreadPoolExecutor(max_workers=100) as pool:
        replies = list(pool.map(submit, range(100)))

    assert sorted(r.status for r in replies).count(202) == 1
    assert {r.status for r in replies} == {200, 202}
    assert len({r.body["job_id"] for r in replies}) == 1


def test_idempotency_key_asks_for_a_fresh_version(service):
    payload = example_with(application_id="app-fresh-version")
    first = service.submit(payload)
    assert service.wait(first.body["job_id"]).body["vpr_version"] == 1

    fresh = service.submit(payload, {"Idempotency-Key": "regenerate-1"})
    same_key = service.submit(payload, {"Idempotency-Key": "regenerate-1"})

    assert fresh.status == 202
    assert fresh.body["job_id"] != first.body["job_id"]
    assert same_key.status == 200 and same_key.body["job_id"] == fresh.body["job_id"]
    assert service.wait(fresh.body["job_id"]).body["vpr_version"] == 2


def test_same_idempotency_key_with_another_payload_is_a_409(service):
    service.submit(example_with(application_id="app-409-a"), {"Idempotency-Key": "k-409"})

    conflict = service.submit(example_with(application_id="app-409-b"), {"Idempotency-Key": "k-409"})

    assert conflict.status == 409
    assert conflict.body["code"] == "IdempotencyConflict"
    assert conflict.body["fields"][0]["field"] == "Idempotency-Key"


def test_status_accepts_the_arn_url_encoded_and_the_bare_name(service):
    job_id = service.submit(example_with(application_id="app-id-forms")).body["job_id"]
    name = job_id.rsplit(":", 1)[1]

    for form in (job_id, quote(job_id, safe=""), name):
        reply = service.status(form)
        assert reply.status == 200, form
        assert reply.body["job_id"] == job_id


@pytest.mark.parametrize(
    "job_id",
    [
        "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-" + "0" * 64,
        "arn:aws:states:us-east-1:123456789012:execution:some-other-machine:vpr-" + "0" * 64,
        "arn:aws:states:us-east-1:123456789012:stateMachine:careervp-vpr-workflow-local",
        "not-a-job",
        "vpr-" + "f" * 64,
    ],
)
def test_unknown_or_foreign_job_ids_are_404(service, job_id):
    reply = service.status(job_id)

    assert reply.status == 404
    assert reply.body["code"] == "JobNotFound"


def test_a_job_that_fails_reports_a_clear_error(service):
    reply = service.submit(example_with(application_id="app-no-cv", user_id="user-with-no-cv"))

    done = service.wait(reply.body["job_id"])

    assert done.body["status"] == "FAILED"
    assert done.body["error_code"] == "CvNotFound"
    assert "CV" in done.body["error"]
    assert "Traceback" not in json.dumps(done.body)


BAD_INPUTS = [
    ("malformed JSON", b'{"application_id": ', 400, "body"),
    ("not an object", b"[1, 2]", 400, "body"),
    ("wrong type", {**EXAMPLE_REQUEST, "application_id": 42}, 400, "application_id"),
    (
        "missing job_posting",
        {k: v for k, v in EXAMPLE_REQUEST.items() if k != "job_posting"},
        400,
        "job_posting",
    ),
    (
        "unknown language",
        {**EXAMPLE_REQUEST, "job_posting": {**EXAMPLE_REQUEST["job_posting"], "language": "fr"}},
        400,
        "job_posting.language",
    ),
    (
        "empty requirements and no description",
        {**EXAMPLE_REQUEST, "job_posting": {**EXAMPLE_REQUEST["job_posting"], "requirements": []}},
        400,
        "job_posting",
    ),
    (
        "oversize string",
        {**EXAMPLE_REQUEST, "job_posting": {**EXAMPLE_REQUEST["job_posting"], "role_title": "x" * 500}},
        400,
        "job_posting.role_title",
    ),
    ("oversize body", {**EXAMPLE_REQUEST, "padding": "x" * 70_000}, 413, "body"),
]


@pytest.mark.parametrize(("case", "body", "status", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_a_4xx_naming_the_field_and_starts_nothing(service, case, body, status, field):
    before = len(service.executions())

    reply = service.submit(body)

    assert reply.status == status, reply.body
    assert reply.body["error"]
    assert field in [f["field"] for f in reply.body["fields"]], reply.body
    assert len(service.executions()) == before


def test_curl_style_form_content_type_is_read_as_json(service):
    payload = json.dumps(example_with(application_id="app-curl-d"))

    reply = service.request(
        "POST", "/api/vpr", payload, {"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert reply.status == 202


def test_unknown_route_is_a_json_404(service):
    reply = service.request("GET", "/api/nope")

    assert reply.status == 404 and reply.body["code"] == "NotFound"


# --- identity (the authorizer stand-in) ------------------------------------------------------------
def test_identity_fills_user_id_and_hides_other_users_jobs(identity_service):
    payload = example_with(application_id="app-identity")
    del payload["user_id"]
    owner = {"X-Vpr-User": "user-uuid-456"}

    submitted = identity_service.submit(payload, owner)
    assert submitted.status == 202
    job_id = submitted.body["job_id"]

    assert identity_service.status(job_id, owner).status == 200
    other = identity_service.status(job_id, {"X-Vpr-User": "someone-else"})
    assert other.status == 404  # not 403: another user's job must not be seen to exist
    assert identity_service.wait(job_id, owner).body["status"] == "COMPLETED"


def test_identity_rejects_a_body_user_id_of_someone_else(identity_service):
    reply = identity_service.submit(
        example_with(application_id="app-impostor"), {"X-Vpr-User": "someone-else"}
    )

    assert reply.status == 403
    assert reply.body["fields"][0]["field"] == "user_id"


def test_identity_required_without_a_token_is_401(identity_service):
    assert identity_service.submit(example_with(application_id="app-anon")).status == 401


# --- the CLI against the running service -----------------------------------------------------------
def test_cli_submit_wait_then_history(service, tmp_path):
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(example_with(application_id="app-cli")))
    env_args = ["--api", service.url]

    submitted = subprocess.run(
        [
            sys.executable,
            "-m",
            "local",
            "submit",
            str(request_file),
            "--wait",
            "--interval",
            "0.1",
            *env_args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert submitted.returncode == 0, submitted.stderr
    final = json.loads(submitted.stdout)
    assert final["status"] == "COMPLETED"
    assert "Report (JSON" in submitted.stderr and final["result_url"] in submitted.stderr

    history = subprocess.run(
        [sys.executable, "-m", "local", "history", final["job_id"], "--aws-endpoint", service.aws_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert history.returncode == 0, history.stderr
    expected_lines = (
        "SUCCEEDED",
        "TaskStateEntered",
        "Validate",
        "Plan",
        "WriteSection",
        "MapIterationSucceeded",
    )
    for expected in (*expected_lines, "Assemble", "Store", "ExecutionSucceeded"):  # sections mode
        assert expected in history.stdout

"""The contract the product's existing web client reads (issue 7): error strings, messages, 404 and 410."""

from __future__ import annotations

import pytest

from tests.conftest import example_with

OTHER_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:execution:some-other-machine:vpr-" + "0" * 64
UNKNOWN_ARN = "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-" + "0" * 64


def assert_error_envelope(reply, status: int, code: str) -> None:
    """As the web client reads it: ``data.error`` is a string; code, status_code and fields beside it."""
    assert reply.status == status, reply.body
    assert isinstance(reply.body["error"], str) and reply.body["error"], reply.body
    assert reply.body["code"] == code
    assert reply.body["status_code"] == status
    assert isinstance(reply.body["fields"], list)


def test_bad_input_error_is_a_string_with_fields(service):
    reply = service.submit(example_with(application_id=42))

    assert_error_envelope(reply, 400, "BadRequest")
    assert [f["field"] for f in reply.body["fields"]] == ["application_id"]


@pytest.mark.parametrize("job_id", [UNKNOWN_ARN, OTHER_MACHINE_ARN, "not-a-job", "vpr-" + "f" * 64])
def test_every_kind_of_missing_job_reads_the_same(service, job_id):
    reply = service.status(job_id)

    assert_error_envelope(reply, 404, "JobNotFound")
    assert reply.body["error"] == "Job not found."
    assert "not found" in reply.body["error"].lower()  # the product's own end-to-end assertion


def test_another_users_job_reads_exactly_like_an_unknown_one(identity_service):
    payload = example_with(application_id="app-contract-owner")
    submitted = identity_service.submit(payload, {"X-Vpr-User": payload["user_id"]})

    other = identity_service.status(submitted.body["job_id"], {"X-Vpr-User": "someone-else"})
    unknown = identity_service.status(UNKNOWN_ARN, {"X-Vpr-User": "someone-else"})

    assert_error_envelope(other, 404, "JobNotFound")
    assert other.body == unknown.body


def test_status_responses_carry_a_message_and_a_failed_job_an_error_string(service):
    submitted = service.submit(example_with(application_id="app-contract-fail", user_id="user-without-cv"))
    first = service.status(submitted.body["job_id"])

    done = service.wait(submitted.body["job_id"])

    assert first.body["message"]
    assert done.body["status"] == "FAILED"
    assert done.body["message"] == "VPR generation failed"
    assert isinstance(done.body["error"], str) and "CV" in done.body["error"]
    assert done.body["error_code"] == "CvNotFound"


def test_completed_job_says_so_in_its_message(service):
    submitted = service.submit(example_with(application_id="app-contract-ok"))

    done = service.wait(submitted.body["job_id"])

    assert done.body["status"] == "COMPLETED"
    assert done.body["message"] == "VPR generation completed successfully"
    assert "error" not in done.body and "error_code" not in done.body


def test_a_completed_job_whose_report_is_gone_is_410_not_a_dead_link(service):
    import boto3

    submitted = service.submit(example_with(application_id="app-contract-expired"))
    done = service.wait(submitted.body["job_id"])
    assert done.body["status"] == "COMPLETED"
    s3 = boto3.client(
        "s3",
        endpoint_url=service.aws_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    bucket = s3.list_buckets()["Buckets"][0]["Name"]
    key = f"vpr/user-uuid-456/app-contract-expired/v{done.body['vpr_version']}.json"
    s3.delete_object(Bucket=bucket, Key=key)  # what a lifecycle expiry does

    reply = service.status(submitted.body["job_id"])

    assert_error_envelope(reply, 410, "ResultExpired")
    assert "again" in reply.body["error"]

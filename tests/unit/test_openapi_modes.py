"""The OpenAPI document says what the API enforces in the mode it runs in, and links jobs to their uses.

Found by schemathesis (issue 23): the local service (no identity) served the deployed document, in which
``user_id`` is optional, and refused a body valid against it with 400 "user_id is required.".
"""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from handlers.openapi import DEPLOYED, TRUSTED_BODY, CallerIdentity, link_jobs, openapi_document
from tests.conftest import ROOT

LOCAL_IDENTITY = CallerIdentity("X-Vpr-User")
#: The body schemathesis sent: valid against the deployed document, refused without identity.
WITHOUT_USER_ID = {
    "application_id": "0",
    "job_posting": {"company_name": "0", "description": "0", "role_title": "0"},
}


def _request_validator(document: dict) -> Draft202012Validator:
    schema = {"components": document["components"], "$ref": "#/components/schemas/VprRequest"}
    return Draft202012Validator(schema)


def _operations(document: dict) -> list[dict]:
    return [operation for operations in document["paths"].values() for operation in operations.values()]


def test_without_identity_the_document_requires_user_id():
    document = openapi_document(TRUSTED_BODY)
    validator = _request_validator(document)

    assert not validator.is_valid(WITHOUT_USER_ID)
    assert not validator.is_valid({**WITHOUT_USER_ID, "user_id": None})  # null is refused too
    assert validator.is_valid({**WITHOUT_USER_ID, "user_id": "user-1"})
    assert not validator.is_valid({**WITHOUT_USER_ID, "user_id": "../x"})
    for operation in _operations(document):  # nobody signs in, so nobody is refused for it
        assert not {"401", "403"} & set(operation["responses"])
    assert "security" not in document and "securitySchemes" not in document["components"]


@pytest.mark.parametrize("identity", [DEPLOYED, LOCAL_IDENTITY], ids=["deployed", "local-identity"])
def test_with_identity_user_id_may_be_left_out(identity):
    document = openapi_document(identity)

    assert _request_validator(document).is_valid(WITHOUT_USER_ID)
    submit = document["paths"]["/api/vpr"]["post"]
    assert {"401", "403"} <= set(submit["responses"])


def test_the_deployed_document_declares_the_cognito_token_and_is_the_committed_one():
    document = openapi_document(DEPLOYED)

    scheme = document["components"]["securitySchemes"]["CognitoIdToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert document["security"] == [{"CognitoIdToken": []}]
    assert all(p["name"] != "X-Vpr-User" for op in _operations(document) for p in op.get("parameters", []))
    committed = (ROOT / "schemas" / "openapi.json").read_text()
    assert '"CognitoIdToken"' in committed and '"X-Vpr-User"' not in committed


def test_locally_with_identity_every_operation_requires_the_identity_header():
    document = openapi_document(LOCAL_IDENTITY)

    for operation in _operations(document):
        header = next(p for p in operation["parameters"] if p["name"] == "X-Vpr-User")
        assert header["in"] == "header" and header["required"] is True
        assert header["schema"]["pattern"] == r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$"  # caller_id's rule
    assert "security" not in document  # the header names the user; nothing verifies it


def _job_operation_ids(document: dict) -> set[str]:
    """Status, cancel and retry: every operation that takes a job id in its path."""
    return {
        document["paths"][path][method]["operationId"]
        for path, method in (
            ("/api/vpr/status/{job_id}", "get"),
            ("/api/vpr/{job_id}", "delete"),
            ("/api/vpr/{job_id}/retry", "post"),
        )
    }


@pytest.mark.parametrize("identity", [DEPLOYED, TRUSTED_BODY], ids=["deployed", "trusted"])
def test_both_submit_answers_link_their_job_id_to_every_operation_on_a_job(identity):
    document = openapi_document(identity)

    for code in ("200", "202"):
        links = document["paths"]["/api/vpr"]["post"]["responses"][code]["links"]
        assert set(links) == _job_operation_ids(document)
        for operation_id, link in links.items():
            assert link == {
                "operationId": operation_id,
                "parameters": {"path.job_id": "$response.body#/job_id"},
                "description": "The job this answer names.",
            }
    for code in ("400", "409"):  # an error names no job
        assert "links" not in document["paths"]["/api/vpr"]["post"]["responses"][code]


def test_locally_with_identity_the_link_keeps_the_caller():
    document = openapi_document(LOCAL_IDENTITY)

    links = document["paths"]["/api/vpr"]["post"]["responses"]["202"]["links"].values()
    for link in links:
        assert link["parameters"] == {
            "path.job_id": "$response.body#/job_id",
            "header.X-Vpr-User": "$request.header.X-Vpr-User",  # another user would get 404
        }


def test_a_cancelled_job_stays_readable_and_no_read_lies_under_the_cancel():
    """DELETE /api/vpr/{job_id} cancels the job's run; it does not remove the job, whose status then
    reads FAILED ``Cancelled`` (issue 21). schemathesis's ``use_after_free`` expects 404 from a read
    (GET, HEAD, PATCH, ...) of a path at or below a path a DELETE succeeded on: no such operation
    exists, and the status lives beside the cancel (``/api/vpr/status/{job_id}``), not below it."""
    document = openapi_document(DEPLOYED)
    cancel = document["paths"]["/api/vpr/{job_id}"]["delete"]

    below = [
        (method, path)
        for path, operations in document["paths"].items()
        if path.startswith("/api/vpr/{job_id}")
        for method in operations
    ]
    assert below == [("delete", "/api/vpr/{job_id}"), ("post", "/api/vpr/{job_id}/retry")]
    assert "not removed" in cancel["description"] and "Cancelled" in cancel["description"]
    ok = cancel["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/JobStatusResponse"}  # the job, still there


def test_any_operation_taking_a_job_id_gets_a_link_without_a_list_of_routes():
    document = copy.deepcopy(openapi_document(LOCAL_IDENTITY))
    status = document["paths"]["/api/vpr/status/{job_id}"]["get"]
    report = {**copy.deepcopy(status), "operationId": "report_of_a_job"}  # an operation added one day
    document["paths"]["/api/vpr/{job_id}/report"] = {"get": report}
    for response in document["paths"]["/api/vpr"]["post"]["responses"].values():
        response.pop("links", None)

    link_jobs(document)

    links = document["paths"]["/api/vpr"]["post"]["responses"]["202"]["links"]
    assert set(links) == _job_operation_ids(document) | {"report_of_a_job"}

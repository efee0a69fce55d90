"""The COMPLETED status's Markdown link is signed for the Markdown key itself.

moto does not check presigned signatures, so fetching the link locally proves nothing about AWS. Here
the link's SigV4 query signature is recomputed with botocore's own signer at the link's ``X-Amz-Date``
for the ``.md`` key, and must be the one the status sent; the JSON link's signature must not be the one
the ``.md`` path needs (a link made by rewriting ``.json`` to ``.md`` would be refused by S3).
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local.api_gateway import proxy_event
from tests.conftest import example_with, wait_for_execution
from vpr.aws.results import markdown_key


def _call(local_runtime, key: str, method: str, path: str, body: dict | None, resource: str, params: dict):
    event = proxy_event(
        method, path, {"Host": "localhost"}, json.dumps(body) if body else None, resource, params
    )
    response = local_runtime.handler_for(key)(event, local_runtime.router.context_for(key))
    assert response["statusCode"] in {200, 202}, response
    return json.loads(response["body"])


def _signature_for(url: str, path: str) -> str:
    """What botocore's presigner signs for ``path`` with ``url``'s credential scope, date and expiry."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    access_key, date, region, service, _ = query["X-Amz-Credential"].split("/")
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    split = urlsplit(url)
    request = AWSRequest(method="GET", url=f"{split.scheme}://{split.netloc}{path}")
    signer = botocore.auth.S3SigV4QueryAuth(
        Credentials(access_key, "local"), service, region, expires=int(query["X-Amz-Expires"])
    )
    with mock.patch.object(
        botocore.auth, "get_current_datetime", return_value=signed_at.replace(tzinfo=None)
    ):
        signer.add_auth(request)
    assert date == query["X-Amz-Date"][:8]
    return parse_qs(urlsplit(request.url).query)["X-Amz-Signature"][0]


def test_the_markdown_link_is_presigned_for_the_markdown_key(local_runtime):
    request = example_with(application_id="app-markdown-link")
    arn = _call(local_runtime, "submit", "POST", "/api/vpr", request, "/api/vpr", {})["job_id"]
    described = wait_for_execution(arn)
    assert described["status"] == "SUCCEEDED"
    local_runtime.events.drain()
    result_key = json.loads(described["output"])["result_key"]

    path = "/api/vpr/status/" + arn
    status = _call(local_runtime, "status", "GET", path, None, "/api/vpr/status/{job_id}", {"job_id": arn})

    json_url, md_url = status["result_url"], status["result_markdown_url"]
    bucket = local_runtime.endpoints.results_bucket
    assert urlsplit(json_url).path == f"/{bucket}/{result_key}"
    assert urlsplit(md_url).path == f"/{bucket}/{markdown_key(result_key)}"
    md_query, json_query = parse_qs(urlsplit(md_url).query), parse_qs(urlsplit(json_url).query)
    assert md_query["X-Amz-Expires"] == json_query["X-Amz-Expires"] == ["900"]  # the same expiry
    assert md_query["X-Amz-SignedHeaders"] == ["host"]

    assert _signature_for(md_url, urlsplit(md_url).path) == md_query["X-Amz-Signature"][0]
    assert _signature_for(json_url, urlsplit(json_url).path) == json_query["X-Amz-Signature"][0]
    # The .json link's signature does not hold for the .md path: rewriting the URL would be refused.
    assert _signature_for(json_url, urlsplit(md_url).path) != json_query["X-Amz-Signature"][0]

    with urllib.request.urlopen(md_url, timeout=10) as response:  # and it is the stored Markdown
        assert response.read().decode().startswith("#")

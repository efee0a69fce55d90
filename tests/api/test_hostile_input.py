"""What an attacker sends (issue 13): deep nesting, odd job ids, bad identities, path-like ids.

Every answer is a 4xx in the JSON error envelope — never a 500, never an HTML page.
"""

from __future__ import annotations

import json
import socket

import pytest

from tests.conftest import example_with


def raw_http(url: str, request_line_and_headers: bytes, body: bytes = b"") -> tuple[int, dict]:
    """Send bytes no HTTP client library would (raw non-ASCII, NUL) and read the JSON answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as conn:
        conn.sendall(request_line_and_headers + body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        headers = dict(
            line.decode("latin-1").split(": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line
        )
        length = int(headers.get("Content-Length", "0"))
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(rest) if rest else {}


@pytest.mark.parametrize("depth", [30, 1_000, 20_000])
def test_deeply_nested_json_is_a_400_naming_the_body(service, depth):
    reply = service.submit(b"[" * depth + b"]" * depth)

    assert reply.status == 400, reply.body
    assert reply.body["code"] == "BadRequest"
    assert reply.body["fields"][0]["field"] == "body"


def test_deep_nesting_inside_a_string_is_only_text(service):
    body = example_with(application_id="app-brackets")
    body["job_posting"] = {**body["job_posting"], "description": "[" * 3000}

    assert service.submit(body).status == 202


@pytest.mark.parametrize(
    "raw_job_id",
    [b'"', b"\\", b"`", b"%00", b"\x00", "é".encode(), b"\xff\xfe", b"%22%5C", b"a" * 5000, b"%ZZ"],
    ids=[
        "quote",
        "backslash",
        "backtick",
        "encoded-nul",
        "raw-nul",
        "utf8",
        "invalid-utf8",
        "enc",
        "long",
        "bad%",
    ],
)
def test_odd_bytes_in_a_job_id_are_a_json_404(service, raw_job_id):
    status, body = raw_http(
        service.url,
        b"GET /api/vpr/status/" + raw_job_id + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )

    assert status in {400, 404}, body
    assert isinstance(body["error"], str) and body["status_code"] == status


@pytest.mark.parametrize("identity", ["../../x", "x" * 300, "a b", "ÿ"])
def test_a_malformed_identity_is_401_not_500(identity_service, identity):
    payload = example_with(application_id="app-bad-identity")
    del payload["user_id"]

    reply = identity_service.submit(payload, {"X-Vpr-User": identity})

    assert reply.status == 401, reply.body
    assert reply.body["code"] == "Unauthorized"


@pytest.mark.parametrize("identity", ["../../x", "x" * 300])
def test_a_malformed_identity_cannot_read_status_either(identity_service, identity):
    reply = identity_service.status("vpr-" + "0" * 64, {"X-Vpr-User": identity})

    assert reply.status == 401 and reply.body["code"] == "Unauthorized"


@pytest.mark.parametrize("application_id", [".", "..", ".hidden", "../x", "a/b", "a b", "é"])
def test_path_like_or_unsafe_application_ids_are_refused(service, application_id):
    reply = service.submit(example_with(application_id=application_id))

    assert reply.status == 400
    assert [f["field"] for f in reply.body["fields"]] == ["application_id"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_a_json_405(service, method):
    reply = service.request(method, "/api/vpr", b"{}")

    assert reply.status == 405 and reply.body["code"] == "MethodNotAllowed"
    assert "POST" in reply.headers["Allow"]


def test_unknown_method_and_overlong_uri_are_json_not_html(service):
    # A method no route declares is the client's error (405), whatever it is: never http.server's 501.
    status, body = raw_http(service.url, b"BREW /api/vpr HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 405 and body["code"] == "MethodNotAllowed"

    status, body = raw_http(
        service.url, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert status == 414 and body["code"] == "RequestUriTooLong"


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3", b"9999999999999"])
def test_a_malformed_content_length_is_a_json_4xx(service, length):
    status, body = raw_http(
        service.url,
        b"POST /api/vpr HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + length + b"\r\n\r\n",
        b"{}",
    )

    assert status in {400, 413}, body
    assert body["status_code"] == status

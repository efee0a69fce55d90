"""The local API Gateway emulator under load and abuse (issue 13.8), in-process with a trivial handler."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from local.api_gateway import ApiGatewayEmulator


def _ok(event: dict, context: object) -> dict:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}


@contextmanager
def _serving(handler: Callable[[dict, object], dict] = _ok, workers: int = 4) -> Iterator[ApiGatewayEmulator]:
    api = ApiGatewayEmulator(lambda name: handler, port=0, workers=workers, read_timeout=0.5)
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.shutdown()  # takes up to serve_forever's half-second poll


@pytest.fixture
def emulator() -> Iterator[ApiGatewayEmulator]:
    with _serving() as api:
        yield api


@pytest.fixture(scope="module")
def routing_emulator() -> Iterator[ApiGatewayEmulator]:
    """One emulator for the routing tests, which hold no connection open."""
    with _serving() as api:
        yield api


def _address(api: ApiGatewayEmulator) -> tuple[str, int]:
    host, port = api.server.server_address[:2]
    return host, port


def _exchange(api: ApiGatewayEmulator, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """One request line sent as is (any method, even one http.server has no ``do_`` for)."""
    with socket.create_connection(_address(api), timeout=10) as conn:
        conn.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split(" ")[1]), headers, body


def _get(api: ApiGatewayEmulator, path: str = "/api/vpr/status/x") -> tuple[int, dict]:
    status, _, body = _exchange(api, "GET", path)
    return status, json.loads(body)


def test_a_hundred_simultaneous_connections_are_all_answered(emulator):
    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(lambda _: _get(emulator)[0], range(100)))

    assert results == [200] * 100


def test_a_short_body_gets_408_and_frees_its_worker(emulator):
    with socket.create_connection(_address(emulator), timeout=10) as conn:
        conn.sendall(b"POST /api/vpr HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
        started = time.monotonic()
        answer = b""
        while chunk := conn.recv(65536):  # the server closes the connection after a 408
            answer += chunk

    assert b" 408 " in answer.split(b"\r\n")[0]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["code"] == "RequestTimeout"
    assert time.monotonic() - started < 5


def test_stalled_connections_do_not_each_take_a_thread(emulator):
    before = threading.active_count()
    stalled = [socket.create_connection(_address(emulator), timeout=10) for _ in range(50)]
    try:
        for conn in stalled:
            conn.sendall(b"POST /api/vpr HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        time.sleep(0.2)
        assert threading.active_count() - before <= 4  # the worker pool, not one thread per connection
    finally:
        for conn in stalled:
            conn.close()
    assert _get(emulator)[0] == 200  # and the service still answers afterwards


def test_an_idle_connection_is_closed_after_the_read_timeout(emulator):
    with socket.create_connection(_address(emulator), timeout=10) as conn:
        started = time.monotonic()
        assert conn.recv(1024) == b""  # closed by the server, no request ever sent

    assert time.monotonic() - started < 5


def test_the_status_change_rule_matches_terminal_and_redriven_running_events_only():
    from local.eventbridge import matches_pattern
    from stacks.registry import status_change_detail

    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:careervp-vpr-workflow-local"
    pattern = status_change_detail(arn)

    def detail(status: str, redrive_count: int = 0, machine: str = arn) -> dict:
        return {"stateMachineArn": machine, "status": status, "redriveCount": redrive_count}

    for status in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
        assert matches_pattern(pattern, detail(status)) and matches_pattern(pattern, detail(status, 2))
    assert matches_pattern(pattern, detail("RUNNING", 1))  # a redrive
    assert not matches_pattern(pattern, detail("RUNNING"))  # a new job: submit writes it itself
    assert not matches_pattern(pattern, detail("PENDING_REDRIVE", 1))
    assert not matches_pattern(pattern, detail("FAILED", machine=arn + "-other"))
    assert not matches_pattern(pattern, {"stateMachineArn": arn, "status": "RUNNING"})  # no count


#: Methods no route declares: TRACE (RFC 9110), QUERY (an IETF draft), PROPFIND (WebDAV), a made-up one,
#: and the common ones. http.server alone answers a method it has no ``do_<METHOD>`` for with 501.
UNDECLARED_METHODS = ["TRACE", "QUERY", "PROPFIND", "BREW", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]


@pytest.mark.parametrize("method", UNDECLARED_METHODS)
@pytest.mark.parametrize(("path", "allowed"), [("/api/vpr", "POST"), ("/api/vpr/status/x", "GET")])
def test_a_method_the_resource_does_not_declare_is_405_with_allow_in_the_envelope(
    routing_emulator, method, path, allowed
):
    status, headers, body = _exchange(routing_emulator, method, path)

    assert status == 405
    assert headers["Allow"] == allowed  # no OPTIONS: without CORS origins nothing answers a preflight
    if method != "HEAD":  # a HEAD answer has no body
        assert json.loads(body) == {
            "error": "This method is not allowed here.",
            "code": "MethodNotAllowed",
            "status_code": 405,
            "fields": [],
        }


@pytest.mark.parametrize("method", ["TRACE", "BREW", "GET", "POST"])
def test_any_method_on_a_path_of_no_route_is_a_json_404(routing_emulator, method):
    status, headers, body = _exchange(routing_emulator, method, "/api/nothing-here")

    assert status == 404 and "Allow" not in headers
    assert json.loads(body)["code"] == "NotFound"


def test_with_cors_origins_options_is_the_handlers_preflight_and_allowed(monkeypatch):
    from vpr.settings import get_settings

    monkeypatch.setenv("VPR_CORS_ALLOWED_ORIGINS", "https://app.example")
    get_settings.cache_clear()
    seen: list[str] = []

    def handler(event: dict, context: object) -> dict:
        seen.append(event["httpMethod"])
        return {"statusCode": 204, "headers": {"Access-Control-Allow-Origin": "https://app.example"}}

    try:
        with _serving(handler, workers=2) as api:
            preflight = _exchange(api, "OPTIONS", "/api/vpr")
            other = _exchange(api, "TRACE", "/api/vpr")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert preflight[0] == 204 and seen == ["OPTIONS"]
    assert other[0] == 405 and other[1]["Allow"] == "OPTIONS, POST"


def test_answers_go_out_without_waiting_for_the_clients_ack(routing_emulator, monkeypatch):
    """TCP_NODELAY on every served connection. Without it (Nagle's algorithm) the body, written after
    the headers, waited for the ACK a keep-alive client delays by 40 ms: schemathesis's coverage phase
    (600 requests on reused connections) took 37-47 s instead of 11 s."""
    nodelay: list[int] = []
    finish = routing_emulator.server.finish_request

    def finish_and_look(request: socket.socket, client_address: object) -> None:
        finish(request, client_address)
        nodelay.append(request.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(routing_emulator.server, "finish_request", finish_and_look)

    _exchange(routing_emulator, "GET", "/api/vpr/status/x")

    assert nodelay and all(nodelay), nodelay

"""The local API Gateway emulator under load and abuse (issue 13.8), in-process with a trivial handler."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from local.api_gateway import ApiGatewayEmulator


def _ok(event: dict, context: object) -> dict:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}


@pytest.fixture
def emulator() -> Iterator[ApiGatewayEmulator]:
    api = ApiGatewayEmulator(lambda name: _ok, port=0, workers=4, read_timeout=0.5)
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    yield api
    api.shutdown()


def _address(api: ApiGatewayEmulator) -> tuple[str, int]:
    host, port = api.server.server_address[:2]
    return host, port


def _get(api: ApiGatewayEmulator, path: str = "/api/vpr/status/x") -> tuple[int, dict]:
    with socket.create_connection(_address(api), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


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
    from local.eventbridge import matches_pattern, rule_detail_pattern

    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:careervp-vpr-workflow-local"
    pattern = rule_detail_pattern(arn)

    def detail(status: str, redrive_count: int = 0, machine: str = arn) -> dict:
        return {"stateMachineArn": machine, "status": status, "redriveCount": redrive_count}

    for status in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
        assert matches_pattern(pattern, detail(status)) and matches_pattern(pattern, detail(status, 2))
    assert matches_pattern(pattern, detail("RUNNING", 1))  # a redrive
    assert not matches_pattern(pattern, detail("RUNNING"))  # a new job: submit writes it itself
    assert not matches_pattern(pattern, detail("PENDING_REDRIVE", 1))
    assert not matches_pattern(pattern, detail("FAILED", machine=arn + "-other"))
    assert not matches_pattern(pattern, {"stateMachineArn": arn, "status": "RUNNING"})  # no count

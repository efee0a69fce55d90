"""Log lines name their own invocation (issue 13.9): no key leaks into a later one, or another thread's."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator

import pytest

from handlers.observability import log_invocation, log_keys, logger
from local.lambda_router import LocalLambdaContext


@pytest.fixture
def read_log() -> Iterator[Callable[[], list[dict]]]:
    """The JSON lines the shared Powertools logger wrote during the test."""
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)
    level = logger.log_level
    logger.setLevel("INFO")
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.registered_handler.setStream(previous)
    logger.setLevel(level)


def test_a_job_id_does_not_survive_into_the_next_invocation(read_log):
    @log_invocation()
    def handler(event: dict, context: object) -> None:
        if "job" in event:
            log_keys(job_id=event["job"])
        logger.info("handled")

    handler({"job": "job-1"}, LocalLambdaContext(function_name="submit"))
    handler({}, LocalLambdaContext(function_name="submit"))

    first, second = read_log()
    assert first["job_id"] == "job-1"
    assert "job_id" not in second
    assert first["cold_start"] in {True, False} and second["cold_start"] is False


def test_concurrent_invocations_keep_their_own_function_name_and_job(read_log):
    barrier = threading.Barrier(8)

    @log_invocation()
    def handler(event: dict, context: object) -> None:
        log_keys(job_id=event["job"])
        barrier.wait()  # every thread has set its keys before any of them logs
        logger.info("handled", extra={"expected": f"{context.function_name}/{event['job']}"})

    threads = [
        threading.Thread(
            target=handler, args=({"job": f"job-{i}"}, LocalLambdaContext(function_name=f"fn-{i % 3}"))
        )
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = read_log()
    assert len(lines) == 8
    for line in lines:
        assert f"{line['function_name']}/{line['job_id']}" == line["expected"]

"""The local engine keeps a bounded number of finished executions (issue 13.11: memory per job)."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.conftest import wait_for_execution
from vpr.idempotency import canonical_input
from vpr.models import VprRequest


@pytest.fixture
def retention_of_three(local_runtime, monkeypatch):
    monkeypatch.setenv("VPR_LOCAL_EXECUTION_RETENTION", "3")
    local_runtime.reload_settings()
    yield
    monkeypatch.undo()
    local_runtime.reload_settings()


def test_finished_executions_beyond_the_retention_are_dropped_and_the_newest_kept(
    local_runtime, retention_of_three, start_execution, example_request
):
    arns = []
    for i in range(6):
        request = {**example_request, "application_id": f"app-retention-{i}"}
        arns.append(start_execution(json.loads(canonical_input(VprRequest.model_validate(request)))))
        wait_for_execution(arns[-1])
    local_runtime.events.drain()

    machine = local_runtime.endpoints.state_machine_arn
    listed = boto3.client("stepfunctions").list_executions(stateMachineArn=machine, maxResults=1000)
    finished = [e for e in listed["executions"] if e["status"] != "RUNNING"]

    assert len(finished) <= 3
    assert arns[-1] in {e["executionArn"] for e in finished}  # the newest are the ones kept
    assert local_runtime.prune_finished_executions() == 0  # nothing left to drop

"""The job view on AWS: table, status-change rule → projector with a DLQ, per-writer grants, alarms."""

from __future__ import annotations

from local.eventbridge import DETAIL_TYPE
from stacks.job_view import READABLE_ATTRIBUTES, WRITABLE_ATTRIBUTES
from stacks.registry import PROJECTED_STATUSES, status_change_detail
from vpr.aws.jobview import LIVENESS_ATTRIBUTES, RECORD_ATTRIBUTES

from .conftest import Synth, resolve
from .test_infra_iam import _as_list, role_statements


def test_job_view_table(synth: Synth) -> None:
    table = synth.tpl["Resources"][synth.logical_id(synth.stack.job_view_table)]
    props = table["Properties"]
    assert props["TableName"] == "careervp-vpr-jobs-dev"
    assert props["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_rule_sends_this_state_machines_status_changes_to_the_projector_with_a_dlq(synth: Synth) -> None:
    _, rule = synth.one("AWS::Events::Rule")
    pattern = resolve(rule["Properties"]["EventPattern"])
    assert pattern["source"] == ["aws.states"]
    assert pattern["detail-type"] == [DETAIL_TYPE]
    state_machine = f"<Ref:{synth.logical_id(synth.stack.state_machine)}>"
    # The local runtime delivers exactly what this pattern matches: terminal statuses, redriven RUNNING.
    assert pattern["detail"] == status_change_detail(state_machine)
    assert tuple(pattern["detail"]["$or"][0]["status"]) == PROJECTED_STATUSES
    (target,) = rule["Properties"]["Targets"]
    assert resolve(target["Arn"]) == f"<{synth.logical_id(synth.stack.functions['projector'])}.Arn>"
    dlq = f"<{synth.logical_id(synth.stack.projector_dlq)}.Arn>"
    assert resolve(target["DeadLetterConfig"]["Arn"]) == dlq
    _, invoke_config = synth.one("AWS::Lambda::EventInvokeConfig")
    assert resolve(invoke_config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]) == dlq
    _, queue = synth.one("AWS::SQS::Queue")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True


def _view_statement(synth: Synth, key: str, action: str) -> dict:
    (statement,) = [
        st
        for st in role_statements(synth, synth.stack.roles[key])
        if action in _as_list(st["Action"])
        and resolve(st["Resource"]) == f"<{synth.logical_id(synth.stack.job_view_table)}.Arn>"
    ]
    return statement


def test_readers_may_read_exactly_the_attributes_their_get_item_projects(synth: Synth) -> None:
    # The Claude writers read only whether their job still runs (JobView.attempt_state); the others
    # the whole record (JobView.get).
    liveness_readers = {"generate", "section", "assemble"}
    for key, attributes in READABLE_ATTRIBUTES.items():
        statement = _view_statement(synth, key, "dynamodb:GetItem")
        assert _as_list(statement["Action"]) == ["dynamodb:GetItem"], key
        assert statement["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:Attributes": attributes}}
        projected = LIVENESS_ATTRIBUTES if key in liveness_readers else RECORD_ATTRIBUTES
        assert set(attributes) == {"job_id", *projected}, key  # the key is in every request's attributes
    assert set(READABLE_ATTRIBUTES) == {"submit", "status", "cancel", "retry"} | liveness_readers


def test_each_writer_may_touch_only_its_own_attributes(synth: Synth) -> None:
    for key, attributes in WRITABLE_ATTRIBUTES.items():
        statement = _view_statement(synth, key, "dynamodb:UpdateItem")
        condition = statement["Condition"]
        assert condition["ForAllValues:StringEquals"]["dynamodb:Attributes"] == attributes, key
        assert condition["StringEqualsIfExists"]["dynamodb:ReturnValues"] == ["NONE"], key
    assert "owner" not in WRITABLE_ATTRIBUTES["validate"] + WRITABLE_ATTRIBUTES["generate"]
    assert "result_key" not in WRITABLE_ATTRIBUTES["validate"] + WRITABLE_ATTRIBUTES["generate"]
    assert "submitted_at" not in WRITABLE_ATTRIBUTES["projector"] + WRITABLE_ATTRIBUTES["store"]


def test_the_projector_writes_the_view_and_reads_nothing(synth: Synth) -> None:
    actions = {
        a for st in role_statements(synth, synth.stack.roles["projector"]) for a in _as_list(st["Action"])
    }
    assert not {a for a in actions if a.startswith(("states:", "s3:", "kms:", "secretsmanager:"))}
    assert "dynamodb:GetItem" not in actions


def test_alarms_on_projector_errors_and_dlq_depth(synth: Synth) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in synth.resources("AWS::CloudWatch::Alarm").values()
    }
    errors = alarms["careervp-vpr-projector-errors-dev"]
    assert (errors["Namespace"], errors["MetricName"], errors["Threshold"]) == ("AWS/Lambda", "Errors", 1)
    depth = alarms["careervp-vpr-projector-dlq-dev"]
    assert (depth["Namespace"], depth["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")

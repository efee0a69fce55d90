"""The policy evaluator's rules, one by one (it is only as good as these)."""

from __future__ import annotations

import pytest

from .policy_evaluator import ALLOW, DENY, IMPLICIT_DENY, Request, UnsupportedShapeError, evaluate

TABLE = "<Table.Arn>"
WRITE = {
    "Effect": "Allow",
    "Action": "dynamodb:UpdateItem",
    "Resource": TABLE,
    "Condition": {
        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["job_id", "stage"]},
        "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
    },
}


def _update(attributes: list[str] | None, return_values: str | None = "NONE") -> str:
    context: dict = {}
    if attributes is not None:
        context["dynamodb:Attributes"] = attributes
    if return_values is not None:
        context["dynamodb:ReturnValues"] = return_values
    return evaluate([WRITE], Request("dynamodb:UpdateItem", TABLE, context)).effect


def test_for_all_values_allows_a_subset_and_refuses_any_other_attribute() -> None:
    assert _update(["job_id", "stage"]) == ALLOW
    assert _update(["job_id"]) == ALLOW
    assert _update(["job_id", "owner"]) == IMPLICIT_DENY


def test_for_all_values_is_vacuously_true_when_the_key_is_missing() -> None:
    assert _update(None) == ALLOW  # IAM documents this; the mapping must always pass the attributes


def test_if_exists_passes_a_missing_key_and_checks_a_present_one() -> None:
    assert _update(["job_id"], None) == ALLOW
    assert _update(["job_id"], "ALL_OLD") == IMPLICIT_DENY


def test_actions_are_case_insensitive_resources_are_wildcards() -> None:
    statement = {"Effect": "Allow", "Action": "s3:getobject", "Resource": "<Bucket.Arn>/vpr/*"}
    assert evaluate([statement], Request("s3:GetObject", "<Bucket.Arn>/vpr/u/a/v1.json")).effect == ALLOW
    assert evaluate([statement], Request("s3:GetObject", "<Bucket.Arn>/other/x")).effect == IMPLICIT_DENY
    assert evaluate([statement], Request("s3:PutObject", "<Bucket.Arn>/vpr/x")).effect == IMPLICIT_DENY


def test_string_like_prefix_condition_needs_the_key() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "<Bucket.Arn>",
        "Condition": {"StringLike": {"s3:prefix": ["vpr/*"]}},
    }
    assert (
        evaluate([statement], Request("s3:ListBucket", "<Bucket.Arn>", {"s3:prefix": "vpr/u/"})).effect
        == ALLOW
    )
    assert (
        evaluate([statement], Request("s3:ListBucket", "<Bucket.Arn>", {"s3:prefix": "x/"})).effect != ALLOW
    )
    assert evaluate([statement], Request("s3:ListBucket", "<Bucket.Arn>")).effect == IMPLICIT_DENY


def test_an_explicit_deny_wins_and_resource_policies_match_principals() -> None:
    allow = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": "<Q.Arn>",
        "Condition": {"ArnEquals": {"aws:SourceArn": "<Rule.Arn>"}},
    }
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "sqs:*",
        "Resource": "<Q.Arn>",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    events = {"Service": "events.amazonaws.com"}
    secure = {"aws:SourceArn": "<Rule.Arn>", "aws:SecureTransport": "true"}
    assert evaluate([deny, allow], Request("sqs:SendMessage", "<Q.Arn>", secure, events)).effect == ALLOW
    insecure = {**secure, "aws:SecureTransport": "false"}
    assert evaluate([deny, allow], Request("sqs:SendMessage", "<Q.Arn>", insecure, events)).effect == DENY
    other_rule = {**secure, "aws:SourceArn": "<Other.Arn>"}
    assert evaluate([deny, allow], Request("sqs:SendMessage", "<Q.Arn>", other_rule, events)).effect != ALLOW
    assert evaluate([allow], Request("sqs:SendMessage", "<Q.Arn>", secure, None)).effect != ALLOW


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"k": "1"}}},
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"k": "${aws:x}"}},
        },
    ],
)
def test_shapes_it_does_not_model_are_refused_not_guessed(statement: dict) -> None:
    with pytest.raises(UnsupportedShapeError):
        evaluate([statement], Request("s3:GetObject", "x", {"k": "1"}))

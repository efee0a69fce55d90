"""The job view on AWS: the table, the EventBridge rule → projector, its DLQ, grants and alarms.

    Step Functions status change (FAILED | TIMED_OUT | ABORTED | SUCCEEDED of this state machine)
        --EventBridge rule--> projector Lambda --UpdateItem--> job view table <--GetItem-- status
    submit (claim), each workflow task (stage; sections; Store's result) --UpdateItem--> job view table

Each writer may update only the attributes it owns (``dynamodb:Attributes`` condition), so a task
cannot, say, rewrite a job's owner; the projector writes and never reads. Kept out of
``stacks/vpr_stack.py`` so the stack file reads like the architecture and this part merges alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs

if TYPE_CHECKING:
    from stacks.vpr_stack import VprStack

#: The rule's status filter; the local runtime's ``local.eventbridge.PROJECTED_STATUSES`` (a test
#: compares them). RUNNING is left out: submit writes new jobs itself.
PROJECTED_STATUSES = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
DETAIL_TYPE = "Step Functions Execution Status Change"

_KEY = ["job_id"]
_STAGE = ["seq", "updated_at", "status", "stage", "expires_at"]
_RESULT = ["completed_at", "result_key", "vpr_version", "word_count", "token_usage"]
#: The finished sections' texts (``vpr.aws.jobview.SECTION_TEXT_ATTRIBUTES``): the section task appends
#: them; a completed job's write removes them.
_SECTION_TEXTS = ["sections_ready", "section_ids", "sections_plan"]
_ERROR = ["error_code", "error_message"]
_FILL = ["owner", "application_id", "created_at"]
#: What each writer may touch (``vpr.aws.jobview`` writes no other attributes).
WRITABLE_ATTRIBUTES = {
    "submit": [*_KEY, "owner", "application_id", "created_at", "submitted_at", "updated_at", "status", "seq",
               "expires_at"],
    "validate": [*_KEY, *_STAGE],
    "plan": [*_KEY, *_STAGE],
    "generate": [*_KEY, *_STAGE],
    "section": [*_KEY, *_STAGE, "sections_done", "sections_total", *_SECTION_TEXTS],
    "assemble": [*_KEY, *_STAGE],
    "store": [*_KEY, *_STAGE, *_RESULT, *_ERROR, *_SECTION_TEXTS],
    "status": [*_KEY, *_STAGE, *_RESULT, *_ERROR, *_FILL, *_SECTION_TEXTS],  # repairs from Step Functions
    "projector": [*_KEY, *_STAGE, *_RESULT, *_ERROR, *_FILL, *_SECTION_TEXTS],
}  # fmt: skip
READERS = ("submit", "status")


def add_job_view(stack: VprStack) -> None:
    naming = stack.naming
    table = dynamodb.Table(
        stack,
        "JobViewTable",
        table_name=naming.resource("jobs"),
        partition_key=dynamodb.Attribute(name="job_id", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute="expires_at",
        deletion_protection=stack.config.env == "prod",
        # A read model: every item can be rebuilt from Step Functions by the status fallback.
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    stack.job_view_table = table

    for fn in stack.functions.values():
        fn.add_environment("VPR_JOB_VIEW_TABLE", table.table_name)
    for key, attributes in WRITABLE_ATTRIBUTES.items():
        actions = ["dynamodb:UpdateItem", *(["dynamodb:GetItem"] if key in READERS else [])]
        stack.roles[key].add_to_policy(
            iam.PolicyStatement(
                sid="JobView",
                actions=actions,
                resources=[table.table_arn],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:Attributes": attributes},
                    "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
                },
            )
        )

    dlq = sqs.Queue(
        stack,
        "ProjectorDlq",
        queue_name=naming.resource("projector-dlq"),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    stack.projector_dlq = dlq
    projector = stack.functions["projector"]
    # Failed invocations (after Lambda's 2 async retries) and undeliverable events land in one queue.
    projector.configure_async_invoke(
        retry_attempts=2, max_event_age=cdk.Duration.hours(6), on_failure=destinations.SqsDestination(dlq)
    )
    stack.projector_rule = events.Rule(
        stack,
        "StatusChangeRule",
        rule_name=naming.resource("status-changes"),
        description=f"{naming.state_machine} terminal status changes -> the job view projector",
        event_pattern=events.EventPattern(
            source=["aws.states"],
            detail_type=[DETAIL_TYPE],
            detail={
                "stateMachineArn": [stack.state_machine.state_machine_arn],
                "status": PROJECTED_STATUSES,
            },
        ),
        targets=[
            targets.LambdaFunction(
                projector, dead_letter_queue=dlq, retry_attempts=8, max_event_age=cdk.Duration.hours(6)
            )
        ],
    )

    for what, metric, description in (
        ("projector-errors", projector.metric_errors(period=cdk.Duration.minutes(5)), "Projector failed"),
        (
            "projector-dlq",
            dlq.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(5)),
            "Status-change events the job view could not take (see the DLQ)",
        ),
    ):
        stack.alarms[what] = cloudwatch.Alarm(
            stack,
            f"Alarm-{what}",
            alarm_name=naming.alarm(what),
            alarm_description=description,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if stack.alarm_topic is not None:
            stack.alarms[what].add_alarm_action(cw_actions.SnsAction(stack.alarm_topic))

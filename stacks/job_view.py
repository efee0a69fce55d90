"""The job view on AWS: the table, the EventBridge rule → projector, its DLQ, and the writers' grants.

    Step Functions status change (FAILED | TIMED_OUT | ABORTED | SUCCEEDED of this state machine, and
    RUNNING after a redrive) --EventBridge rule--> projector Lambda --UpdateItem--> job view table
    status, submit, cancel, retry --GetItem--> job view table
    submit (claim), each workflow task (stage; sections; Store's result), cancel (the cancel request and
    its outcome), retry (RUNNING again) --UpdateItem--> job view table
    generate, section, assemble --GetItem of status, seq, cancel_requested--> "still running?"

Each writer may update only the attributes it owns (``dynamodb:Attributes`` condition), so a task
cannot, say, rewrite a job's owner; readers get exactly the attributes their GetItem projects; the
projector writes and never reads. A construct of its own, so the stack file reads like the architecture.
"""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from stacks.config import VprConfig
from stacks.data import service_table
from stacks.registry import JOB_VIEW_TABLE, status_change_detail

DETAIL_TYPE = "Step Functions Execution Status Change"

_KEY = ["job_id"]
_STAGE = ["seq", "updated_at", "status", "stage", "expires_at"]
_RUN = [a for a in _STAGE if a != "stage"]
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
    # cancel: the request, then Step Functions' answer (ABORTED); retry: RUNNING again, the failure
    # removed. Neither knows a stage (the tasks write it).
    "cancel": [*_KEY, *_RUN, *_RESULT, *_ERROR, *_FILL, "cancel_requested"],
    "retry": [*_KEY, *_RUN, "completed_at", *_ERROR, *_FILL],
}  # fmt: skip
#: What each reader's GetItem projects (``vpr.aws.jobview.RECORD_ATTRIBUTES``: the whole record).
_RECORD = [*_KEY, "status", "owner", "application_id", "stage", "sections_done", "sections_total",
           "created_at", "updated_at", "completed_at", "result_key", "vpr_version", "word_count",
           "token_usage", "error_code", "error_message", "seq", "submitted_at", "sections_ready",
           "sections_plan"]  # fmt: skip
#: The Claude-calling tasks read only whether their job still runs (``vpr.aws.jobview.LIVENESS_ATTRIBUTES``,
#: ``JobView.attempt_state``) before each Claude call; the key is among the attributes of any request.
_LIVENESS = [*_KEY, "status", "seq", "cancel_requested"]
READABLE_ATTRIBUTES = {
    "submit": _RECORD,
    "status": _RECORD,
    "cancel": _RECORD,  # an ended job the engine no longer keeps; an earlier cancel
    "retry": _RECORD,
    **{key: _LIVENESS for key in ("generate", "section", "assemble")},
}


@jsii.implements(lambda_.IDestination)
class _SendOnlyQueueDestination:
    """An async invocation's on-failure destination that grants only ``sqs:SendMessage``.

    CDK's ``SqsDestination`` grants ``grant_send_messages`` (SendMessage, GetQueueAttributes,
    GetQueueUrl); Lambda needs only SendMessage to deliver the record (AWS Lambda Developer Guide,
    "Capturing records of Lambda asynchronous invocations").
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        self.queue = queue

    def bind(self, _scope: Construct, fn: lambda_.IFunction, *_args: object, **_kwargs: object) -> object:
        fn.add_to_role_policy(
            iam.PolicyStatement(
                sid="OnFailureDestination", actions=["sqs:SendMessage"], resources=[self.queue.queue_arn]
            )
        )
        return lambda_.DestinationConfig(destination=self.queue.queue_arn)


class JobView(Construct):
    """``table``, ``dlq`` and ``rule``; ``grant_writers`` gives each role its attributes."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: VprConfig,
        state_machine: sfn.IStateMachine,
        projector: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        naming = config.naming
        self.table = service_table(
            self,
            "JobViewTable",
            config,
            naming.job_view_table,
            "job_id",
            time_to_live_attribute="expires_at",
            # A read model: every item can be rebuilt from Step Functions by the status fallback.
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.dlq = sqs.Queue(
            self,
            "ProjectorDlq",
            queue_name=naming.resource("projector-dlq"),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        # Failed invocations (after Lambda's 2 async retries) and undeliverable events land in one queue.
        projector.configure_async_invoke(
            retry_attempts=2,
            max_event_age=cdk.Duration.hours(6),
            on_failure=_SendOnlyQueueDestination(self.dlq),
        )
        self.rule = events.Rule(
            self,
            "StatusChangeRule",
            rule_name=naming.resource("status-changes"),
            description=f"{naming.state_machine} terminal and redriven status changes -> the job view",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=[DETAIL_TYPE],
                detail=status_change_detail(state_machine.state_machine_arn),
            ),
            targets=[
                targets.LambdaFunction(
                    projector,
                    dead_letter_queue=self.dlq,
                    retry_attempts=8,
                    max_event_age=cdk.Duration.hours(6),
                )
            ],
        )

    @property
    def environment(self) -> dict[str, str]:
        return {JOB_VIEW_TABLE: self.table.table_name}

    def grant_writers(self, roles: dict[str, iam.IRole]) -> None:
        """Each writer: UpdateItem of its own attributes; each reader GetItem of exactly what it projects.

        The attribute list is the whole restriction: GetItem has no ``Select`` parameter (API Reference,
        GetItem), so the ``dynamodb:Select`` condition the IAM User Guide's Query example adds would
        never apply here.
        """
        for key, attributes in WRITABLE_ATTRIBUTES.items():
            roles[key].add_to_principal_policy(
                iam.PolicyStatement(
                    sid="JobView",
                    actions=["dynamodb:UpdateItem"],
                    resources=[self.table.table_arn],
                    conditions={
                        "ForAllValues:StringEquals": {"dynamodb:Attributes": attributes},
                        "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
                    },
                )
            )
        for key, attributes in READABLE_ATTRIBUTES.items():
            roles[key].add_to_principal_policy(
                iam.PolicyStatement(
                    sid="ReadJobView",
                    actions=["dynamodb:GetItem"],
                    resources=[self.table.table_arn],
                    conditions={"ForAllValues:StringEquals": {"dynamodb:Attributes": attributes}},
                )
            )

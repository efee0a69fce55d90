"""Monitoring: one alarm per way the service can fail a user, optionally to an SNS topic.

Failed, timed-out and throttled executions; Generate running close to its timeout; API 5xx; projector
errors and status-change events parked in the DLQ.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.api import Api
from stacks.config import VprConfig
from stacks.functions import Functions
from stacks.job_view import JobView
from stacks.registry import FUNCTIONS, PROJECTOR
from stacks.workflow import Workflow

GENERATE_DURATION_ALARM_RATIO = 0.8


class Monitoring(Construct):
    """``alarms[what]`` (named ``careervp-vpr-<what>-<env>``) and the optional ``alarm_topic``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        config: VprConfig,
        functions: Functions,
        workflow: Workflow,
        api: Api,
        job_view: JobView,
    ) -> None:
        super().__init__(scope, construct_id)
        period = cdk.Duration.minutes(5)
        sm = workflow.state_machine
        threshold_ms = GENERATE_DURATION_ALARM_RATIO * FUNCTIONS["generate"].timeout_seconds * 1000
        alarms = [
            ("executions-failed", sm.metric_failed(period=period), 1, "A VPR job failed"),
            ("executions-timed-out", sm.metric_timed_out(period=period), 1, "A VPR job hit its timeout"),
            ("executions-throttled", sm.metric_throttled(period=period), 1, "Step Functions throttled"),
            (
                "generate-duration",
                functions.functions["generate"].metric_duration(period=period, statistic="Maximum"),
                threshold_ms,
                f"Generate ran > {int(GENERATE_DURATION_ALARM_RATIO * 100)}% of its timeout",
            ),
            (
                "api-5xx",
                api.api.deployment_stage.metric_server_error(period=period),
                1,
                "The VPR API answered 5xx",
            ),
            (
                "projector-errors",
                functions.functions[PROJECTOR].metric_errors(period=period),
                1,
                "Projector failed",
            ),
            (
                "projector-dlq",
                job_view.dlq.metric_approximate_number_of_messages_visible(period=period),
                1,
                "Status-change events the job view could not take (see the DLQ)",
            ),
        ]
        self.alarm_topic = (
            sns.Topic.from_topic_arn(self, "AlarmTopic", config.alarm_topic_arn)
            if config.alarm_topic_arn
            else None
        )
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for what, metric, threshold, description in alarms:
            self.add_alarm(config, what, metric, threshold, description)

    def add_alarm(
        self, config: VprConfig, what: str, metric: cloudwatch.IMetric, threshold: float, description: str
    ) -> cloudwatch.Alarm:
        """An alarm at ``threshold`` or above over one period (missing data is not breaching)."""
        alarm = cloudwatch.Alarm(
            self,
            f"Alarm-{what}",
            alarm_name=config.naming.alarm(what),
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if self.alarm_topic is not None:
            alarm.add_alarm_action(cw_actions.SnsAction(self.alarm_topic))
        self.alarms[what] = alarm
        return alarm

"""The VPR service on AWS: one stack wiring one construct per part of the architecture.

    client --POST /api/vpr--> Api (Cognito) --> submit --StartExecution--> Workflow (Step Functions)
        Validate -> Plan -> (Map of sections -> Assemble | Generate) -> Store   (statemachine/vpr.asl.json)
    client --GET /api/vpr/status/{job_id}--> status --GetItem--> JobView (+ presigned GETs of Data's reports)
    client --DELETE /api/vpr/{job_id}--> cancel --StopExecution--> Workflow
    client --POST /api/vpr/{job_id}/retry--> retry --RedriveExecution--> Workflow
    Step Functions status changes --EventBridge--> projector --> JobView
    Monitoring: alarms on all of it

Parts (each ``stacks/<part>.py``): ``Data`` (results bucket, profile table, Anthropic key secret),
``Functions`` (one Lambda and role per entry of ``stacks/registry.py``), ``Workflow`` (state machine,
key, logs), ``Api`` (Cognito, REST API), ``JobView`` (table, status-change rule, DLQ), ``Monitoring``
(alarms). ``_grant`` below says which function may call what — the one place a function's permissions
are wired; ``tests/infra/test_infra_permissions.py`` proves them against recorded calls. cdk-nag
acknowledgements live in ``stacks/nag_suppressions.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

from stacks.api import Api
from stacks.config import VprConfig
from stacks.data import RESULTS_PREFIX, Data
from stacks.functions import Functions
from stacks.job_view import JobView
from stacks.monitoring import Monitoring
from stacks.registry import PROJECTOR, claude_functions
from stacks.workflow import ASL_PATH, Workflow

__all__ = ["ASL_PATH", "RESULTS_PREFIX", "VprStack", "asl_definition"]


class VprStack(cdk.Stack):
    """Everything the VPR service needs in one account/region."""

    def __init__(self, scope: Construct, config: VprConfig, **kwargs: object) -> None:
        naming = config.naming
        super().__init__(
            scope,
            naming.stack_id,
            description=f"CareerVP Value Proposition Report pipeline ({config.env})",
            **kwargs,
        )
        self.config = config
        self.naming = naming
        cdk.Tags.of(self).add("product", "careervp")
        cdk.Tags.of(self).add("service", "vpr")
        cdk.Tags.of(self).add("env", config.env)

        self.data = Data(self, "Data", config)
        self.lambdas = Functions(self, "Functions", config)
        self.workflow = Workflow(self, "Workflow", config, self.lambdas.functions)
        self.job_view = JobView(
            self, "JobView", config, self.workflow.state_machine, self.lambdas.functions[PROJECTOR]
        )
        self.service_api = Api(self, "Api", config, self.lambdas.functions)
        self._grant()
        self.lambdas.bind_environment(self._environment())
        self.monitoring = Monitoring(
            self, "Monitoring", config, self.lambdas, self.workflow, self.service_api, self.job_view
        )
        self._expose()
        self._outputs()

    def _grant(self) -> None:
        """Who may call what: each function's role gets exactly the calls its code makes."""
        roles = self.lambdas.roles
        self.workflow.grant_start_jobs(roles["submit"])
        self.workflow.grant_read_jobs(roles["status"])
        self.workflow.grant_cancel_jobs(roles["cancel"])
        self.workflow.grant_redrive_jobs(roles["retry"])
        self.data.grant_link_results(roles["status"])
        self.data.grant_read_profiles(roles["validate"])
        for key in claude_functions():  # generate, section, assemble; plan calls nothing but the view
            self.data.grant_read_anthropic_key(roles[key])
        self.data.grant_store_results(roles["store"])
        self.job_view.grant_writers(roles)

    def _environment(self) -> dict[str, str]:
        """The value of every ``VPR_*`` variable a function of the registry may be given."""
        config = self.config
        return {
            "VPR_STATE_MACHINE_ARN": self.workflow.state_machine.state_machine_arn,
            "VPR_RESULTS_BUCKET": self.data.results_bucket.bucket_name,
            "VPR_PROFILE_TABLE": self.data.profile_table.table_name,
            "VPR_GENERATOR": "auto",
            "VPR_MODEL": config.model,
            "VPR_ANTHROPIC_SECRET_ARN": self.data.anthropic_secret.secret_arn,
            "VPR_REQUIRE_IDENTITY": "true",
            "VPR_CORS_ALLOWED_ORIGINS": ",".join(config.cors_allowed_origins),
            **self.job_view.environment,
        }

    def _expose(self) -> None:
        """The parts' resources as stack attributes (``stack.functions``, ``stack.state_machine``...):
        what tests, cdk-nag acknowledgements and ``add_<part>(stack)`` modules reach for."""
        self.results_bucket = self.data.results_bucket
        self.profile_table = self.data.profile_table
        self.anthropic_secret = self.data.anthropic_secret
        self.functions = self.lambdas.functions
        self.roles = self.lambdas.roles
        self.workflow_key = self.workflow.key
        self.workflow_logs = self.workflow.logs
        self.state_machine = self.workflow.state_machine
        self.executions_arn = self.workflow.executions_arn
        self.user_pool = self.service_api.user_pool
        self.user_pool_client = self.service_api.user_pool_client
        self.access_logs = self.service_api.access_logs
        self.api = self.service_api.api
        self.job_view_table = self.job_view.table
        self.projector_dlq = self.job_view.dlq
        self.projector_rule = self.job_view.rule
        self.alarms = self.monitoring.alarms
        self.alarm_topic = self.monitoring.alarm_topic

    def _outputs(self) -> None:
        cdk.CfnOutput(self, "ApiUrl", value=self.api.url_for_path("/api/vpr"), description="POST here")
        cdk.CfnOutput(
            self,
            "StateMachineArn",
            value=self.state_machine.state_machine_arn,
            description="Job ids are execution ARNs of this state machine",
        )
        cdk.CfnOutput(self, "ResultsBucketName", value=self.results_bucket.bucket_name)
        cdk.CfnOutput(self, "AnthropicSecretName", value=self.naming.anthropic_secret)
        cdk.CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        if self.user_pool_client is not None:
            cdk.CfnOutput(self, "UserPoolClientId", value=self.user_pool_client.user_pool_client_id)


def asl_definition() -> dict:
    """The workflow file, parsed (tests compare the synthesized definition with it)."""
    return json.loads(Path(ASL_PATH).read_text(encoding="utf-8"))

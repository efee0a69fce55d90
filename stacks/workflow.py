"""The workflow: the STANDARD state machine built from ``statemachine/vpr.asl.json``, its key and logs.

    submit --StartExecution--> Step Functions: Validate -> Plan -> (Map of sections -> Assemble | Generate)
        -> Store, each task a Lambda of ``stacks/registry.py``       <--DescribeExecution-- submit, status
    cancel --StopExecution-->  the caller's execution   <--RedriveExecution-- retry

Execution data (CVs, reports) is encrypted with a customer managed key; every caller that writes or
reads it needs the key too, limited to this state machine by its encryption context.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from stacks.bundling import REPO_ROOT
from stacks.config import VprConfig
from stacks.functions import retention
from stacks.registry import definition_substitutions, task_functions

ASL_PATH = REPO_ROOT / "statemachine" / "vpr.asl.json"


class Workflow(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, config: VprConfig, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        naming = config.naming
        self.key = kms.Key(
            self,
            "WorkflowKey",
            alias=f"alias/{naming.resource('workflow')}",
            description=f"Encrypts {naming.state_machine} executions (inputs carry CVs and reports)",
            enable_key_rotation=True,
        )
        self.logs = logs.LogGroup(
            self,
            "WorkflowLogs",
            log_group_name=naming.state_machine_log_group,
            retention=retention(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "Workflow",
            state_machine_name=naming.state_machine,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # The workflow file is the one definition (the local runtime runs the same file). Its own
            # top-level TimeoutSeconds (3600) is the execution timeout.
            definition_body=sfn.DefinitionBody.from_string(ASL_PATH.read_text(encoding="utf-8")),
            definition_substitutions=definition_substitutions(
                {key: fn.function_arn for key, fn in functions.items()}
            ),
            logs=sfn.LogOptions(
                destination=self.logs,
                level=sfn.LogLevel.ALL,
                include_execution_data=config.sfn_include_execution_data,
            ),
            tracing_enabled=True,
            encryption_configuration=sfn.CustomerManagedEncryptionConfiguration(
                self.key, cdk.Duration.minutes(5)
            ),
        )
        # Exactly the task functions, unqualified ARNs as in the definition (no ":*" versions).
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="InvokeTaskFunctions",
                actions=["lambda:InvokeFunction"],
                resources=[functions[key].function_arn for key in dict.fromkeys(task_functions().values())],
            )
        )
        self.executions_arn = cdk.Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{naming.state_machine}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )

    # --------------------------------------------------------------------------------------- grants
    def _key(self, role: iam.IRole, sid: str, actions: list[str]) -> None:
        """The workflow key, only for this state machine's data (Step Functions' encryption context)."""
        context_key = "kms:EncryptionContext:aws:states:stateMachineArn"
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid=sid,
                actions=actions,
                resources=[self.key.key_arn],
                conditions={"StringEquals": {context_key: self.state_machine.state_machine_arn}},
            )
        )

    def _on_executions(self, role: iam.IRole, sid: str, actions: list[str]) -> None:
        """``actions`` on this state machine's executions (the job ids), none other's."""
        role.add_to_principal_policy(
            iam.PolicyStatement(sid=sid, actions=actions, resources=[self.executions_arn])
        )

    def grant_start_jobs(self, role: iam.IRole) -> None:
        """Submit: start an execution, and describe one to tell "already exists" from "conflict" (409)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="StartJob",
                actions=["states:StartExecution"],
                resources=[self.state_machine.state_machine_arn],
            )
        )
        self._on_executions(role, "DescribeJobs", ["states:DescribeExecution"])
        self._key(role, "EncryptedExecutionData", ["kms:GenerateDataKey", "kms:Decrypt"])

    def grant_read_jobs(self, role: iam.IRole) -> None:
        """Status (its fallback): describe an execution and read its history (stage, sections)."""
        self._on_executions(role, "ReadJobs", ["states:DescribeExecution", "states:GetExecutionHistory"])
        self._key(role, "DecryptExecutionData", ["kms:Decrypt"])

    def grant_cancel_jobs(self, role: iam.IRole) -> None:
        """Cancel: describe the caller's job (its owner, status, redrive count), then stop it.

        StopExecution encrypts the ``error`` and ``cause`` it is given with the workflow key (API
        Reference, StopExecution: "Step Functions will encrypt the error and cause fields using the
        AWS KMS key"): GenerateDataKey besides the Decrypt the describe needs.
        """
        self._on_executions(role, "CancelJobs", ["states:DescribeExecution", "states:StopExecution"])
        self._key(role, "CancelExecutionData", ["kms:Decrypt", "kms:GenerateDataKey"])

    def grant_redrive_jobs(self, role: iam.IRole) -> None:
        """Retry: describe the caller's job (its error, its redrive status), then redrive it."""
        self._on_executions(role, "RedriveJobs", ["states:DescribeExecution", "states:RedriveExecution"])
        self._key(role, "DecryptExecutionData", ["kms:Decrypt"])

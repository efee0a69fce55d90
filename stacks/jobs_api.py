"""Cancel and retry on AWS: ``DELETE /api/vpr/{job_id}`` → cancel, ``POST /api/vpr/{job_id}/retry`` → retry.

    client --DELETE /api/vpr/{job_id}------> API Gateway (Cognito) --> cancel --StopExecution-->
    client --POST /api/vpr/{job_id}/retry--> API Gateway (Cognito) --> retry --RedriveExecution-->
    (Step Functions) both: DescribeExecution first (status, owner, redrive count); both write the job view

The two functions are declared with the others (``SPECS`` in stacks/vpr_stack.py, so they get the same
runtime, logs, tracing and their own roles); this module gives them their routes, their environment and
exactly the permissions they use: DescribeExecution and StopExecution (cancel) or RedriveExecution
(retry) on this state machine's executions, and the workflow key for the execution data they read
(cancel also encrypts the ``error``/``cause`` it gives StopExecution: API Reference, StopExecution).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam

if TYPE_CHECKING:
    from stacks.vpr_stack import VprStack

#: function → (the Step Functions action it calls besides DescribeExecution, the KMS actions it needs)
JOB_ACTIONS = {
    "cancel": ("states:StopExecution", ["kms:Decrypt", "kms:GenerateDataKey"]),
    "retry": ("states:RedriveExecution", ["kms:Decrypt"]),
}


def add_jobs_api(stack: VprStack) -> None:
    sm_arn = stack.state_machine.state_machine_arn
    key_condition = {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": sm_arn}}
    for key, (action, kms_actions) in JOB_ACTIONS.items():
        fn, role = stack.functions[key], stack.roles[key]
        fn.add_environment("VPR_STATE_MACHINE_ARN", sm_arn)
        fn.add_environment("VPR_REQUIRE_IDENTITY", "true")
        fn.add_environment("VPR_CORS_ALLOWED_ORIGINS", ",".join(stack.config.cors_allowed_origins))
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ControlJobs",
                actions=["states:DescribeExecution", action],
                resources=[stack.executions_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ExecutionData",
                actions=kms_actions,
                resources=[stack.workflow_key.key_arn],
                conditions=key_condition,
            )
        )

    # /api/vpr/{job_id} beside /api/vpr/status: API Gateway matches the static "status" part first.
    vpr = stack.api.root.get_resource("api").get_resource("vpr")  # type: ignore[union-attr]
    cors = stack.api.root.default_cors_preflight_options
    assert cors is not None  # the stack always configures CORS for the web client
    job = vpr.add_resource(  # type: ignore[union-attr]
        "{job_id}",
        default_cors_preflight_options=apigw.CorsOptions(
            allow_origins=cors.allow_origins,
            allow_methods=["DELETE", "POST", "OPTIONS"],
            allow_headers=cors.allow_headers,
            expose_headers=cors.expose_headers,
            max_age=cors.max_age,
        ),
    )
    method_options = {
        "authorizer": stack.authorizer,
        "authorization_type": apigw.AuthorizationType.COGNITO,
        "request_validator": stack.request_validator,
        "request_parameters": {"method.request.path.job_id": True},
    }
    job.add_method("DELETE", _integration(stack, "cancel"), **method_options)
    job.add_resource("retry").add_method("POST", _integration(stack, "retry"), **method_options)


def _integration(stack: VprStack, key: str) -> apigw.LambdaIntegration:
    return apigw.LambdaIntegration(stack.functions[key], proxy=True, allow_test_invoke=False)

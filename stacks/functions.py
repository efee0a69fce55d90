"""The Lambda functions: one per entry of ``stacks/registry.py``, each with its own role and log group.

All share one code asset (``stacks/bundling.py``: Powertools and boto3 bundled at the tested versions,
no layer). A role starts with nothing but writing its own log group and X-Ray traces; the parts grant
it what its function calls (``stacks/vpr_stack.py`` wires them). Environment variables are set once
every part exists (``bind_environment``): exactly the names the registry lists for the function.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.bundling import lambda_code
from stacks.config import VprConfig
from stacks.registry import FUNCTIONS, POWERTOOLS_ENVIRONMENT

# The latest Python runtime this CDK version offers; every function uses it, on Graviton (arm64).
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64

_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                   2922, 3288, 3653)  # fmt: skip
_RETENTION = dict(zip(_RETENTION_DAYS, [d for d in logs.RetentionDays if d.name != "INFINITE"], strict=True))


def retention(days: int) -> logs.RetentionDays:
    try:
        return _RETENTION[days]
    except KeyError:
        raise ValueError(f"log_retention_days must be one of {_RETENTION_DAYS}, got {days}") from None


class Functions(Construct):
    """``functions[key]`` and ``roles[key]`` for every registry key."""

    def __init__(self, scope: Construct, construct_id: str, config: VprConfig) -> None:
        super().__init__(scope, construct_id)
        naming = config.naming
        code = lambda_code(RUNTIME)
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        for key, spec in FUNCTIONS.items():
            role = iam.Role(
                self,
                f"{key.capitalize()}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"{naming.function(key)}: only what the {key} function calls",
            )
            log_group = logs.LogGroup(
                self,
                f"{key.capitalize()}Logs",
                log_group_name=naming.function_log_group(key),
                retention=retention(config.log_retention_days),
                removal_policy=cdk.RemovalPolicy.DESTROY,
            )
            # Instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every group):
            log_group.grant_write(role)
            self.functions[key] = lambda_.Function(
                self,
                f"{key.capitalize()}Function",
                function_name=naming.function(key),
                description=spec.description,
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler=spec.handler,
                code=code,
                timeout=cdk.Duration.seconds(spec.timeout_seconds),
                memory_size=spec.memory_mb,
                role=role,
                log_group=log_group,
                logging_format=lambda_.LoggingFormat.JSON,
                application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
                system_log_level_v2=lambda_.SystemLogLevel.WARN,
                tracing=lambda_.Tracing.ACTIVE,
                environment=dict(POWERTOOLS_ENVIRONMENT),
            )
            self.roles[key] = role

    def bind_environment(self, values: dict[str, str]) -> None:
        """Give each function the ``VPR_*`` variables the registry lists for it, from ``values``.

        A variable a function is listed with but no part provides fails the synthesis (KeyError).
        """
        for key, spec in FUNCTIONS.items():
            for name in spec.settings_environment:
                self.functions[key].add_environment(name, values[name])

"""The VPR service on AWS: one stack that reads like the architecture.

    client --POST /api/vpr--> API Gateway (Cognito) --> submit --StartExecution--> Step Functions
        Validate -> Plan -> (Map of sections -> Assemble | Generate) -> Store   (statemachine/vpr.asl.json)
    client --GET /api/vpr/status/{job_id}--> status --GetItem on the job view (+ presigned S3 URL)
    Step Functions status changes --EventBridge--> projector --> job view   (stacks/job_view.py)

Resources, top to bottom: data (results bucket, profile table, Anthropic key secret), the shared
Lambda code asset and the nine functions (each with its own role, granted only what it calls), the
state machine, the REST API, alarms and outputs. cdk-nag acknowledgements live in
``stacks/nag_suppressions.py``, not here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from stacks.bundling import REPO_ROOT, lambda_code
from stacks.config import VprConfig
from stacks.job_view import add_job_view
from stacks.jobs_api import add_jobs_api

ASL_PATH = REPO_ROOT / "statemachine" / "vpr.asl.json"

# The latest Python runtime this CDK version offers; every function uses it, on Graviton (arm64).
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64

#: ASL state → the function behind its ``${<State>FunctionArn}`` placeholder (local.runtime.TASKS agrees).
TASK_FUNCTIONS = {
    "Validate": "validate",
    "Plan": "plan",
    "Generate": "generate",
    "WriteSection": "section",
    "Assemble": "assemble",
    "Store": "store",
}
#: Functions that call Claude: each gets the model, the generator choice and read access to the key.
CLAUDE_FUNCTIONS = ("generate", "section", "assemble")

RESULTS_PREFIX = "vpr/"
GENERATE_DURATION_ALARM_RATIO = 0.8

_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                   2922, 3288, 3653)  # fmt: skip
_RETENTION = dict(zip(_RETENTION_DAYS, [d for d in logs.RetentionDays if d.name != "INFINITE"], strict=True))


@dataclass(frozen=True)
class FunctionSpec:
    what: str  # the name part: careervp-vpr-<what>-<env>
    handler: str
    timeout_seconds: int
    memory_mb: int
    description: str


SPECS = {
    "submit": FunctionSpec("submit", "handlers.submit.handler", 10, 256, "POST /api/vpr: starts a job"),
    "validate": FunctionSpec(
        "validate", "handlers.validate.handler", 30, 256, "Workflow task: validate, attach the CV"
    ),
    "generate": FunctionSpec(
        "generate", "handlers.generate.handler", 600, 512, "Workflow task: write the report"
    ),
    "store": FunctionSpec("store", "handlers.store.handler", 30, 256, "Workflow task: store v{n}.json/.md"),
    # Sections mode (VPR_GENERATION_MODE=sections, the default): plan, write sections concurrently, assemble.
    "plan": FunctionSpec(
        "plan", "handlers.plan.handler", 30, 256, "Workflow task: plan the report's sections"
    ),
    "section": FunctionSpec(
        "section", "handlers.section.handler", 600, 512, "Workflow task (Map item): write one report section"
    ),
    "assemble": FunctionSpec(
        "assemble", "handlers.assemble.handler", 600, 512, "Workflow task: summary, merge, grounding check"
    ),
    "status": FunctionSpec(
        "status", "handlers.status.handler", 10, 256, "GET /api/vpr/status/{job_id}: job status"
    ),
    "projector": FunctionSpec(
        "projector", "handlers.projector.handler", 10, 256, "Step Functions status changes -> job view"
    ),
    # stacks/jobs_api.py: their routes and permissions
    "cancel": FunctionSpec("cancel", "handlers.cancel.handler", 10, 256, "DELETE /api/vpr/{job_id}: cancel"),
    "retry": FunctionSpec("retry", "handlers.retry.handler", 10, 256, "POST /api/vpr/{job_id}/retry: retry"),
}

# Loose on purpose: API Gateway rejects what is obviously not a request (not JSON, not an object,
# no application_id / job_posting) before a Lambda runs; the submit Lambda validates every field
# strictly and names each offending one. Unknown fields are allowed (the API ignores them).
SUBMIT_BODY_SCHEMA = apigw.JsonSchema(
    schema=apigw.JsonSchemaVersion.DRAFT4,
    title="VprSubmitRequest",
    type=apigw.JsonSchemaType.OBJECT,
    required=["application_id", "job_posting"],
    properties={
        "application_id": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, min_length=1, max_length=128),
        "user_id": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, min_length=1, max_length=128),
        "job_posting": apigw.JsonSchema(type=apigw.JsonSchemaType.OBJECT),
        "gap_responses": apigw.JsonSchema(type=apigw.JsonSchemaType.ARRAY),
        "company_context": apigw.JsonSchema(type=apigw.JsonSchemaType.OBJECT),
        "cv": apigw.JsonSchema(type=apigw.JsonSchemaType.OBJECT),
    },
)


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
        self.retention = _retention(config.log_retention_days)
        cdk.Tags.of(self).add("product", "careervp")
        cdk.Tags.of(self).add("service", "vpr")
        cdk.Tags.of(self).add("env", config.env)

        self._data()
        self._functions()
        self._workflow()
        self._permissions()
        self._api()
        self._alarms()
        add_job_view(self)  # stacks/job_view.py: table, status-change rule, projector, DLQ, alarms
        add_jobs_api(self)  # stacks/jobs_api.py: cancel and retry
        self._outputs()

    # ---------------------------------------------------------------- data
    def _data(self) -> None:
        naming, config = self.naming, self.config

        # Encryption: SSE-S3 (AES-256). The reports are reachable only through the store/status roles
        # (prefix-scoped IAM) and short-lived presigned GETs; SSE-KMS would add a KMS call per PUT and
        # per presigned download and a kms:Decrypt grant behind every link, without narrowing who can
        # read (the same two roles would hold the key grant).
        # Versioning: off. Every report version is already its own object (v{n}.json, v{n}.md), and the
        # store task writes with If-None-Match, so nothing is ever overwritten; S3 versioning would
        # only keep duplicates past the lifecycle expiry.
        self.results_bucket = s3.Bucket(
            self,
            "ResultsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=False,
            # The web client fetches a report through its presigned link (GET only, its own origins).
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET],
                    allowed_origins=list(config.cors_allowed_origins),
                    max_age=3600,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-old-results",
                    prefix=RESULTS_PREFIX,
                    expiration=cdk.Duration.days(config.results_expiration_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,  # reports are user data: never deleted with the stack
        )

        self.profile_table = dynamodb.Table(
            self,
            "ProfileTable",
            table_name=naming.profile_table,
            # One item per candidate: {"user_id": S, "profile": S (the profile as a JSON string)}.
            partition_key=dynamodb.Attribute(name="user_id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=config.env == "prod",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

        # The key is set after deployment (see README, Deploy). Until then the secret holds a random
        # placeholder and Claude calls fail authentication (a permanent, clearly reported job error).
        self.anthropic_secret = secretsmanager.Secret(
            self,
            "AnthropicApiKey",
            secret_name=naming.anthropic_secret,
            description="Anthropic API key (plain SecretString) used by the VPR generate function",
        )

    # ----------------------------------------------------------- functions
    def _functions(self) -> None:
        naming, config = self.naming, self.config
        # One asset shared by every function, with Powertools and boto3/botocore bundled at the
        # pinned versions (no layer: see stacks/bundling.py).
        code = lambda_code(RUNTIME)
        common_env = {
            "POWERTOOLS_SERVICE_NAME": "vpr",
            "POWERTOOLS_METRICS_NAMESPACE": "CareerVP/Vpr",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            # X-Ray must not receive personal data: Tracer would record return values (the CV, the
            # report, presigned URLs) and exception messages (a pydantic error quotes the input).
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
            "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
        }
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        for key, spec in SPECS.items():
            role = iam.Role(
                self,
                f"{key.capitalize()}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"{naming.function(spec.what)}: only what the {key} function calls",
            )
            log_group = logs.LogGroup(
                self,
                f"{key.capitalize()}Logs",
                log_group_name=naming.function_log_group(spec.what),
                retention=self.retention,
                removal_policy=cdk.RemovalPolicy.DESTROY,
            )
            # Instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every group):
            log_group.grant_write(role)
            fn = lambda_.Function(
                self,
                f"{key.capitalize()}Function",
                function_name=naming.function(spec.what),
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
                environment=dict(common_env),
            )
            self.functions[key] = fn
            self.roles[key] = role

        f = self.functions
        f["validate"].add_environment("VPR_PROFILE_TABLE", self.profile_table.table_name)
        for key in CLAUDE_FUNCTIONS:
            f[key].add_environment("VPR_GENERATOR", "auto")
            f[key].add_environment("VPR_MODEL", config.model)
            f[key].add_environment("VPR_ANTHROPIC_SECRET_ARN", self.anthropic_secret.secret_arn)
        f["store"].add_environment("VPR_RESULTS_BUCKET", self.results_bucket.bucket_name)
        f["status"].add_environment("VPR_RESULTS_BUCKET", self.results_bucket.bucket_name)
        for key in ("submit", "status"):
            f[key].add_environment("VPR_REQUIRE_IDENTITY", "true")
            f[key].add_environment("VPR_CORS_ALLOWED_ORIGINS", ",".join(config.cors_allowed_origins))

    # ------------------------------------------------------------ workflow
    def _workflow(self) -> None:
        naming, config = self.naming, self.config
        self.workflow_key = kms.Key(
            self,
            "WorkflowKey",
            alias=f"alias/{naming.resource('workflow')}",
            description=f"Encrypts {naming.state_machine} executions (inputs carry CVs and reports)",
            enable_key_rotation=True,
        )
        self.workflow_logs = logs.LogGroup(
            self,
            "WorkflowLogs",
            log_group_name=naming.state_machine_log_group,
            retention=self.retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        f = self.functions
        self.state_machine = sfn.StateMachine(
            self,
            "Workflow",
            state_machine_name=naming.state_machine,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # The workflow file is the one definition (the local runtime runs the same file). Its own
            # top-level TimeoutSeconds (3600) is the execution timeout.
            definition_body=sfn.DefinitionBody.from_string(ASL_PATH.read_text(encoding="utf-8")),
            definition_substitutions={
                f"{state}FunctionArn": f[key].function_arn for state, key in TASK_FUNCTIONS.items()
            },
            logs=sfn.LogOptions(
                destination=self.workflow_logs,
                level=sfn.LogLevel.ALL,
                include_execution_data=config.sfn_include_execution_data,
            ),
            tracing_enabled=True,
            encryption_configuration=sfn.CustomerManagedEncryptionConfiguration(
                self.workflow_key, cdk.Duration.minutes(5)
            ),
        )
        # Exactly the task functions, unqualified ARNs as in the definition (no ":*" versions).
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="InvokeTaskFunctions",
                actions=["lambda:InvokeFunction"],
                resources=[f[k].function_arn for k in TASK_FUNCTIONS.values()],
            )
        )
        for key in ("submit", "status"):
            f[key].add_environment("VPR_STATE_MACHINE_ARN", self.state_machine.state_machine_arn)
        self.executions_arn = cdk.Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{naming.state_machine}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )

    # --------------------------------------------------------- permissions
    def _permissions(self) -> None:
        r = self.roles
        sm_arn = self.state_machine.state_machine_arn
        # The workflow key only for this state machine's data (Step Functions' encryption context).
        key_condition = {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": sm_arn}}

        # submit: start the job; describe it to answer "job already exists" / compare the input (409).
        r["submit"].add_to_policy(
            iam.PolicyStatement(sid="StartJob", actions=["states:StartExecution"], resources=[sm_arn])
        )
        r["submit"].add_to_policy(
            iam.PolicyStatement(
                sid="DescribeJobs", actions=["states:DescribeExecution"], resources=[self.executions_arn]
            )
        )
        r["submit"].add_to_policy(
            iam.PolicyStatement(
                sid="EncryptedExecutionData",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[self.workflow_key.key_arn],
                conditions=key_condition,
            )
        )

        # status: read the job and its history; presign GETs of the stored report.
        r["status"].add_to_policy(
            iam.PolicyStatement(
                sid="ReadJobs",
                actions=["states:DescribeExecution", "states:GetExecutionHistory"],
                resources=[self.executions_arn],
            )
        )
        r["status"].add_to_policy(
            iam.PolicyStatement(
                sid="DecryptExecutionData",
                actions=["kms:Decrypt"],
                resources=[self.workflow_key.key_arn],
                conditions=key_condition,
            )
        )
        r["status"].add_to_policy(
            iam.PolicyStatement(
                sid="PresignResults",
                actions=["s3:GetObject"],
                resources=[self.results_bucket.arn_for_objects(f"{RESULTS_PREFIX}*")],
            )
        )
        # HeadObject of a deleted report answers 404 only with ListBucket (403 without): 410 needs it.
        r["status"].add_to_policy(
            iam.PolicyStatement(
                sid="SeeExpiredResults",
                actions=["s3:ListBucket"],
                resources=[self.results_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{RESULTS_PREFIX}*"]}},
            )
        )

        # validate: read one candidate profile.
        r["validate"].add_to_policy(
            iam.PolicyStatement(
                sid="ReadProfile", actions=["dynamodb:GetItem"], resources=[self.profile_table.table_arn]
            )
        )

        # generate, section, assemble: the Anthropic API key, nothing else. plan: nothing (logs only).
        for key in CLAUDE_FUNCTIONS:
            r[key].add_to_policy(
                iam.PolicyStatement(
                    sid="ReadAnthropicKey",
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[self.anthropic_secret.secret_arn],
                )
            )

        # store: write new versions under vpr/, list existing versions of an application.
        r["store"].add_to_policy(
            iam.PolicyStatement(
                sid="WriteResults",
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[self.results_bucket.arn_for_objects(f"{RESULTS_PREFIX}*")],
            )
        )
        r["store"].add_to_policy(
            iam.PolicyStatement(
                sid="ListResultVersions",
                actions=["s3:ListBucket"],
                resources=[self.results_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{RESULTS_PREFIX}*"]}},
            )
        )

    # ----------------------------------------------------------------- API
    def _api(self) -> None:
        naming, config = self.naming, self.config
        if config.cognito_user_pool_id:
            self.user_pool: cognito.IUserPool = cognito.UserPool.from_user_pool_id(
                self, "UserPool", config.cognito_user_pool_id
            )
            self.user_pool_client: cognito.UserPoolClient | None = None
        else:
            pool = cognito.UserPool(
                self,
                "UserPool",
                user_pool_name=naming.user_pool,
                self_sign_up_enabled=False,  # users are created by the product (or an admin)
                sign_in_aliases=cognito.SignInAliases(email=True),
                auto_verify=cognito.AutoVerifiedAttrs(email=True),
                account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
                password_policy=cognito.PasswordPolicy(
                    min_length=12,
                    require_lowercase=True,
                    require_uppercase=True,
                    require_digits=True,
                    require_symbols=True,
                    temp_password_validity=cdk.Duration.days(3),
                ),
                mfa=cognito.Mfa.REQUIRED if config.cognito_mfa == "required" else cognito.Mfa.OPTIONAL,
                mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            self.user_pool = pool
            self.user_pool_client = pool.add_client(
                "WebClient",
                user_pool_client_name=naming.resource("web"),
                generate_secret=False,  # a browser client cannot keep a secret
                auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
                prevent_user_existence_errors=True,
                id_token_validity=cdk.Duration.hours(1),
                access_token_validity=cdk.Duration.hours(1),
                refresh_token_validity=cdk.Duration.days(30),
            )

        self.access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            log_group_name=naming.api_access_log_group,
            retention=self.retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        origins = list(config.cors_allowed_origins)
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=naming.api,
            description="CareerVP VPR: submit a report job, poll its status",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Execution logging (ERROR) needs the account-level API Gateway CloudWatch role.
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=config.env,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request/response bodies carry CVs: never logged
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=config.api_throttle_rate_limit,
                throttling_burst_limit=config.api_throttle_burst_limit,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[*apigw.Cors.DEFAULT_HEADERS, "Idempotency-Key"],
                expose_headers=["Location", "Retry-After"],
                max_age=cdk.Duration.hours(1),
            ),
        )
        # Errors API Gateway answers itself (401 from the authorizer, 400 from validation, 429, 5xx)
        # must carry CORS headers too, or the browser hides them from the client. A gateway response
        # can name one origin only.
        if len(origins) == 1:
            cors_headers = {"Access-Control-Allow-Origin": f"'{origins[0]}'", "Vary": "'Origin'"}
            for rtype, rid in (
                (apigw.ResponseType.DEFAULT_4_XX, "4xx"),
                (apigw.ResponseType.DEFAULT_5_XX, "5xx"),
            ):
                self.api.add_gateway_response(f"Cors{rid}", type=rtype, response_headers=cors_headers)

        authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            authorizer_name=naming.resource("authorizer"),
            cognito_user_pools=[self.user_pool],
        )
        # One validator for both methods: bodies against their model, required path parameters present.
        validator = self.api.add_request_validator(
            "Validator",
            request_validator_name=naming.resource("validator"),
            validate_request_body=True,
            validate_request_parameters=True,
        )
        self.authorizer, self.request_validator = authorizer, validator  # for stacks/jobs_api.py
        submit_model = self.api.add_model(
            "SubmitModel",
            content_type="application/json",
            model_name="VprSubmitRequest",
            schema=SUBMIT_BODY_SCHEMA,
        )
        auth = {"authorizer": authorizer, "authorization_type": apigw.AuthorizationType.COGNITO}

        vpr = self.api.root.add_resource("api").add_resource("vpr")
        vpr.add_method(
            "POST",
            apigw.LambdaIntegration(self.functions["submit"], proxy=True, allow_test_invoke=False),
            request_validator=validator,
            request_models={"application/json": submit_model},
            request_parameters={"method.request.header.Idempotency-Key": False},
            **auth,
        )
        status = vpr.add_resource("status").add_resource("{job_id}")
        status.add_method(
            "GET",
            apigw.LambdaIntegration(self.functions["status"], proxy=True, allow_test_invoke=False),
            request_validator=validator,
            request_parameters={"method.request.path.job_id": True},
            **auth,
        )

    # -------------------------------------------------------------- alarms
    def _alarms(self) -> None:
        naming = self.naming
        period = cdk.Duration.minutes(5)
        sm = self.state_machine
        generate = self.functions["generate"]
        threshold_ms = GENERATE_DURATION_ALARM_RATIO * SPECS["generate"].timeout_seconds * 1000
        alarms = [
            ("executions-failed", sm.metric_failed(period=period), 1, "A VPR job failed"),
            ("executions-timed-out", sm.metric_timed_out(period=period), 1, "A VPR job hit its timeout"),
            ("executions-throttled", sm.metric_throttled(period=period), 1, "Step Functions throttled"),
            (
                "generate-duration",
                generate.metric_duration(period=period, statistic="Maximum"),
                threshold_ms,
                f"Generate ran > {int(GENERATE_DURATION_ALARM_RATIO * 100)}% of its timeout",
            ),
            (
                "api-5xx",
                self.api.deployment_stage.metric_server_error(period=period),
                1,
                "The VPR API answered 5xx",
            ),
        ]
        topic = (
            sns.Topic.from_topic_arn(self, "AlarmTopic", self.config.alarm_topic_arn)
            if self.config.alarm_topic_arn
            else None
        )
        self.alarm_topic = topic
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for what, metric, threshold, description in alarms:
            alarm = cloudwatch.Alarm(
                self,
                f"Alarm-{what}",
                alarm_name=naming.alarm(what),
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            if topic is not None:
                alarm.add_alarm_action(cw_actions.SnsAction(topic))
            self.alarms[what] = alarm

    # ------------------------------------------------------------- outputs
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


def _retention(days: int) -> logs.RetentionDays:
    try:
        return _RETENTION[days]
    except KeyError:
        raise ValueError(f"log_retention_days must be one of {_RETENTION_DAYS}, got {days}") from None


def asl_definition() -> dict:
    """The workflow file, parsed (tests compare the synthesized definition with it)."""
    return json.loads(Path(ASL_PATH).read_text(encoding="utf-8"))

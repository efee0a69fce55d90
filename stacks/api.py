"""The API: Cognito users, the REST API (authorizer, validation, access logs, throttling, CORS).

    client --POST /api/vpr--> submit        client --GET /api/vpr/status/{job_id}--> status
    client --DELETE /api/vpr/{job_id}--> cancel    client --POST /api/vpr/{job_id}/retry--> retry

One method per API function of ``stacks/registry.py`` (its ``route``), each a Lambda proxy integration
behind the Cognito authorizer; required path parameters come from the route's ``{name}`` segments.
``/api/vpr/status`` and ``/api/vpr/{job_id}`` are siblings: API Gateway matches the literal segment
first, so a job id is never read as "status". Every resource gets the CORS preflight (OPTIONS), whose
``Access-Control-Allow-Methods`` names each method a route uses.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.config import VprConfig
from stacks.functions import retention
from stacks.registry import api_functions

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
#: Request bodies API Gateway validates, per API function (the model's name and schema).
BODY_MODELS = {"submit": ("VprSubmitRequest", SUBMIT_BODY_SCHEMA)}
#: Optional request headers, per API function.
OPTIONAL_HEADERS = {"submit": ("Idempotency-Key",)}


class Api(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, config: VprConfig, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        naming = config.naming
        self._users(config)

        self.access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            log_group_name=naming.api_access_log_group,
            retention=retention(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        origins = list(config.cors_allowed_origins)
        methods = sorted({route.method for route in api_functions().values()} | {"OPTIONS"})
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=naming.api,
            description="CareerVP VPR: submit a report job, poll its status, cancel or retry it",
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
                allow_methods=[m for m in ("GET", "POST", "DELETE", "OPTIONS") if m in methods],
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
        self._routes(config, functions)

    def _users(self, config: VprConfig) -> None:
        naming = config.naming
        if config.cognito_user_pool_id:
            self.user_pool: cognito.IUserPool = cognito.UserPool.from_user_pool_id(
                self, "UserPool", config.cognito_user_pool_id
            )
            self.user_pool_client: cognito.UserPoolClient | None = None
            return
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

    def _routes(self, config: VprConfig, functions: dict[str, lambda_.Function]) -> None:
        """One Cognito-authorized Lambda proxy method per API function's route."""
        naming = config.naming
        authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            authorizer_name=naming.resource("authorizer"),
            cognito_user_pools=[self.user_pool],
        )
        # One validator for all methods: bodies against their model, required path parameters present.
        validator = self.api.add_request_validator(
            "Validator",
            request_validator_name=naming.resource("validator"),
            validate_request_body=True,
            validate_request_parameters=True,
        )
        for key, route in api_functions().items():
            resource = self.api.root.resource_for_path(route.path)
            models = {}
            if key in BODY_MODELS:
                name, schema = BODY_MODELS[key]
                models["application/json"] = self.api.add_model(
                    f"{key.capitalize()}Model",
                    content_type="application/json",
                    model_name=name,
                    schema=schema,
                )
            parameters = {f"method.request.path.{p}": True for p in route.path_parameters}
            parameters |= {f"method.request.header.{h}": False for h in OPTIONAL_HEADERS.get(key, ())}
            resource.add_method(
                route.method,
                apigw.LambdaIntegration(functions[key], proxy=True, allow_test_invoke=False),
                request_validator=validator,
                request_models=models or None,
                request_parameters=parameters or None,
                authorizer=authorizer,
                authorization_type=apigw.AuthorizationType.COGNITO,
            )

"""Template assertions: the stack has every resource the design asks for, configured as asked."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from stacks.registry import FUNCTIONS as SPECS
from stacks.registry import task_functions
from stacks.vpr_stack import ASL_PATH

from .conftest import Synth, resolve

FUNCTIONS = {
    # name part: (handler, timeout s, memory MB)
    "submit": ("handlers.submit.handler", 10, 256),
    "validate": ("handlers.validate.handler", 30, 256),
    "generate": ("handlers.generate.handler", 600, 512),
    "store": ("handlers.store.handler", 30, 256),
    "status": ("handlers.status.handler", 10, 256),
    "plan": ("handlers.plan.handler", 30, 256),
    "section": ("handlers.section.handler", 600, 512),
    "assemble": ("handlers.assemble.handler", 600, 512),
    "projector": ("handlers.projector.handler", 10, 256),
    "cancel": ("handlers.cancel.handler", 10, 256),
    "retry": ("handlers.retry.handler", 10, 256),
}
POWERTOOLS = {
    "POWERTOOLS_SERVICE_NAME": "vpr",
    "POWERTOOLS_METRICS_NAMESPACE": "CareerVP/Vpr",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
}


def functions_by_name(synth: Synth) -> dict[str, dict]:
    return {
        r["Properties"]["FunctionName"]: r["Properties"]
        for r in synth.resources("AWS::Lambda::Function").values()
    }


def fn_logical_id(synth: Synth, key: str) -> str:
    return synth.logical_id(synth.stack.functions[key])


# ------------------------------------------------------------------------------------------ Lambda
def test_every_function_with_its_handler_timeout_and_memory(synth: Synth) -> None:
    fns = functions_by_name(synth)
    assert set(fns) == {f"careervp-vpr-{k}-dev" for k in FUNCTIONS}
    for key, (handler, timeout, memory) in FUNCTIONS.items():
        props = fns[f"careervp-vpr-{key}-dev"]
        assert (props["Handler"], props["Timeout"], props["MemorySize"]) == (handler, timeout, memory), key


def test_every_function_is_arm64_on_the_same_latest_python_runtime(synth: Synth) -> None:
    fns = functions_by_name(synth).values()
    assert {tuple(p["Architectures"]) for p in fns} == {("arm64",)}
    runtimes = {p["Runtime"] for p in fns}
    assert runtimes == {"python3.14"}, "one runtime for all, the newest python CDK 2.275 offers"


def test_functions_share_one_code_asset(synth: Synth) -> None:
    codes = {json.dumps(p["Code"], sort_keys=True) for p in functions_by_name(synth).values()}
    assert len(codes) == 1


def test_tracing_json_logs_and_log_groups_with_retention(synth: Synth) -> None:
    log_groups = synth.resources("AWS::Logs::LogGroup")
    for name, props in functions_by_name(synth).items():
        assert props["TracingConfig"] == {"Mode": "Active"}, name
        logging = props["LoggingConfig"]
        assert logging["LogFormat"] == "JSON", name
        group = log_groups[logging["LogGroup"]["Ref"]]["Properties"]
        assert group["LogGroupName"] == f"/aws/lambda/{name}"
        assert group["RetentionInDays"] == 30
    assert all("RetentionInDays" in g["Properties"] for g in log_groups.values())


def test_environment_variables(synth: Synth) -> None:
    fns = functions_by_name(synth)
    env = {k.removeprefix("careervp-vpr-").removesuffix("-dev"): resolve(p["Environment"]["Variables"])
           for k, p in fns.items()}  # fmt: skip
    sm = f"<Ref:{synth.logical_id(synth.stack.state_machine)}>"
    bucket = f"<Ref:{synth.logical_id(synth.stack.results_bucket)}>"
    table = f"<Ref:{synth.logical_id(synth.stack.profile_table)}>"
    secret = f"<Ref:{synth.logical_id(synth.stack.anthropic_secret)}>"
    cors = {"VPR_CORS_ALLOWED_ORIGINS": "http://localhost:3000"}
    jobs = {"VPR_JOB_VIEW_TABLE": f"<Ref:{synth.logical_id(synth.stack.job_view_table)}>"}
    assert all(v["VPR_JOB_VIEW_TABLE"] == jobs["VPR_JOB_VIEW_TABLE"] for v in env.values())
    env = {k: {n: x for n, x in v.items() if n != "VPR_JOB_VIEW_TABLE"} for k, v in env.items()}
    assert env["projector"] == POWERTOOLS
    identity = {"VPR_REQUIRE_IDENTITY": "true"}
    assert env["submit"] == {**POWERTOOLS, "VPR_STATE_MACHINE_ARN": sm, **identity, **cors}
    assert env["status"] == {
        **POWERTOOLS,
        "VPR_STATE_MACHINE_ARN": sm,
        "VPR_RESULTS_BUCKET": bucket,
        **identity,
        **cors,
    }
    assert env["validate"] == {**POWERTOOLS, "VPR_PROFILE_TABLE": table}
    assert env["store"] == {**POWERTOOLS, "VPR_RESULTS_BUCKET": bucket}
    for key in ("generate", "section", "assemble"):
        assert env[key] == {
            **POWERTOOLS,
            "VPR_GENERATOR": "auto",
            "VPR_MODEL": "claude-sonnet-5-5",
            "VPR_ANTHROPIC_SECRET_ARN": secret,
        }
    assert env["plan"] == POWERTOOLS  # VPR_GENERATION_MODE: the settings default (sections)
    assert not any("ANTHROPIC_API_KEY" in k for v in env.values() for k in v), "the key is never in env"


def test_no_function_sends_return_values_or_error_messages_to_xray(synth: Synth) -> None:
    """Validate returns the CV, Generate the report, status a presigned URL: none may reach X-Ray."""
    for name, props in functions_by_name(synth).items():
        variables = props["Environment"]["Variables"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", name
        assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false", name


# ------------------------------------------------------------------------------- state machine
def test_state_machine_definition_is_the_asl_file_with_only_placeholders_substituted(synth: Synth) -> None:
    _, sm = synth.one("AWS::StepFunctions::StateMachine")
    props = sm["Properties"]
    definition = resolve(props["DefinitionString"])
    assert isinstance(definition, str)
    substitutions = resolve(props["DefinitionSubstitutions"])
    assert set(substitutions) == {f"{state}FunctionArn" for state in task_functions()}
    for name, value in substitutions.items():
        definition = definition.replace("${" + name + "}", value)
    assert "${" not in definition

    expected = ASL_PATH.read_text(encoding="utf-8")
    for state, key in task_functions().items():
        placeholder = "${" + state + "FunctionArn}"
        assert expected.count(placeholder) == 1
        expected = expected.replace(placeholder, f"<{fn_logical_id(synth, key)}.Arn>")
    assert json.loads(definition) == json.loads(expected)


def test_state_machine_timeouts_fit_the_lambda_timeouts(synth: Synth) -> None:
    asl = json.loads(ASL_PATH.read_text(encoding="utf-8"))
    assert asl["TimeoutSeconds"] == 3600
    states = asl["States"] | asl["States"]["WriteSections"]["ItemProcessor"]["States"]
    tasks = {
        "Validate": ("validate", 35),
        "Plan": ("plan", 35),
        "Generate": ("generate", 620),
        "WriteSection": ("section", 620),
        "Assemble": ("assemble", 620),
        "Store": ("store", 35),
    }
    assert set(tasks) == set(task_functions())
    for state, (key, seconds) in tasks.items():
        assert states[state]["TimeoutSeconds"] == seconds
        assert seconds > SPECS[key].timeout_seconds, "the task outlives its Lambda, so Lambda's error wins"


def test_state_machine_standard_logged_traced_encrypted(synth: Synth) -> None:
    key_id = synth.logical_id(synth.stack.workflow_key)
    logs_id = synth.logical_id(synth.stack.workflow_logs)
    synth.template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineName": "careervp-vpr-workflow-dev",
            "StateMachineType": "STANDARD",
            "LoggingConfiguration": {
                "Level": "ALL",
                "IncludeExecutionData": False,
                "Destinations": [
                    {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [logs_id, "Arn"]}}}
                ],
            },
            "TracingConfiguration": {"Enabled": True},
            "EncryptionConfiguration": {
                "Type": "CUSTOMER_MANAGED_KMS_KEY",
                "KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
                "KmsDataKeyReusePeriodSeconds": Match.any_value(),
            },
        },
    )
    synth.template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    synth.template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "/aws/vendedlogs/states/careervp-vpr-workflow-dev", "RetentionInDays": 30},
    )


# -------------------------------------------------------------------------------------- data
def test_results_bucket_private_encrypted_ssl_only_expiring(synth: Synth) -> None:
    bucket_id, bucket = synth.one("AWS::S3::Bucket")
    props = bucket["Properties"]
    assert "BucketName" not in props, "the bucket keeps a generated name"
    assert props["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "VersioningConfiguration" not in props
    (cors,) = props["CorsConfiguration"]["CorsRules"]  # the page reads reports through presigned GETs
    assert (cors["AllowedMethods"], cors["AllowedOrigins"]) == (["GET"], ["http://localhost:3000"])
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["Prefix"], rule["ExpirationInDays"]) == ("Enabled", "vpr/", 365)
    assert bucket["DeletionPolicy"] == "Retain"

    _, policy = synth.one("AWS::S3::BucketPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )
    assert resolve(policy["Properties"]["Bucket"]) == f"<Ref:{bucket_id}>"


def test_profile_table(synth: Synth) -> None:
    table = synth.tpl["Resources"][synth.logical_id(synth.stack.profile_table)]
    props = table["Properties"]
    assert props["TableName"] == "careervp-vpr-profiles-dev"
    assert props["KeySchema"] == [{"AttributeName": "user_id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "user_id", "AttributeType": "S"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


def test_anthropic_secret(synth: Synth) -> None:
    _, secret = synth.one("AWS::SecretsManager::Secret")
    assert secret["Properties"]["Name"] == "careervp-vpr-anthropic-api-key-dev"
    assert "SecretString" not in secret["Properties"], "no key value in the template"


# --------------------------------------------------------------------------------------- API
def _methods(synth: Synth) -> dict[tuple[str, str], dict]:
    """(path, HTTP method) -> method properties, paths rebuilt from the Resource tree."""
    resources = synth.resources("AWS::ApiGateway::Resource")

    def path(ref: object) -> str:
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:
            return ""  # the API root
        res = resources[ref["Ref"]]["Properties"]
        return f"{path(res['ParentId'])}/{res['PathPart']}"

    return {
        (path(m["Properties"]["ResourceId"]) or "/", m["Properties"]["HttpMethod"]): m["Properties"]
        for m in synth.resources("AWS::ApiGateway::Method").values()
    }


def test_api_routes_cognito_authorized_lambda_proxy(synth: Synth) -> None:
    methods = _methods(synth)
    authorizer_id, authorizer = synth.one("AWS::ApiGateway::Authorizer")
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    assert resolve(authorizer["Properties"]["ProviderARNs"]) == [f"<{pool_id}.Arn>"]

    routes = {
        ("/api/vpr", "POST"): "submit",
        ("/api/vpr/status/{job_id}", "GET"): "status",
        ("/api/vpr/{job_id}", "DELETE"): "cancel",
        ("/api/vpr/{job_id}/retry", "POST"): "retry",
    }
    for route, key in routes.items():
        method = methods[route]
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS", route
        assert method["AuthorizerId"] == {"Ref": authorizer_id}, route
        integration = method["Integration"]
        assert (integration["Type"], integration["IntegrationHttpMethod"]) == ("AWS_PROXY", "POST")
        assert f"<{fn_logical_id(synth, key)}.Arn>" in resolve(integration["Uri"]), route
    other = {r for r in methods if r[1] not in {"OPTIONS"}} - set(routes)
    assert not other, f"unexpected routes {other}"


def test_api_request_validation(synth: Synth) -> None:
    methods = _methods(synth)
    validator_id, validator = synth.one("AWS::ApiGateway::RequestValidator")
    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True
    post, get = methods[("/api/vpr", "POST")], methods[("/api/vpr/status/{job_id}", "GET")]
    assert post["RequestValidatorId"] == get["RequestValidatorId"] == {"Ref": validator_id}
    for route in (("/api/vpr/{job_id}", "DELETE"), ("/api/vpr/{job_id}/retry", "POST")):
        assert methods[route]["RequestValidatorId"] == {"Ref": validator_id}, route
        assert methods[route]["RequestParameters"] == {"method.request.path.job_id": True}, route
    model_id, model = synth.one("AWS::ApiGateway::Model")
    assert post["RequestModels"] == {"application/json": {"Ref": model_id}}
    schema = model["Properties"]["Schema"]
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"application_id", "job_posting"}
    assert get["RequestParameters"] == {"method.request.path.job_id": True}


def test_api_cors_for_the_web_client(synth: Synth) -> None:
    methods = _methods(synth)
    for path in ("/api/vpr", "/api/vpr/status/{job_id}", "/api/vpr/{job_id}", "/api/vpr/{job_id}/retry"):
        options = methods[(path, "OPTIONS")]
        assert options["AuthorizationType"] == "NONE", "browsers send preflights without credentials"
        headers = options["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == "'http://localhost:3000'"
    for path in ("/api/vpr/{job_id}", "/api/vpr/{job_id}/retry"):  # a DELETE needs a preflight that allows it
        headers = methods[(path, "OPTIONS")]["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert "DELETE" in headers["method.response.header.Access-Control-Allow-Methods"], path
    responses = synth.resources("AWS::ApiGateway::GatewayResponse").values()
    assert {r["Properties"]["ResponseType"] for r in responses} == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for r in responses:
        origin = r["Properties"]["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert origin == "'http://localhost:3000'"


def test_api_stage_access_logs_throttling_tracing(synth: Synth) -> None:
    _, stage = synth.one("AWS::ApiGateway::Stage")
    props = stage["Properties"]
    assert props["StageName"] == "dev"
    assert props["TracingEnabled"] is True
    access_logs_id = synth.logical_id(synth.stack.access_logs)
    assert resolve(props["AccessLogSetting"]["DestinationArn"]).endswith(f":log-group:<Ref:{access_logs_id}>")
    assert json.loads(props["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"
    (settings,) = props["MethodSettings"]
    assert settings["HttpMethod"] == "*"
    assert settings["ResourcePath"] == "/*"
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (10, 20)
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False


def test_user_pool_and_client(synth: Synth) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["UserPoolName"] == "careervp-vpr-users-dev"
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    _, client = synth.one("AWS::Cognito::UserPoolClient")
    assert client["Properties"]["GenerateSecret"] is False
    assert "ALLOW_USER_PASSWORD_AUTH" in client["Properties"]["ExplicitAuthFlows"]


# ------------------------------------------------------------------------------ alarms/outputs
@pytest.mark.parametrize(
    ("name", "namespace", "metric", "threshold"),
    [
        ("careervp-vpr-executions-failed-dev", "AWS/States", "ExecutionsFailed", 1),
        ("careervp-vpr-executions-timed-out-dev", "AWS/States", "ExecutionsTimedOut", 1),
        ("careervp-vpr-executions-throttled-dev", "AWS/States", "ExecutionThrottled", 1),
        ("careervp-vpr-generate-duration-dev", "AWS/Lambda", "Duration", 480_000),
        ("careervp-vpr-api-5xx-dev", "AWS/ApiGateway", "5XXError", 1),
    ],
)
def test_alarms(synth: Synth, name: str, namespace: str, metric: str, threshold: float) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in synth.resources("AWS::CloudWatch::Alarm").values()
    }
    props = alarms[name]
    assert (props["Namespace"], props["MetricName"], props["Threshold"]) == (namespace, metric, threshold)
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "notBreaching"


def test_alarm_count(synth: Synth) -> None:
    assert len(synth.resources("AWS::CloudWatch::Alarm")) == 7  # 5 + the job view's 2


def test_outputs(synth: Synth) -> None:
    outputs = synth.tpl["Outputs"]
    assert {"ApiUrl", "StateMachineArn", "ResultsBucketName"} <= set(outputs)
    assert (
        resolve(outputs["StateMachineArn"]["Value"]) == f"<Ref:{synth.logical_id(synth.stack.state_machine)}>"
    )
    assert (
        resolve(outputs["ResultsBucketName"]["Value"])
        == f"<Ref:{synth.logical_id(synth.stack.results_bucket)}>"
    )
    url = resolve(outputs["ApiUrl"]["Value"])
    stage_id, _ = synth.one("AWS::ApiGateway::Stage")
    assert url.startswith("https://")
    assert url.endswith(f"/<Ref:{stage_id}>/api/vpr")

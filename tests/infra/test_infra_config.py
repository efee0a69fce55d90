"""Naming, context, bundling and the CLI pins: the parts around the stack."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from stacks import bundling
from stacks.config import DEFAULTS
from stacks.naming import Naming

from .conftest import Synth, synthesize

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"^careervp-vpr-[a-z0-9]+(-[a-z0-9]+)*-dev$")


# ------------------------------------------------------------------------------------------ naming
def test_naming_convention() -> None:
    n = Naming("dev")
    assert n.function("submit") == "careervp-vpr-submit-dev"
    assert n.state_machine == "careervp-vpr-workflow-dev"
    assert n.profile_table == "careervp-vpr-profiles-dev"
    assert n.anthropic_secret == "careervp-vpr-anthropic-api-key-dev"
    assert n.alarm("executions-failed") == "careervp-vpr-executions-failed-dev"
    assert n.stack_id == "CareerVpVprDev"
    assert Naming("prod").stack_id == "CareerVpVprProd"


@pytest.mark.parametrize("env", ["", "Dev", "dev-1", "1dev", "a" * 13])
def test_naming_rejects_bad_env(env: str) -> None:
    with pytest.raises(ValueError, match="env must be"):
        Naming(env)


def test_every_named_resource_follows_the_convention(synth: Synth) -> None:
    name_props = {
        "AWS::Lambda::Function": "FunctionName",
        "AWS::StepFunctions::StateMachine": "StateMachineName",
        "AWS::DynamoDB::Table": "TableName",
        "AWS::SecretsManager::Secret": "Name",
        "AWS::CloudWatch::Alarm": "AlarmName",
        "AWS::ApiGateway::RestApi": "Name",
        "AWS::Cognito::UserPool": "UserPoolName",
    }
    for rtype, prop in name_props.items():
        resources = synth.resources(rtype)
        assert resources, rtype
        for rid, res in resources.items():
            assert NAME.match(res["Properties"][prop]), (rid, res["Properties"][prop])
    assert synth.stack.stack_name == "CareerVpVprDev"


# ----------------------------------------------------------------------------------------- context
def test_cdk_json_context_matches_the_documented_defaults() -> None:
    cdk_json = json.loads((ROOT / "cdk.json").read_text())
    assert cdk_json["app"] == ".venv/bin/python app.py"
    context = cdk_json["context"]
    assert {k: context[k] for k in DEFAULTS} == DEFAULTS
    assert context["cli-telemetry"] is False
    assert context["@aws-cdk/core:enablePartitionLiterals"] is True, "current feature flags are set"


@pytest.fixture(scope="module")
def prod() -> Synth:
    return synthesize(
        {
            "env": "prod",
            "sfn_include_execution_data": "true",
            "cognito_user_pool_id": "eu-west-1_abcDEF123",
            "cors_allowed_origins": "https://app.careervp.example,https://admin.careervp.example",
            "results_expiration_days": "90",
            "log_retention_days": "365",
            "model": "claude-opus-4-1",
            "alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:ops",
        }
    )


def test_context_values_reach_the_template(prod: Synth) -> None:
    assert prod.stack.stack_name == "CareerVpVprProd"
    _, sm = prod.one("AWS::StepFunctions::StateMachine")
    assert sm["Properties"]["StateMachineName"] == "careervp-vpr-workflow-prod"
    assert sm["Properties"]["LoggingConfiguration"]["IncludeExecutionData"] is True
    assert not prod.resources("AWS::Cognito::UserPool"), "an imported pool is not created"
    _, authorizer = prod.one("AWS::ApiGateway::Authorizer")
    assert "eu-west-1_abcDEF123" in json.dumps(authorizer["Properties"]["ProviderARNs"])
    _, bucket = prod.one("AWS::S3::Bucket")
    assert bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 90
    assert {g["Properties"]["RetentionInDays"] for g in prod.resources("AWS::Logs::LogGroup").values()} == {
        365
    }
    fns = {
        f["Properties"]["FunctionName"]: f["Properties"]
        for f in prod.resources("AWS::Lambda::Function").values()
    }
    generate = fns["careervp-vpr-generate-prod"]
    assert generate["Environment"]["Variables"]["VPR_MODEL"] == "claude-opus-4-1"
    submit_env = fns["careervp-vpr-submit-prod"]["Environment"]["Variables"]
    assert (
        submit_env["VPR_CORS_ALLOWED_ORIGINS"]
        == "https://app.careervp.example,https://admin.careervp.example"
    )
    assert not prod.resources("AWS::ApiGateway::GatewayResponse"), "one static origin only"
    for alarm in prod.resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:ops"]
    for table in prod.resources("AWS::DynamoDB::Table").values():  # profiles and the job view
        assert table["Properties"]["DeletionProtectionEnabled"] is True


# ---------------------------------------------------------------------------------------- bundling
def test_bundled_requirements_are_every_runtime_pin_aws_libraries_included() -> None:
    kept = bundling.bundled_requirements()
    names = {re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0].lower() for line in kept}
    assert {"boto3", "botocore", "aws-lambda-powertools"} <= names, "nothing is left to the runtime"
    assert {"anthropic", "pydantic", "pydantic-settings"} <= names
    assert all("==" in line for line in kept), "pins are kept exactly"


def test_local_bundling_runs_pip_for_lambda_arm64_then_copies_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(bundling.subprocess, "run", fake_run)
    assert bundling.PipLocalBundling("3.14").try_bundle(str(tmp_path)) is True
    (cmd,) = calls
    assert cmd[1:4] == ["-m", "pip", "install"]
    text = " ".join(cmd)
    for part in (
        "--platform manylinux2014_aarch64",
        "--only-binary=:all:",
        "--implementation cp",
        "--python-version 3.14",
        f"--target {tmp_path}",
    ):
        assert part in text
    assert (tmp_path / "vpr" / "settings.py").is_file(), "the lambdas/ code is copied in"
    assert not list(tmp_path.rglob("__pycache__"))


def test_local_bundling_fails_loudly_instead_of_falling_back_to_docker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        bundling.subprocess, "run", lambda cmd, **_: subprocess.CompletedProcess(cmd, 1, "", "no wheel")
    )
    with pytest.raises(RuntimeError, match="no wheel"):
        bundling.PipLocalBundling("3.14").try_bundle(str(tmp_path))


# -------------------------------------------------------------------------------------- CLI pins
def test_cdk_cli_pinned_exactly() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    version = package["devDependencies"]["aws-cdk"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "exact pin, no range"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == version


def test_asl_validator_pinned_exactly() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    version = package["devDependencies"]["asl-validator"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "exact pin, no range"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/asl-validator"]["version"] == version


def test_cfn_lint_pinned_exactly_and_installed() -> None:
    from importlib.metadata import version

    lines = (ROOT / "requirements-dev.txt").read_text().splitlines()
    (pin,) = [line for line in lines if line.startswith("cfn-lint")]
    assert pin == f"cfn-lint=={version('cfn-lint')}"

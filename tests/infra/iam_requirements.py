"""What IAM must allow for one recorded AWS call: its action(s), resource ARN and request context.

Each operation's actions, resource type and condition keys are as the AWS Service Authorization
Reference names them ("Actions, resources, and condition keys for <service>"):

- Amazon S3 (list_amazons3.html): ``HeadObject`` and ``GetObject`` need ``s3:GetObject`` on the object
  (the HeadObject API reference, "Permissions"; a presigned GET is authorized as the signer's GetObject
  when it is used); ``PutObject`` ``s3:PutObject`` on the object; ``ListObjectsV2`` ``s3:ListBucket`` on
  the bucket, with the ``s3:prefix`` and ``s3:max-keys`` condition keys. A HeadObject of a missing key
  answers 404 only with ``s3:ListBucket`` on the bucket (403 without); that implicit check carries no
  ``s3:prefix``.
- Amazon DynamoDB (list_amazondynamodb.html; Developer Guide, "Using IAM policy conditions for
  fine-grained access control"): ``GetItem``/``UpdateItem``/``PutItem`` need the action of the same name
  on the table. ``dynamodb:Attributes`` holds the attribute names a request reads, writes or evaluates
  in a condition — key attributes included — or, for a read without a projection, the attributes it
  returns; ``dynamodb:ReturnValues`` always has a value for a write (NONE unless given).
- AWS Step Functions (list_awsstepfunctions.html): ``StartExecution`` on the state machine,
  ``DescribeExecution``, ``GetExecutionHistory``, ``StopExecution`` and ``RedriveExecution`` on the
  execution. With a customer managed key (Developer Guide, "Data at rest encryption"), StartExecution
  also needs ``kms:GenerateDataKey`` and the reads ``kms:Decrypt``, on the key, with the
  ``kms:EncryptionContext:aws:states:stateMachineArn`` context. StopExecution with an ``error`` or a
  ``cause`` needs ``kms:GenerateDataKey`` too: "Step Functions will encrypt the error and cause fields
  using the AWS KMS key", and a stop with neither needs no KMS permission (API Reference,
  StopExecution). RedriveExecution's reference names no KMS permission of the caller (it sends no
  execution data; the redriven attempt reuses what Step Functions holds).
- AWS Secrets Manager (list_awssecretsmanager.html): ``GetSecretValue`` on the secret (a secret under the
  AWS managed key ``aws/secretsmanager`` needs no KMS permission of the caller).
- AWS Lambda (list_awslambda.html): ``Invoke`` needs ``lambda:InvokeFunction`` on the function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from local.call_recorder import AwsCall

from .policy_evaluator import Request

_SM_CONTEXT_KEY = "kms:EncryptionContext:aws:states:stateMachineArn"
_EXPRESSION_WORDS = {"SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN"}


@dataclass(frozen=True)
class Requirement:
    request: Request
    call: AwsCall

    def __str__(self) -> str:
        return f"{self.request.action} on {self.request.resource} ({self.call.service}.{self.call.operation})"


class UnknownCall(Exception):  # noqa: N818 - a finding, named for what it is
    """A recorded call this mapping has no IAM rule for: add one (with its source) before granting it."""


@dataclass(frozen=True)
class TemplateNames:
    """The synthesized template's names for the local runtime's resources (``conftest.resolve`` form)."""

    local: Any  # the LocalRuntime's endpoints
    bucket_arn: str
    profile_table_arn: str
    job_view_table_arn: str
    state_machine_arn: str
    executions_prefix: str  # "arn:...:execution:careervp-vpr-workflow-dev:"
    key_arn: str
    secret_arn: str
    secret_name: str
    function_arns: dict[str, str]  # registry key -> "<XFunction.Arn>"

    def bucket(self, name: str) -> str:
        if name != self.local.results_bucket:
            raise UnknownCall(f"a bucket the stack does not have: {name}")
        return self.bucket_arn

    def table(self, name: str) -> str:
        tables = {
            self.local.profile_table: self.profile_table_arn,
            self.local.job_view_table: self.job_view_table_arn,
        }
        if name not in tables:
            raise UnknownCall(f"a table the stack does not have: {name}")
        return tables[name]

    def state_machine(self, arn: str) -> str:
        if arn != self.local.state_machine_arn:
            raise UnknownCall(f"a state machine the stack does not have: {arn}")
        return self.state_machine_arn

    def execution(self, arn: str) -> str:
        prefix = self.local.state_machine_arn.replace(":stateMachine:", ":execution:") + ":"
        if not arn.startswith(prefix):
            raise UnknownCall(f"an execution of another state machine: {arn}")
        return self.executions_prefix + arn.removeprefix(prefix)

    def secret(self, secret_id: str) -> str:
        if self.secret_name not in secret_id:
            raise UnknownCall(f"a secret the stack does not have: {secret_id}")
        return self.secret_arn

    def function(self, name_or_arn: str) -> str:
        name = name_or_arn.rsplit(":function:", 1)[-1].split(":")[0]
        key = name.removeprefix("careervp-vpr-").removesuffix("-local")
        if key not in self.function_arns:
            raise UnknownCall(f"a function the stack does not have: {name}")
        return self.function_arns[key]


def expression_attributes(expression: str | None, names: dict[str, str]) -> set[str]:
    """The top-level attribute names an update, condition or projection expression refers to."""
    if not expression:
        return set()
    found = set()
    for match in re.finditer(r"(?<![:\w])(#?[A-Za-z_][A-Za-z0-9_]*)(\s*\()?", expression):
        token, is_function = match.group(1), match.group(2)
        if is_function or token.upper() in _EXPRESSION_WORDS:
            continue
        found.add(names[token] if token.startswith("#") else token)
    return found


def _dynamodb(call: AwsCall, names: TemplateNames) -> list[Request]:
    p = call.params
    table = names.table(p["TableName"])
    expression_names = p.get("ExpressionAttributeNames", {})
    attributes = set(p.get("Key", {}))
    if call.operation == "GetItem":
        projection = expression_attributes(p.get("ProjectionExpression"), expression_names)
        attributes |= projection or set(call.returned_attributes)
        return [Request("dynamodb:GetItem", table, {"dynamodb:Attributes": sorted(attributes)})]
    if call.operation == "UpdateItem":
        attributes |= expression_attributes(p.get("UpdateExpression"), expression_names)
        attributes |= expression_attributes(p.get("ConditionExpression"), expression_names)
        context = {
            "dynamodb:Attributes": sorted(attributes),
            "dynamodb:ReturnValues": p.get("ReturnValues", "NONE"),
        }
        return [Request("dynamodb:UpdateItem", table, context)]
    if call.operation == "PutItem":
        return [Request("dynamodb:PutItem", table, {"dynamodb:Attributes": sorted(p["Item"])})]
    raise UnknownCall(f"dynamodb.{call.operation}")


def _s3(call: AwsCall, names: TemplateNames) -> list[Request]:
    p = call.params
    bucket = names.bucket(p["Bucket"])
    if call.operation in {"HeadObject", "GetObject"}:
        needed = [Request("s3:GetObject", f"{bucket}/{p['Key']}")]
        if call.status == 404:  # 404 rather than 403: ListBucket on the bucket, no s3:prefix in context
            needed.append(Request("s3:ListBucket", bucket))
        return needed
    if call.operation == "PutObject":
        return [Request("s3:PutObject", f"{bucket}/{p['Key']}")]
    if call.operation == "ListObjectsV2":
        context = {"s3:prefix": p["Prefix"]} if "Prefix" in p else {}
        if "MaxKeys" in p:
            context["s3:max-keys"] = str(p["MaxKeys"])
        return [Request("s3:ListBucket", bucket, context)]
    raise UnknownCall(f"s3.{call.operation}")


def _stepfunctions(call: AwsCall, names: TemplateNames) -> list[Request]:
    p = call.params
    context = {_SM_CONTEXT_KEY: names.state_machine_arn}
    if call.operation == "StartExecution":
        return [
            Request("states:StartExecution", names.state_machine(p["stateMachineArn"])),
            Request("kms:GenerateDataKey", names.key_arn, context),
        ]
    if call.operation in {"DescribeExecution", "GetExecutionHistory"}:
        return [
            Request(f"states:{call.operation}", names.execution(p["executionArn"])),
            Request("kms:Decrypt", names.key_arn, context),
        ]
    if call.operation == "StopExecution":
        stop = Request("states:StopExecution", names.execution(p["executionArn"]))
        encrypts = p.get("error") is not None or p.get("cause") is not None
        return [stop, Request("kms:GenerateDataKey", names.key_arn, context)] if encrypts else [stop]
    if call.operation == "RedriveExecution":
        return [Request("states:RedriveExecution", names.execution(p["executionArn"]))]
    raise UnknownCall(f"stepfunctions.{call.operation}")


def requirements(call: AwsCall, names: TemplateNames) -> list[Requirement]:
    """What IAM must allow for ``call`` (raises ``UnknownCall`` for a call no rule here covers)."""
    if call.service == "dynamodb":
        requests = _dynamodb(call, names)
    elif call.service == "s3":
        requests = _s3(call, names)
    elif call.service == "stepfunctions":
        requests = _stepfunctions(call, names)
    elif (call.service, call.operation) == ("secretsmanager", "GetSecretValue"):
        requests = [Request("secretsmanager:GetSecretValue", names.secret(call.params["SecretId"]))]
    elif (call.service, call.operation) == ("lambda", "Invoke"):
        requests = [Request("lambda:InvokeFunction", names.function(call.params["FunctionName"]))]
    else:
        raise UnknownCall(f"{call.service}.{call.operation}")
    return [Requirement(request, call) for request in requests]

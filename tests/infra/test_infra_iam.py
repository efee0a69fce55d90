"""Least privilege: each function its own role with exactly what it calls; no wildcards but AWS's."""

from __future__ import annotations

from typing import Any

from stacks.registry import FUNCTIONS, api_functions, claude_functions

from .conftest import Synth, resolve

# Actions AWS only authorizes on Resource "*" (no resource-level permissions exist for them):
WILDCARD_RESOURCE_ACTIONS = {
    # X-Ray active tracing (Lambda Tracing.ACTIVE, Step Functions tracing).
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    # Step Functions logging to CloudWatch Logs uses vended log delivery, whose APIs are account-wide.
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def iam_statements(synth: Synth) -> list[tuple[str, dict[str, Any]]]:
    """Every identity-policy statement of the template: (resource logical id, statement)."""
    found = []
    for rid, res in synth.tpl["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            found += [(rid, s) for s in props["PolicyDocument"]["Statement"]]
        elif res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found += [(rid, s) for s in policy["PolicyDocument"]["Statement"]]
    return found


def role_statements(synth: Synth, role: Any) -> list[dict[str, Any]]:
    """Resolved statements of the default policy attached to ``role``."""
    role_id = synth.logical_id(role)
    statements = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += resolve(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def grants(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    """action -> resources it is allowed on."""
    out: dict[str, set[str]] = {}
    for s in statements:
        assert s["Effect"] == "Allow"
        for action in _as_list(s["Action"]):
            out.setdefault(action, set()).update(_as_list(s["Resource"]))
    return out


def test_no_action_wildcard_anywhere(synth: Synth) -> None:
    for rid, statement in iam_statements(synth):
        for action in _as_list(statement["Action"]):
            assert action != "*", rid
            assert not action.endswith(":*"), f"{rid}: service-wide action {action}"


def test_resource_wildcard_only_where_aws_requires_it(synth: Synth) -> None:
    for rid, statement in iam_statements(synth):
        if "*" in _as_list(statement["Resource"]):
            extra = set(_as_list(statement["Action"])) - WILDCARD_RESOURCE_ACTIONS
            assert not extra, f"{rid}: {sorted(extra)} on Resource '*'"


def test_key_policy_wildcard_means_this_key_only(synth: Synth) -> None:
    # In a KMS key policy, Resource "*" is the key itself (AWS requires that form). The account root
    # statement delegates to IAM; the only service principal is CloudWatch Logs delivery, which
    # decrypts the Step Functions logs.
    _, key = synth.one("AWS::KMS::Key")
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    principals = [resolve(s["Principal"]) for s in statements]
    assert principals[0] == {"AWS": "arn:<AWS::Partition>:iam::<AWS::AccountId>:root"}
    assert principals[1:] == [{"Service": "delivery.logs.amazonaws.com"}]
    assert statements[1]["Action"] == "kms:Decrypt*"


def test_each_function_has_its_own_role_without_managed_policies(synth: Synth) -> None:
    roles = [fn.role for fn in synth.stack.functions.values()]
    role_ids = {synth.logical_id(r) for r in roles}
    assert len(role_ids) == len(FUNCTIONS)
    fn_roles = {resolve(f["Properties"]["Role"]) for f in synth.resources("AWS::Lambda::Function").values()}
    assert fn_roles == {f"<{rid}.Arn>" for rid in role_ids}
    for rid in role_ids:
        assert "ManagedPolicyArns" not in synth.tpl["Resources"][rid]["Properties"], rid


# Which actions each role holds is proven from recorded calls, both ways, in test_infra_permissions.py;
# the tests below keep what that cannot see: how narrow each resource is, and that conditions are there.


def test_function_role_resources(synth: Synth) -> None:
    s = synth
    sm = f"<Ref:{s.logical_id(s.stack.state_machine)}>"
    executions = (
        "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:careervp-vpr-workflow-dev:*"
    )
    key = f"<{s.logical_id(s.stack.workflow_key)}.Arn>"
    bucket = f"<{s.logical_id(s.stack.results_bucket)}.Arn>"
    results = f"{bucket}/vpr/*"

    submit = grants(role_statements(s, s.stack.roles["submit"]))
    assert submit["states:StartExecution"] == {sm}
    assert submit["states:DescribeExecution"] == {executions}
    assert submit["kms:GenerateDataKey"] == submit["kms:Decrypt"] == {key}

    status = grants(role_statements(s, s.stack.roles["status"]))
    assert status["states:DescribeExecution"] == status["states:GetExecutionHistory"] == {executions}
    assert status["s3:GetObject"] == {results}
    assert status["s3:ListBucket"] == {bucket}  # HeadObject of a deleted report: 404, not 403
    assert status["kms:Decrypt"] == {key}

    validate = grants(role_statements(s, s.stack.roles["validate"]))
    assert validate["dynamodb:GetItem"] == {f"<{s.logical_id(s.stack.profile_table)}.Arn>"}

    for key in claude_functions():
        claude = grants(role_statements(s, s.stack.roles[key]))
        assert claude["secretsmanager:GetSecretValue"] == {f"<Ref:{s.logical_id(s.stack.anthropic_secret)}>"}

    store = grants(role_statements(s, s.stack.roles["store"]))
    assert store["s3:PutObject"] == store["s3:GetObject"] == {results}
    assert store["s3:ListBucket"] == {bucket}

    workflow_key = f"<{s.logical_id(s.stack.workflow_key)}.Arn>"
    cancel = grants(role_statements(s, s.stack.roles["cancel"]))
    assert cancel["states:DescribeExecution"] == cancel["states:StopExecution"] == {executions}
    assert cancel["kms:Decrypt"] == cancel["kms:GenerateDataKey"] == {workflow_key}  # StopExecution's error
    retry = grants(role_statements(s, s.stack.roles["retry"]))
    assert retry["states:DescribeExecution"] == retry["states:RedriveExecution"] == {executions}
    assert retry["kms:Decrypt"] == {workflow_key}


def test_kms_and_list_grants_are_conditioned(synth: Synth) -> None:
    sm = f"<Ref:{synth.logical_id(synth.stack.state_machine)}>"
    for key in ("submit", "status", "cancel", "retry"):
        for statement in role_statements(synth, synth.stack.roles[key]):
            if any(a.startswith("kms:") for a in _as_list(statement["Action"])):
                assert statement["Condition"] == {
                    "StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": sm}
                }
    for key in ("store", "status"):
        (listing,) = [
            st
            for st in role_statements(synth, synth.stack.roles[key])
            if "s3:ListBucket" in _as_list(st["Action"])
        ]
        assert listing["Condition"] == {"StringLike": {"s3:prefix": ["vpr/*"]}}


def test_api_may_invoke_only_the_api_functions(synth: Synth) -> None:
    permissions = [
        p
        for p in synth.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] != "events.amazonaws.com"  # the projector's rule
    ]
    targets = {resolve(p["Properties"]["FunctionName"]) for p in permissions}
    assert targets == {f"<{synth.logical_id(synth.stack.functions[k])}.Arn>" for k in api_functions()}
    assert {p["Properties"]["Principal"] for p in permissions} == {"apigateway.amazonaws.com"}

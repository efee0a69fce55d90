"""A small IAM policy evaluator for the statement shapes this stack synthesizes.

It answers "does this policy allow this request?" for statements already flattened by
``conftest.resolve`` (CloudFormation tokens become literal text such as ``<ResultsBucket.Arn>/vpr/*``,
so a request names its resources in the same notation).

Modelled, as the IAM User Guide's "Policy evaluation logic" and "IAM JSON policy elements: Condition
operators" pages describe them:

- ``Effect`` Allow and Deny; an explicit Deny wins over any Allow; no matching Allow is an implicit deny.
- ``Action`` and ``Resource`` as a string or a list, with ``*`` and ``?`` wildcards (actions match
  case-insensitively, resources case-sensitively); ``Principal`` of resource policies (``Service`` or
  ``AWS`` strings, ``*``).
- ``Condition`` operators ``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``, ``Bool``, each also
  as ``...IfExists``, and the set qualifiers ``ForAllValues:`` / ``ForAnyValue:`` of the string ones.
  Several values of one key are OR-ed; several keys and operators are AND-ed. A key missing from the
  request fails a plain operator, passes an ``...IfExists`` one, passes ``ForAllValues`` (vacuously, as
  documented) and fails ``ForAnyValue``.

Not modelled (a statement using one raises ``UnsupportedShapeError``, so a new shape cannot pass unnoticed):
``NotAction``, ``NotResource``, ``NotPrincipal``, other condition operators (numeric, date, IP,
``Null``), policy variables (``${aws:username}``...). Not modelled at all: permission boundaries, SCPs
and RCPs, session policies, resource policies other than the ones a test passes in, cross-account
evaluation, KMS grants, and what AWS itself puts in a request's context beyond what the test passes
(a request here carries exactly the keys its ``context`` names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ALLOW, DENY, IMPLICIT_DENY = "Allow", "Deny", "ImplicitDeny"
_STRING_OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike", "Bool"}


class UnsupportedShapeError(Exception):
    """A statement shape this evaluator does not model."""


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: dict[str, str | list[str]] = field(default_factory=dict)
    principal: dict[str, str] | None = None  # resource policies: {"Service": "events.amazonaws.com"}


@dataclass(frozen=True)
class Decision:
    effect: str
    allowed_by: tuple[int, ...] = ()  # indexes of the Allow statements that matched
    denied_by: tuple[int, ...] = ()


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def action_matches(pattern: str, action: str) -> bool:
    """IAM action names match case-insensitively, with wildcards."""
    return _wildcard(pattern, action, case_sensitive=False)


def _matches_action(statement: dict[str, Any], action: str) -> bool:
    return any(action_matches(a, action) for a in as_list(statement["Action"]))


def _matches_resource(statement: dict[str, Any], resource: str) -> bool:
    return any(_wildcard(r, resource) for r in as_list(statement["Resource"]))


def _matches_principal(statement: dict[str, Any], principal: dict[str, str] | None) -> bool:
    if "Principal" not in statement:
        return principal is None  # an identity policy: the principal is the role it is attached to
    if principal is None:
        return False
    granted = statement["Principal"]
    if granted == "*":
        return True
    return any(
        value == "*" or value == principal.get(kind)
        for kind, values in granted.items()
        for value in as_list(values)
    )


def _compare(operator: str, policy_value: str, request_value: str) -> bool:
    if operator in {"StringLike", "ArnLike"}:
        return _wildcard(policy_value, request_value)
    if operator == "Bool":
        return policy_value.lower() == request_value.lower()
    return policy_value == request_value


def _condition_holds(full_operator: str, values: dict[str, Any], context: dict[str, Any]) -> bool:
    qualifier, _, operator = full_operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if operator not in _STRING_OPERATORS or qualifier not in {"", "ForAllValues", "ForAnyValue"}:
        raise UnsupportedShapeError(f"condition operator {full_operator}")
    for key, policy_values in values.items():
        allowed = [str(v) for v in as_list(policy_values)]
        if "${" in "".join(allowed):
            raise UnsupportedShapeError(f"policy variable in {key}")
        if key not in context:
            if qualifier == "ForAllValues" or if_exists:
                continue
            return False
        request_values = [str(v) for v in as_list(context[key])]

        def one(value: str, allowed: list[str] = allowed) -> bool:
            return any(_compare(operator, p, value) for p in allowed)

        if qualifier == "ForAllValues":
            ok = all(one(v) for v in request_values)
        elif qualifier == "ForAnyValue":
            ok = any(one(v) for v in request_values)
        else:
            if len(request_values) != 1:
                raise UnsupportedShapeError(f"single-valued operator {operator} on multi-valued key {key}")
            ok = one(request_values[0])
        if not ok:
            return False
    return True


def statement_applies(statement: dict[str, Any], request: Request) -> bool:
    """Action, resource, principal and every condition of ``statement`` match ``request``."""
    for unsupported in ("NotAction", "NotResource", "NotPrincipal"):
        if unsupported in statement:
            raise UnsupportedShapeError(unsupported)
    if not (_matches_action(statement, request.action) and _matches_resource(statement, request.resource)):
        return False
    if not _matches_principal(statement, request.principal):
        return False
    conditions = statement.get("Condition", {})
    return all(_condition_holds(op, values, request.context) for op, values in conditions.items())


def evaluate(statements: Iterable[dict[str, Any]], request: Request) -> Decision:
    allowed, denied = [], []
    for index, statement in enumerate(statements):
        if statement_applies(statement, request):
            (allowed if statement["Effect"] == ALLOW else denied).append(index)
    if denied:
        return Decision(DENY, tuple(allowed), tuple(denied))
    return Decision(ALLOW if allowed else IMPLICIT_DENY, tuple(allowed))


def granted_actions(statements: Iterable[dict[str, Any]]) -> list[tuple[int, str]]:
    """(statement index, action) for every action an Allow statement names."""
    return [
        (index, action)
        for index, statement in enumerate(statements)
        if statement["Effect"] == ALLOW
        for action in as_list(statement["Action"])
    ]

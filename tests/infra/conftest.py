"""Fixtures of the infrastructure tests: the CDK app synthesized once per test module, offline.

Bundling is skipped (``aws:cdk:bundling-stacks: []``) so no pip runs here; ``make synth`` exercises
the real bundling. The context of ``cdk.json`` applies (feature flags and defaults), as with the CLI.
"""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from app import build_app
from stacks.vpr_stack import VprStack

SKIP_BUNDLING = {"aws:cdk:bundling-stacks": []}


@dataclass
class Synth:
    app: App
    stack: VprStack
    template: Template
    tpl: dict[str, Any]

    def resources(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.tpl["Resources"].items() if v["Type"] == rtype}

    def one(self, rtype: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(rtype)
        assert len(found) == 1, f"expected one {rtype}, found {sorted(found)}"
        return next(iter(found.items()))

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


def synthesize(context: dict[str, Any] | None = None, *, acknowledge: bool = True) -> Synth:
    app, stack = build_app({**SKIP_BUNDLING, **(context or {})}, acknowledge=acknowledge)
    template = Template.from_stack(stack)
    return Synth(app, stack, template, template.to_json())


@pytest.fixture(scope="module")
def synth() -> Synth:
    """The default (dev) stack, synthesized once for the module."""
    return synthesize()


def resolve(value: Any, ref: Callable[[str], str] | None = None) -> Any:
    """Flatten CloudFormation intrinsics into readable strings, so tests can compare values.

    ``{"Ref": "X"}`` -> ``"<Ref:X>"`` (pseudo parameters -> ``"<AWS::Region>"``), ``Fn::GetAtt`` ->
    ``"<X.Arn>"``, ``Fn::Join`` is joined, ``Fn::Sub`` keeps its ``${...}`` text.
    """
    if isinstance(value, list):
        return [resolve(v, ref) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        name = value["Ref"]
        return f"<{name}>" if name.startswith("AWS::") else f"<Ref:{name}>"
    if set(value) == {"Fn::GetAtt"}:
        target, attr = value["Fn::GetAtt"]
        return f"<{target}.{attr}>"
    if set(value) == {"Fn::Join"}:
        sep, parts = value["Fn::Join"]
        return sep.join(str(resolve(p, ref)) for p in parts)
    if set(value) == {"Fn::Sub"}:
        return value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
    return {k: resolve(v, ref) for k, v in value.items()}

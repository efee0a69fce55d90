#!/usr/bin/env python3
"""CDK app of the VPR service: one stack, ``CareerVpVpr<Env>``, checked by cdk-nag on every synth.

Run by the CDK CLI (``npx cdk synth`` / ``make synth`` / ``cdk deploy``; see cdk.json), or directly
(``python app.py``). Run directly, the context in ``cdk.json`` still applies (feature flags and
defaults), so both ways synthesize the same template; the CLI's own context (``-c key=value``)
takes precedence over it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk

from stacks.config import VprConfig
from stacks.nag_suppressions import NAG_PACKS, acknowledge_findings
from stacks.vpr_stack import VprStack

ROOT = Path(__file__).resolve().parent
#: What the CDK CLI puts in the context of every synthesis (it is not to be set in cdk.json, which
#: reserves ``aws:`` keys): asset and construct-path metadata on each resource, which the SAM CLI
#: reads to find a function's code (README, Deploy). Set here too, so a synthesis without the CLI
#: (the tests, ``python app.py``) writes the same template.
CLI_METADATA_CONTEXT = {"aws:cdk:enable-asset-metadata": True, "aws:cdk:enable-path-metadata": True}


def cdk_json_context() -> dict:
    return json.loads((ROOT / "cdk.json").read_text(encoding="utf-8")).get("context", {})


def build_app(
    context: dict | None = None, outdir: str | None = None, *, acknowledge: bool = True
) -> tuple[cdk.App, VprStack]:
    """The app with its stack; ``context`` adds to (and overrides) cdk.json's context.

    ``acknowledge=False`` leaves out the cdk-nag acknowledgements (tests use it to prove each one is
    still needed).
    """
    # App(context=...) values are defaults: the CLI's context (CDK_CONTEXT_JSON) overrides them.
    app = cdk.App(context={**CLI_METADATA_CONTEXT, **cdk_json_context(), **(context or {})}, outdir=outdir)
    config = VprConfig.from_node(app.node)
    # Environment-agnostic on purpose: no lookups are needed, the same template deploys to any
    # account/region (the one of your AWS profile at `cdk deploy` time), and synthesis never depends
    # on local AWS configuration.
    stack = VprStack(app, config)
    if acknowledge:
        acknowledge_findings(stack)
    # cdk-nag 3 packs are policy-validation plugins: unacknowledged errors fail `cdk synth`.
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in NAG_PACKS.values()))
    return app, stack


def main() -> None:
    app, _ = build_app(outdir=os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")))
    app.synth()


if __name__ == "__main__":
    main()

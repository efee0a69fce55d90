"""cdk-nag AwsSolutions and Serverless: zero unacknowledged findings; every acknowledgement needed and
explained. Generic over the stack's resources: whatever is added is checked by both packs."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from app import build_app
from stacks.nag_suppressions import NAG_PACKS, acknowledgements
from stacks.vpr_stack import VprStack

from .conftest import SKIP_BUNDLING, Synth


def findings(report: cdk.PolicyValidationPluginReport) -> dict[str, list[str]]:
    return {v.rule_name: [r.construct_path for r in v.violating_resources] for v in report.violations}


def all_findings(stack: VprStack) -> dict[str, list[str]]:
    """The findings of every pack, keyed by rule id (each id carries its pack's prefix)."""
    found: dict[str, list[str]] = {}
    for pack in NAG_PACKS.values():
        found.update(findings(pack().validate_scope(stack)))
    return found


@pytest.mark.parametrize("pack", sorted(NAG_PACKS))
def test_no_unacknowledged_findings(synth: Synth, pack: str) -> None:
    report = NAG_PACKS[pack]().validate_scope(synth.stack)
    assert findings(report) == {}
    assert report.success


def test_synthesis_fails_on_what_either_pack_finds(tmp_path: Path) -> None:
    """`cdk synth` (app.py) runs both packs as plugins: unacknowledged findings of each fail it."""
    app, _ = build_app({**SKIP_BUNDLING}, outdir=str(tmp_path), acknowledge=False)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    for pack in NAG_PACKS:
        assert any(rule.startswith(f"{pack}-") for rule in rules), (pack, sorted(rules))


def test_every_acknowledgement_has_a_specific_reason(synth: Synth) -> None:
    acks = acknowledgements(synth.stack)
    assert acks
    seen = set()
    for ack in acks:
        assert ack.rule_id.split("-", 1)[0] in NAG_PACKS, ack.rule_id
        assert len(ack.reason.split()) >= 12, f"{ack.rule_id}: say why, specifically"
        key = (ack.construct.node.path, ack.rule_id)
        assert key not in seen, f"duplicate acknowledgement {key}"
        seen.add(key)


def test_acknowledgements_are_recorded_only_by_the_one_module(synth: Synth) -> None:
    """Every acknowledgement in the construct tree is one from stacks/nag_suppressions.py."""
    expected = {(a.construct.node.path, a.rule_id): a.reason for a in acknowledgements(synth.stack)}
    recorded = {}
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule_id, reason in entry.data.items():
                    recorded[(construct.node.path, rule_id.removeprefix("Annotation::"))] = reason
    assert recorded == expected


VARIANTS = {
    "default": {},
    "mfa-required": {"cognito_mfa": "required"},
    "imported-pool": {"cognito_user_pool_id": "eu-west-1_abcDEF123", "env": "prod"},
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> tuple[VprStack, VprStack]:
    """(acknowledged, unacknowledged) stacks of one context variant; not synthesized, since cdk-nag
    walks the construct tree (and the app's nag plugin would fail the unacknowledged synth)."""
    context = {**SKIP_BUNDLING, **VARIANTS[request.param]}
    return build_app(context)[1], build_app(context, acknowledge=False)[1]


def test_no_unacknowledged_findings_in_any_variant(variant: tuple[VprStack, VprStack]) -> None:
    acknowledged, _ = variant
    assert all_findings(acknowledged) == {}


def test_every_acknowledgement_is_still_needed(variant: tuple[VprStack, VprStack]) -> None:
    """Without the acknowledgements, cdk-nag reports exactly the acknowledged findings (no stale ones)."""
    acknowledged, unacknowledged = variant
    raw = all_findings(unacknowledged)
    for pack in NAG_PACKS:
        assert any(rule.startswith(f"{pack}-") for rule in raw), f"{pack} found nothing: proves nothing"
    reported = {(path, rule) for rule, paths in raw.items() for path in paths}
    acked = {(a.construct.node.path, a.rule_id) for a in acknowledgements(acknowledged)}

    def covers(ancestor: str, path: str) -> bool:
        # A finding is reported on the CfnResource; the acknowledgement sits on it or on an ancestor.
        return path == ancestor or path.startswith(ancestor + "/")

    for construct_path, rule in acked:
        assert any(r == rule and covers(construct_path, p) for p, r in reported), (construct_path, rule)
    for path, rule in reported:
        assert any(r == rule and covers(p, path) for p, r in acked), (path, rule)

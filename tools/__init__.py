"""Checks CI runs on what ``make synth`` produced (cdk.out), before anything is deployed.

- ``python -m tools.lint_templates``: cfn-lint on every synthesized CloudFormation template.
- ``python -m tools.lint_workflow``: asl-validator on the workflow file and on every synthesized state
  machine definition (placeholders filled).
- ``python -m tools.check_asset``: the Lambda code asset holds exactly the pinned library versions.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CDK_OUT = REPO_ROOT / "cdk.out"


def synthesized_templates(cdk_out: Path = CDK_OUT) -> list[Path]:
    """Every stack template of the cloud assembly; an empty assembly is an error, not a pass."""
    templates = sorted(cdk_out.glob("*.template.json"))
    if not templates:
        raise SystemExit(f"no *.template.json in {cdk_out}: run `make synth` first")
    return templates

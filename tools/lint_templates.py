"""cfn-lint on every synthesized template: any error fails, any warning not acknowledged fails.

``python -m tools.lint_templates [TEMPLATE ...]`` (default: ``cdk.out/*.template.json``; ``make lint-cfn``).
cfn-lint is pinned in ``requirements-dev.txt`` and run in-process through its Python API, with the
regions and acknowledged findings of ``stacks/cfn_lint_acknowledged.yaml``. An acknowledgement that
matches nothing fails as stale, so the file cannot drift into a blanket ignore list.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import yaml
from cfnlint.api import ManualArgs, lint

from tools import REPO_ROOT, synthesized_templates

CONFIG = REPO_ROOT / "stacks" / "cfn_lint_acknowledged.yaml"


@dataclass(frozen=True)
class Acknowledgement:
    rule: str
    resource_type: str
    message: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class LintConfig:
    regions: tuple[str, ...]
    acknowledged: tuple[Acknowledgement, ...]


@dataclass(frozen=True)
class Finding:
    template: str
    line: int
    rule: str
    severity: str
    resource_type: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.rule} ({self.severity}) {self.path}: {self.message}"


@dataclass
class LintResult:
    failures: list[Finding] = field(default_factory=list)
    acknowledged: list[Finding] = field(default_factory=list)
    stale: list[Acknowledgement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stale


def load_config(path: Path = CONFIG) -> LintConfig:
    """The settings file, checked: errors cannot be acknowledged, and every entry gives its reason."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    acks = []
    for entry in raw.get("acknowledged") or []:
        rule, reason = str(entry["rule"]), " ".join(str(entry["reason"]).split())
        if not rule.startswith("W"):
            raise ValueError(f"{path.name}: only warnings can be acknowledged, not {rule}")
        if len(reason.split()) < 12:
            raise ValueError(f"{path.name}: {rule} on {entry['resource_type']}: say why, specifically")
        acks.append(Acknowledgement(rule, str(entry["resource_type"]), re.compile(entry["message"]), reason))
    return LintConfig(tuple(raw["regions"]), tuple(acks))


def lint_template(text: str, name: str, config: LintConfig) -> list[Finding]:
    """Every cfn-lint match of one template, with the type of the resource it is on."""
    resources = json.loads(text).get("Resources", {})
    findings = []
    for match in lint(text, config=ManualArgs(regions=list(config.regions))):
        path = list(match.path or [])
        resource = resources.get(path[1], {}) if len(path) > 1 and path[0] == "Resources" else {}
        findings.append(
            Finding(
                template=name,
                line=match.linenumber,
                rule=match.rule.id,
                severity=match.rule.severity,
                resource_type=str(resource.get("Type", "")),
                path="/".join(str(p) for p in path),
                message=match.message,
            )
        )
    return findings


def _acknowledging(finding: Finding, config: LintConfig) -> Acknowledgement | None:
    if finding.rule.startswith("E") or finding.severity == "error":
        return None
    for ack in config.acknowledged:
        if (
            ack.rule == finding.rule
            and ack.resource_type == finding.resource_type
            and ack.message.search(finding.message)
        ):
            return ack
    return None


def check(templates: dict[str, str], config: LintConfig) -> LintResult:
    """Lint ``{name: template text}``; split findings into failures and acknowledged ones."""
    result = LintResult()
    used: set[int] = set()
    for name, text in templates.items():
        for finding in lint_template(text, name, config):
            ack = _acknowledging(finding, config)
            if ack is None:
                result.failures.append(finding)
            else:
                result.acknowledged.append(finding)
                used.add(id(ack))
    result.stale = [a for a in config.acknowledged if id(a) not in used]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", type=Path, help="default: cdk.out/*.template.json")
    parser.add_argument("--config", type=Path, default=CONFIG)
    args = parser.parse_args(argv)
    paths = args.templates or synthesized_templates()
    config = load_config(args.config)
    result = check({str(p): p.read_text(encoding="utf-8") for p in paths}, config)
    for finding in result.failures:
        print(f"FAIL {finding}")
    for ack in result.stale:
        print(f"FAIL stale acknowledgement in {args.config.name}: {ack.rule} on {ack.resource_type} "
              f"matches nothing any more; remove it")  # fmt: skip
    print(
        f"cfn-lint {version('cfn-lint')} ({', '.join(config.regions)}): {len(paths)} template(s), "
        f"{len(result.failures)} unacknowledged finding(s), {len(result.acknowledged)} acknowledged "
        f"CDK warning(s), {len(result.stale)} stale acknowledgement(s)"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

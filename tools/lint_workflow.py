"""The workflow through a real ASL validator, as written and as CloudFormation will create it.

``python -m tools.lint_workflow [--asl FILE] [TEMPLATE ...]`` (``make lint-workflow``) runs the npm
``asl-validator`` pinned in ``package.json`` (node_modules/.bin, installed by ``npm ci``) on

1. ``statemachine/vpr.asl.json`` as written: its ``${...}Arn`` placeholders are accepted by the
   validator's substitution extension, so this checks the structure;
2. every state machine of every synthesized template (default ``cdk.out/*.template.json``), with the
   placeholders filled as CloudFormation fills them (``DefinitionSubstitutions``), using a sample
   region/account: now every ``Resource`` must also be a well-formed ARN. A placeholder without a
   substitution fails here, before the deployment would.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools import REPO_ROOT, synthesized_templates

ASL = REPO_ROOT / "statemachine" / "vpr.asl.json"
VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012",
          "AWS::URLSuffix": "amazonaws.com"}  # fmt: skip
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class UnresolvableError(ValueError):
    """A value this linter cannot turn into the string CloudFormation would produce."""


def _physical_arn(resources: dict[str, Any], logical_id: str) -> str:
    resource = resources.get(logical_id)
    if resource is None:
        raise UnresolvableError(f"Fn::GetAtt of unknown resource {logical_id!r}")
    rtype, props = resource["Type"], resource.get("Properties", {})
    region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
    if rtype == "AWS::Lambda::Function":
        return f"arn:aws:lambda:{region}:{account}:function:{props.get('FunctionName', logical_id)}"
    _, service, kind = rtype.split("::")
    return f"arn:aws:{service.lower()}:{region}:{account}:{kind.lower()}/{logical_id}"


def resolve(value: Any, resources: dict[str, Any]) -> str:
    """The string CloudFormation makes of ``value`` (literals, pseudo parameters, Fn::Join, GetAtt Arn)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in PSEUDO:
        return PSEUDO[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][1] == "Arn":
        return _physical_arn(resources, value["Fn::GetAtt"][0])
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(resolve(p, resources) for p in parts)
    raise UnresolvableError(f"cannot resolve {json.dumps(value)[:200]}")


def filled_definitions(template: dict[str, Any]) -> dict[str, str]:
    """``{logical id: definition}`` of every state machine, placeholders substituted."""
    resources = template.get("Resources", {})
    filled = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::StepFunctions::StateMachine":
            continue
        props = resource["Properties"]
        if "DefinitionString" not in props:
            raise UnresolvableError(f"{logical_id}: no inline DefinitionString to validate")
        definition = resolve(props["DefinitionString"], resources)
        substitutions = {
            k: resolve(v, resources) for k, v in props.get("DefinitionSubstitutions", {}).items()
        }
        missing = sorted(set(_PLACEHOLDER.findall(definition)) - set(substitutions))
        if missing:
            raise UnresolvableError(f"{logical_id}: placeholders without a substitution: {missing}")
        filled[logical_id] = _PLACEHOLDER.sub(lambda m, subs=substitutions: subs[m.group(1)], definition)
    return filled


def validate(paths: list[Path]) -> tuple[bool, str]:
    """Run asl-validator once on all files; (all valid, its report)."""
    if not VALIDATOR.exists():
        raise SystemExit(f"{VALIDATOR} missing: run `npm ci` (make node_modules/.installed)")
    command = [str(VALIDATOR)]
    for path in paths:
        command += ["--json-path", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def lint(asl: Path, templates: list[Path]) -> tuple[bool, str]:
    """Validate the file as written and every synthesized state machine filled; (ok, report)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths, problems = [asl], []
        for template_path in templates:
            template = json.loads(template_path.read_text(encoding="utf-8"))
            try:
                definitions = filled_definitions(template)
            except UnresolvableError as exc:
                problems.append(f"✗ {template_path.name}: {exc}")
                continue
            for logical_id, definition in definitions.items():
                path = (
                    Path(tmp) / f"{template_path.name.removesuffix('.template.json')}.{logical_id}.asl.json"
                )
                path.write_text(definition, encoding="utf-8")
                paths.append(path)
        ok, report = validate(paths)
    filled = len(paths) - 1
    summary = f"asl-validator: {asl.name} as written + {filled} synthesized definition(s) filled"
    return ok and not problems, "\n".join([report, *problems, summary])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", type=Path, help="default: cdk.out/*.template.json")
    parser.add_argument("--asl", type=Path, default=ASL)
    args = parser.parse_args(argv)
    ok, report = lint(args.asl, args.templates or synthesized_templates())
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

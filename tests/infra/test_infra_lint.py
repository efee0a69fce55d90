"""The linters CI runs after `make synth`, on this module's synthesized stack and on broken fixtures.

cfn-lint (tools/lint_templates.py) and asl-validator (tools/lint_workflow.py) are the same functions
`make lint-cfn` / `make lint-workflow` call; each is shown to pass the real template and to fail a
deliberately broken one, so a check that cannot fail would fail here.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.vpr_stack import ASL_PATH
from tools import lint_templates, lint_workflow
from tools.lint_templates import check, load_config

from .conftest import Synth


@pytest.fixture(scope="module")
def template_file(synth: Synth, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cdk.out") / f"{synth.stack.stack_name}.template.json"
    path.write_text(json.dumps(synth.tpl, indent=1))
    return path


def _write(tmp_path: Path, template: dict[str, Any]) -> Path:
    path = tmp_path / "Broken.template.json"
    path.write_text(json.dumps(template, indent=1))
    return path


def _function_ids(synth: Synth) -> list[str]:
    return sorted(synth.resources("AWS::Lambda::Function"))


# ----------------------------------------------------------------------------------------- cfn-lint
def test_the_synthesized_template_passes_cfn_lint(template_file: Path) -> None:
    result = check({"t": template_file.read_text()}, load_config())
    assert [str(f) for f in result.failures] == []
    assert result.stale == []
    # What is acknowledged is only CDK's DependsOn on a role next to the GetAtt of it.
    assert result.acknowledged
    for finding in result.acknowledged:
        assert finding.rule == "W3005", finding
        assert re.search(r"'Resources/\w+/Properties/Role(Arn)?'$", finding.message), finding


def test_no_resource_depends_on_its_own_log_group_twice(synth: Synth) -> None:
    """The W3005 this code caused (explicit DependsOn on each function's log group) stays fixed."""
    for rid, fn in synth.resources("AWS::Lambda::Function").items():
        log_group = fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert log_group not in fn.get("DependsOn", []), rid


def test_a_template_error_fails_the_ci_step(
    synth: Synth, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(synth.tpl)
    first, second = _function_ids(synth)[:2]
    broken["Resources"][first]["Properties"]["MemorySize"] = 64  # below Lambda's minimum of 128
    # The warning this code used to produce: DependsOn on the log group it already Refs.
    fn = broken["Resources"][second]
    fn["DependsOn"] = [*fn.get("DependsOn", []), fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]

    assert lint_templates.main([str(_write(tmp_path, broken))]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"FAIL .*E3034 \(error\) Resources/{first}/Properties/MemorySize", out), out
    assert re.search(rf"FAIL .*W3005 \(warning\) Resources/{second}/DependsOn/\d+: .*LoggingConfig", out), out
    assert "2 unacknowledged finding(s)" in out


def test_a_stale_acknowledgement_fails(template_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "acks.yaml"
    config.write_text(
        lint_templates.CONFIG.read_text()
        + "  - rule: W3010\n    resource_type: AWS::EC2::Instance\n    message: hardcoded\n"
        + "    reason: an acknowledgement of something this stack does not have, so it matches nothing.\n"
    )
    assert lint_templates.main(["--config", str(config), str(template_file)]) == 1


def test_errors_cannot_be_acknowledged(tmp_path: Path) -> None:
    config = tmp_path / "acks.yaml"
    config.write_text(
        "regions: [us-east-1]\nacknowledged:\n  - rule: E3034\n    resource_type: AWS::Lambda::Function\n"
        "    message: minimum\n    reason: errors are never acceptable whatever reason is written here.\n"
    )
    with pytest.raises(ValueError, match="only warnings can be acknowledged, not E3034"):
        load_config(config)


# ------------------------------------------------------------------------------------ asl-validator
def test_the_workflow_is_valid_as_written_and_as_synthesized(
    template_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert lint_workflow.main([str(template_file)]) == 0
    out = capsys.readouterr().out
    assert out.count("is valid") == 2, out
    assert "vpr.asl.json as written + 1 synthesized definition(s) filled" in out


def test_placeholders_are_filled_with_the_functions_arns(synth: Synth) -> None:
    (definition,) = lint_workflow.filled_definitions(synth.tpl).values()
    assert "${" not in definition
    from stacks.registry import task_functions

    def resources(states: dict) -> set[str]:  # the Map's item processor holds states of its own
        found = set()
        for state in states.values():
            found |= {state["Resource"]} if "Resource" in state else set()
            found |= resources(state.get("ItemProcessor", {}).get("States", {}))
        return found

    assert resources(json.loads(definition)["States"]) == {
        f"arn:aws:lambda:eu-west-1:123456789012:function:careervp-vpr-{what}-dev"
        for what in task_functions().values()
    }


def test_a_broken_workflow_file_fails(template_file: Path, tmp_path: Path) -> None:
    asl = json.loads(ASL_PATH.read_text())
    first = asl["StartAt"]
    asl["States"][first]["Next"] = "NoSuchState"
    asl["States"][first].pop("End", None)
    broken = tmp_path / "broken.asl.json"
    broken.write_text(json.dumps(asl))
    ok, report = lint_workflow.lint(broken, [template_file])
    assert not ok
    assert "NoSuchState" in report


def test_a_malformed_arn_fails_only_once_filled(synth: Synth, tmp_path: Path) -> None:
    """The as-written check accepts any ``${...}``; the filled one sees what CloudFormation will pass."""
    broken = copy.deepcopy(synth.tpl)
    (sm,) = (r for r in broken["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine")
    name = next(iter(sm["Properties"]["DefinitionSubstitutions"]))
    sm["Properties"]["DefinitionSubstitutions"][name] = "validate-function"  # a name, not an ARN
    ok, report = lint_workflow.lint(ASL_PATH, [_write(tmp_path, broken)])
    assert not ok
    assert 'vpr.asl.json" is valid' in report, "the file as written still passes"
    assert re.search(r"Broken\.\w+\.asl\.json\" is invalid", report), report


def test_a_placeholder_without_a_substitution_fails(synth: Synth, tmp_path: Path) -> None:
    broken = copy.deepcopy(synth.tpl)
    (sm,) = (r for r in broken["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine")
    name = sorted(sm["Properties"]["DefinitionSubstitutions"])[0]
    del sm["Properties"]["DefinitionSubstitutions"][name]
    ok, report = lint_workflow.lint(ASL_PATH, [_write(tmp_path, broken)])
    assert not ok
    assert f"placeholders without a substitution: ['{name}']" in report

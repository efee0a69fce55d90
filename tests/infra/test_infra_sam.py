"""The synthesized template carries what the SAM CLI reads to run a function locally.

``sam local invoke -t cdk.out/CareerVpVprDev.template.json <logical id>`` finds a CDK function's code
through its ``aws:asset:path`` metadata (``aws:asset:property: Code``), its construct through
``aws:cdk:path`` (AWS CDK Developer Guide, "Local testing AWS CDK applications with AWS SAM"). Running it
needs Docker, which this machine does not have; what can be checked offline is checked here, and
``make check-asset`` checks the bundled asset directory itself after ``make synth``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from stacks.registry import FUNCTIONS
from tools.check_asset import sam_problems

from .conftest import Synth


def test_every_function_carries_the_asset_and_path_metadata_sam_reads(synth: Synth) -> None:
    functions = synth.resources("AWS::Lambda::Function")
    assert len(functions) == len(FUNCTIONS)
    paths = set()
    for logical_id, resource in functions.items():
        metadata = resource["Metadata"]
        assert metadata["aws:asset:property"] == "Code", logical_id
        assert metadata["aws:cdk:path"].startswith("CareerVpVprDev/Functions/"), logical_id
        paths.add(metadata["aws:asset:path"])
    assert len(paths) == 1, "one code asset for every function"


def _assembly(synth: Synth, tmp_path: Path) -> tuple[dict, Path]:
    """The template as `cdk synth` writes it (asset paths relative to cdk.out) and its asset directory."""
    template = json.loads(json.dumps(synth.tpl))
    (key,) = {r["Properties"]["Code"]["S3Key"] for r in synth.resources("AWS::Lambda::Function").values()}
    asset = f"asset.{key.removesuffix('.zip')}"
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Metadata"]["aws:asset:path"] = asset
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "lambdas" / "handlers", tmp_path / asset / "handlers"
    )
    return template, tmp_path


def test_sam_finds_every_handler_in_the_asset(synth: Synth, tmp_path: Path) -> None:
    template, cdk_out = _assembly(synth, tmp_path)
    assert sam_problems(template, cdk_out) == []


def test_a_missing_handler_or_metadata_is_reported(synth: Synth, tmp_path: Path) -> None:
    template, cdk_out = _assembly(synth, tmp_path)
    by_handler = {
        r["Properties"]["Handler"]: k
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
    }
    (asset,) = cdk_out.glob("asset.*")
    (asset / "handlers" / "store.py").unlink()
    del template["Resources"][by_handler["handlers.submit.handler"]]["Metadata"]["aws:asset:path"]

    problems = sam_problems(template, cdk_out)

    assert len(problems) == 2
    assert any(
        p.startswith(by_handler["handlers.store.handler"]) and "handlers/store.py" in p for p in problems
    )
    assert any(
        p.startswith(by_handler["handlers.submit.handler"]) and "no aws:asset:path" in p for p in problems
    )

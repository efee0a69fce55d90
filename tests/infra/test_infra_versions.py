"""Same library versions on AWS as in the tests: every runtime pin, boto3/botocore and Powertools
included, is bundled into the one code asset, and no layer or runtime copy can stand in for it."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import requires, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from stacks import bundling
from stacks.bundling import pinned_versions
from tools import check_asset

from .conftest import Synth

AWS_LIBRARIES = {"boto3", "botocore", "aws-lambda-powertools"}


def test_every_runtime_pin_is_the_version_the_tests_run() -> None:
    pins = pinned_versions()
    assert pins.keys() >= AWS_LIBRARIES, "boto3, botocore and Powertools are pinned, not left to AWS"
    assert {name: version(name) for name in pins} == pins


def test_the_botocore_pin_is_the_one_boto3_accepts() -> None:
    (botocore,) = [
        r for r in map(Requirement, requires("boto3") or []) if r.name == "botocore" and r.marker is None
    ]
    assert pinned_versions()["botocore"] in botocore.specifier


def test_a_loose_pin_is_refused(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("boto3>=1.40\n")
    with pytest.raises(ValueError, match=r"not an exact pin: 'boto3>=1\.40'"):
        pinned_versions(requirements)


def test_no_function_has_a_layer(synth: Synth) -> None:
    functions = synth.resources("AWS::Lambda::Function")
    assert functions
    assert {rid: fn["Properties"].get("Layers") for rid, fn in functions.items()} == dict.fromkeys(functions)


def test_the_bundling_pip_run_installs_exactly_the_pins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed: list[str] = []

    def fake_run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        installed.extend(Path(cmd[cmd.index("--requirement") + 1]).read_text().split())
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(bundling.subprocess, "run", fake_run)
    bundling.PipLocalBundling("3.14").try_bundle(str(tmp_path))
    pins = pinned_versions()
    assert {line.split("==")[0].split("[")[0]: line.split("==")[1] for line in installed} == pins


# ------------------------------------------------------------- the check CI runs on the real asset
def _fake_asset(root: Path, dists: dict[str, str]) -> Path:
    asset = root / "asset.abc123"
    for name, ver in dists.items():
        info = asset / f"{name.replace('-', '_')}-{ver}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n")
        (info / "RECORD").write_text(f"{info.name}/METADATA,,\n")
    return asset


def test_check_asset_passes_the_pinned_asset(tmp_path: Path) -> None:
    asset = _fake_asset(tmp_path, pinned_versions())
    assert check_asset.check_asset(asset, pinned_versions()).problems == []


def test_check_asset_names_a_wrong_and_a_missing_library(tmp_path: Path) -> None:
    dists = pinned_versions()
    dists["botocore"] = "1.0.0"
    del dists["aws-lambda-powertools"]
    problems = check_asset.check_asset(_fake_asset(tmp_path, dists), pinned_versions()).problems
    assert problems == [
        f"aws-lambda-powertools=={pinned_versions()['aws-lambda-powertools']} is pinned but not in the asset",
        f"botocore: asset has 1.0.0, requirements.txt pins {pinned_versions()['botocore']}",
    ]


def test_check_asset_fails_a_function_with_a_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asset = _fake_asset(tmp_path, pinned_versions())
    (asset / "handlers").mkdir()
    (asset / "handlers" / "submit.py").write_text("def handler(event, context): ...\n")
    function = {
        "Type": "AWS::Lambda::Function",
        "Metadata": {"aws:asset:path": "asset.abc123", "aws:asset:property": "Code"},  # what SAM reads
        "Properties": {
            "Code": {"S3Key": "abc123.zip"},
            "Handler": "handlers.submit.handler",
            "Layers": ["arn:aws:lambda:eu-west-1:1:layer:x:1"],
        },
    }
    (tmp_path / "S.template.json").write_text(json.dumps({"Resources": {"Fn": function}}))
    assert check_asset.main([str(tmp_path)]) == 1
    assert "FAIL Fn: has layers" in capsys.readouterr().out

    del function["Properties"]["Layers"]
    (tmp_path / "S.template.json").write_text(json.dumps({"Resources": {"Fn": function}}))
    assert check_asset.main([str(tmp_path)]) == 0

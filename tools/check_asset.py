"""What the functions import on AWS is what the tests ran: checked in the bundled asset itself.

``python -m tools.check_asset [CDK_OUT]`` (``make check-asset``, after ``make synth``): for every Lambda
function of every synthesized template, finds its code asset in the cloud assembly and reads the
``*.dist-info`` of each distribution bundled in it. Fails unless every pin of ``requirements.txt``
(boto3, botocore and aws-lambda-powertools among them) is in the asset at exactly the pinned version,
that version is the one installed where the tests run, and no function has a layer that could shadow
it. Prints the asset's size, unzipped and zipped, and the share of the AWS libraries in it.

It also checks what the SAM CLI needs to run a function of the synthesized template
(``sam local invoke -t cdk.out/<stack>.template.json <logical id>``): each function's ``aws:asset:path``
metadata names its code asset directory in the cloud assembly, ``aws:asset:property`` is ``Code``, and
that directory holds the function's handler module (README, Deploy, "The template with the SAM CLI").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from stacks.bundling import normalize, pinned_versions
from tools import CDK_OUT, synthesized_templates

# The libraries AWS would otherwise provide (runtime boto3, Powertools layer): their size is reported.
AWS_PROVIDED = ("boto3", "botocore", "s3transfer", "aws-lambda-powertools", "aws-xray-sdk")


@dataclass
class AssetReport:
    path: Path
    dists: dict[str, str]  # normalized name -> version found in *.dist-info/METADATA
    problems: list[str] = field(default_factory=list)


def bundled_distributions(asset: Path) -> dict[str, str]:
    """``{normalized name: version}`` of every distribution pip installed into the asset."""
    found = {}
    for metadata in asset.glob("*.dist-info/METADATA"):
        headers = dict(
            line.split(": ", 1)
            for line in metadata.read_text(encoding="utf-8").splitlines()[:20]
            if ": " in line
        )
        found[normalize(headers["Name"])] = headers["Version"]
    return found


def installed_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def check_asset(asset: Path, pins: dict[str, str]) -> AssetReport:
    """Compare one asset directory with the pins and with the environment the tests run in."""
    report = AssetReport(asset, bundled_distributions(asset))
    for name, pinned in sorted(pins.items()):
        bundled, tested = report.dists.get(name), installed_version(name)
        if bundled is None:
            report.problems.append(f"{name}=={pinned} is pinned but not in the asset")
        elif bundled != pinned:
            report.problems.append(f"{name}: asset has {bundled}, requirements.txt pins {pinned}")
        if tested != pinned:
            report.problems.append(f"{name}: the tests run {tested}, requirements.txt pins {pinned}")
    return report


def function_assets(template: dict, cdk_out: Path) -> dict[str, tuple[Path | None, list]]:
    """``{function logical id: (asset directory or None, layers)}``."""
    out = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        props = resource["Properties"]
        key = props.get("Code", {}).get("S3Key")
        asset = cdk_out / f"asset.{key.removesuffix('.zip')}" if isinstance(key, str) else None
        out[logical_id] = (asset if asset and asset.is_dir() else None, props.get("Layers", []))
    return out


def sam_problems(template: dict, cdk_out: Path) -> list[str]:
    """What would stop ``sam local invoke`` from finding a function's code in the cloud assembly."""
    problems = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        metadata = resource.get("Metadata", {})
        asset_path = metadata.get("aws:asset:path")
        if metadata.get("aws:asset:property") != "Code" or not asset_path:
            problems.append(
                f"{logical_id}: no aws:asset:path/aws:asset:property Code metadata for the SAM CLI"
            )
            continue
        key = resource["Properties"].get("Code", {}).get("S3Key", "")
        if isinstance(key, str) and asset_path != f"asset.{key.removesuffix('.zip')}":
            problems.append(f"{logical_id}: aws:asset:path {asset_path} is not its code asset ({key})")
        module = resource["Properties"]["Handler"].rsplit(".", 1)[0].replace(".", "/") + ".py"
        if not (cdk_out / asset_path / module).is_file():
            problems.append(f"{logical_id}: {asset_path}/{module} (its handler) is not in {cdk_out}")
    return problems


def sizes(asset: Path, dists: list[str]) -> tuple[int, int, int]:
    """(unzipped bytes, zipped bytes, unzipped bytes of ``dists``' files), measured on the directory."""
    files = [p for p in asset.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    owned = 0
    for info in asset.glob("*.dist-info"):
        name = normalize(info.name.split("-", 1)[0])  # {name}-{version}.dist-info
        if name in dists and (info / "RECORD").is_file():
            for line in (info / "RECORD").read_text(encoding="utf-8").splitlines():
                target = asset / line.split(",", 1)[0]
                if target.is_file():
                    owned += target.stat().st_size
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(asset))
        zipped = tmp.tell()
    return total, zipped, owned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cdk_out", nargs="?", type=Path, default=CDK_OUT)
    args = parser.parse_args(argv)
    pins = pinned_versions()
    problems: list[str] = []
    assets: set[Path] = set()
    for template_path in synthesized_templates(args.cdk_out):
        template = json.loads(template_path.read_text(encoding="utf-8"))
        for logical_id, (asset, layers) in function_assets(template, args.cdk_out).items():
            if layers:
                problems.append(f"{logical_id}: has layers {json.dumps(layers)}; the asset must be all")
            if asset is None:
                problems.append(f"{logical_id}: code asset not found in {args.cdk_out} (bundling skipped?)")
            else:
                assets.add(asset)
        problems += sam_problems(template, args.cdk_out)
    for asset in sorted(assets):
        report = check_asset(asset, pins)
        problems += [f"{asset.name}: {p}" for p in report.problems]
        total, zipped, aws = sizes(asset, list(AWS_PROVIDED))
        shown = ", ".join(f"{n} {report.dists[n]}" for n in AWS_PROVIDED if n in report.dists)
        print(
            f"{asset.name}: {total / 2**20:.1f} MiB unzipped, {zipped / 2**20:.1f} MiB zipped; "
            f"{aws / 2**20:.1f} MiB of it is {shown}"
        )
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"check-asset: {len(assets)} code asset(s), {len(pins)} pins, {len(problems)} problem(s)")
    return 0 if assets and not problems else 1


if __name__ == "__main__":
    sys.exit(main())

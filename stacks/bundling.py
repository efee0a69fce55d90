"""The Lambda code asset: ``lambdas/`` plus its third-party dependencies, bundled without Docker.

CDK's local bundling (``ILocalBundling``) runs ``pip install`` for the Lambda platform on this
machine: ``--platform manylinux2014_aarch64 --only-binary=:all:`` fetches the arm64 wheels of the
runtime's Python version, whatever the host is. The Docker image fallback is never used: if pip fails,
synthesis fails with pip's message instead of silently trying Docker.

Everything in ``requirements.txt`` is bundled, ``boto3``/``botocore`` and ``aws-lambda-powertools``
included: the functions have no layer and do not use the runtime's own boto3, so on AWS they import
exactly the versions the tests run. Lambda puts the function's code directory (``/var/task``) first on
the Python search path, so a bundled boto3 takes precedence over the one the runtime includes (AWS
Lambda Developer Guide, "Working with .zip file archives for Python Lambda functions", section
"Dependency search path and runtime-included libraries"). README, Deploy, says why and what it costs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = REPO_ROOT / "lambdas"
REQUIREMENTS = REPO_ROOT / "requirements.txt"

# manylinux2014 (glibc 2.17) is what most wheels are tagged with; the python3.13+/AL2023 runtimes have
# glibc 2.34, so wheels that are only published as manylinux_2_28 are acceptable too.
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")

_IGNORED = ("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".mypy_cache", ".ruff_cache")


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name (``Aws_Lambda.Powertools`` -> ``aws-lambda-powertools``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def bundled_requirements(requirements: Path = REQUIREMENTS) -> list[str]:
    """The lines of ``requirements.txt`` that go into the asset (pins kept exactly as written)."""
    kept = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            kept.append(line)
    return kept


def pinned_versions(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """``{normalized name: version}`` of every ``name[extras]==version`` line of ``requirements.txt``."""
    pins = {}
    for line in bundled_requirements(requirements):
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)", line)
        if match is None:
            raise ValueError(f"{requirements.name}: not an exact pin: {line!r}")
        pins[normalize(match.group(1))] = match.group(3)
    return pins


def _source_files() -> list[Path]:
    ignore = shutil.ignore_patterns(*_IGNORED)
    files: list[Path] = []
    for path in sorted(LAMBDAS_DIR.rglob("*")):
        parts = path.relative_to(LAMBDAS_DIR).parts
        if any(ignore(str(path.parent), [part]) for part in parts):
            continue
        if path.is_file():
            files.append(path)
    return files


def asset_hash(runtime: lambda_.Runtime) -> str:
    """Content hash of everything that shapes the bundle: the code, the pins, runtime and platform.

    CDK's default (source) hash would only see ``lambdas/``; a changed pin in ``requirements.txt``
    must produce a new asset too.
    """
    digest = hashlib.sha256()
    digest.update(f"{runtime.name}|{','.join(PLATFORMS)}|".encode())
    digest.update("\n".join(bundled_requirements()).encode())
    for path in _source_files():
        digest.update(str(path.relative_to(LAMBDAS_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@jsii.implements(cdk.ILocalBundling)
class PipLocalBundling:
    """Bundles on the host: ``pip install --target`` for the Lambda platform, then the code."""

    def __init__(self, python_version: str) -> None:
        self.python_version = python_version  # "3.14"

    def try_bundle(self, output_dir: str, *_options: object, **_kwoptions: object) -> bool:
        """Called by CDK with the asset's output directory (the bundling options are not needed)."""
        requirements = bundled_requirements()
        with tempfile.TemporaryDirectory() as tmp:
            req_file = Path(tmp) / "requirements.txt"
            req_file.write_text("\n".join(requirements) + "\n", encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",  # .pyc of the host's Python would be useless on the runtime's version
                *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
                "--only-binary=:all:",
                "--implementation",
                "cp",
                "--python-version",
                self.python_version,
                "--target",
                output_dir,
                "--requirement",
                str(req_file),
            ]
            result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            # Raise instead of returning False: False would make CDK fall back to Docker bundling.
            raise RuntimeError(
                f"Local bundling of the Lambda dependencies failed (pip exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        shutil.copytree(LAMBDAS_DIR, output_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*_IGNORED))
        return True


def lambda_code(runtime: lambda_.Runtime) -> lambda_.Code:
    """One ``Code`` object for all five functions (one asset, uploaded once)."""
    python_version = runtime.name.removeprefix("python")
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=asset_hash(runtime),
        bundling=cdk.BundlingOptions(
            # Required by the API, never run: local bundling always succeeds or raises.
            image=runtime.bundling_image,
            command=["false"],
            local=PipLocalBundling(python_version),
        ),
    )

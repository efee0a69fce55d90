"""``make bench-import``: what bundling boto3/botocore and Powertools costs at cold start, measured.

The functions import the same boto3/botocore/Powertools code whether it comes from the asset, a layer
or the runtime; what bundling changes is that the asset is shipped as ``.py`` only (``--no-compile``:
this machine cannot write bytecode for the runtime's Python), and ``/var/task`` is read-only, so a cold
start compiles every module it imports. This prints, for each handler, from fresh interpreters on this
machine (median of RUNS, run back to back):

- the import time with bytecode available vs with none at all (every module compiled, the standard
  library too, so an upper bound), and their ratio;
- the part of the no-bytecode import spent in the AWS libraries (boto3, botocore, s3transfer,
  aws_lambda_powertools, aws_xray_sdk), summed from ``python -X importtime`` self times.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile

from tests.conftest import ROOT

RUNS = 5
HANDLERS = ("submit", "status", "validate", "generate", "store")
AWS_LIBS = {"boto3", "botocore", "s3transfer", "aws_lambda_powertools", "aws_xray_sdk"}
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)$")


def _import_once(module: str, *, bytecode: bool) -> tuple[float, float]:
    """(seconds to import ``module``, seconds of it spent in AWS_LIBS) in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambdas"), "AWS_DEFAULT_REGION": "eu-west-1"}
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    with tempfile.TemporaryDirectory() as empty_cache:
        if not bytecode:
            # No .pyc is read or written anywhere: every imported module is compiled from source.
            env |= {"PYTHONPYCACHEPREFIX": empty_cache, "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-X", "importtime", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    in_aws = 0
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match and match.group(2).split(".")[0] in AWS_LIBS:
            in_aws += int(match.group(1))
    return float(result.stdout.strip()), in_aws / 1e6


def main() -> None:
    print(f"cold import of each handler, median of {RUNS} fresh interpreters ({sys.version.split()[0]})")
    print(f"{'handler':<10} {'with .pyc':>10} {'no .pyc':>10} {'ratio':>6} {'AWS libs, no .pyc':>18}")
    for name in HANDLERS:
        module = f"handlers.{name}"
        _import_once(module, bytecode=True)  # make sure the bytecode cache of lambdas/ exists
        warm, cold, aws = [], [], []
        for _ in range(RUNS):
            warm.append(_import_once(module, bytecode=True)[0])
            seconds, in_aws = _import_once(module, bytecode=False)
            cold.append(seconds)
            aws.append(in_aws)
        w, c, a = statistics.median(warm), statistics.median(cold), statistics.median(aws)
        times = f"{w * 1000:>8.0f}ms {c * 1000:>8.0f}ms {c / w:>5.2f}x"
        print(f"{name:<10} {times} {a * 1000:>12.0f}ms ({a / c:.0%})")


if __name__ == "__main__":
    main()

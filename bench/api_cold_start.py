"""Cold import of the API handlers vs a naive handler (``bench/naive_handler.py``), fresh processes.

Each sample is a new interpreter that times ``import <module>`` (perf_counter around the import; the
interpreter's own start-up is excluded). The modules are sampled round-robin, so a busy machine slows
all of them alike, and the median of ``runs`` samples is reported. The environment is Lambda's: X-Ray
tracing on (Powertools' Tracer then imports the X-Ray SDK, as in a deployed function), INFO logs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from local import ROOT

MODULES = ("bench.naive_handler", "handlers.submit", "handlers.status")
TARGET_RATIO = 0.25

_PROBE = (
    "import time, importlib; t = time.perf_counter(); importlib.import_module({m!r}); "
    "print(time.perf_counter() - t)"
)


def _lambda_like_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "VPR_", "AWS_"))}
    env.update(
        {
            "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_LAMBDA_FUNCTION_NAME": "cold-import-bench",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_SERVICE_NAME": "vpr",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
    )
    return env


def sample(module: str, env: dict[str, str]) -> float:
    result = subprocess.run(  # noqa: S603 - our own probe
        [sys.executable, "-c", _PROBE.format(m=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def measure(runs: int = 7) -> dict[str, float]:
    env = _lambda_like_env()
    for module in MODULES:  # warm the OS file cache and .pyc files once, like a provisioned sandbox
        sample(module, {**env, "PYTHONDONTWRITEBYTECODE": ""})
    samples: dict[str, list[float]] = {m: [] for m in MODULES}
    for _ in range(runs):
        for module in MODULES:
            samples[module].append(sample(module, env))
    return {m: statistics.median(v) for m, v in samples.items()}


def report(runs: int = 7) -> None:
    medians = measure(runs)
    naive = medians["bench.naive_handler"]
    print(f"cold import, median of {runs} fresh processes each (Lambda-like env, X-Ray tracing on):")
    print(
        "  naive handler (anthropic + Powertools event handler/logger/tracer + boto3 + pydantic): "
        f"{naive * 1000:.0f} ms"
    )
    for module in MODULES[1:]:
        ratio = medians[module] / naive
        verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
        print(
            f"  {module}: {medians[module] * 1000:.0f} ms = {ratio:.2f}x naive ({verdict} <= {TARGET_RATIO}x)"
        )


if __name__ == "__main__":
    report(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

"""``make bench``: local pipeline latency, and what caching moto's task Lambda client buys.

Prints, from one run on this machine:
- submit → COMPLETED latency of the documented example through the real HTTP API (median, p90);
- executions per second with the interpreter's Lambda client built once vs once per task, and their ratio;
- cold import of the submit and status handlers vs a naive handler (``bench/api_cold_start.py``);
- K clients submitting and polling under AWS's documented Step Functions quotas, DescribeExecution
  path vs job-view path (``bench/load.py``; ``VPR_BENCH_CLIENTS``, default 200,
  ``VPR_BENCH_DELAY_SECONDS``, default 30);
- then ``bench/sections.py``: sections vs single generation mode against a fake Claude at a real pace;
- then ``bench/memory.py``: memory the local service retains per job, with and without execution pruning.
Both halves of a ratio are measured back to back in the same process, so the ratio, not the absolute
numbers, is what to compare across machines.
"""

from __future__ import annotations

import copy
import os
import statistics
import threading
import time

import local  # noqa: F401 - puts lambdas/ on sys.path
from bench import api_cold_start, load
from bench.api_client import get_json, post_json

RUNS = 20


def _latencies(api_url: str, example: dict, label: str) -> list[float]:
    results = []
    for i in range(RUNS):
        payload = copy.deepcopy(example)
        payload["application_id"] = f"bench-{label}-{i}"
        started = time.perf_counter()
        job = post_json(f"{api_url}/api/vpr", payload)
        while get_json(f"{api_url}/api/vpr/status/{job['job_id']}")["status"] not in {"COMPLETED", "FAILED"}:
            time.sleep(0.005)
        results.append(time.perf_counter() - started)
    return results


def main() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    from local.api_gateway import ApiGatewayEmulator
    from local.runtime import LocalRuntime, free_port
    from tests.conftest import EXAMPLE_REQUEST

    runtime = LocalRuntime().start()
    api = ApiGatewayEmulator(runtime.handler_for, port=free_port())
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        _latencies(api.url, EXAMPLE_REQUEST, "warmup")
        cached_fn = lambda_eval_utils.boto_client_for
        cached = _latencies(api.url, EXAMPLE_REQUEST, "cached")
        lambda_eval_utils.boto_client_for = cached_fn.__wrapped__
        uncached = _latencies(api.url, EXAMPLE_REQUEST, "uncached")
        lambda_eval_utils.boto_client_for = cached_fn
    finally:
        api.shutdown()
        runtime.stop()

    def summary(values: list[float]) -> str:
        p90 = statistics.quantiles(values, n=10)[-1]
        return f"median {statistics.median(values) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms"

    print(f"documented example, submit -> COMPLETED over HTTP ({RUNS} runs each):")
    print(f"  task Lambda client built once:     {summary(cached)}")
    print(f"  task Lambda client built per task: {summary(uncached)}")
    ratio = statistics.median(uncached) / statistics.median(cached)
    print(f"  ratio (per-task / once, median latency): {ratio:.2f}x")
    print()
    api_cold_start.report()
    print()
    load.report(
        clients=int(os.environ.get("VPR_BENCH_CLIENTS", "200")),
        delay=float(os.environ.get("VPR_BENCH_DELAY_SECONDS", "30")),
    )


if __name__ == "__main__":
    main()
    # Sections vs single mode against a paced fake Claude (a few minutes), in its own process: moto's
    # backends are process-wide, so a second local runtime here would find the first one's resources.
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "bench.sections"], check=True)
    subprocess.run([sys.executable, "-m", "bench.memory"], check=True)  # memory per job, pruned vs not

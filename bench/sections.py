"""``make bench``, part 2: sections mode vs single mode against a fake Claude at a realistic pace.

For the documented example and a Hebrew application, each in both modes, measured in this one run:
submit → COMPLETED wall time over the local HTTP API (the real ASL on moto, the real handlers, the real
anthropic SDK against ``bench/paced_anthropic.py`` at 70 output tokens/s after 1.5 s), Claude calls,
input/output/cache tokens and ``cost_usd`` as the status response reports them, and state transitions
from the execution history with their cost at the Step Functions STANDARD price.

Each mode runs once with a cold prompt cache (the worst case for concurrent section calls: every call
that starts before the first one's answer begins writes the cache), then once more right after with the
cache warm, as at steady traffic (the cached prefix is the same for every job of every user).
"""

from __future__ import annotations

import copy
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import local  # noqa: F401 - puts lambdas/ on sys.path
from bench.api_client import get_json, post_json

#: Step Functions STANDARD workflows: $0.025 per 1,000 state transitions (beyond the free tier of
#: 4,000/month), https://aws.amazon.com/step-functions/pricing/ (us-east-1).
USD_PER_TRANSITION = 0.025 / 1_000
TOKENS_PER_SECOND = float(os.environ.get("VPR_BENCH_TOKENS_PER_SECOND", "70"))
TTFT_SECONDS = float(os.environ.get("VPR_BENCH_TTFT_SECONDS", "1.5"))


def hebrew_request(example: dict[str, Any]) -> dict[str, Any]:
    """The example as a Hebrew posting with four requirements (a typical posting's length)."""
    request = copy.deepcopy(example)
    request["application_id"] = "bench-hebrew"
    request["job_posting"] |= {
        "role_title": "מנהל/ת הדרכה ופיתוח",
        "requirements": [
            "5+ שנות ניסיון בהדרכה ופיתוח עובדים",
            "יכולות אנליטיות חזקות",
            "ניסיון בבניית תוכניות הכשרה",
            "עבודה עם מנהלים בכירים",
        ],
        "language": "he",
    }
    return request


@dataclass
class Job:
    label: str
    mode: str
    seconds: float
    first_visible: float | None
    """Seconds until the status first listed a section in ``sections_ready`` (None: it never did)."""
    calls: int
    usage: dict[str, Any]
    transitions: int
    status: str


def transitions(execution_arn: str) -> int:
    """Billed state transitions: every state entered (Map items' states included) plus every retry."""
    import boto3

    client = boto3.client("stepfunctions")
    events: list[dict] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = client.get_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    entered = sum(1 for e in events if e["type"].endswith("StateEntered"))
    task_entries = sum(1 for e in events if e["type"] == "TaskStateEntered")
    retries = sum(1 for e in events if e["type"] == "LambdaFunctionScheduled") - task_entries
    return entered + retries


def run_job(api_url: str, fake: Any, request: dict, label: str, mode: str, *, cold: bool) -> Job:
    from local.runtime import LocalRuntime

    os.environ["VPR_GENERATION_MODE"] = mode
    LocalRuntime.reload_settings()
    if cold:
        fake.clear_cache()
    calls_before = fake.calls
    payload = copy.deepcopy(request)
    payload["application_id"] = f"{request['application_id']}-{mode}-{'cold' if cold else 'warm'}"
    started = time.perf_counter()
    job = post_json(f"{api_url}/api/vpr", payload)
    status_url = f"{api_url}/api/vpr/status/{job['job_id']}"
    first_visible = None
    while (status := get_json(status_url))["status"] not in {"COMPLETED", "FAILED"}:
        if first_visible is None and status.get("sections_ready"):
            first_visible = time.perf_counter() - started
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    return Job(
        label=label,
        mode=mode,
        seconds=seconds,
        first_visible=first_visible,
        calls=fake.calls - calls_before,
        usage=status.get("token_usage") or {},
        transitions=transitions(job["job_id"]),
        status=status["status"] if status["status"] != "FAILED" else f"FAILED {status.get('error')}",
    )


def _row(job: Job, cache: str) -> str:
    u = job.usage
    first = f"{job.first_visible:5.1f} s" if job.first_visible is not None else "    -  "
    return (
        f"  {job.label:<9} {job.mode:<8} {cache:<5} {first} {job.seconds:7.1f} s  {job.calls:>5}  "
        f"{u.get('input_tokens', 0):>6} {u.get('output_tokens', 0):>7} "
        f"{u.get('cache_creation_input_tokens', 0):>7} {u.get('cache_read_input_tokens', 0):>7}  "
        f"${u.get('cost_usd', 0):.4f}  {job.transitions:>5} "
        f"${job.transitions * USD_PER_TRANSITION:.6f}  {job.status}"
    )


def main() -> None:
    from bench.paced_anthropic import PacedAnthropicServer
    from local.api_gateway import ApiGatewayEmulator
    from local.runtime import LocalRuntime, free_port
    from tests.conftest import EXAMPLE_REQUEST
    from tests.fakes.anthropic_server import FAKE_API_KEY

    fake = PacedAnthropicServer(TOKENS_PER_SECOND, TTFT_SECONDS).start()
    env = {
        "ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_API_KEY": FAKE_API_KEY,
        "VPR_GENERATOR": "claude",
        "VPR_MODEL": "claude-sonnet-5-5",
        "VPR_CLAUDE_MAX_RETRIES": "0",
    }
    os.environ.update(env)
    runtime = LocalRuntime(extra_env=env).start()
    api = ApiGatewayEmulator(runtime.handler_for, port=free_port())
    threading.Thread(target=api.serve_forever, daemon=True).start()
    example = copy.deepcopy(EXAMPLE_REQUEST)
    example["application_id"] = "bench-example"
    rows: list[tuple[Job, str]] = []
    ratios: list[str] = []
    try:
        # Warm-up, not measured: imports, SDK clients and connections, at an instant pace.
        fake.tokens_per_second, fake.ttft_seconds = 1e9, 0.0
        warmup = copy.deepcopy(example) | {"application_id": "bench-warmup"}
        for mode in ("single", "sections"):
            run_job(api.url, fake, warmup, "warmup", mode, cold=True)
        fake.tokens_per_second, fake.ttft_seconds = TOKENS_PER_SECOND, TTFT_SECONDS
        for label, request in (("example", example), ("hebrew", hebrew_request(EXAMPLE_REQUEST))):
            single = run_job(api.url, fake, request, label, "single", cold=True)
            single_warm = run_job(api.url, fake, request, label, "single", cold=False)
            sections = run_job(api.url, fake, request, label, "sections", cold=True)
            warm = run_job(api.url, fake, request, label, "sections", cold=False)
            rows += [(single, "cold"), (single_warm, "warm"), (sections, "cold"), (warm, "warm")]
            n = len(request["job_posting"]["requirements"])
            cost_ratio = warm.usage.get("cost_usd", 0) / max(single_warm.usage.get("cost_usd", 0), 1e-9)
            ratios.append(
                f"  {label} ({n} requirements), sections / single-call wall ({single.seconds:.1f} s):"
            )
            for job, cache in ((sections, "cold"), (warm, "warm")):
                first = (
                    f"{job.first_visible:.1f} s = {job.first_visible / single.seconds:.2f}x"
                    if job.first_visible is not None
                    else "never listed"
                )
                ratios.append(
                    f"    {cache} cache: first visible section {first} (goal <= 0.15x); full report "
                    f"{job.seconds:.1f} s = {job.seconds / single.seconds:.2f}x (goal <= 0.40x)"
                )
            ratios.append(f"    Claude cost sections / single, both warm: {cost_ratio:.2f}x (keep <= 1.50x)")
    finally:
        api.shutdown()
        runtime.stop()
        fake.stop()

    print(
        f"\nsections vs single, fake Claude at {TOKENS_PER_SECOND:g} output tokens/s after "
        f"{TTFT_SECONDS:g} s (submit -> first section in sections_ready, and -> COMPLETED, over HTTP; "
        "one run):"
    )
    print(
        "  job       mode     cache  first     wall     calls   input  output  c.write  c.read  cost_usd  "
        "trans  trans_usd  status"
    )
    for job, cache in rows:
        print(_row(job, cache))
    print("\n".join(ratios))
    print(
        f"  state transitions priced at ${USD_PER_TRANSITION * 1000:.3f} per 1,000 (Step Functions STANDARD)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Load: K clients submit a job each and poll its status until done, under AWS's documented quotas.

Runs the local service (``VPR_AWS_QUOTAS=documented``: Step Functions' API token buckets enforced on
the local endpoint, ``local.quotas``) with the offline generator slowed by ``VPR_OFFLINE_DELAY_SECONDS``
so that all K jobs run at once, and compares two read paths in the same run:

- ``execution``: no job view (``VPR_JOB_VIEW_TABLE`` empty): each poll costs DescribeExecution and,
  while running, GetExecutionHistory — the path before the job view;
- ``view``: the job view: each poll is one DynamoDB GetItem.

Each scenario runs in a fresh subprocess (moto's backends are process-global) and reports: Step
Functions calls throttled (by the meter on the endpoint), 503s seen by clients, Step Functions read
calls per poll, and status latency p50/p99 as clients measured it over HTTP. Clients poll at the
returned ``Retry-After``, then again every 1 s, as impatient clients do.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field

from local import ROOT

READS = ("DescribeExecution", "GetExecutionHistory")


@dataclass
class Result:
    path: str
    poll: str
    clients: int
    delay_seconds: float
    polls: int = 0
    http_503: int = 0
    other_errors: int = 0
    sfn_calls: dict[str, int] = field(default_factory=dict)
    sfn_throttled: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    completed: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _call(method: str, url: str, body: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    for _attempt in range(50):
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"{}")
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.05)  # the listen backlog overflowed: the request never reached the API
    raise RuntimeError(f"cannot reach {url}")


def run_scenario(path: str, poll: str, clients: int, delay: float) -> Result:
    """In this (fresh) process: start the service, drive ``clients`` clients, collect the figures."""
    import http.server

    # The harness's own HTTP server must accept K connections at once (the default backlog is 5).
    http.server.ThreadingHTTPServer.request_queue_size = max(128, clients * 2)
    from local.api_gateway import ApiGatewayEmulator
    from local.runtime import LocalRuntime, free_port
    from tests.conftest import EXAMPLE_REQUEST

    extra = {
        "VPR_AWS_QUOTAS": "documented",
        "VPR_OFFLINE_DELAY_SECONDS": str(delay),
        "VPR_GENERATOR": "offline",
    }
    if path == "execution":
        extra["VPR_JOB_VIEW_TABLE"] = ""
    runtime = LocalRuntime(extra_env=extra).start()
    api = ApiGatewayEmulator(runtime.handler_for, port=free_port())
    threading.Thread(target=api.serve_forever, daemon=True).start()
    result = Result(path=path, poll=poll, clients=clients, delay_seconds=delay)
    lock = threading.Lock()
    start_gate = threading.Barrier(clients)

    def client(i: int) -> None:
        payload = copy.deepcopy(EXAMPLE_REQUEST)
        payload["application_id"] = f"load-{path}-{poll}-{i}"
        start_gate.wait()
        status, _, body = _call("POST", f"{api.url}/api/vpr", payload)
        if status not in (200, 202):
            with lock:
                result.http_503 += status == 503
                result.other_errors += status != 503
            return
        job_url = f"{api.url}/api/vpr/status/{body['job_id']}"
        while True:
            started = time.perf_counter()
            status, headers, body = _call("GET", job_url)
            elapsed = time.perf_counter() - started
            with lock:
                result.polls += 1
                result.latencies.append(elapsed)
                result.http_503 += status == 503
                result.other_errors += status not in (200, 503)
            if status == 200 and body["status"] in ("COMPLETED", "FAILED"):
                with lock:
                    result.completed += body["status"] == "COMPLETED"
                    if body["status"] == "FAILED":
                        code = str(body.get("error_code") or (body.get("error") or {}).get("code"))
                        result.failed[code] = result.failed.get(code, 0) + 1
                return
            wait = float(headers.get("Retry-After", 1)) if poll == "retry-after" else 1.0
            time.sleep(wait)

    runtime.sfn_meter.reset_counts()
    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - began
    result.sfn_calls = dict(runtime.sfn_meter.calls)
    result.sfn_throttled = dict(runtime.sfn_meter.throttled)
    api.shutdown()
    runtime.stop()
    return result


def _scenario_in_subprocess(path: str, poll: str, clients: int, delay: float) -> Result:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    out = subprocess.run(  # noqa: S603 - this module, by its own path
        [sys.executable, "-m", "bench.load", "--scenario", path, poll, str(clients), str(delay)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Result(**json.loads(out.strip().splitlines()[-1]))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(clients: int, delay: float) -> None:
    print(
        f"load: {clients} clients, each submits a job and polls it; offline generator {delay:.0f} s; "
        "VPR_AWS_QUOTAS=documented"
    )
    header = (
        f"  {'read path':<10} {'polling':<12} {'polls':>6} {'SFN throttled':>13} {'503s':>5} "
        f"{'SFN reads/poll':>14} {'p50 ms':>7} {'p99 ms':>7} {'done':>5}"
    )
    print(header)
    results: dict[tuple[str, str], Result] = {}
    for poll in ("retry-after", "1s"):
        for path in ("execution", "view"):
            r = _scenario_in_subprocess(path, poll, clients, delay)
            results[(path, poll)] = r
            reads = sum(r.sfn_calls.get(a, 0) for a in READS)
            throttled = sum(r.sfn_throttled.values())
            print(
                f"  {path:<10} {poll:<12} {r.polls:>6} {throttled:>13} {r.http_503:>5} "
                f"{reads / max(r.polls, 1):>14.2f} {_pct(r.latencies, 0.5) * 1000:>7.0f} "
                f"{_pct(r.latencies, 0.99) * 1000:>7.0f} {r.completed:>5}"
                + (f"  failed: {r.failed}" if r.failed else "")
            )
    for poll in ("retry-after", "1s"):
        old, new = results[("execution", poll)], results[("view", poll)]
        p99_ratio = _pct(old.latencies, 0.99) / max(_pct(new.latencies, 0.99), 1e-9)
        p50_ratio = _pct(old.latencies, 0.5) / max(_pct(new.latencies, 0.5), 1e-9)
        print(
            f"  ratio execution/view ({poll}): status p50 {p50_ratio:.1f}x, p99 {p99_ratio:.1f}x; "
            f"503s {old.http_503} vs {new.http_503}; throttles {sum(old.sfn_throttled.values())} vs "
            f"{sum(new.sfn_throttled.values())}"
        )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--scenario"]:
        path, poll, clients, delay = argv[1], argv[2], int(argv[3]), float(argv[4])
        result = run_scenario(path, poll, clients, delay)
        print(json.dumps(asdict(result)))
        return
    clients = int(os.environ.get("VPR_BENCH_CLIENTS", "200"))
    delay = float(os.environ.get("VPR_BENCH_DELAY_SECONDS", "30"))
    report(clients, delay)


if __name__ == "__main__":
    main(sys.argv[1:])

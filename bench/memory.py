"""``python -m bench.memory``: what the local service retains per job, with and without execution pruning.

One process, the documented example submitted through the API handler and run to the end, N jobs per
phase. Python's allocations are traced (tracemalloc) and the growth per job is printed for:

1. a retention of 50 finished executions (``VPR_LOCAL_EXECUTION_RETENTION``; the warm-up exceeds it):
   what stays per job is the stored report (S3 JSON + Markdown), its job-view item, and what moto's
   DynamoDB server keeps of every UpdateItem (deep copies of the item made in its update path: about
   1.5 KB per call, measured against a one-item table; a job makes 10-20 such calls);
2. no pruning (retention raised beyond the run): moto's execution with its whole history stays too.

The ratio of the two, measured in one run, is the figure to compare across machines.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import sys
import time
import tracemalloc

import local  # noqa: F401 - puts lambdas/ on sys.path

PER_PHASE = int(os.environ.get("VPR_BENCH_MEMORY_JOBS", "150"))


def dynamodb_update_retention(updates: int = 300) -> float:
    """KB moto's DynamoDB server keeps per UpdateItem, against a one-item table (no job involved)."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
    )
    key = [{"AttributeName": "k", "KeyType": "HASH"}]
    dynamodb.create_table(
        TableName="t",
        KeySchema=key,
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def update(n: int) -> None:
        for i in range(n):
            dynamodb.update_item(
                TableName="t",
                Key={"k": {"S": "one"}},
                UpdateExpression="SET v = :v",
                ExpressionAttributeValues={":v": {"N": str(i)}},
            )

    try:
        update(50)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        update(updates)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    finally:
        server.stop()
    return grown / updates / 1024


def main() -> None:
    os.environ["VPR_LOCAL_EXECUTION_RETENTION"] = "50"
    import boto3

    from local.api_gateway import proxy_event
    from local.lambda_router import LocalLambdaContext
    from local.runtime import LocalRuntime
    from tests.conftest import EXAMPLE_REQUEST

    runtime = LocalRuntime(extra_env={"VPR_LOCAL_EXECUTION_RETENTION": "50"}).start()
    submit = runtime.handler_for("submit")
    assert submit is not None
    sfn = boto3.client("stepfunctions")
    counter = iter(range(10**9))

    def run(jobs: int) -> None:
        arns = []
        for _ in range(jobs):
            body = copy.deepcopy(EXAMPLE_REQUEST)
            body["application_id"] = f"bench-memory-{next(counter)}"
            event = proxy_event("POST", "/api/vpr", {"Host": "local"}, json.dumps(body), "/api/vpr", {})
            arns.append(json.loads(submit(event, LocalLambdaContext("submit"))["body"])["job_id"])
        for arn in arns:
            while True:
                try:
                    if sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
                        break
                except sfn.exceptions.ExecutionDoesNotExist:
                    break  # finished, and already pruned
                time.sleep(0.01)
        runtime.events.drain()  # the projector (and the pruning after it) has seen every job
        gc.collect()

    def growth(jobs: int) -> float:
        before = tracemalloc.get_traced_memory()[0]
        run(jobs)
        return (tracemalloc.get_traced_memory()[0] - before) / jobs / 1024

    try:
        run(60)  # warm-up: caches, the first 50 executions
        tracemalloc.start()
        pruned = growth(PER_PHASE)
        os.environ["VPR_LOCAL_EXECUTION_RETENTION"] = "100000"
        runtime.reload_settings()
        kept = growth(PER_PHASE)
    finally:
        tracemalloc.stop()
        runtime.stop()
    print(f"local service memory retained per job ({PER_PHASE} jobs per phase, tracemalloc):")
    print(
        f"  finished executions pruned beyond 50: {pruned:6.1f} KB/job (the stored report and its view item)"
    )
    print(f"  no pruning:                           {kept:6.1f} KB/job")
    print(f"  ratio (pruned / unbounded):           {pruned / kept:.2f}x")
    print(
        "moto's DynamoDB server, retained per UpdateItem (one-item table): "
        f"{dynamodb_update_retention():.2f} KB"
    )


if __name__ == "__main__":
    sys.exit(main())

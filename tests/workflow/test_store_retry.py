"""Store is idempotent per job: a retry after its write finds its own version instead of adding one."""

from __future__ import annotations

import boto3

from vpr.aws.results import ResultStore


def _render(version: int) -> tuple[str, str]:
    return f'{{"version": {version}}}', f"# v{version}"


def test_a_retried_store_returns_its_own_version_and_another_job_gets_the_next(local_runtime):
    store = ResultStore(local_runtime.endpoints.results_bucket)
    job = "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-" + "1" * 64
    other = job.replace("1" * 64, "2" * 64)

    first = store.store("user-retry", "app-retry", _render, job)
    retried = store.store("user-retry", "app-retry", _render, job)  # e.g. the first answer was lost
    second_job = store.store("user-retry", "app-retry", _render, other)

    assert first == retried == ("vpr/user-retry/app-retry/v1.json", 1)
    assert second_job == ("vpr/user-retry/app-retry/v2.json", 2)
    listed = boto3.client("s3").list_objects_v2(
        Bucket=local_runtime.endpoints.results_bucket, Prefix="vpr/user-retry/app-retry/"
    )
    assert sorted(o["Key"].rsplit("/", 1)[1] for o in listed["Contents"]) == [
        "v1.json",
        "v1.md",
        "v2.json",
        "v2.md",
    ]

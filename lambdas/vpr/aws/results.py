"""The result store: versioned report files in S3.

Keys: ``vpr/{user_id}/{application_id}/v{n}.json`` and ``v{n}.md``. The version is allocated by writing
the JSON with ``IfNoneMatch="*"``: S3 refuses (412) if that version exists, and we try the next one, so
two jobs for the same application never overwrite each other.

Each JSON object records the job that wrote it (``x-amz-meta-job-id``), so a Store retried after it
already wrote (its answer lost to a timeout, say) finds its own version instead of writing another.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from vpr.aws.clients import aws_client
from vpr.errors import ResultStoreUnavailable

_VERSION_KEY = re.compile(r"/v(\d+)\.json$")
_MAX_VERSION_ATTEMPTS = 20


def application_prefix(user_id: str, application_id: str) -> str:
    return f"vpr/{user_id}/{application_id}/"


def markdown_key(json_key: str) -> str:
    """``vpr/.../v3.md`` for ``vpr/.../v3.json``: Store writes both files of a version."""
    return json_key.removesuffix(".json") + ".md"


class ResultStore:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def _stored_versions(self, prefix: str) -> list[int]:
        paginator = aws_client("s3").get_paginator("list_objects_v2")
        versions = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                if match := _VERSION_KEY.search(obj["Key"]):
                    versions.append(int(match.group(1)))
        return versions

    def _version_written_by(self, prefix: str, versions: list[int], job_id: str) -> int | None:
        """The version this job already stored, if any (newest first: a retry follows its own write)."""
        s3 = aws_client("s3")
        for version in sorted(versions, reverse=True):
            head = s3.head_object(Bucket=self.bucket, Key=f"{prefix}v{version}.json")
            if head.get("Metadata", {}).get("job-id") == job_id:
                return version
        return None

    def store(
        self,
        user_id: str,
        application_id: str,
        render: Callable[[int], tuple[str, str]],
        job_id: str | None = None,
    ) -> tuple[str, int]:
        """Write the report under the next free version; ``render(version)`` gives the JSON and Markdown.

        With ``job_id``, idempotent per job: a version this job already wrote is completed (its Markdown
        written again) and returned, not duplicated.
        """
        s3 = aws_client("s3")
        prefix = application_prefix(user_id, application_id)
        try:
            stored = self._stored_versions(prefix)
            own = self._version_written_by(prefix, stored, job_id) if job_id else None
            if own is not None:
                self._put_markdown(prefix, own, render(own)[1])
                return f"{prefix}v{own}.json", own
            version = max(stored, default=0) + 1
            for _ in range(_MAX_VERSION_ATTEMPTS):
                body_json, body_md = render(version)
                key = f"{prefix}v{version}.json"
                try:
                    s3.put_object(
                        Bucket=self.bucket,
                        Key=key,
                        Body=body_json.encode(),
                        ContentType="application/json",
                        IfNoneMatch="*",
                        Metadata={"job-id": job_id} if job_id else {},
                    )
                except ClientError as error:
                    if error.response["Error"]["Code"] in {
                        "PreconditionFailed",
                        "ConditionalRequestConflict",
                    }:
                        version += 1  # another job took this version between our list and our write
                        continue
                    raise
                self._put_markdown(prefix, version, body_md)
                return key, version
        except (ClientError, BotoCoreError) as error:
            raise ResultStoreUnavailable() from error
        raise ResultStoreUnavailable("Could not allocate a report version: too many concurrent writers.")

    def _put_markdown(self, prefix: str, version: int, body_md: str) -> None:
        aws_client("s3").put_object(
            Bucket=self.bucket,
            Key=markdown_key(f"{prefix}v{version}.json"),
            Body=body_md.encode(),
            ContentType="text/markdown; charset=utf-8",
        )

    def stored_files(self, json_key: str) -> set[str]:
        """The keys still stored of the version ``json_key`` names (its ``.json`` and ``.md``).

        One ListObjectsV2 of the version's own prefix (``.../v3.``, which ``v30`` does not share), not
        a HeadObject per file: it tells a lifecycle-expired report from a present one under the
        prefix-scoped ``s3:ListBucket`` grant (``s3:prefix`` is a documented condition key of
        ListObjectsV2). A HeadObject of a missing key answers 404 only with ``s3:ListBucket`` on the
        bucket, and that implicit check carries no ``s3:prefix``; without it S3 says 403.
        """
        prefix = json_key.removesuffix("json")
        page = aws_client("s3").list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=10)
        return {obj["Key"] for obj in page.get("Contents", [])}

    def presign(self, key: str, ttl_seconds: int) -> tuple[str, datetime]:
        """A short-lived GET link to a stored result (SigV4), and when it expires."""
        url = aws_client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=ttl_seconds
        )
        return url, datetime.now(UTC) + timedelta(seconds=ttl_seconds)

"""What users need survives a restart of the local service: a write journal of S3 and DynamoDB.

moto keeps everything in memory, so a restart (or a ``kill -9``) would lose every stored report, profile
and job-view item. Every successful write this process sends to the local AWS endpoint (S3 PutObject /
DeleteObject, DynamoDB PutItem / UpdateItem / DeleteItem) is appended to ``journal.jsonl`` in the data
directory as it happens — through botocore's public event API, so the handlers' code is unchanged. At
start the journal is replayed into the fresh moto, then compacted into one write per object and item.

Step Functions executions are not journaled: they cannot be resumed by another process. What the status
path needs lives in the job view (a DynamoDB table, journaled); jobs that were running when the process
died are marked FAILED by the runtime after the replay (``mark_interrupted_jobs``).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.handlers
from botocore import xform_name
from botocore.exceptions import ClientError

JOURNALED = {
    "s3": {"PutObject", "DeleteObject"},
    "dynamodb": {"PutItem", "UpdateItem", "DeleteItem"},
}
_PARAMS_KEY = "vpr_journal_params"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class WriteJournal:
    """Append-only record of this process's writes to the local S3 and DynamoDB, replayed at start."""

    def __init__(self, data_dir: Path, endpoint: str) -> None:
        self.path = data_dir / "journal.jsonl"
        self.endpoint = endpoint
        self._lock = threading.Lock()
        self._file: Any = None
        data_dir.mkdir(parents=True, exist_ok=True)

    # --- recording -----------------------------------------------------------------------------------
    def install(self) -> None:
        """Journal the writes of every boto3 client of this process (present and future sessions)."""
        global _active_journal
        _active_journal = self
        self._file = self.path.open("a", encoding="utf-8")
        for service, operations in JOURNALED.items():
            for operation in operations:
                for event, handler in (
                    (f"before-parameter-build.{service}.{operation}", _remember_params),
                    (f"after-call.{service}.{operation}", _record),
                ):
                    if (event, handler) not in botocore.handlers.BUILTIN_HANDLERS:
                        botocore.handlers.BUILTIN_HANDLERS.append((event, handler))
                    boto3._get_default_session().events.register(event, handler, unique_id=f"vpr-{event}")

    def uninstall(self) -> None:
        global _active_journal
        if _active_journal is self:
            _active_journal = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def append(self, service: str, operation: str, params: dict[str, Any]) -> None:
        line = json.dumps({"service": service, "operation": operation, "params": _encode(params)})
        with self._lock:
            if self._file is not None:
                self._file.write(line + "\n")
                self._file.flush()  # in the OS's hands at once: a kill -9 loses nothing written

    # --- restoring -----------------------------------------------------------------------------------
    def replay(self) -> int:
        """Apply the journal to the (fresh) local AWS; returns the number of writes applied."""
        if not self.path.exists():
            return 0
        applied = 0
        clients: dict[str, Any] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the last line of a process killed mid-write
            service = entry["service"]
            client = clients.setdefault(service, boto3.client(service, endpoint_url=self.endpoint))
            method = getattr(client, xform_name(entry["operation"]))
            try:
                method(**_decode(entry["params"]))
                applied += 1
            except ClientError:
                pass  # a conditional write that also failed the first time it was journaled
        return applied

    def compact(self, buckets: list[str], tables: list[str]) -> None:
        """Rewrite the journal as one write per live object and item (it never grows without bound)."""
        s3, dynamodb = (boto3.client(s, endpoint_url=self.endpoint) for s in ("s3", "dynamodb"))
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for bucket in buckets:
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                    for obj in page.get("Contents", []):
                        got = s3.get_object(Bucket=bucket, Key=obj["Key"])
                        params = {"Bucket": bucket, "Key": obj["Key"], "Body": got["Body"].read()}
                        if got.get("ContentType"):
                            params["ContentType"] = got["ContentType"]
                        out.write(
                            json.dumps({"service": "s3", "operation": "PutObject", "params": _encode(params)})
                        )
                        out.write("\n")
            for table in tables:
                for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
                    for item in page["Items"]:
                        params = {"TableName": table, "Item": item}
                        out.write(
                            json.dumps({"service": "dynamodb", "operation": "PutItem", "params": params})
                        )
                        out.write("\n")
        os.replace(temporary, self.path)


_active_journal: WriteJournal | None = None


def fail_interrupted_jobs(job_view_table: str, endpoint: str) -> int:
    """Jobs the view still shows running died with the previous process: FAILED, with a clear code.

    (Their executions lived in moto's memory; nothing will ever finish them, and a poll must not wait
    forever.) Returns how many were marked.
    """
    from vpr.aws.jobview import SEQ_TERMINAL, JobView, failed_update
    from vpr.errors import LOCAL_RUNTIME_RESTARTED, SYSTEM_ERROR_MESSAGES

    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
    view = JobView(job_view_table)
    now = datetime.now(UTC)
    message = SYSTEM_ERROR_MESSAGES[LOCAL_RUNTIME_RESTARTED]
    marked = 0
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=job_view_table,
        ConsistentRead=True,
        FilterExpression="#status = :running",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":running": {"S": "RUNNING"}},
    ):
        for item in page["Items"]:
            attempt = int(item.get("seq", {}).get("N", "0")) // 1000  # a redriven job: its attempt's end
            update = failed_update(
                "FAILED", LOCAL_RUNTIME_RESTARTED, message, now, attempt * 1000 + SEQ_TERMINAL
            )
            marked += view.apply(item["job_id"]["S"], update)
    return marked


def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS_KEY] = dict(params)


def _record(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
    journal = _active_journal
    if journal is None or http_response is None or not 200 <= http_response.status_code < 300:
        return
    if not str(getattr(http_response, "url", "")).startswith(journal.endpoint):
        return  # only writes to the local AWS endpoint
    params = context.get(_PARAMS_KEY)
    if params is not None:
        journal.append(model.service_model.service_name, model.name, params)

"""The job view: one DynamoDB item per job, holding what ``GET /api/vpr/status`` needs.

Why it exists: Step Functions' read APIs are throttled per account (DescribeExecution refills at 15
calls/s in the largest regions), so polling clients must not read Step Functions. Step Functions stays
the source of truth; this table is a read model written by submit, by each workflow task as it starts,
by Store, and by the projector of EventBridge status-change events.

Writers can arrive twice and out of order (EventBridge delivers at least once, in no guaranteed order;
a task can be retried). Every write therefore carries a **sequence number** ``seq`` and is conditional
on ``attribute_not_exists(seq) OR seq < :seq``: an update never replaces a later one, a duplicate is
refused, and a terminal state (seq 990) is never overwritten by anything earlier. The ordering:

- ``redrive_count * 1000`` + phase, where the phase is 0 for a started job, ``STAGE_SEQ`` for the
  stage a task enters, 900 for Store's completed result, 990 for the execution's terminal event and
  995 for the owner's cancel once Step Functions has confirmed the stop.
  Store's write (900) lets the status turn COMPLETED before the event arrives; the terminal event (990)
  still wins over it, because Step Functions, not a task, decides how the execution ended.

The 202 "job accepted" claim is a separate conditional attribute (``submitted_at``), not
``attribute_not_exists(job_id)``: a task or the projector may create the item before the submitter
writes it (locally a job can finish in 100 ms), and exactly one submitter must still win the claim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError

from vpr.aws.clients import aws_client

#: Order of the workflow's task states: a later stage never gives way to an earlier one.
#: Issue 9's section tasks add their state names here (between Generate and Store).
STAGE_ORDER = ("Validate", "Plan", "Generate", "WriteSections", "Assemble", "Store")
STAGE_SEQ = {name: 10 * (i + 1) for i, name in enumerate(STAGE_ORDER)}
SEQ_STARTED = 0
SEQ_STORED = 900
SEQ_TERMINAL = 990
#: The owner's cancel, once Step Functions confirms the stop: outranks the ABORTED event (990), whose
#: detail may not name the StopExecution error that says the owner asked for it.
SEQ_CANCELLED = 995
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
#: What a RUNNING write clears: a redriven execution's earlier failure no longer holds.
RUNNING_REMOVES = ("error_code", "error_message", "completed_at")
#: The attempt (redrive count) whose cancel was asked for: tasks check it before they call Claude.
CANCEL_REQUESTED = "cancel_requested"
#: What a task's "still running?" read fetches (``attempt_state``); its IAM grant names exactly these.
LIVENESS_ATTRIBUTES = ("status", "seq", CANCEL_REQUESTED)
AttemptState = Literal["running", "cancelling", "ended"]
#: What the section tasks record of the sections themselves; a completed job's write removes them (the
#: report is then one presigned link away, and every poll reads the whole item). A failed job keeps them.
SECTION_TEXT_ATTRIBUTES = ("sections_ready", "section_ids", "sections_plan")
#: What a read of the view fetches (its ProjectionExpression): the readers' IAM grant names exactly
#: these (``dynamodb:Attributes``), so a read never returns an attribute its role may not see.
RECORD_ATTRIBUTES = (
    "job_id", "status", "owner", "application_id", "stage", "sections_done", "sections_total",
    "created_at", "updated_at", "completed_at", "result_key", "vpr_version", "word_count",
    "token_usage", "error_code", "error_message", "seq", "submitted_at", "sections_ready", "sections_plan",
)  # fmt: skip
_PROJECTION = {
    "ProjectionExpression": ", ".join(f"#p{i}" for i in range(len(RECORD_ATTRIBUTES))),
    "ExpressionAttributeNames": {f"#p{i}": name for i, name in enumerate(RECORD_ATTRIBUTES)},
}


@dataclass(frozen=True)
class JobRecord:
    """One job as the view holds it (statuses in Step Functions' vocabulary)."""

    job_id: str
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    owner: str | None = None
    application_id: str | None = None
    stage: str | None = None  # the task state entered last; None = queued
    sections_done: int | None = None
    sections_total: int | None = None
    sections_planned: tuple[dict[str, str], ...] = ()
    sections_ready: tuple[dict[str, Any], ...] = ()  # as the section tasks recorded them (any order)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    result_key: str | None = None
    vpr_version: int | None = None
    word_count: int | None = None
    token_usage: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    seq: int = 0
    submitted: bool = False

    @property
    def answers_status(self) -> bool:
        """Enough to answer a poll: an owner to check, and a result key if it says SUCCEEDED.

        (A task may create the item before submit writes the owner; an EventBridge event may omit an
        output over 248 KB. Such an item sends the status handler to Step Functions once, to repair it.)
        """
        return bool(self.owner) and (self.status != "SUCCEEDED" or bool(self.result_key))


@dataclass(frozen=True)
class Update:
    """Attributes one writer sets; ``created_at``/``owner``/``application_id`` only fill gaps."""

    seq: int
    status: str | None = None
    stage: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    fill: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()


def _attr(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, datetime):
        return {"S": _iso(value)}
    if isinstance(value, dict):
        return {"S": json.dumps(value, sort_keys=True)}
    return {"S": str(value)}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _time(item: dict[str, Any], name: str) -> datetime | None:
    return datetime.fromisoformat(item[name]["S"]) if name in item else None


def _int(item: dict[str, Any], name: str) -> int | None:
    return int(item[name]["N"]) if name in item else None


def _str(item: dict[str, Any], name: str) -> str | None:
    return item[name]["S"] if name in item else None


class JobView:
    """Data access for the job view table (low-level client: no boto3 resource layer at cold start)."""

    def __init__(self, table_name: str, ttl_days: int = 90) -> None:
        self.table_name = table_name
        self.ttl_days = ttl_days

    # --- reads -------------------------------------------------------------------------------------
    def get(self, job_id: str) -> JobRecord | None:
        """The job's item, read consistently (a poll right after submit must see the submit)."""
        item = (
            aws_client("dynamodb")
            .get_item(
                TableName=self.table_name, Key={"job_id": {"S": job_id}}, ConsistentRead=True, **_PROJECTION
            )
            .get("Item")
        )
        if not item or "status" not in item:
            return None
        usage = _str(item, "token_usage")
        return JobRecord(
            job_id=job_id,
            status=item["status"]["S"],
            owner=_str(item, "owner"),
            application_id=_str(item, "application_id"),
            stage=_str(item, "stage"),
            sections_done=_int(item, "sections_done"),
            sections_total=_int(item, "sections_total"),
            sections_planned=tuple(json.loads(_str(item, "sections_plan") or "[]")),
            sections_ready=tuple(json.loads(e["S"]) for e in item.get("sections_ready", {}).get("L", [])),
            created_at=_time(item, "created_at"),
            updated_at=_time(item, "updated_at"),
            completed_at=_time(item, "completed_at"),
            result_key=_str(item, "result_key"),
            vpr_version=_int(item, "vpr_version"),
            word_count=_int(item, "word_count"),
            token_usage=json.loads(usage) if usage else None,
            error_code=_str(item, "error_code"),
            error_message=_str(item, "error_message"),
            seq=_int(item, "seq") or 0,
            submitted="submitted_at" in item,
        )

    # --- writes ------------------------------------------------------------------------------------
    def claim_submission(self, job_id: str, owner: str, application_id: str, created_at: datetime) -> bool:
        """Record a new job; True for exactly one caller per job (the one that may answer 202).

        StartExecution with the name and input of a *running* execution succeeds again (documented
        idempotency of STANDARD workflows), so many concurrent identical submitters all get here.
        """
        values = {":o": owner, ":a": application_id, ":c": created_at, ":now": datetime.now(UTC)}
        values |= {":running": "RUNNING", ":zero": SEQ_STARTED, ":ttl": self._expiry(created_at)}
        return self._update_if(
            job_id,
            UpdateExpression=(
                "SET #owner = :o, application_id = :a, created_at = if_not_exists(created_at, :c), "
                "submitted_at = :now, updated_at = if_not_exists(updated_at, :now), "
                "#status = if_not_exists(#status, :running), seq = if_not_exists(seq, :zero), "
                "expires_at = if_not_exists(expires_at, :ttl)"
            ),
            ConditionExpression="attribute_not_exists(submitted_at)",
            ExpressionAttributeNames={"#owner": "owner", "#status": "status"},
            ExpressionAttributeValues={k: _attr(v) for k, v in values.items()},
        )

    def enter_stage(self, job_id: str, stage: str, redrive_count: int = 0) -> bool:
        """A workflow task starts: the job is in ``stage``. False if a later write is already there."""
        return self.apply(
            job_id, Update(seq=redrive_count * 1000 + STAGE_SEQ[stage], status="RUNNING", stage=stage)
        )

    def section_written(
        self,
        job_id: str,
        section_id: str,
        planned: list[dict[str, str]],
        ready: dict[str, Any] | None = None,
        redrive_count: int = 0,
    ) -> bool:
        """Sections mode: one more section written; ``ready`` (its text) is appended when given.

        One conditional UpdateItem: ``section_ids`` (a string set) records which sections were
        counted, so a retried section is neither counted nor listed twice; and only while the job is
        still writing its sections (its ``seq`` not past WriteSections of this attempt), so a late
        section never changes a job that is assembling or finished. False when either condition
        refuses it. A redrive (attempt ``redrive_count``) reruns only the sections that had not
        finished: the earlier ones stay counted, listed and in ``section_ids``, so each is listed once.

        Why the text lives in the item and not behind presigned links: a section is a few KB and every
        section of a job also travels in the workflow state, which Step Functions caps at 256 KiB, so
        the item stays below DynamoDB's 400 KB; a poll then stays one GetItem, where links would cost
        an S3 write per section and a HeadObject + presign per section per poll. Store's write removes
        the texts again (``completed_update``), so a finished job's item is small to read.
        """
        values: dict[str, Any] = {
            ":one": {"N": "1"},
            ":id": {"SS": [section_id]},
            ":id_value": {"S": section_id},
            ":total": {"N": str(len(planned))},
            ":plan": {"S": json.dumps(planned, ensure_ascii=False)},
            ":writing": {"N": str(redrive_count * 1000 + STAGE_SEQ["WriteSections"])},
        }
        sets = ["sections_total = :total", "sections_plan = :plan"]
        if ready is not None:
            values[":empty"] = {"L": []}
            values[":entry"] = {"L": [{"S": json.dumps(ready, ensure_ascii=False)}]}
            sets.append("sections_ready = list_append(if_not_exists(sections_ready, :empty), :entry)")
        return self._update_if(
            job_id,
            UpdateExpression="ADD sections_done :one, section_ids :id SET " + ", ".join(sets),
            ConditionExpression="#seq <= :writing AND "
            "(attribute_not_exists(section_ids) OR NOT contains(section_ids, :id_value))",
            ExpressionAttributeNames={"#seq": "seq"},
            ExpressionAttributeValues=values,
        )

    def request_cancel(self, job_id: str, redrive_count: int) -> None:
        """Before StopExecution: from now on this attempt's tasks start no Claude call (``attempt_ended``).

        Unsequenced: it only ever says "stop", and it names the attempt, so a later redrive runs freely.
        """
        aws_client("dynamodb").update_item(
            TableName=self.table_name,
            Key={"job_id": {"S": job_id}},
            UpdateExpression="SET #cancel = :attempt",
            ExpressionAttributeNames={"#cancel": CANCEL_REQUESTED},
            ExpressionAttributeValues={":attempt": _attr(redrive_count)},
        )

    def attempt_state(self, job_id: str, redrive_count: int) -> AttemptState:
        """Attempt ``redrive_count`` of the job: ``running``, ``cancelling`` (its cancel was asked for; the
        stop is landing) or ``ended`` (a terminal write of this attempt). One consistent GetItem of three
        attributes: what a task pays before a Claude call.
        """
        item = (
            aws_client("dynamodb")
            .get_item(
                TableName=self.table_name,
                Key={"job_id": {"S": job_id}},
                ConsistentRead=True,
                ProjectionExpression=", ".join(f"#l{i}" for i in range(len(LIVENESS_ATTRIBUTES))),
                ExpressionAttributeNames={f"#l{i}": name for i, name in enumerate(LIVENESS_ATTRIBUTES)},
            )
            .get("Item")
        ) or {}
        if _str(item, "status") in TERMINAL_STATUSES and (_int(item, "seq") or 0) >= redrive_count * 1000:
            return "ended"
        return "cancelling" if _int(item, CANCEL_REQUESTED) == redrive_count else "running"

    def withdraw_cancel(self, job_id: str, redrive_count: int) -> None:
        """The cancel of this attempt did not happen (StopExecution failed): its tasks may go on."""
        self._update_if(
            job_id,
            UpdateExpression="REMOVE #cancel",
            ConditionExpression="#cancel = :attempt",
            ExpressionAttributeNames={"#cancel": CANCEL_REQUESTED},
            ExpressionAttributeValues={":attempt": _attr(redrive_count)},
        )

    def apply(self, job_id: str, update: Update) -> bool:
        """Write ``update`` unless the item already holds a write with the same or a later ``seq``."""
        now = datetime.now(UTC)
        sets = {"seq": update.seq, "updated_at": now, **update.values}
        if update.status is not None:
            sets["status"] = update.status
        if update.stage is not None:
            sets["stage"] = update.stage
        fill = {"expires_at": self._expiry(now), **update.fill}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        clauses = []
        for i, (name, value) in enumerate(sets.items()):
            names[f"#s{i}"] = name
            values[f":s{i}"] = _attr(value)
            clauses.append(f"#s{i} = :s{i}")
        for i, (name, value) in enumerate(fill.items()):
            names[f"#f{i}"] = name
            values[f":f{i}"] = _attr(value)
            clauses.append(f"#f{i} = if_not_exists(#f{i}, :f{i})")
        expression = "SET " + ", ".join(clauses)
        removals = [r for r in update.remove if r not in sets]
        if removals:
            for i, name in enumerate(removals):
                names[f"#r{i}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removals)))
        names["#seq"] = "seq"
        values[":seq"] = _attr(update.seq)
        return self._update_if(
            job_id,
            UpdateExpression=expression,
            ConditionExpression="attribute_not_exists(#seq) OR #seq < :seq",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def fill(self, job_id: str, values: dict[str, Any]) -> None:
        """Set attributes only where the item lacks them (no ordering: they never change once set).

        The status fallback uses it for an item a task created before submit could write the owner:
        the sequenced write alone would be refused there (same stage), and polls would keep falling back.
        """
        if not values:
            return
        names = {f"#f{i}": name for i, name in enumerate(values)}
        attrs = {f":f{i}": _attr(value) for i, value in enumerate(values.values())}
        aws_client("dynamodb").update_item(
            TableName=self.table_name,
            Key={"job_id": {"S": job_id}},
            UpdateExpression="SET "
            + ", ".join(f"#f{i} = if_not_exists(#f{i}, :f{i})" for i in range(len(values))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=attrs,
        )

    def _update_if(self, job_id: str, **update: Any) -> bool:
        """One conditional UpdateItem of the job's item: False when its condition does not hold."""
        try:
            aws_client("dynamodb").update_item(
                TableName=self.table_name, Key={"job_id": {"S": job_id}}, **update
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _expiry(self, start: datetime) -> int:
        """TTL: Step Functions keeps a closed execution's history 90 days; the view keeps the job as long."""
        return int((start + timedelta(days=self.ttl_days)).timestamp())


def completed_update(result: dict[str, Any], completed_at: datetime, seq: int) -> Update:
    """The write of a SUCCEEDED job from the execution's output (Store's result)."""
    values: dict[str, Any] = {"completed_at": completed_at}
    for name in ("result_key", "vpr_version", "word_count", "token_usage"):
        if result.get(name) is not None:
            values[name] = result[name]
    return Update(
        seq=seq,
        status="SUCCEEDED",
        stage="Store",
        values=values,
        remove=("error_code", "error_message", *SECTION_TEXT_ATTRIBUTES),
    )


def failed_update(status: str, code: str, message: str, stopped_at: datetime, seq: int) -> Update:
    """The write of a FAILED, TIMED_OUT or ABORTED job (its user-safe error)."""
    return Update(
        seq=seq,
        status=status,
        values={"completed_at": stopped_at, "error_code": code, "error_message": message},
        remove=("result_key", "vpr_version", "word_count", "token_usage"),
    )

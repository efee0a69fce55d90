"""The profile store: one DynamoDB item per user, the CV as a JSON string attribute ``profile``."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from vpr.aws.clients import aws_client
from vpr.errors import ProfileStoreUnavailable
from vpr.models import CandidateProfile

_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "InternalServerError",
    "RequestLimitExceeded",
}


class ProfileStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def get(self, user_id: str) -> CandidateProfile | None:
        try:
            item = (
                aws_client("dynamodb")
                .get_item(TableName=self.table_name, Key={"user_id": {"S": user_id}}, ConsistentRead=True)
                .get("Item")
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in _TRANSIENT:
                raise ProfileStoreUnavailable() from error
            raise
        except BotoCoreError as error:
            raise ProfileStoreUnavailable() from error
        if not item or "profile" not in item:
            return None
        return CandidateProfile.model_validate_json(item["profile"]["S"])

    def put(self, user_id: str, profile: CandidateProfile) -> None:
        aws_client("dynamodb").put_item(
            TableName=self.table_name,
            Item={"user_id": {"S": user_id}, "profile": {"S": profile.model_dump_json(exclude_none=True)}},
        )

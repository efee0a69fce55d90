"""Results and data: the results bucket, the profile table and the Anthropic key secret, with their grants.

    store --PutObject v{n}.json/.md--> results bucket <--presigned GET-- the web client / curl
    validate --GetItem--> profile table            generate/section/assemble --GetSecretValue--> key

Each grant method gives one role exactly what one caller needs (``tests/infra/test_infra_permissions.py``
proves each against the calls recorded in realistic runs).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.config import VprConfig

RESULTS_PREFIX = "vpr/"


def service_table(
    scope: Construct, construct_id: str, config: VprConfig, table_name: str, key: str, **options: object
) -> dynamodb.Table:
    """A table of this service: string partition ``key``, on demand, AWS-managed encryption, PITR,
    deletion protection in prod; ``options`` add to (or override) that."""
    return dynamodb.Table(
        scope,
        construct_id,
        table_name=table_name,
        partition_key=dynamodb.Attribute(name=key, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=config.env == "prod",
        **options,
    )


class Data(Construct):
    """What the service stores: reports (S3), candidate profiles (DynamoDB), the Anthropic key."""

    def __init__(self, scope: Construct, construct_id: str, config: VprConfig) -> None:
        super().__init__(scope, construct_id)
        naming = config.naming
        # Encryption: SSE-S3 (AES-256). The reports are reachable only through the store/status roles
        # (prefix-scoped IAM) and short-lived presigned GETs; SSE-KMS would add a KMS call per PUT and
        # per presigned download and a kms:Decrypt grant behind every link, without narrowing who can
        # read (the same two roles would hold the key grant).
        # Versioning: off. Every report version is already its own object (v{n}.json, v{n}.md), and the
        # store task writes with If-None-Match, so nothing is ever overwritten; S3 versioning would
        # only keep duplicates past the lifecycle expiry.
        self.results_bucket = s3.Bucket(
            self,
            "ResultsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=False,
            # The web client fetches a report through its presigned link (GET only, its own origins).
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET],
                    allowed_origins=list(config.cors_allowed_origins),
                    max_age=3600,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-old-results",
                    prefix=RESULTS_PREFIX,
                    expiration=cdk.Duration.days(config.results_expiration_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,  # reports are user data: never deleted with the stack
        )

        # One item per candidate: {"user_id": S, "profile": S (the profile as a JSON string)}.
        self.profile_table = service_table(
            self,
            "ProfileTable",
            config,
            naming.profile_table,
            "user_id",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

        # The key is set after deployment (see README, Deploy). Until then the secret holds a random
        # placeholder and Claude calls fail authentication (a permanent, clearly reported job error).
        # Encrypted with the AWS managed key aws/secretsmanager: readers need no kms grant of their own.
        self.anthropic_secret = secretsmanager.Secret(
            self,
            "AnthropicApiKey",
            secret_name=naming.anthropic_secret,
            description="Anthropic API key (plain SecretString) used by the VPR generate function",
        )

    # --------------------------------------------------------------------------------------- grants
    @property
    def results_arn(self) -> str:
        return self.results_bucket.arn_for_objects(f"{RESULTS_PREFIX}*")

    def _list_results(self, role: iam.IRole, sid: str) -> None:
        """ListObjectsV2 under ``vpr/`` only (``s3:prefix``, a condition key of s3:ListBucket)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid=sid,
                actions=["s3:ListBucket"],
                resources=[self.results_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{RESULTS_PREFIX}*"]}},
            )
        )

    def grant_store_results(self, role: iam.IRole) -> None:
        """Store: list an application's versions, HeadObject its own earlier write, put new versions."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="WriteResults", actions=["s3:PutObject", "s3:GetObject"], resources=[self.results_arn]
            )
        )
        self._list_results(role, "ListResultVersions")

    def grant_link_results(self, role: iam.IRole) -> None:
        """Status: see whether a version's files are still stored (a listing), presign GETs of them."""
        role.add_to_principal_policy(
            iam.PolicyStatement(sid="PresignResults", actions=["s3:GetObject"], resources=[self.results_arn])
        )
        self._list_results(role, "SeeExpiredResults")

    def grant_read_profiles(self, role: iam.IRole) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadProfile", actions=["dynamodb:GetItem"], resources=[self.profile_table.table_arn]
            )
        )

    def grant_read_anthropic_key(self, role: iam.IRole) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadAnthropicKey",
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.anthropic_secret.secret_arn],
            )
        )

"""BucketReplication: cross-region replication of the application bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket_replication_configuration import (
    S3BucketReplicationConfigurationA,
    S3BucketReplicationConfigurationRule,
    S3BucketReplicationConfigurationRuleDeleteMarkerReplication,
    S3BucketReplicationConfigurationRuleDestination,
    S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration,
    S3BucketReplicationConfigurationRuleDestinationMetrics,
    S3BucketReplicationConfigurationRuleFilter,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteria,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteriaReplicaModifications,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects,
)
from constructs import Construct

from .alarms import AlarmSpec, metric_alarm
from .iam import policy_document, service_role
from .naming import Naming

REPLICATION_FAILED = AlarmSpec(
    id="replication-failed",
    description=(
        "Objects of the application bucket failed to replicate to another region (S3 Replication metrics, "
        "OperationsFailedReplication): that region would miss them after a failover"
    ),
    namespace="AWS/S3",
    metric_name="OperationsFailedReplication",
    statistic="Sum",
    evaluation_periods=1,
    threshold=0,
    comparison_operator="GreaterThanThreshold",
    treat_missing_data="notBreaching",
    period_seconds=300,
)
"""Any failed replication in five minutes (S3 User Guide, "Monitoring progress with
replication metrics and Amazon S3 event notifications")."""


@dataclass(frozen=True, kw_only=True)
class ReplicaBucket:
    region: str
    bucket_name: str
    bucket_arn: str
    key_arn: str
    """KMS key the replicas are re-encrypted with (the destination region's)."""


@dataclass(frozen=True, kw_only=True)
class BucketReplicationProps:
    naming: Naming
    source_bucket_name: str
    source_bucket_arn: str
    source_key_arn: str
    source_region: str
    destinations: tuple[ReplicaBucket, ...]
    alarm_actions: Sequence[str] = ()
    """SNS topics told when an object fails to replicate (the source region's topic).
    Default: none, no alarm."""


class BucketReplication(Construct):
    """Replicates every object (and delete markers) of a versioned, KMS-encrypted
    bucket to versioned buckets in other regions, re-encrypting with each
    destination's key, through a role that can do exactly that.

    Creates: ``aws_iam_role`` + ``aws_iam_role_policy``,
    ``aws_s3_bucket_replication_configuration`` (one rule per destination, with
    replication metrics and replica modification sync, since the buckets replicate
    both ways), and per destination a ``replication-failed`` alarm on
    ``OperationsFailedReplication`` when ``alarm_actions`` are given.

    It lives in the stack that runs after every region exists (S3 refuses a
    replication rule to a bucket that does not exist yet).
    """

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider, props: BucketReplicationProps):
        super().__init__(scope, id)
        if not props.destinations:
            raise ValueError("BucketReplicationProps.destinations needs at least one bucket")
        n = props.naming
        src = props.source_bucket_arn
        statements: list[dict[str, Any]] = [
            {
                "Sid": "ReadSourceConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": src,
            },
            {
                "Sid": "ReadSourceVersions",
                "Effect": "Allow",
                "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                "Resource": f"{src}/*",
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": [f"{d.bucket_arn}/*" for d in props.destinations],
            },
            {
                "Sid": "DecryptSource",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": props.source_key_arn,
                "Condition": {"StringLike": {"kms:ViaService": f"s3.{props.source_region}.amazonaws.com"}},
            },
        ]
        # kms:Decrypt too: with S3 Bucket Keys the replica's key must also let the role
        # decrypt (S3 User Guide, "Replicating encrypted objects": S3 Bucket Keys and replication).
        statements += [
            {
                "Sid": f"EncryptReplicas{i}",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": d.key_arn,
                "Condition": {"StringLike": {"kms:ViaService": f"s3.{d.region}.amazonaws.com"}},
            }
            for i, d in enumerate(props.destinations)
        ]
        role = service_role(
            self,
            "",
            provider=provider,
            name=n.name("replication"),
            service="s3.amazonaws.com",
            inline_policy=("replicate", policy_document(*statements)),
        )
        self.configuration = S3BucketReplicationConfigurationA(
            self,
            "configuration",
            provider=provider,
            bucket=props.source_bucket_name,
            role=role.arn,
            rule=[
                S3BucketReplicationConfigurationRule(
                    id=f"to-{d.region}",
                    priority=i,
                    status="Enabled",
                    filter=S3BucketReplicationConfigurationRuleFilter(prefix=""),
                    delete_marker_replication=S3BucketReplicationConfigurationRuleDeleteMarkerReplication(
                        status="Enabled"
                    ),
                    source_selection_criteria=S3BucketReplicationConfigurationRuleSourceSelectionCriteria(
                        sse_kms_encrypted_objects=S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects(
                            status="Enabled"
                        ),
                        # Two-way replication: metadata changed on a replica (tags, ACLs,
                        # lock settings) goes back too (S3 User Guide, "Replicating
                        # metadata changes with replica modification sync").
                        replica_modifications=S3BucketReplicationConfigurationRuleSourceSelectionCriteriaReplicaModifications(
                            status="Enabled"
                        ),
                    ),
                    destination=S3BucketReplicationConfigurationRuleDestination(
                        bucket=d.bucket_arn,
                        storage_class="STANDARD",
                        encryption_configuration=S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration(
                            replica_kms_key_id=d.key_arn
                        ),
                        # Replication metrics (without Replication Time Control): the
                        # failure alarm below watches them.
                        metrics=S3BucketReplicationConfigurationRuleDestinationMetrics(status="Enabled"),
                    ),
                )
                for i, d in enumerate(props.destinations)
            ],
            depends_on=role.policies,
        )
        self.alarms = [
            metric_alarm(
                self,
                replace(REPLICATION_FAILED, id=f"{REPLICATION_FAILED.id}-to-{d.region}"),
                provider=provider,
                naming=n,
                construct_id=f"failed-to-{d.region}",
                dimensions={
                    "SourceBucket": props.source_bucket_name,
                    "DestinationBucket": d.bucket_name,
                    "RuleId": f"to-{d.region}",
                },
                actions=props.alarm_actions,
            )
            for d in props.destinations
            if props.alarm_actions
        ]

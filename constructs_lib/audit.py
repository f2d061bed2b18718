"""AuditTrail: the account's multi-region CloudTrail trail, created once."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudtrail import Cloudtrail, CloudtrailEventSelector, CloudtrailEventSelectorDataResource
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .buckets import SecureBucket, SecureBucketProps, Transition
from .iam import policy_document, service_role
from .kms import RegionalKey, TrailRef
from .logs import encrypted_log_group
from .naming import Naming

TRAIL_TRANSITIONS = (Transition(days=30, storage_class="STANDARD_IA"), Transition(days=90, storage_class="GLACIER"))
"""Trail logs are read rarely after a month and almost never after three."""
TRAIL_EXPIRE_DAYS = 365
"""A year of account activity, the retention most audit frameworks ask of CloudTrail."""


@dataclass(frozen=True, kw_only=True)
class AuditTrailProps:
    naming: Naming
    access_log_bucket: str | None = None
    """Bucket receiving the trail bucket's S3 access logs. Default: none."""
    log_retention_days: int = 365
    stateful: bool = True
    data_event_bucket_arns: tuple[str, ...] = ()
    """Buckets whose object-level writes and deletes the trail records (S3 data events,
    billed per event). Default: none, management events only."""


def trail_name(naming: Naming) -> str:
    """``<project>-<env>-<home region>-trail``."""
    return naming.name("trail")


class AuditTrail(Construct):
    """A multi-region CloudTrail trail with log file validation, encrypted with a KMS
    key, delivered to a dedicated bucket (versioned, TLS-only, private, access-logged,
    30 d -> STANDARD_IA, 90 d -> GLACIER, 365 d -> expire) and to CloudWatch Logs.

    The key passed in must let CloudTrail encrypt for this trail (``RegionalKeyProps.cloudtrail``
    with ``trail_name(naming)``).

    Example::

        AuditTrail(stack, "audit", provider=primary, key=key, props=AuditTrailProps(naming=naming))
    """

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider, key: RegionalKey, props: AuditTrailProps):
        super().__init__(scope, id)
        n = props.naming
        account, part = key.account_id, key.partition_name
        name = trail_name(n)
        bucket_name = f"{name}-{account}"
        trail_arn = TrailRef(region=n.region, name=name).arn(part, account)
        self.bucket = SecureBucket(
            self,
            "bucket",
            provider=provider,
            props=SecureBucketProps(
                name=bucket_name,
                kms_key_arn=key.arn,
                # No S3 Bucket Key: with one, CloudTrail would also need kms:Decrypt on the
                # key (CloudTrail User Guide, KMS key policies), which the key policy
                # deliberately does not grant the service (RegionalKeyProps.cloudtrail).
                bucket_key=False,
                transitions=TRAIL_TRANSITIONS,
                expire_days=TRAIL_EXPIRE_DAYS,
                access_log_bucket=props.access_log_bucket,
                access_log_prefix="s3/trail/",
                stateful=props.stateful,
                policy_statements=(
                    {
                        "Sid": "CloudTrailAclCheck",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:GetBucketAcl",
                        "Resource": f"arn:{part}:s3:::{bucket_name}",
                        "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                    },
                    {
                        "Sid": "CloudTrailWrite",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:{part}:s3:::{bucket_name}/AWSLogs/{account}/*",
                        "Condition": {
                            "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
                        },
                    },
                ),
            ),
        )
        self.log_group = encrypted_log_group(
            self,
            "log-group",
            provider=provider,
            name=f"/aws/cloudtrail/{name}",
            retention_days=props.log_retention_days,
            key=key,
        )
        role = service_role(
            self,
            "logs-",
            provider=provider,
            name=n.name("trail-logs"),
            service="cloudtrail.amazonaws.com",
            # No aws:SourceAccount: the documented CloudTrail-to-CloudWatch-Logs role has
            # none (CloudTrail User Guide, "Role policy document for CloudTrail to use
            # CloudWatch Logs"), and delivery stops silently with one.
            inline_policy=(
                "deliver-to-log-group",
                policy_document(
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{self.log_group.arn}:log-stream:*",
                    }
                ),
            ),
        )
        self.trail = Cloudtrail(
            self,
            "trail",
            provider=provider,
            name=name,
            s3_bucket_name=self.bucket.bucket_name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=key.arn,
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",
            cloud_watch_logs_role_arn=role.arn,
            enable_logging=True,
            # Management events: all of them (CIS). Object events of the application
            # buckets: writes and deletes only, so the Lambda's and replication's reads
            # neither bill per event nor raise the refused-calls alarm (a read of a key
            # deleted meanwhile is AccessDenied without s3:ListBucket).
            event_selector=(
                [
                    CloudtrailEventSelector(read_write_type="All", include_management_events=True),
                    CloudtrailEventSelector(
                        read_write_type="WriteOnly",
                        include_management_events=False,
                        data_resource=[
                            CloudtrailEventSelectorDataResource(
                                type="AWS::S3::Object", values=[f"{arn}/" for arn in props.data_event_bucket_arns]
                            )
                        ],
                    ),
                ]
                if props.data_event_bucket_arns
                else None
            ),
            depends_on=[self.bucket.policy],
        )

    @property
    def trail_arn(self) -> str:
        return self.trail.arn

    @property
    def bucket_name(self) -> str:
        return self.bucket.bucket_name

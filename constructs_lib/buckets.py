"""SecureBucket: an S3 bucket with the baseline every bucket of the product needs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleTransition,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from .guards import protect

LOG_EXPIRE_DAYS = 365
"""Access logs (ALB, S3, CloudFront) are kept a year: long enough for an incident
review or an audit sample, short enough not to grow without bound."""
LOG_NONCURRENT_EXPIRE_DAYS = 30
"""A log object is never rewritten; a replaced version is a mistake, kept a month."""
ABORT_INCOMPLETE_UPLOAD_DAYS = 7
"""Parts of an upload not completed within a week are debris that still bills."""


@dataclass(frozen=True, kw_only=True)
class Transition:
    days: int
    storage_class: str


@dataclass(frozen=True, kw_only=True)
class SecureBucketProps:
    name: str
    """Globally unique bucket name. Required."""
    kms_key_arn: str | None = None
    """Default: None, SSE-S3 (AES256). Log targets of ALB access logs and S3 server
    access logs must use SSE-S3; every bucket holding application data passes a key."""
    bucket_key: bool = True
    """With ``kms_key_arn``: an S3 Bucket Key (fewer KMS calls). Default: true; false
    where the writing service would then need ``kms:Decrypt`` on the key and is not
    granted it (CloudTrail's trail bucket)."""
    access_log_bucket: str | None = None
    """Name of a bucket (e.g. from another stack) receiving this bucket's S3 server
    access logs. Default: none (only for buckets that are themselves log targets)."""
    access_log_prefix: str = ""
    transitions: tuple[Transition, ...] = ()
    """Storage class transitions of current objects. Default: none."""
    expire_days: int | None = None
    """Days after which current objects expire. Default: never."""
    noncurrent_expire_days: int = 90
    """Days a replaced version is kept. Default: 90."""
    policy_statements: tuple[dict[str, Any], ...] = ()
    """Extra bucket policy statements (e.g. log delivery); a TLS-only deny is always added."""
    stateful: bool = True
    """Default: true, ``prevent_destroy``. False only in disposable environments: no
    ``prevent_destroy``, and ``force_destroy`` so that ``destroy`` empties the bucket."""
    object_ownership: str = "BucketOwnerEnforced"
    """Default: BucketOwnerEnforced (ACLs off). BucketOwnerPreferred only for log
    targets of services that deliver with ACL grants (CloudFront standard logs)."""
    tags: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def for_logs(name: str, *, stateful: bool, **overrides: Any) -> SecureBucketProps:
        """Props of a bucket that receives access logs: SSE-S3 (the only encryption
        ALB log delivery and S3 server access logging support), kept
        ``LOG_EXPIRE_DAYS``, replaced versions ``LOG_NONCURRENT_EXPIRE_DAYS``."""
        return SecureBucketProps(
            name=name,
            expire_days=LOG_EXPIRE_DAYS,
            noncurrent_expire_days=LOG_NONCURRENT_EXPIRE_DAYS,
            stateful=stateful,
            **overrides,
        )


class SecureBucket(Construct):
    """A private, versioned, encrypted bucket that only accepts TLS.

    Creates: ``aws_s3_bucket``, ``aws_s3_bucket_ownership_controls`` (owner enforced,
    no ACLs), ``aws_s3_bucket_public_access_block`` (all four on),
    ``aws_s3_bucket_versioning``, ``aws_s3_bucket_server_side_encryption_configuration``
    (KMS with bucket key, or SSE-S3), ``aws_s3_bucket_lifecycle_configuration``,
    ``aws_s3_bucket_logging`` when a log bucket is given (``access_logs_to`` for a
    SecureBucket of the same stack, so logging waits for its policy), and ``aws_s3_bucket_policy``
    denying any request without TLS (plus the given statements).

    Example::

        logs = SecureBucket(self, "logs", provider=provider,
                            props=SecureBucketProps(name=f"{prefix}-logs-{account}", expire_days=90))
        logs.bucket_name
    """

    policy: S3BucketPolicy
    """The bucket policy (a dependency for whatever needs the policy in place first)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        props: SecureBucketProps,
        access_logs_to: SecureBucket | None = None,
    ):
        super().__init__(scope, id)
        if access_logs_to is not None and props.access_log_bucket is not None:
            raise ValueError("SecureBucket: give access_logs_to or props.access_log_bucket, not both")
        self.bucket = S3Bucket(
            self,
            "bucket",
            provider=provider,
            bucket=props.name,
            force_destroy=not props.stateful,
            lifecycle=protect(props.stateful),
            tags=props.tags or None,
        )
        b = self.bucket.id
        self.ownership = S3BucketOwnershipControls(
            self,
            "ownership",
            provider=provider,
            bucket=b,
            rule=S3BucketOwnershipControlsRule(object_ownership=props.object_ownership),
        )
        self.public_access_block = S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            provider=provider,
            bucket=b,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        self.versioning = S3BucketVersioningA(
            self,
            "versioning",
            provider=provider,
            bucket=b,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        if props.kms_key_arn:
            default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=props.kms_key_arn
            )
        else:
            default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="AES256"
            )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            provider=provider,
            bucket=b,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=default,
                    bucket_key_enabled=bool(props.kms_key_arn) and props.bucket_key,
                )
            ],
        )
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            provider=provider,
            bucket=b,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="retention",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    transition=[
                        S3BucketLifecycleConfigurationRuleTransition(days=t.days, storage_class=t.storage_class)
                        for t in props.transitions
                    ]
                    or None,
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=props.expire_days)]
                    if props.expire_days
                    else None,
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.noncurrent_expire_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=ABORT_INCOMPLETE_UPLOAD_DAYS
                        )
                    ],
                )
            ],
            depends_on=[self.versioning],
        )
        target = access_logs_to.bucket_name if access_logs_to is not None else props.access_log_bucket
        if target:
            S3BucketLoggingA(
                self,
                "logging",
                provider=provider,
                bucket=b,
                target_bucket=target,
                target_prefix=props.access_log_prefix,
                # S3 checks the target's policy admits log delivery when logging is set.
                depends_on=[access_logs_to.policy] if access_logs_to is not None else None,
            )
        statements = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                # {"AWS": "*"} is AWS's long form of "*" (moto's log-delivery check
                # cannot read the short form).
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "Resource": [self.bucket.arn, f"{self.bucket.arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            *props.policy_statements,
        ]
        # The policy waits for the public access block so that a statement for a
        # service principal is never evaluated against a bucket still open.
        self.policy = S3BucketPolicy(
            self,
            "policy",
            provider=provider,
            bucket=b,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
            depends_on=[self.public_access_block],
        )

    # Attributes other constructs read often are cached: every read of a resource
    # attribute is a call into the jsii kernel.
    @cached_property
    def bucket_name(self) -> str:
        return self.bucket.id

    @cached_property
    def arn(self) -> str:
        return self.bucket.arn

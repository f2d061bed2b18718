"""RegionalKey: the customer-managed KMS key each region's tiers encrypt with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .guards import protect
from .naming import Naming

KEY_DELETION_WINDOW_DAYS = 30
"""The longest window KMS allows: a key scheduled for deletion by mistake can be
recovered for 30 days."""


@dataclass(frozen=True, kw_only=True)
class TrailRef:
    """A CloudTrail trail that encrypts its log files with the key."""

    region: str
    name: str

    def arn(self, partition: str, account: str) -> str:
        return f"arn:{partition}:cloudtrail:{self.region}:{account}:trail/{self.name}"


@dataclass(frozen=True, kw_only=True)
class RegionalKeyProps:
    naming: Naming
    """Names the alias ``alias/<project>-<env>-<region>``."""
    region: str | None = None
    """Region the key lives in. Default: ``naming.region`` (set it when the naming is
    not a region's, e.g. the global stack's)."""
    service_principals: tuple[str, ...] = ()
    """Extra AWS service principals (besides CloudWatch Logs of this region) that
    may use the key directly, e.g. ``cloudwatch.amazonaws.com`` for alarms that
    publish to an encrypted SNS topic. Default: none."""
    cloudtrail: TrailRef | None = None
    """The trail that encrypts its log files with this key: CloudTrail may generate data
    keys for that trail only (``aws:SourceArn``) and for trails of this account only
    (encryption context). Default: none."""
    prevent_destroy: bool = True
    """Default: true; Terraform refuses to destroy the key (and the data it protects)."""


class RegionalKey(Construct):
    """A customer-managed, rotating KMS key for one region.

    Creates: ``aws_kms_key`` (rotation on, 30-day deletion window, a key policy
    that delegates to IAM in this account and lets this region's CloudWatch Logs
    encrypt log groups of this account), ``aws_kms_alias``, and the
    ``aws_caller_identity`` / ``aws_partition`` lookups other constructs reuse.

    Example::

        key = RegionalKey(stack, "key", provider=provider,
                          props=RegionalKeyProps(naming=naming))
        LogGroup(..., kms_key_id=key.arn)
    """

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider, props: RegionalKeyProps):
        super().__init__(scope, id)
        region = props.region or props.naming.region
        self.identity = DataAwsCallerIdentity(self, "identity", provider=provider)
        self.partition = DataAwsPartition(self, "partition", provider=provider)
        account = self.identity.account_id
        part = self.partition.partition
        statements = [
            {
                "Sid": "AccountAdministersKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{part}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                # Logs must be named in the key policy: it does not use IAM delegation.
                "Sid": "CloudWatchLogsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:{part}:logs:{region}:{account}:log-group:*"}
                },
            },
            {
                # Auto Scaling launches instances with volumes encrypted by this key
                # through its service-linked role, which IAM policies cannot grant to.
                # Matched by ARN condition so the policy is valid before the role exists.
                "Sid": "AutoScalingServiceLinkedRoleUsesKey",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:PrincipalAccount": account},
                    "ArnEquals": {
                        "aws:PrincipalArn": f"arn:{part}:iam::{account}:role/aws-service-role/"
                        "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
                    },
                },
            },
        ]
        if props.service_principals:
            # e.g. CloudWatch alarms publishing to an SNS topic encrypted with this key,
            # or CloudTrail encrypting log files.
            statements.append(
                {
                    "Sid": "AwsServicesPublishEncrypted",
                    "Effect": "Allow",
                    "Principal": {"Service": sorted(props.service_principals)},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": "*",
                }
            )
        if props.cloudtrail is not None:
            # CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail": data
            # keys for this trail of this account only; reading the logs is the
            # account's principals' (through IAM), not the service's.
            trail_arn = props.cloudtrail.arn(part, account)
            statements += [
                {
                    "Sid": "CloudTrailEncryptsThisTrailsLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:GenerateDataKey*",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:SourceArn": trail_arn},
                        "StringLike": {
                            "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{part}:cloudtrail:*:{account}:trail/*"
                        },
                    },
                },
                {
                    "Sid": "CloudTrailDescribesKey",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                },
            ]
        self.key = KmsKey(
            self,
            "key",
            provider=provider,
            description=f"{props.naming.prefix}: encrypts logs, volumes, databases and buckets of this region",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
            lifecycle=protect(props.prevent_destroy),
            tags={"Name": props.naming.name("kms")},
        )
        self.alias = KmsAlias(
            self, "alias", provider=provider, name=f"alias/{props.naming.prefix}", target_key_id=self.key.key_id
        )

    # Attributes other constructs read often are cached: every read of a resource
    # attribute is a call into the jsii kernel.
    @cached_property
    def arn(self) -> str:
        return self.key.arn

    @cached_property
    def key_id(self) -> str:
        return self.key.key_id

    @cached_property
    def account_id(self) -> str:
        return self.identity.account_id

    @cached_property
    def partition_name(self) -> str:
        return self.partition.partition

"""CloudWatch log groups: every one of the product's is encrypted with a region key."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .kms import RegionalKey


def encrypted_log_group(
    scope: Construct, id: str, *, provider: AwsProvider, name: str, retention_days: int, key: RegionalKey
) -> CloudwatchLogGroup:
    """A log group kept ``retention_days`` (a CloudWatch Logs retention value; the config
    validates it) and encrypted with ``key``, whose policy admits this region's Logs."""
    return CloudwatchLogGroup(
        scope, id, provider=provider, name=name, retention_in_days=retention_days, kms_key_id=key.arn
    )

"""FlowLogs: VPC flow logs to an encrypted log group."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from ..addressing import Facet
from ..config import NetworkConfig
from ..context import Context
from ..iam import policy_document, service_role
from ..kms import RegionalKey
from ..logs import encrypted_log_group

AGGREGATION_SECONDS = 60
"""One-minute flow records (the other choice is 10 minutes): an incident needs them soon."""


class FlowLogs(Facet):
    """Creates a KMS-encrypted log group, the role VPC Flow Logs assumes (it may write
    to that group only, and list groups, which the service checks first), and the
    ``aws_flow_log`` of the VPC.

    Example::

        FlowLogs(network, "flow-logs", provider=provider, ctx=ctx, props=config.network, vpc=vpc, key=key)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: NetworkConfig,
        vpc: Vpc,
        key: RegionalKey,
    ):
        super().__init__(scope, id)
        n = ctx.naming
        self.log_group = encrypted_log_group(
            self,
            "flow-log-group",
            provider=provider,
            name=f"/vpc/{n.name('flow-logs')}",
            retention_days=props.flow_log_retention_days,
            key=key,
        )
        role = service_role(
            self,
            "flow-log-",
            provider=provider,
            name=n.name("flow-logs"),
            service="vpc-flow-logs.amazonaws.com",
            source_account=key.account_id,
            inline_policy=(
                "write-flow-logs",
                policy_document(
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [f"{self.log_group.arn}:*"],
                    },
                    {"Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
                ),
            ),
        )
        FlowLog(
            self,
            "flow-log",
            provider=provider,
            vpc_id=vpc.id,
            traffic_type=props.flow_log_traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=self.log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=AGGREGATION_SECONDS,
            tags={"Name": n.name("flow-log")},
        )

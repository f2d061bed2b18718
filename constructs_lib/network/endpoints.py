"""VpcEndpoints: private paths from the VPC to AWS services."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from constructs import Construct

from ..addressing import Facet
from ..context import Context
from ..iam import aws_owned_object_arns, policy_document
from ..security_groups import HTTPS, IN, OUT, Peer, Rule, add_rules, security_group

GATEWAY_SERVICES = ("s3", "dynamodb")
"""Gateway endpoints cost nothing and keep S3/DynamoDB traffic off the NAT gateways."""


def gateway_policy(service: str, *, partition: str, region: str, account: str) -> str:
    """A gateway endpoint reaches the account's own buckets and tables only (an
    instance cannot copy data to another account's bucket through it), plus, for S3,
    reads of the AWS-owned buckets the instances need (``iam.AWS_OWNED_BUCKETS``)."""
    statements: list[dict[str, object]] = [
        {
            "Sid": "OwnAccountOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceAccount": account}},
        }
    ]
    if service == "s3":
        statements.append(
            {
                "Sid": "ReadAwsOwnedRepositories",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": aws_owned_object_arns(partition, region),
            }
        )
    return policy_document(*statements)


def interface_policy(account: str) -> str:
    """An interface endpoint serves the account's own principals only: credentials of
    another account cannot use this VPC's private path to the service."""
    return policy_document(
        {
            "Sid": "OwnAccountPrincipalsOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": account}},
        }
    )


class VpcEndpoints(Facet):
    """Gateway endpoints for S3 and DynamoDB on the given route tables, and interface
    endpoints (private DNS) in the given subnets behind a group that admits HTTPS from
    the VPC only. Every endpoint has a policy limited to the account
    (``gateway_policy``, ``interface_policy``).

    Example::

        VpcEndpoints(network, "endpoints", provider=provider, ctx=ctx, vpc=vpc, route_table_ids=[...],
                     subnet_ids=[...], interface_services=("ssm", "kms"))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        vpc: Vpc,
        cidr: str,
        route_table_ids: Sequence[str],
        subnet_ids: Sequence[str],
        interface_services: Sequence[str],
        partition: str,
        account: str,
    ):
        """``partition``, ``account``: of the stack's account, for the endpoint policies."""
        super().__init__(scope, id)
        n = self._naming = ctx.naming
        for service in GATEWAY_SERVICES:
            self._endpoint(
                service,
                provider,
                vpc,
                "Gateway",
                policy=gateway_policy(service, partition=partition, region=n.region, account=account),
                route_table_ids=list(route_table_ids),
            )
        if not interface_services:
            return
        group = security_group(
            self,
            "endpoint-sg",
            provider=provider,
            name=n.name("endpoints"),
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            vpc_id=vpc.id,
        )
        add_rules(
            self,
            provider,
            Rule(
                "endpoint-https-in",
                IN,
                group.id,
                HTTPS,
                Peer.cidr(cidr),
                "HTTPS from the VPC to the AWS service endpoints",
            ),
            Rule("endpoint-out", OUT, group.id, HTTPS, Peer.cidr(cidr), "Endpoint ENIs answer inside the VPC only"),
        )
        for service in interface_services:
            self._endpoint(
                service,
                provider,
                vpc,
                "Interface",
                policy=interface_policy(account),
                private_dns_enabled=True,
                subnet_ids=list(subnet_ids),
                security_group_ids=[group.id],
            )

    def _endpoint(
        self,
        service: str,
        provider: AwsProvider,
        vpc: Vpc,
        kind: str,
        *,
        policy: str,
        route_table_ids: list[str] | None = None,
        private_dns_enabled: bool | None = None,
        subnet_ids: list[str] | None = None,
        security_group_ids: list[str] | None = None,
    ) -> None:
        VpcEndpoint(
            self,
            f"{service}-endpoint",
            provider=provider,
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{self._naming.region}.{service}",
            vpc_endpoint_type=kind,
            policy=policy,
            route_table_ids=route_table_ids,
            private_dns_enabled=private_dns_enabled,
            subnet_ids=subnet_ids,
            security_group_ids=security_group_ids,
            tags={"Name": self._naming.name(f"{service}-endpoint")},
        )

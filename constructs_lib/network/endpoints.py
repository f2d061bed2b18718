"""VpcEndpoints: private paths from the VPC to AWS services."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from constructs import Construct

from ..addressing import Facet
from ..context import Context
from ..security_groups import HTTPS, IN, OUT, Peer, Rule, add_rules, security_group

GATEWAY_SERVICES = ("s3", "dynamodb")
"""Gateway endpoints cost nothing and keep S3/DynamoDB traffic off the NAT gateways."""


class VpcEndpoints(Facet):
    """Gateway endpoints for S3 and DynamoDB on the given route tables, and interface
    endpoints (private DNS) in the given subnets behind a group that admits HTTPS from
    the VPC only.

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
    ):
        super().__init__(scope, id)
        n = self._naming = ctx.naming
        for service in GATEWAY_SERVICES:
            self._endpoint(service, provider, vpc, "Gateway", route_table_ids=list(route_table_ids))
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
            route_table_ids=route_table_ids,
            private_dns_enabled=private_dns_enabled,
            subnet_ids=subnet_ids,
            security_group_ids=security_group_ids,
            tags={"Name": self._naming.name(f"{service}-endpoint")},
        )

"""RegionalNetwork: the VPC of one region, its subnets, routing, NAT, endpoints and flow logs."""

from __future__ import annotations

from functools import cached_property

from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from ..config import NatMode, NetworkConfig, RegionConfig
from ..context import Context
from ..kms import RegionalKey
from .endpoints import VpcEndpoints
from .flow_logs import FlowLogs

TIERS = ("public", "private", "database")
DEFAULT_ROUTE = "0.0.0.0/0"


def nat_gateway_count(mode: NatMode, az_count: int) -> int:
    """How many NAT gateways ``mode`` needs for ``az_count`` AZs."""
    return az_count if mode is NatMode.PER_AZ else 1


class RegionalNetwork(Construct):
    """A three-tier VPC in one region.

    Creates: ``aws_vpc`` (DNS support and hostnames), the VPC's default security
    group emptied of rules, per AZ a public, private and database ``aws_subnet``,
    an ``aws_internet_gateway``, ``aws_nat_gateway`` + ``aws_eip`` per the NAT
    mode, a public route table (0.0.0.0/0 -> IGW), one private route table per
    AZ (0.0.0.0/0 -> the NAT of its AZ, or the single NAT), one database route table
    with no route out; ``VpcEndpoints`` (S3/DynamoDB gateways on the private and
    database tables, the configured interface endpoints) and ``FlowLogs``.

    Example::

        net = RegionalNetwork(stack, "network", provider=provider, ctx=ctx, props=config.network,
                              region=config.primary, key=key)
        net.private_subnet_ids
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: NetworkConfig,
        region: RegionConfig,
        key: RegionalKey,
    ):
        """``region``: the VPC range, AZs, subnet plan and NAT mode of this region."""
        super().__init__(scope, id)
        azs, plan = region.zones, region.subnet_plan
        n = ctx.naming
        self.azs = azs

        self.vpc = Vpc(
            self,
            "vpc",
            provider=provider,
            cidr_block=region.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": n.name("vpc")},
        )
        # Taking over the default SG with no rules removes AWS's allow-all-within-group
        # rules, so nothing can use it by accident (CIS 5.4).
        DefaultSecurityGroup(
            self, "default-sg", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("default-locked")}
        )
        self.public_subnets, self.private_subnets, self.database_subnets = (
            [
                Subnet(
                    self,
                    f"{tier}-{i}",
                    provider=provider,
                    vpc_id=self.vpc.id,
                    cidr_block=getattr(plan, tier)[i],
                    availability_zone=az,
                    map_public_ip_on_launch=False,
                    tags={"Name": n.name(tier, az), "Tier": tier},
                )
                for i, az in enumerate(azs)
            ]
            for tier in TIERS
        )

        self.igw = InternetGateway(self, "igw", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("igw")})
        public_rt = self._route_table("public-rt", provider, n.name("public"), self.public_subnets, "public-rta")
        Route(
            self,
            "public-default",
            provider=provider,
            route_table_id=public_rt.id,
            destination_cidr_block=DEFAULT_ROUTE,
            gateway_id=self.igw.id,
        )

        self.nat_gateways: list[NatGateway] = []
        for i in range(nat_gateway_count(region.nat, len(azs))):
            eip = Eip(self, f"nat-eip-{i}", provider=provider, domain="vpc", tags={"Name": n.name("nat", azs[i])})
            self.nat_gateways.append(
                NatGateway(
                    self,
                    f"nat-{i}",
                    provider=provider,
                    allocation_id=eip.id,
                    subnet_id=self.public_subnets[i].id,
                    tags={"Name": n.name("nat", azs[i])},
                    depends_on=[self.igw],
                )
            )

        # One private route table per AZ even with a single NAT: switching NAT modes
        # then only changes a route, and with PER_AZ an AZ loss does not black-hole
        # the other AZs' egress.
        self.private_route_tables: list[RouteTable] = []
        for i, (az, subnet) in enumerate(zip(azs, self.private_subnets, strict=True)):
            rt = RouteTable(
                self, f"private-rt-{i}", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("private", az)}
            )
            Route(
                self,
                f"private-default-{i}",
                provider=provider,
                route_table_id=rt.id,
                destination_cidr_block=DEFAULT_ROUTE,
                nat_gateway_id=self.nat_gateways[i if region.nat is NatMode.PER_AZ else 0].id,
            )
            RouteTableAssociation(
                self, f"private-rta-{i}", provider=provider, subnet_id=subnet.id, route_table_id=rt.id
            )
            self.private_route_tables.append(rt)

        # Databases never reach the internet: their table has only the local route
        # (and the gateway endpoints).
        self.database_route_table = self._route_table(
            "database-rt", provider, n.name("database"), self.database_subnets, "database-rta"
        )
        VpcEndpoints(
            self,
            "endpoints",
            provider=provider,
            ctx=ctx,
            vpc=self.vpc,
            cidr=region.vpc_cidr,
            route_table_ids=[rt.id for rt in self.private_route_tables] + [self.database_route_table.id],
            subnet_ids=[s.id for s in self.private_subnets],
            interface_services=props.interface_endpoints,
            partition=key.partition_name,
            account=key.account_id,
        )
        self.flow_logs = FlowLogs(self, "flow-logs", provider=provider, ctx=ctx, props=props, vpc=self.vpc, key=key)

    def _route_table(
        self, id: str, provider: AwsProvider, name: str, subnets: list[Subnet], association: str
    ) -> RouteTable:
        """One route table shared by ``subnets`` (associations ``<association>-<i>``)."""
        table = RouteTable(self, id, provider=provider, vpc_id=self.vpc.id, tags={"Name": name})
        for i, subnet in enumerate(subnets):
            RouteTableAssociation(
                self, f"{association}-{i}", provider=provider, subnet_id=subnet.id, route_table_id=table.id
            )
        return table

    # Attributes other constructs read often are cached: every read of a resource
    # attribute is a call into the jsii kernel.
    @cached_property
    def vpc_id(self) -> str:
        return self.vpc.id

    @cached_property
    def vpc_cidr(self) -> str:
        return self.vpc.cidr_block

    @cached_property
    def public_subnet_ids(self) -> list[str]:
        return [s.id for s in self.public_subnets]

    @cached_property
    def private_subnet_ids(self) -> list[str]:
        return [s.id for s in self.private_subnets]

    @cached_property
    def database_subnet_ids(self) -> list[str]:
        return [s.id for s in self.database_subnets]

    @cached_property
    def nat_gateway_ids(self) -> list[str]:
        return [g.id for g in self.nat_gateways]

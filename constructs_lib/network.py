"""RegionalNetwork: the VPC of one region, its subnets, routing, NAT and flow logs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .cidr import SubnetPlan
from .iam import assume_role_policy
from .kms import RegionalKey
from .naming import Naming


class NatStrategy(StrEnum):
    PER_AZ = "per_az"
    SINGLE = "single"


def nat_gateway_count(strategy: NatStrategy, az_count: int) -> int:
    """How many NAT gateways a strategy needs for ``az_count`` AZs."""
    return az_count if strategy is NatStrategy.PER_AZ else 1


DEFAULT_FLOW_LOG_RETENTION_DAYS = 365


@dataclass(frozen=True, kw_only=True)
class RegionalNetworkProps:
    naming: Naming
    """Names every resource ``<project>-<env>-<region>-<role>``."""
    cidr: str
    """The VPC range. Required: it must be unique across regions."""
    azs: tuple[str, ...]
    """AZs to span, one public, private and database subnet each. Required."""
    subnets: SubnetPlan
    """CIDRs per tier, index i in AZ i (see ``constructs_lib.cidr.plan``). Required."""
    nat: NatStrategy = NatStrategy.PER_AZ
    """Default: one NAT gateway per AZ (survives an AZ loss; costs more)."""
    flow_log_retention_days: int = DEFAULT_FLOW_LOG_RETENTION_DAYS
    """Default: 365 days."""
    flow_log_traffic_type: str = "ALL"
    """Default: ALL."""
    interface_endpoints: tuple[str, ...] = field(default=())
    """Interface endpoints (service short names) in the private subnets. Default: none."""


class RegionalNetwork(Construct):
    """A three-tier VPC in one region.

    Creates: ``aws_vpc`` (DNS support and hostnames), the VPC's default security
    group emptied of rules, per AZ a public, private and database ``aws_subnet``,
    an ``aws_internet_gateway``, ``aws_nat_gateway`` + ``aws_eip`` per the NAT
    strategy, a public route table (0.0.0.0/0 -> IGW), one private route table per
    AZ (0.0.0.0/0 -> the NAT of its AZ, or the single NAT), one database route table
    with no route out, S3 and DynamoDB gateway endpoints on the private and database
    route tables, optional interface endpoints, and VPC flow logs to a KMS-encrypted
    log group through a role that can write only there.

    Example::

        net = RegionalNetwork(stack, "network", provider=provider, key=key,
                              props=RegionalNetworkProps(naming=naming, cidr="10.0.0.0/16",
                                                         azs=azs, subnets=cidr.plan("10.0.0.0/16", 3)))
        net.private_subnet_ids
    """

    def __init__(
        self, scope: Construct, id: str, *, provider: AwsProvider, props: RegionalNetworkProps, key: RegionalKey
    ):
        super().__init__(scope, id)
        azs = props.azs
        for tier in ("public", "private", "database"):
            if len(getattr(props.subnets, tier)) != len(azs):
                raise ValueError(f"RegionalNetworkProps.subnets.{tier} needs one CIDR per AZ ({len(azs)})")
        n = props.naming
        region = n.region
        self.azs = azs

        self.vpc = Vpc(
            self,
            "vpc",
            provider=provider,
            cidr_block=props.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": n.name("vpc")},
        )
        # Taking over the default SG with no rules removes AWS's allow-all-within-group
        # rules, so nothing can use it by accident (CIS 5.4).
        DefaultSecurityGroup(
            self, "default-sg", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("default-locked")}
        )

        def subnets(tier: str, cidrs: tuple[str, ...]) -> list[Subnet]:
            return [
                Subnet(
                    self,
                    f"{tier}-{i}",
                    provider=provider,
                    vpc_id=self.vpc.id,
                    cidr_block=cidrs[i],
                    availability_zone=az,
                    map_public_ip_on_launch=False,
                    tags={"Name": n.name(tier, az), "Tier": tier},
                )
                for i, az in enumerate(azs)
            ]

        self.public_subnets = subnets("public", props.subnets.public)
        self.private_subnets = subnets("private", props.subnets.private)
        self.database_subnets = subnets("database", props.subnets.database)

        self.igw = InternetGateway(self, "igw", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("igw")})
        public_rt = RouteTable(
            self, "public-rt", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("public")}
        )
        Route(
            self,
            "public-default",
            provider=provider,
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self.igw.id,
        )
        for i, subnet in enumerate(self.public_subnets):
            RouteTableAssociation(
                self, f"public-rta-{i}", provider=provider, subnet_id=subnet.id, route_table_id=public_rt.id
            )

        self.nat_gateways: list[NatGateway] = []
        for i in range(nat_gateway_count(props.nat, len(azs))):
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
            nat = self.nat_gateways[i if props.nat is NatStrategy.PER_AZ else 0]
            Route(
                self,
                f"private-default-{i}",
                provider=provider,
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
            )
            RouteTableAssociation(
                self, f"private-rta-{i}", provider=provider, subnet_id=subnet.id, route_table_id=rt.id
            )
            self.private_route_tables.append(rt)

        # Databases never reach the internet: their table has only the local route
        # (and the gateway endpoints below).
        self.database_route_table = RouteTable(
            self, "database-rt", provider=provider, vpc_id=self.vpc.id, tags={"Name": n.name("database")}
        )
        for i, subnet in enumerate(self.database_subnets):
            RouteTableAssociation(
                self,
                f"database-rta-{i}",
                provider=provider,
                subnet_id=subnet.id,
                route_table_id=self.database_route_table.id,
            )

        internal_tables = [rt.id for rt in self.private_route_tables] + [self.database_route_table.id]
        for service in ("s3", "dynamodb"):
            VpcEndpoint(
                self,
                f"{service}-endpoint",
                provider=provider,
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=internal_tables,
                tags={"Name": n.name(f"{service}-endpoint")},
            )

        if props.interface_endpoints:
            endpoint_sg = SecurityGroup(
                self,
                "endpoint-sg",
                provider=provider,
                name=n.name("endpoints"),
                description="Interface VPC endpoints: HTTPS from inside the VPC only",
                vpc_id=self.vpc.id,
                tags={"Name": n.name("endpoints")},
            )
            VpcSecurityGroupIngressRule(
                self,
                "endpoint-https-in",
                provider=provider,
                security_group_id=endpoint_sg.id,
                description="HTTPS from the VPC to the AWS service endpoints",
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4=props.cidr,
            )
            VpcSecurityGroupEgressRule(
                self,
                "endpoint-out",
                provider=provider,
                security_group_id=endpoint_sg.id,
                description="Endpoint ENIs answer inside the VPC only",
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4=props.cidr,
            )
            for service in props.interface_endpoints:
                VpcEndpoint(
                    self,
                    f"{service}-endpoint",
                    provider=provider,
                    vpc_id=self.vpc.id,
                    service_name=f"com.amazonaws.{region}.{service}",
                    vpc_endpoint_type="Interface",
                    private_dns_enabled=True,
                    subnet_ids=[s.id for s in self.private_subnets],
                    security_group_ids=[endpoint_sg.id],
                    tags={"Name": n.name(f"{service}-endpoint")},
                )

        self.flow_log_group = CloudwatchLogGroup(
            self,
            "flow-log-group",
            provider=provider,
            name=f"/vpc/{n.name('flow-logs')}",
            retention_in_days=props.flow_log_retention_days,
            kms_key_id=key.arn,
        )
        role = IamRole(
            self,
            "flow-log-role",
            provider=provider,
            name=n.name("flow-logs"),
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com", key.account_id),
        )
        IamRolePolicy(
            self,
            "flow-log-policy",
            provider=provider,
            role=role.id,
            name="write-flow-logs",
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            "Resource": [f"{self.flow_log_group.arn}:*"],
                        },
                        {"Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
                    ],
                }
            ),
        )
        FlowLog(
            self,
            "flow-log",
            provider=provider,
            vpc_id=self.vpc.id,
            traffic_type=props.flow_log_traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": n.name("flow-log")},
        )

    @property
    def vpc_id(self) -> str:
        return self.vpc.id

    @property
    def vpc_cidr(self) -> str:
        return self.vpc.cidr_block

    @property
    def public_subnet_ids(self) -> list[str]:
        return [s.id for s in self.public_subnets]

    @property
    def private_subnet_ids(self) -> list[str]:
        return [s.id for s in self.private_subnets]

    @property
    def database_subnet_ids(self) -> list[str]:
        return [s.id for s in self.database_subnets]

    @property
    def nat_gateway_ids(self) -> list[str]:
        return [g.id for g in self.nat_gateways]

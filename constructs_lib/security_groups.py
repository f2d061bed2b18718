"""Security groups and their rules: one resource per rule, TCP on one port, from or to
one peer (a CIDR, another group, or a managed prefix list), written as table rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

HTTPS = 443
SSH = 22
ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True, kw_only=True)
class Peer:
    """The other side of a rule: exactly one of the three is set."""

    cidr_ipv4: str | None = None
    referenced_security_group_id: str | None = None
    prefix_list_id: str | None = None

    @staticmethod
    def cidr(block: str) -> Peer:
        return Peer(cidr_ipv4=block)

    @staticmethod
    def group(security_group_id: str) -> Peer:
        return Peer(referenced_security_group_id=security_group_id)

    @staticmethod
    def prefix_list(prefix_list_id: str) -> Peer:
        return Peer(prefix_list_id=prefix_list_id)


def security_group(
    scope: Construct, id: str, *, provider: AwsProvider, name: str, description: str, vpc_id: str
) -> SecurityGroup:
    """A group with no inline rules (every rule is its own resource), tagged ``Name``."""
    return SecurityGroup(
        scope, id, provider=provider, name=name, description=description, vpc_id=vpc_id, tags={"Name": name}
    )


class Direction(StrEnum):
    IN = "ingress"
    OUT = "egress"


IN, OUT = Direction.IN, Direction.OUT


@dataclass(frozen=True)
class Rule:
    """One rule, written as a table row: ``Rule("app-in-alb", IN, app.id, 8080,
    Peer.group(alb.id), "App port from the ALB")`` admits TCP 8080 into ``app`` from
    ``alb``; ``OUT`` lets the group open connections to the peer on the port."""

    id: str
    """Construct id of the rule resource (part of its Terraform address)."""
    direction: Direction
    group_id: str
    port: int
    peer: Peer
    description: str


def add_rules(scope: Construct, provider: AwsProvider, *rules: Rule) -> None:
    """One ``aws_vpc_security_group_{ingress,egress}_rule`` resource per row."""
    for rule in rules:
        kind = VpcSecurityGroupIngressRule if rule.direction is IN else VpcSecurityGroupEgressRule
        kind(
            scope,
            rule.id,
            provider=provider,
            security_group_id=rule.group_id,
            description=rule.description,
            ip_protocol="tcp",
            from_port=rule.port,
            to_port=rule.port,
            cidr_ipv4=rule.peer.cidr_ipv4,
            referenced_security_group_id=rule.peer.referenced_security_group_id,
            prefix_list_id=rule.peer.prefix_list_id,
        )

"""Security groups and their rules: one resource per rule, TCP on one port, from or to
one peer (a CIDR, another group, or a managed prefix list)."""

from __future__ import annotations

from dataclasses import dataclass

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


def ingress(
    scope: Construct, id: str, *, provider: AwsProvider, group_id: str, port: int, peer: Peer, description: str
) -> VpcSecurityGroupIngressRule:
    """Admit TCP ``port`` into ``group_id`` from ``peer``."""
    return VpcSecurityGroupIngressRule(
        scope,
        id,
        provider=provider,
        security_group_id=group_id,
        description=description,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        cidr_ipv4=peer.cidr_ipv4,
        referenced_security_group_id=peer.referenced_security_group_id,
        prefix_list_id=peer.prefix_list_id,
    )


def egress(
    scope: Construct, id: str, *, provider: AwsProvider, group_id: str, port: int, peer: Peer, description: str
) -> VpcSecurityGroupEgressRule:
    """Let ``group_id`` open TCP connections to ``peer`` on ``port``."""
    return VpcSecurityGroupEgressRule(
        scope,
        id,
        provider=provider,
        security_group_id=group_id,
        description=description,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        cidr_ipv4=peer.cidr_ipv4,
        referenced_security_group_id=peer.referenced_security_group_id,
        prefix_list_id=peer.prefix_list_id,
    )

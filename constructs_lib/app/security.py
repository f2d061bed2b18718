"""AppSecurityGroups: the layered security groups of one region's web tier."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_ec2_managed_prefix_list import DataAwsEc2ManagedPrefixList
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from constructs import Construct

from ..addressing import Facet
from ..config import AppConfig
from ..context import Context
from ..network import RegionalNetwork
from ..security_groups import ANYWHERE, HTTPS, IN, OUT, Peer, Rule, add_rules, security_group

CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
"""AWS-managed prefix list of CloudFront's origin-facing servers."""


def route53_health_check_prefix_list(region: str) -> str:
    """AWS-managed prefix list of the Route 53 health checkers, as seen from ``region``."""
    return f"com.amazonaws.{region}.route53-healthchecks"


class AppSecurityGroups(Facet):
    """ALB -> app, with one rule resource per rule.

    Creates: the ALB's group (the listener port from CloudFront's origin-facing prefix
    list only); with Route 53 health checks, a second ALB group admitting the
    checkers' prefix list (CloudFront's list weighs 55 of the default 60 rules per
    group, so the checkers cannot share it); the app group (the app port from each ALB
    group); the Lambda group (egress only); HTTPS egress for the app and Lambda groups.
    The bastion adds its own rules (``Bastion``), the database its own (``Database``).

    Example::

        groups = AppSecurityGroups(tier, "security", provider=provider, ctx=ctx, props=config.app,
                                   network=network, listener_port=80)
        groups.app.id
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: AppConfig,
        network: RegionalNetwork,
        listener_port: int,
        route53_health_checks: bool,
    ):
        super().__init__(scope, id)
        n = ctx.naming

        def group(sid: str, role: str, description: str) -> SecurityGroup:
            return security_group(
                self, sid, provider=provider, name=n.name(role), description=description, vpc_id=network.vpc_id
            )

        self.alb = group("alb-sg", "alb", "ALB: HTTP(S) from CloudFront only")
        self.app = group("app-sg", "app", "App instances: app port from the ALB only")
        self.function = group("lambda-sg", "lambda", "Lambda ENIs: egress only")
        cloudfront = DataAwsEc2ManagedPrefixList(
            self, "cloudfront-prefix-list", provider=provider, name=CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST
        )
        rules = [
            Rule(
                f"alb-in-{listener_port}",
                IN,
                self.alb.id,
                listener_port,
                Peer.prefix_list(cloudfront.id),
                f"Port {listener_port} from CloudFront origin-facing servers only",
            )
        ]
        self.load_balancer_groups = [self.alb]
        """Every group the ALB carries."""
        if route53_health_checks:
            health = group("alb-health-sg", "alb-health", "ALB: health check path from Route 53 checkers only")
            checkers = DataAwsEc2ManagedPrefixList(
                self, "route53-prefix-list", provider=provider, name=route53_health_check_prefix_list(n.region)
            )
            rules.append(
                Rule(
                    f"alb-health-in-{listener_port}",
                    IN,
                    health.id,
                    listener_port,
                    Peer.prefix_list(checkers.id),
                    f"Port {listener_port} from Route 53 health checkers only",
                )
            )
            self.load_balancer_groups.append(health)
        # Each ALB group reaches the app port, and the app group admits each of them.
        for alb in self.load_balancer_groups:
            role, port = alb.node.id.removesuffix("-sg"), props.app_port
            rules += [
                Rule(
                    f"{role}-out-app",
                    OUT,
                    alb.id,
                    port,
                    Peer.group(self.app.id),
                    "To the app instances on the app port",
                ),
                Rule(
                    f"app-in-{role}",
                    IN,
                    self.app.id,
                    port,
                    Peer.group(alb.id),
                    f"App port from the ALB ({alb.node.id})",
                ),
            ]
        outbound = "HTTPS to AWS APIs and package repositories (via endpoints or NAT)"
        rules += [
            Rule("app-out-https", OUT, self.app.id, HTTPS, Peer.cidr(ANYWHERE), outbound),
            Rule("lambda-out-https", OUT, self.function.id, HTTPS, Peer.cidr(ANYWHERE), outbound),
        ]
        add_rules(self, provider, *rules)

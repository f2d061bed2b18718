"""DnsFailover: the hosted zone, a health check per region and the failover records."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route53_health_check import Route53HealthCheck
from cdktf_cdktf_provider_aws.route53_query_log import Route53QueryLog
from cdktf_cdktf_provider_aws.route53_record import (
    Route53Record,
    Route53RecordAlias,
    Route53RecordFailoverRoutingPolicy,
    Route53RecordLatencyRoutingPolicy,
)
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone
from constructs import Construct

from ..addressing import Facet
from ..config import EdgeConfig
from ..context import Context
from ..iam import policy_document
from ..kms import RegionalKey
from ..logs import encrypted_log_group
from .origins import RegionalOrigin, origin_name, regional_origin_name

QUERY_LOG_REGION = "us-east-1"
"""Route 53 writes query logs only to CloudWatch Logs in us-east-1."""


def alb_alias(target: RegionalOrigin) -> Route53RecordAlias:
    """An alias to a region's ALB that answers only while its targets are healthy."""
    return Route53RecordAlias(name=target.alb_dns_name, zone_id=target.alb_zone_id, evaluate_target_health=True)


class DnsFailover(Facet):
    """Creates: a public hosted zone (or looks up ``zone_id``) with DNS query logging
    to an encrypted log group; per region an alias ``<region>.origin.<domain>`` and an
    HTTP(S) Route 53 health check of the ALB's health path; ``origin.<domain>``
    failover aliases (PRIMARY: the primary ALB; SECONDARY: the secondary ALB, or a
    latency set of all secondaries when there are several, since Route 53 allows one
    SECONDARY per name).

    Example::

        dns = DnsFailover(edge, "dns", provider=provider, ctx=ctx, props=config.edge, domain=stack.domain, key=key,
                          primary=..., secondaries=(...,), health_check_path="/health",
                          log_retention_days=365)
        dns.zone_id
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: EdgeConfig,
        domain: str,
        key: RegionalKey,
        primary: RegionalOrigin,
        secondaries: Sequence[RegionalOrigin],
        health_check_path: str,
        log_retention_days: int,
    ):
        super().__init__(scope, id)
        n = ctx.naming
        self._provider = provider
        if props.zone_id is not None:
            self.zone_id = DataAwsRoute53Zone(self, "zone", provider=provider, zone_id=props.zone_id).zone_id
            self.name_servers: list[str] | None = None
        else:
            zone = Route53Zone(
                self,
                "zone",
                provider=provider,
                name=domain,
                comment=f"{n.prefix}: public zone",
                force_destroy=not ctx.stateful,
            )
            self.zone_id = zone.zone_id
            self.name_servers = zone.name_servers
            self._query_logging(provider, ctx, key, zone, log_retention_days)

        self.health_checks: dict[str, Route53HealthCheck] = {}
        for origin in (primary, *secondaries):
            regional_name = regional_origin_name(origin.region, domain)
            self.alias(f"origin-{origin.region}", regional_name, alb_alias(origin))
            # With a certificate the check uses the regional name (SNI must match it);
            # without, the ALB's own DNS name over HTTP.
            self.health_checks[origin.region] = Route53HealthCheck(
                self,
                f"health-{origin.region}",
                provider=provider,
                type="HTTPS" if origin.https else "HTTP",
                fqdn=regional_name if origin.https else origin.alb_dns_name,
                port=443 if origin.https else 80,
                enable_sni=True if origin.https else None,
                resource_path=health_check_path,
                request_interval=props.health_check_interval,
                failure_threshold=props.health_check_failure_threshold,
                measure_latency=True,
                regions=list(props.health_check_regions),
                tags={"Name": n.name("health", origin.region)},
            )

        self.failover_record_name = origin_name(domain)
        self._failover("origin-primary", "PRIMARY", f"primary-{primary.region}", primary)
        if len(secondaries) == 1:
            (only,) = secondaries
            self._failover("origin-secondary", "SECONDARY", f"secondary-{only.region}", only)
        else:
            pool = f"secondaries.{self.failover_record_name}"
            for origin in secondaries:
                Route53Record(
                    self,
                    f"secondary-pool-{origin.region}",
                    provider=provider,
                    zone_id=self.zone_id,
                    name=pool,
                    type="A",
                    set_identifier=f"secondary-{origin.region}",
                    latency_routing_policy=Route53RecordLatencyRoutingPolicy(region=origin.region),
                    health_check_id=self.health_checks[origin.region].id,
                    alias=alb_alias(origin),
                )
            Route53Record(
                self,
                "origin-secondary",
                provider=provider,
                zone_id=self.zone_id,
                name=self.failover_record_name,
                type="A",
                set_identifier="secondaries",
                failover_routing_policy=Route53RecordFailoverRoutingPolicy(type="SECONDARY"),
                alias=Route53RecordAlias(name=pool, zone_id=self.zone_id, evaluate_target_health=True),
            )

    def alias(self, id: str, name: str, alias: Route53RecordAlias, rtype: str = "A") -> None:
        """A plain alias record ``name`` in the zone (the edge adds the distribution's names)."""
        Route53Record(self, id, provider=self._provider, zone_id=self.zone_id, name=name, type=rtype, alias=alias)

    def _failover(self, id: str, role: str, set_identifier: str, origin: RegionalOrigin) -> None:
        Route53Record(
            self,
            id,
            provider=self._provider,
            zone_id=self.zone_id,
            name=self.failover_record_name,
            type="A",
            set_identifier=set_identifier,
            failover_routing_policy=Route53RecordFailoverRoutingPolicy(type=role),
            health_check_id=self.health_checks[origin.region].id,
            alias=alb_alias(origin),
        )

    def _query_logging(
        self, provider: AwsProvider, ctx: Context, key: RegionalKey, zone: Route53Zone, retention_days: int
    ) -> None:
        """DNS query logs of the zone, through a log resource policy scoped to the
        /aws/route53/ groups of this account."""
        n = ctx.naming
        group = encrypted_log_group(
            self,
            "query-logs",
            provider=provider,
            name=f"/aws/route53/{n.name('zone')}",
            retention_days=retention_days,
            key=key,
        )
        policy = CloudwatchLogResourcePolicy(
            self,
            "query-logs-policy",
            provider=provider,
            policy_name=n.name("route53-query-logs"),
            policy_document=policy_document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "route53.amazonaws.com"},
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"arn:{key.partition_name}:logs:{QUERY_LOG_REGION}:{key.account_id}:log-group:/aws/route53/*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": key.account_id}},
                }
            ),
        )
        Route53QueryLog(
            self,
            "query-log",
            provider=provider,
            zone_id=zone.zone_id,
            cloudwatch_log_group_arn=group.arn,
            depends_on=[policy],
        )

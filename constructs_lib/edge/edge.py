"""GlobalEdge: the global entry point, composed of DNS failover, WAF and CloudFront."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route53_record import Route53RecordAlias
from constructs import Construct

from ..config import EdgeConfig
from ..context import Context
from ..kms import RegionalKey
from .distribution import Distribution
from .dns import DnsFailover
from .firewall import EdgeFirewall
from .origins import RegionalOrigin

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The fixed hosted zone id of every CloudFront distribution, for alias records."""


class GlobalEdge(Construct):
    """``https://<domain>`` -> CloudFront -> the regional ALBs.

    All with the us-east-1 provider, where CloudFront's WAF, certificate and logs
    must live:

    - ``DnsFailover`` (dns.py): zone, health checks, regional and failover records.
    - ``EdgeFirewall`` (firewall.py), unless ``props.waf_enabled`` is false.
    - ``Distribution`` (distribution.py): CloudFront with its origin group, logs and
      (delegated) certificate.
    - ``<domain>`` and ``www.<domain>`` A and AAAA aliases to the distribution.

    The three are facets: addresses stay ``<edge id>_<resource id>``.

    Example::

        edge = GlobalEdge(stack, "edge", provider=us_east_1, ctx=ctx, props=config.edge, domain=stack.domain, key=edge_key,
                          primary=..., secondaries=(...,), origin_secret=..., health_check_path="/health",
                          log_retention_days=365)
        edge.distribution_domain_name
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
        origin_secret: str,
        health_check_path: str,
        log_retention_days: int,
        response_headers_policy_id: str | None = None,
    ):
        """``primary``: first member of the origin group, PRIMARY record.
        ``secondaries``: in config order; the first is the origin group's second member
        (CloudFront allows exactly two); all stand behind the SECONDARY record.
        ``origin_secret``: sent as ``X-Origin-Verify`` to every origin (a reference).
        ``domain``: ``props.domain``, or a reference to a Terraform variable when the
        config leaves it to deploy time."""
        super().__init__(scope, id)
        if not secondaries:
            raise ValueError("GlobalEdge.secondaries needs at least one region to fail over to")
        self.dns = DnsFailover(
            self,
            "dns",
            provider=provider,
            ctx=ctx,
            props=props,
            domain=domain,
            key=key,
            primary=primary,
            secondaries=secondaries,
            health_check_path=health_check_path,
            log_retention_days=log_retention_days,
        )
        self.firewall = (
            EdgeFirewall(
                self,
                "firewall",
                provider=provider,
                ctx=ctx,
                props=props,
                key=key,
                log_retention_days=log_retention_days,
            )
            if props.waf_enabled
            else None
        )
        self.distribution = Distribution(
            self,
            "distribution",
            provider=provider,
            ctx=ctx,
            props=props,
            domain=domain,
            key=key,
            primary=primary,
            secondary=secondaries[0],
            origin_secret=origin_secret,
            web_acl_arn=self.firewall.web_acl.arn if self.firewall else None,
            response_headers_policy_id=response_headers_policy_id,
        )
        to_distribution = Route53RecordAlias(
            name=self.distribution.domain_name, zone_id=CLOUDFRONT_ZONE_ID, evaluate_target_health=False
        )
        for label, name in (("apex", domain), ("www", f"www.{domain}")):
            for rtype in ("A", "AAAA"):
                self.dns.alias(f"{label}-{rtype.lower()}", name, to_distribution, rtype)

    # --- outputs -----------------------------------------------------------------------
    @property
    def zone_id(self) -> str:
        return self.dns.zone_id

    @property
    def name_servers(self) -> list[str] | None:
        return self.dns.name_servers

    @property
    def failover_record_name(self) -> str:
        return self.dns.failover_record_name

    @property
    def distribution_domain_name(self) -> str:
        return self.distribution.domain_name

    @property
    def distribution_id(self) -> str:
        return self.distribution.distribution.id

    @property
    def health_check_ids(self) -> dict[str, str]:
        return {region: check.id for region, check in self.dns.health_checks.items()}

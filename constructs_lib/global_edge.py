"""GlobalEdge: CloudFront with origin failover, Route 53 health-checked failover
records, and the WAF in front of every regional ALB."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrderedCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomHeader,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionOriginGroup,
    CloudfrontDistributionOriginGroupFailoverCriteria,
    CloudfrontDistributionOriginGroupMember,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from cdktf_cdktf_provider_aws.cloudfront_response_headers_policy import (
    CloudfrontResponseHeadersPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfig,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigXssProtection,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
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
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import Wafv2WebAclLoggingConfiguration
from constructs import Construct

from .app_tier import ORIGIN_SECRET_HEADER
from .buckets import SecureBucket, SecureBucketProps
from .certificates import DnsValidatedCertificate, DnsValidatedCertificateProps
from .kms import RegionalKey
from .naming import Naming

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The fixed hosted zone id of every CloudFront distribution, for alias records."""
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""AWS managed cache policy Managed-CachingDisabled."""
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"""AWS managed cache policy Managed-CachingOptimized (static path only: no cookies or
headers in the key, gzip/brotli, 1 day default TTL)."""
ALL_VIEWER_EXCEPT_HOST_POLICY_ID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""AWS managed origin request policy Managed-AllViewerExceptHostHeader: cookies,
query strings and headers reach the app; Host is the origin's, so TLS to the origin
name and ALB routing work."""
HSTS_MAX_AGE_SECONDS = 31_536_000
MANAGED_SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"
"""AWS managed response headers policy Managed-SecurityHeadersPolicy."""
FAILOVER_STATUS_CODES = (500, 502, 503, 504)
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


@dataclass(frozen=True, kw_only=True)
class RegionalOrigin:
    """One region's ALB, as the edge sees it."""

    region: str
    alb_dns_name: str
    alb_zone_id: str
    https: bool = False
    """True when the ALB listens on HTTPS with a certificate for ``<region>.origin.<domain>``."""


@dataclass(frozen=True, kw_only=True)
class GlobalEdgeProps:
    naming: Naming
    domain: str
    """User-facing name; ``www.<domain>`` and ``origin.<domain>`` are derived. Required."""
    primary: RegionalOrigin
    """The primary region's ALB: first member of the origin group, PRIMARY record."""
    secondaries: tuple[RegionalOrigin, ...]
    """Other regions, in config order. The first is the origin group's second member
    (CloudFront allows exactly two); all stand behind the SECONDARY record."""
    origin_secret: str
    """Sent as ``X-Origin-Verify`` to every origin (a Terraform reference)."""
    zone_id: str | None = None
    """Existing hosted zone. Default: None, a zone is created."""
    delegated: bool = False
    """Default: false; no certificate that would wait on DNS validation is requested."""
    health_check_path: str = "/health"
    health_check_interval: int = 10
    health_check_failure_threshold: int = 3
    health_check_regions: tuple[str, ...] = ("us-east-1", "us-west-2", "eu-west-1")
    price_class: str = "PriceClass_100"
    waf_enabled: bool = True
    waf_rate_limit: int = 2000
    write_path_patterns: tuple[str, ...] = ("/api/*",)
    static_path_pattern: str = "/static/*"
    origin_connection_timeout: int = 3
    origin_connection_attempts: int = 1
    geo_allow: tuple[str, ...] = ()
    response_headers_policy_id: str | None = None
    """Use this response headers policy instead of creating the product's own (HSTS 1
    year with subdomains, nosniff, DENY framing, strict referrer). Default: create it."""
    log_retention_days: int = 365
    stateful: bool = True
    tags: dict[str, str] = field(default_factory=dict)


class GlobalEdge(Construct):
    """The global entry point: ``https://<domain>`` -> CloudFront -> the regional ALBs.

    Creates (all with the us-east-1 provider, where CloudFront's WAF and certificate
    must live): a Route 53 public zone (or uses an existing one); per region an HTTP(S)
    Route 53 health check of the ALB's health path and a ``<region>.origin.<domain>``
    alias; ``origin.<domain>`` failover alias records (PRIMARY: the primary ALB;
    SECONDARY: the secondary ALB, or a latency set of all secondaries when there are
    several); a CloudFront distribution whose default behaviour targets an origin
    group (primary ALB, then the first secondary on 5xx or connection failure) and
    whose write paths target the primary origin with every method; caching for
    the static path (managed CachingOptimized); ``<domain>``/``www`` A and AAAA aliases to the distribution; a
    WAFv2 web ACL (managed common, known-bad-inputs and IP-reputation rules plus a
    rate limit) with logging; a bucket for CloudFront access logs; with a delegated
    domain, an ACM certificate for CloudFront validated in the zone.

    Example::

        edge = GlobalEdge(stack, "edge", provider=us_east_1, key=edge_key,
                          props=GlobalEdgeProps(naming=naming, domain="example.com",
                                                primary=..., secondaries=(...,), origin_secret=...))
        edge.distribution_domain_name
    """

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider, key: RegionalKey, props: GlobalEdgeProps):
        super().__init__(scope, id)
        if not props.secondaries:
            raise ValueError("GlobalEdgeProps.secondaries needs at least one region to fail over to")
        if props.delegated and props.zone_id is None:
            raise ValueError("GlobalEdgeProps.zone_id is required when delegated is true")
        n, domain = props.naming, props.domain
        origin_name = f"origin.{domain}"
        account = key.account_id

        # --- zone -------------------------------------------------------------------
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
                force_destroy=not props.stateful,
            )
            self.zone_id = zone.zone_id
            self.name_servers = zone.name_servers
            self._query_logging(provider, key, props, zone)

        def alias(target: RegionalOrigin) -> Route53RecordAlias:
            return Route53RecordAlias(name=target.alb_dns_name, zone_id=target.alb_zone_id, evaluate_target_health=True)

        # --- per-region health checks and names ------------------------------------
        self.health_checks: dict[str, Route53HealthCheck] = {}
        for origin in (props.primary, *props.secondaries):
            regional_name = f"{origin.region}.{origin_name}"
            Route53Record(
                self,
                f"origin-{origin.region}",
                provider=provider,
                zone_id=self.zone_id,
                name=regional_name,
                type="A",
                alias=alias(origin),
            )
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
                resource_path=props.health_check_path,
                request_interval=props.health_check_interval,
                failure_threshold=props.health_check_failure_threshold,
                measure_latency=True,
                regions=list(props.health_check_regions),
                tags={"Name": n.name("health", origin.region)},
            )

        # --- failover records -------------------------------------------------------
        self.failover_record_name = origin_name
        Route53Record(
            self,
            "origin-primary",
            provider=provider,
            zone_id=self.zone_id,
            name=origin_name,
            type="A",
            set_identifier=f"primary-{props.primary.region}",
            failover_routing_policy=Route53RecordFailoverRoutingPolicy(type="PRIMARY"),
            health_check_id=self.health_checks[props.primary.region].id,
            alias=alias(props.primary),
        )
        if len(props.secondaries) == 1:
            (only,) = props.secondaries
            Route53Record(
                self,
                "origin-secondary",
                provider=provider,
                zone_id=self.zone_id,
                name=origin_name,
                type="A",
                set_identifier=f"secondary-{only.region}",
                failover_routing_policy=Route53RecordFailoverRoutingPolicy(type="SECONDARY"),
                health_check_id=self.health_checks[only.region].id,
                alias=alias(only),
            )
        else:
            # Route 53 allows one SECONDARY per name: it points at a latency set of
            # every secondary, each with its own health check.
            pool = f"secondaries.{origin_name}"
            for origin in props.secondaries:
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
                    alias=alias(origin),
                )
            Route53Record(
                self,
                "origin-secondary",
                provider=provider,
                zone_id=self.zone_id,
                name=origin_name,
                type="A",
                set_identifier="secondaries",
                failover_routing_policy=Route53RecordFailoverRoutingPolicy(type="SECONDARY"),
                alias=Route53RecordAlias(name=pool, zone_id=self.zone_id, evaluate_target_health=True),
            )

        # --- WAF ----------------------------------------------------------------------
        self.web_acl: Wafv2WebAcl | None = None
        if props.waf_enabled:
            self.web_acl = self._waf(provider, key, props)

        # --- CloudFront ---------------------------------------------------------------
        self.log_bucket = SecureBucket(
            self,
            "log-bucket",
            provider=provider,
            props=SecureBucketProps(
                name=f"{n.name('cdn-logs')}-{account}",
                expire_days=365,
                noncurrent_expire_days=30,
                # CloudFront standard logs are delivered with an ACL grant to the
                # awslogsdelivery account: the bucket must allow ACLs (owner preferred).
                object_ownership="BucketOwnerPreferred",
                stateful=props.stateful,
                force_destroy=not props.stateful,
            ),
        )
        certificate = None
        if props.delegated:
            assert props.zone_id is not None
            certificate = DnsValidatedCertificate(
                self,
                "certificate",
                provider=provider,
                props=DnsValidatedCertificateProps(
                    domain=domain, zone_id=props.zone_id, alternative_names=(f"www.{domain}",)
                ),
            )
        secondary = props.secondaries[0]

        def make_origin(origin_id: str, host: str, https: bool) -> CloudfrontDistributionOrigin:
            return CloudfrontDistributionOrigin(
                origin_id=origin_id,
                domain_name=host,
                connection_attempts=props.origin_connection_attempts,
                connection_timeout=props.origin_connection_timeout,
                custom_header=[
                    CloudfrontDistributionOriginCustomHeader(name=ORIGIN_SECRET_HEADER, value=props.origin_secret)
                ],
                custom_origin_config=CloudfrontDistributionOriginCustomOriginConfig(
                    http_port=80,
                    https_port=443,
                    origin_protocol_policy="https-only" if https else "http-only",
                    origin_ssl_protocols=["TLSv1.2"],
                    origin_read_timeout=30,
                    origin_keepalive_timeout=5,
                ),
            )

        # With a delegated domain the primary origin is origin.<domain>: the Route 53
        # failover name, so writes fail over too once the health checks trip.
        primary_host = origin_name if props.primary.https and props.delegated else props.primary.alb_dns_name
        secondary_host = (
            f"{secondary.region}.{origin_name}" if secondary.https and props.delegated else secondary.alb_dns_name
        )
        primary_id, secondary_id, group_id = "primary", "secondary", "failover"
        headers_id = props.response_headers_policy_id or self._security_headers(provider, n).id
        ordered = [
            CloudfrontDistributionOrderedCacheBehavior(
                path_pattern=pattern,
                target_origin_id=primary_id,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=ALL_METHODS,
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=CACHING_DISABLED_POLICY_ID,
                origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_POLICY_ID,
                response_headers_policy_id=headers_id,
            )
            for pattern in props.write_path_patterns
        ]
        ordered.append(
            CloudfrontDistributionOrderedCacheBehavior(
                path_pattern=props.static_path_pattern,
                target_origin_id=group_id,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=READ_METHODS,
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=CACHING_OPTIMIZED_POLICY_ID,
                response_headers_policy_id=headers_id,
            )
        )
        self.distribution = CloudfrontDistribution(
            self,
            "distribution",
            provider=provider,
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=f"{n.prefix}: multi-region web app",
            price_class=props.price_class,
            aliases=[domain, f"www.{domain}"] if certificate else None,
            origin=[
                make_origin(primary_id, primary_host, props.primary.https),
                make_origin(secondary_id, secondary_host, secondary.https),
            ],
            origin_group=[
                CloudfrontDistributionOriginGroup(
                    origin_id=group_id,
                    failover_criteria=CloudfrontDistributionOriginGroupFailoverCriteria(
                        status_codes=list(FAILOVER_STATUS_CODES)
                    ),
                    member=[
                        CloudfrontDistributionOriginGroupMember(origin_id=primary_id),
                        CloudfrontDistributionOriginGroupMember(origin_id=secondary_id),
                    ],
                )
            ],
            # Dynamic app: nothing is cached by default and every viewer header,
            # cookie and query string reaches the origin, so authenticated responses
            # are never served to someone else. Origin groups fail over only these
            # methods; writes use the behaviours above.
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=group_id,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=READ_METHODS,
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=CACHING_DISABLED_POLICY_ID,
                origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_POLICY_ID,
                response_headers_policy_id=headers_id,
            ),
            ordered_cache_behavior=ordered,
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(
                    restriction_type="whitelist" if props.geo_allow else "none",
                    locations=list(props.geo_allow) or None,
                )
            ),
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=certificate.arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            )
            if certificate
            else CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True),
            logging_config=CloudfrontDistributionLoggingConfig(
                bucket=self.log_bucket.bucket.bucket_regional_domain_name, prefix="cloudfront/", include_cookies=False
            ),
            web_acl_id=self.web_acl.arn if self.web_acl else None,
            depends_on=[self.log_bucket.ownership],
        )
        for name in (domain, f"www.{domain}"):
            for rtype in ("A", "AAAA"):
                Route53Record(
                    self,
                    f"{'apex' if name == domain else 'www'}-{rtype.lower()}",
                    provider=provider,
                    zone_id=self.zone_id,
                    name=name,
                    type=rtype,
                    alias=Route53RecordAlias(
                        name=self.distribution.domain_name, zone_id=CLOUDFRONT_ZONE_ID, evaluate_target_health=False
                    ),
                )

    def _security_headers(self, provider: AwsProvider, n: Naming) -> CloudfrontResponseHeadersPolicy:
        return CloudfrontResponseHeadersPolicy(
            self,
            "security-headers",
            provider=provider,
            name=n.name("security-headers"),
            comment="HSTS, no sniffing, no framing, strict referrer",
            security_headers_config=CloudfrontResponseHeadersPolicySecurityHeadersConfig(
                strict_transport_security=CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
                    access_control_max_age_sec=HSTS_MAX_AGE_SECONDS,
                    include_subdomains=True,
                    preload=False,
                    override=True,
                ),
                content_type_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(
                    override=True
                ),
                frame_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions(
                    frame_option="DENY", override=True
                ),
                referrer_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                xss_protection=CloudfrontResponseHeadersPolicySecurityHeadersConfigXssProtection(
                    protection=True, mode_block=True, override=True
                ),
            ),
        )

    def _query_logging(
        self, provider: AwsProvider, key: RegionalKey, props: GlobalEdgeProps, zone: Route53Zone
    ) -> None:
        """DNS query logs of the zone (Route 53 writes them only to us-east-1, through
        a log resource policy scoped to /aws/route53/ groups of this account)."""
        n = props.naming
        group = CloudwatchLogGroup(
            self,
            "query-logs",
            provider=provider,
            name=f"/aws/route53/{n.name('zone')}",
            retention_in_days=props.log_retention_days,
            kms_key_id=key.arn,
        )
        policy = CloudwatchLogResourcePolicy(
            self,
            "query-logs-policy",
            provider=provider,
            policy_name=n.name("route53-query-logs"),
            policy_document=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "route53.amazonaws.com"},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"arn:{key.partition_name}:logs:us-east-1:{key.account_id}:log-group:/aws/route53/*",
                            "Condition": {"StringEquals": {"aws:SourceAccount": key.account_id}},
                        }
                    ],
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

    def _waf(self, provider: AwsProvider, key: RegionalKey, props: GlobalEdgeProps) -> Wafv2WebAcl:
        n = props.naming

        def visibility(metric: str) -> Wafv2WebAclRuleVisibilityConfig:
            return Wafv2WebAclRuleVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        rules = [
            Wafv2WebAclRule(
                name=group,
                priority=i,
                override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                # The bindings type ``statement`` as Any (it nests too deep to
                # generate), so it is written in Terraform's own shape.
                statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                visibility_config=visibility(group),
            )
            for i, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(
            Wafv2WebAclRule(
                name="rate-limit-per-ip",
                priority=len(rules),
                action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                statement={"rate_based_statement": {"limit": props.waf_rate_limit, "aggregate_key_type": "IP"}},
                visibility_config=visibility("rate-limit-per-ip"),
            )
        )
        acl = Wafv2WebAcl(
            self,
            "web-acl",
            provider=provider,
            name=n.name("edge"),
            scope="CLOUDFRONT",
            description="Managed common, known-bad-inputs and IP-reputation rules, and a per-IP rate limit",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=n.name("edge"), sampled_requests_enabled=True
            ),
        )
        # WAF only logs to log groups whose name starts with aws-waf-logs-.
        logs = CloudwatchLogGroup(
            self,
            "waf-logs",
            provider=provider,
            name=f"aws-waf-logs-{n.name('edge')}",
            retention_in_days=props.log_retention_days,
            kms_key_id=key.arn,
        )
        Wafv2WebAclLoggingConfiguration(
            self,
            "waf-logging",
            provider=provider,
            resource_arn=acl.arn,
            log_destination_configs=[logs.arn],
        )
        return acl

    # --- outputs -----------------------------------------------------------------------
    @property
    def distribution_domain_name(self) -> str:
        return self.distribution.domain_name

    @property
    def distribution_id(self) -> str:
        return self.distribution.id

    @property
    def health_check_ids(self) -> dict[str, str]:
        return {region: check.id for region, check in self.health_checks.items()}

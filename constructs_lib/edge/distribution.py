"""Distribution: CloudFront in front of the regional ALBs, with origin failover."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

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
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from ..addressing import Facet
from ..buckets import SecureBucket, SecureBucketProps
from ..certificates import DnsValidatedCertificate, DnsValidatedCertificateProps
from ..config import EdgeConfig
from ..context import Context
from ..kms import RegionalKey
from ..origin_secret import ORIGIN_SECRET_HEADER
from .origins import RegionalOrigin, origin_host

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
"""One year, the minimum the HSTS preload list accepts."""
MANAGED_SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"
"""AWS managed response headers policy Managed-SecurityHeadersPolicy."""
FAILOVER_STATUS_CODES = (500, 502, 503, 504)
READ_METHODS = ("GET", "HEAD", "OPTIONS")
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
CACHED_METHODS = ("GET", "HEAD")
ORIGIN_READ_TIMEOUT_SECONDS = 30
"""CloudFront's default: how long it waits for the first byte of a response."""
ORIGIN_KEEPALIVE_SECONDS = 5
"""CloudFront's default idle time of a connection to the origin."""
VIEWER_TLS_POLICY = "TLSv1.2_2021"
PRIMARY_ORIGIN, SECONDARY_ORIGIN, ORIGIN_GROUP = "primary", "secondary", "failover"


@dataclass(frozen=True, kw_only=True)
class Route:
    """One cache behaviour: where a path goes, which methods it takes, how it caches."""

    path_pattern: str | None
    """None: the default behaviour."""
    target_origin_id: str
    allowed_methods: tuple[str, ...]
    cache_policy_id: str
    origin_request_policy_id: str | None


def routes(props: EdgeConfig) -> list[Route]:
    """The behaviours, default first. Dynamic app: nothing is cached by default and
    every viewer header, cookie and query string reaches the origin, so authenticated
    responses are never served to someone else. Origin groups fail over only
    GET/HEAD/OPTIONS, so write paths take every method to the primary origin; the
    static path is the one cached path."""
    dynamic = (CACHING_DISABLED_POLICY_ID, ALL_VIEWER_EXCEPT_HOST_POLICY_ID)
    return [
        Route(
            path_pattern=None,
            target_origin_id=ORIGIN_GROUP,
            allowed_methods=READ_METHODS,
            cache_policy_id=dynamic[0],
            origin_request_policy_id=dynamic[1],
        ),
        *(
            Route(
                path_pattern=p,
                target_origin_id=PRIMARY_ORIGIN,
                allowed_methods=ALL_METHODS,
                cache_policy_id=dynamic[0],
                origin_request_policy_id=dynamic[1],
            )
            for p in props.write_path_patterns
        ),
        Route(
            path_pattern=props.static_path_pattern,
            target_origin_id=ORIGIN_GROUP,
            allowed_methods=READ_METHODS,
            cache_policy_id=CACHING_OPTIMIZED_POLICY_ID,
            origin_request_policy_id=None,
        ),
    ]


Behaviour = TypeVar("Behaviour", CloudfrontDistributionDefaultCacheBehavior, CloudfrontDistributionOrderedCacheBehavior)


def behaviour(kind: type[Behaviour], route: Route, headers_policy_id: str, **where: str) -> Behaviour:
    """``route`` as a cache behaviour of ``kind`` (``where``: the ordered behaviour's
    ``path_pattern``); every behaviour redirects HTTP to HTTPS and compresses."""
    return kind(
        **where,
        target_origin_id=route.target_origin_id,
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=list(route.allowed_methods),
        cached_methods=list(CACHED_METHODS),
        compress=True,
        cache_policy_id=route.cache_policy_id,
        origin_request_policy_id=route.origin_request_policy_id,
        response_headers_policy_id=headers_policy_id,
    )


class Distribution(Facet):
    """Creates: a bucket for CloudFront standard logs; with a delegated domain, an ACM
    certificate for ``<domain>`` and ``www.<domain>`` validated in the zone; the
    product's security headers policy (unless ``response_headers_policy_id``); and the
    distribution: two origins sending the origin secret (primary, first secondary), an
    origin group failing over on 5xx or connection failure, the ``routes`` as cache
    behaviours, geo restriction, TLS 1.2+ to viewers with a certificate, the web ACL.

    Example::

        Distribution(edge, "distribution", provider=us_east_1, ctx=ctx, props=config.edge, domain=stack.domain, key=key,
                     primary=..., secondary=..., origin_secret=secret.value, web_acl_arn=waf.web_acl.arn)
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
        secondary: RegionalOrigin,
        origin_secret: str,
        web_acl_arn: str | None,
        response_headers_policy_id: str | None = None,
    ):
        """``response_headers_policy_id``: use this policy instead of creating the
        product's own (HSTS 1 year with subdomains, nosniff, DENY framing, strict
        referrer). Default: create it."""
        super().__init__(scope, id)
        n = ctx.naming
        # CloudFront standard logs are delivered with an ACL grant to the awslogsdelivery
        # account: the bucket must allow ACLs (owner preferred).
        self.log_bucket = SecureBucket(
            self,
            "log-bucket",
            provider=provider,
            props=SecureBucketProps.for_logs(
                f"{n.name('cdn-logs')}-{key.account_id}",
                stateful=ctx.stateful,
                object_ownership="BucketOwnerPreferred",
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

        def origin(origin_id: str, target: RegionalOrigin, *, failover: bool) -> CloudfrontDistributionOrigin:
            return CloudfrontDistributionOrigin(
                origin_id=origin_id,
                domain_name=origin_host(target, domain, delegated=props.delegated, failover=failover),
                connection_attempts=props.origin_connection_attempts,
                connection_timeout=props.origin_connection_timeout,
                custom_header=[
                    CloudfrontDistributionOriginCustomHeader(name=ORIGIN_SECRET_HEADER, value=origin_secret)
                ],
                custom_origin_config=CloudfrontDistributionOriginCustomOriginConfig(
                    http_port=80,
                    https_port=443,
                    origin_protocol_policy="https-only" if target.https else "http-only",
                    origin_ssl_protocols=["TLSv1.2"],
                    origin_read_timeout=ORIGIN_READ_TIMEOUT_SECONDS,
                    origin_keepalive_timeout=ORIGIN_KEEPALIVE_SECONDS,
                ),
            )

        headers_id = response_headers_policy_id or self._security_headers(provider, ctx).id
        default, *ordered = routes(props)
        self.distribution = CloudfrontDistribution(
            self,
            "distribution",
            provider=provider,
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=f"{n.prefix}: multi-region web app",
            price_class=props.price_class.value,
            aliases=[domain, f"www.{domain}"] if certificate else None,
            origin=[
                # With a delegated domain the primary origin is the Route 53 failover
                # name, so writes fail over too once the health checks trip.
                origin(PRIMARY_ORIGIN, primary, failover=True),
                origin(SECONDARY_ORIGIN, secondary, failover=False),
            ],
            origin_group=[
                CloudfrontDistributionOriginGroup(
                    origin_id=ORIGIN_GROUP,
                    failover_criteria=CloudfrontDistributionOriginGroupFailoverCriteria(
                        status_codes=list(FAILOVER_STATUS_CODES)
                    ),
                    member=[
                        CloudfrontDistributionOriginGroupMember(origin_id=PRIMARY_ORIGIN),
                        CloudfrontDistributionOriginGroupMember(origin_id=SECONDARY_ORIGIN),
                    ],
                )
            ],
            default_cache_behavior=behaviour(CloudfrontDistributionDefaultCacheBehavior, default, headers_id),
            ordered_cache_behavior=[
                behaviour(CloudfrontDistributionOrderedCacheBehavior, r, headers_id, path_pattern=str(r.path_pattern))
                for r in ordered
            ],
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(
                    restriction_type="whitelist" if props.geo_allow else "none",
                    locations=list(props.geo_allow) or None,
                )
            ),
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=certificate.arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=VIEWER_TLS_POLICY,
            )
            if certificate
            else CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True),
            logging_config=CloudfrontDistributionLoggingConfig(
                bucket=self.log_bucket.bucket.bucket_regional_domain_name, prefix="cloudfront/", include_cookies=False
            ),
            web_acl_id=web_acl_arn,
            depends_on=[self.log_bucket.ownership],
        )

    def _security_headers(self, provider: AwsProvider, ctx: Context) -> CloudfrontResponseHeadersPolicy:
        return CloudfrontResponseHeadersPolicy(
            self,
            "security-headers",
            provider=provider,
            name=ctx.naming.name("security-headers"),
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

    @property
    def domain_name(self) -> str:
        return self.distribution.domain_name

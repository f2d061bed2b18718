"""How the edge sees each region: pure data and names, no resources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class RegionalOrigin:
    """One region's ALB, as the edge sees it."""

    region: str
    alb_dns_name: str
    alb_zone_id: str
    https: bool = False
    """True when the ALB listens on HTTPS with a certificate for ``<region>.origin.<domain>``."""


def origin_name(domain: str) -> str:
    """The Route 53 failover name in front of the regional ALBs."""
    return f"origin.{domain}"


def regional_origin_name(region: str, domain: str) -> str:
    """The name of one region's ALB under the failover name (what its certificate covers)."""
    return f"{region}.{origin_name(domain)}"


def origin_host(origin: RegionalOrigin, domain: str, *, delegated: bool, failover: bool) -> str:
    """The host CloudFront connects to for ``origin``. With a delegated domain and TLS:
    the failover name for the primary (``failover``: writes then fail over with Route
    53's health checks), the regional name for a secondary; else the ALB's own name."""
    if not (origin.https and delegated):
        return origin.alb_dns_name
    return origin_name(domain) if failover else regional_origin_name(origin.region, domain)

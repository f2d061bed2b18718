"""The global entry point: ``GlobalEdge`` and the constructs it is composed of."""

from .distribution import MANAGED_SECURITY_HEADERS_POLICY_ID, Distribution
from .dns import DnsFailover
from .edge import GlobalEdge
from .firewall import EdgeFirewall
from .origins import RegionalOrigin

__all__ = [
    "MANAGED_SECURITY_HEADERS_POLICY_ID",
    "Distribution",
    "DnsFailover",
    "EdgeFirewall",
    "GlobalEdge",
    "RegionalOrigin",
]

"""The network of one region: ``RegionalNetwork`` and the constructs it is composed of."""

from .endpoints import VpcEndpoints
from .flow_logs import FlowLogs
from .vpc import RegionalNetwork, nat_gateway_count

__all__ = ["FlowLogs", "RegionalNetwork", "VpcEndpoints", "nat_gateway_count"]

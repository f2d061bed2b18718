"""The web tier of one region: ``AppTier`` and the constructs it is composed of."""

from .bastion import Bastion
from .fleet import Fleet
from .load_balancer import LoadBalancer
from .object_processing import ObjectProcessing
from .security import AppSecurityGroups
from .tier import AppTier

__all__ = ["AppSecurityGroups", "AppTier", "Bastion", "Fleet", "LoadBalancer", "ObjectProcessing"]

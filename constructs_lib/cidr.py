"""Deterministic subnet planning with the standard library only.

The VPC is cut into 16 equal blocks (4 extra prefix bits):

* block 0 is cut again into /+8 slices for the **public** subnets (they only hold
  load balancers, NAT gateways and the bastion, so they stay small);
* blocks 1..N are the **private** (app) subnets, one large block per AZ, where the
  Auto Scaling group and Lambda ENIs live;
* block 15 is cut into /+8 slices for the **database** subnets.

For a /16 and three AZs that gives public ``10.0.{0,1,2}.0/24``, private
``10.0.{16,32,48}.0/20`` and database ``10.0.{240,241,242}.0/24``. Adding an AZ later
appends subnets without moving any existing one, so it never replaces infrastructure.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

MAX_AZS = 6
"""Upper bound of AZs a plan supports (blocks 1..6 of 16 for private subnets)."""
MIN_VPC_PREFIX = 16
"""AWS does not allow a VPC larger than /16."""
MAX_VPC_PREFIX = 20
"""A /20 VPC still yields /28 public and database subnets, the smallest AWS allows."""


@dataclass(frozen=True)
class SubnetPlan:
    """CIDRs per tier, index i belonging to AZ i."""

    public: tuple[str, ...]
    private: tuple[str, ...]
    database: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        return self.public + self.private + self.database


def plan(vpc_cidr: str, az_count: int) -> SubnetPlan:
    """Plan public, private and database subnets for ``az_count`` AZs in ``vpc_cidr``."""
    vpc = ipaddress.IPv4Network(vpc_cidr, strict=True)
    if not MIN_VPC_PREFIX <= vpc.prefixlen <= MAX_VPC_PREFIX:
        raise ValueError(
            f"VPC CIDR {vpc_cidr} must be a /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX} for the automatic subnet plan"
        )
    if not 1 <= az_count <= MAX_AZS:
        raise ValueError(f"az_count must be 1..{MAX_AZS}, got {az_count}")
    blocks = list(vpc.subnets(prefixlen_diff=4))
    public = list(blocks[0].subnets(prefixlen_diff=4))
    database = list(blocks[-1].subnets(prefixlen_diff=4))
    return SubnetPlan(
        public=tuple(str(n) for n in public[:az_count]),
        private=tuple(str(n) for n in blocks[1 : 1 + az_count]),
        database=tuple(str(n) for n in database[:az_count]),
    )

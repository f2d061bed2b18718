"""How construct paths become Terraform addresses.

A resource's address is its construct path below the stack joined by ``_``
(``aws_subnet.network_public-0``). A :class:`Facet` groups the resources of its parent
in code without adding to their addresses: ``AppTier`` is a composite of facets (load
balancer, fleet, bastion, ...), and ``aws_autoscaling_group.app_asg`` keeps the address
it had when the tier was one class. Code can then be regrouped without a state move;
the stack refuses two paths that would map to the same address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from constructs import Construct, IConstruct

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_-]")


class Facet(Construct):
    """A construct that organizes code, not state: its id is left out of the Terraform
    addresses of everything below it (see the module docstring)."""


def address_parts(scopes: Sequence[IConstruct]) -> list[str]:
    """The ids that make an address, from the scopes below the stack down to the
    element: every scope's id except a :class:`Facet`'s."""
    return [c.node.id for c in scopes if not isinstance(c, Facet)]


def logical_id(parts: Sequence[str]) -> str:
    """Terraform address name from address parts: ``["network", "public-0"]`` ->
    ``network_public-0``. Characters Terraform does not allow in names are dropped
    (cdktf's cross-stack outputs have dots in their ids)."""
    return _NOT_IN_NAME.sub("", "_".join(parts))

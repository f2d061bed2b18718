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
from collections.abc import Sequence, Set

from cdktf import TerraformStack
from constructs import Construct

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_-]")


class Facet(Construct):
    """A construct that organizes code, not state: its id is left out of the Terraform
    addresses of everything below it (see the module docstring). It registers its path
    with its stack when the stack keeps a register (``register_facet``), so addresses
    are computed from paths without walking the tree through the jsii kernel."""

    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        register = getattr(TerraformStack.of(self), "register_facet", None)
        if register is not None:
            register(self.node.path)


def address_parts_of_path(path: str, stack_path: str, facet_paths: Set[str]) -> list[str]:
    """The ids that make an address: those of ``path`` below ``stack_path``, leaving out
    every prefix in ``facet_paths`` (the facets' ids). From paths alone, without a kernel
    call per scope."""
    parts, prefix = [], stack_path
    for part in path[len(stack_path) + 1 :].split("/"):
        prefix = f"{prefix}/{part}"
        if prefix not in facet_paths:
            parts.append(part)
    return parts


def logical_id(parts: Sequence[str]) -> str:
    """Terraform address name from address parts: ``["network", "public-0"]`` ->
    ``network_public-0``. Characters Terraform does not allow in names are dropped
    (cdktf's cross-stack outputs have dots in their ids)."""
    return _NOT_IN_NAME.sub("", "_".join(parts))

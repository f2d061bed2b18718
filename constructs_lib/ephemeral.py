"""Ephemeral resources (Terraform 1.10): read or generated at every plan and apply, never
written to state or plan files. cdktf 0.21 has no construct for them, so they are written
into the stack's JSON as overrides, under the address their construct path would give."""

from __future__ import annotations

from typing import Any

from cdktf import TerraformProvider, TerraformStack
from constructs import Construct

from .addressing import logical_id


def ephemeral(scope: Construct, resource_type: str, id: str, *, provider: TerraformProvider, **arguments: Any) -> str:
    """Declare ``ephemeral "<resource_type>" "<name>"`` in ``scope``'s stack, ``<name>``
    made from ``scope``'s path and ``id`` like a resource's address, and return the
    reference to it (``ephemeral.<resource_type>.<name>``) for a write-only argument
    or another ephemeral resource. Values of ``arguments`` may hold tokens."""
    stack = TerraformStack.of(scope)
    path = f"{scope.node.path}/{id}"
    parts = getattr(stack, "address_parts", None)
    name = logical_id(parts(path) if parts else path[len(stack.node.path) + 1 :].split("/"))
    stack.add_override(f"ephemeral.{resource_type}.{name}", {"provider": provider.fqn, **arguments})
    return f"ephemeral.{resource_type}.{name}"

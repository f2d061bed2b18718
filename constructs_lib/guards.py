"""Protection of stateful resources against an accidental ``terraform destroy``."""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle


def protect(stateful: bool) -> TerraformResourceLifecycle | None:
    """``lifecycle { prevent_destroy = true }`` for resources holding data (databases,
    buckets, keys, vaults), unless the environment is disposable: then no lifecycle
    block at all, so a dev stack tears down cleanly."""
    return TerraformResourceLifecycle(prevent_destroy=True) if stateful else None

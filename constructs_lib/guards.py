"""Protection of stateful resources against an accidental ``terraform destroy``."""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle

SECRET_RECOVERY_WINDOW_DAYS = 30
"""The longest Secrets Manager allows: a secret deleted by mistake can be restored for a month."""


def secret_recovery_window(stateful: bool) -> int:
    """Days a deleted secret can be restored: ``SECRET_RECOVERY_WINDOW_DAYS``, or 0 (deleted
    at once, so the name is free for the next deploy) in a disposable environment."""
    return SECRET_RECOVERY_WINDOW_DAYS if stateful else 0


def protect(stateful: bool) -> TerraformResourceLifecycle | None:
    """``lifecycle { prevent_destroy = true }`` for resources holding data (databases,
    buckets, keys, vaults), unless the environment is disposable: then no lifecycle
    block at all, so a dev stack tears down cleanly."""
    return TerraformResourceLifecycle(prevent_destroy=True) if stateful else None

"""What every construct of one stack shares and no config section holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .naming import Naming


@dataclass(frozen=True, kw_only=True)
class Context:
    """Passed as ``ctx`` to every construct that realizes a config section, beside
    ``props`` (that section) and the resources it depends on."""

    naming: Naming
    """Names every resource ``<project>-<env>-<region>-<role>``. Required."""
    stateful: bool = True
    """Default: true: resources holding data carry ``prevent_destroy``, buckets are not
    force-destroyed, secrets keep a recovery window. False only for a disposable
    environment (``config.disposable``)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The product's tag set, for what the provider's ``default_tags`` do not reach
    (instances and volumes an Auto Scaling group launches). Default: none."""

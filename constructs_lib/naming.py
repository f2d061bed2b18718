"""Names and tags from one place.

Every resource name is ``<project>-<env>-<region>-<role>[-<suffix>]``; AWS services
with short name limits (ALB and target group: 32 characters) get a stable hashed
abbreviation instead of a silent truncation that could collide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Naming:
    """Builds names for one project, environment and region."""

    project: str
    environment: str
    region: str

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.environment}-{self.region}"

    def name(self, role: str, suffix: str | int | None = None) -> str:
        """``<project>-<env>-<region>-<role>[-<suffix>]``."""
        base = f"{self.prefix}-{role}"
        return base if suffix is None else f"{base}-{suffix}"

    def short(self, role: str, limit: int = 32) -> str:
        """A name within ``limit`` characters, unique per project/env/region/role.

        Names that fit are kept as they are; longer ones keep their start and end and
        replace the middle with 6 hex characters of a hash of the full name.
        """
        full = self.name(role)
        if len(full) <= limit:
            return full
        digest = hashlib.sha256(full.encode()).hexdigest()[:6]
        tail = f"-{digest}-{role}"
        return f"{full[: limit - len(tail)].rstrip('-')}{tail}"[:limit]


def default_tags(*, project: str, environment: str, region: str, owner: str, cost_center: str) -> dict[str, str]:
    """The tag set every resource gets through the provider's ``default_tags``."""
    return {
        "Project": project,
        "Environment": environment,
        "Region": region,
        "ManagedBy": "cdktf",
        "Owner": owner,
        "CostCenter": cost_center,
    }

"""What an upgrade from an earlier release moves or forgets in state, as Terraform
``moved`` and ``removed`` blocks (plain Terraform, no cdktf needed), one table.

A block whose ``from`` is not in a stack's state does nothing, so a fresh deploy (and
every later one) is unaffected; they can be dropped once every deployment has applied
this release.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack

BACKUP_POLICIES = 4
"""Managed policies attached to the AWS Backup role (``BACKUP_SERVICE_POLICIES``)."""


@dataclass(frozen=True)
class Moved:
    before: str
    after: str
    why: str


@dataclass(frozen=True)
class Forgotten:
    address: str
    why: str


def regional_moves() -> list[Moved]:
    """The backup role left the primary's backup plan for every region's vault."""
    why = "the AWS Backup role is every region's (a failover needs no IAM change)"
    return [
        Moved("aws_iam_role.backup_role", "aws_iam_role.data_backup-role", why),
        *(
            Moved(
                f"aws_iam_role_policy_attachment.backup_policy-{i}",
                f"aws_iam_role_policy_attachment.data_backup-policy-{i}",
                why,
            )
            for i in range(BACKUP_POLICIES)
        ),
    ]


REGIONAL_FORGOTTEN = (
    Forgotten(
        "aws_lb_listener_rule.app_from-cloudfront",
        "the rule admitting CloudFront is the global stack's now (priority 20): the old one (priority 10) is "
        "kept, so the old value is accepted until CloudFront sends the new one; delete it afterwards",
    ),
    Forgotten(
        "aws_secretsmanager_secret_version.origin-secret_value",
        "the origin secret is the global stack's now; the old value stays until the old rule is deleted",
    ),
    Forgotten("aws_secretsmanager_secret.origin-secret_secret", "as above: delete it with the old rule"),
)


def global_moves(primary: str) -> list[Moved]:
    """The one replication (from the primary's bucket) became one per region."""
    why = "each region's bucket replicates to the others; the primary's keeps its role and rules"
    return [
        Moved(f"{kind}.app-bucket-replication_{name}", f"{kind}.app-bucket-replication-{primary}_{name}", why)
        for kind, name in (
            ("aws_iam_role", "role"),
            ("aws_iam_role_policy", "policy"),
            ("aws_s3_bucket_replication_configuration", "configuration"),
        )
    ]


ZONE_KEPT = (
    Forgotten(
        "aws_route53_zone.edge_zone",
        "a config that names its delegated zone (edge.zone_id or TF_VAR_hosted_zone_id) no longer creates one: "
        "the zone an earlier release created, which you may have delegated and now name, is kept",
    ),
)
"""The global stack's, when it looks its zone up instead of creating it."""


def declare(stack: TerraformStack, moves: list[Moved], forgotten: tuple[Forgotten, ...] = ()) -> None:
    if moves:
        stack.add_override("moved", [{"from": m.before, "to": m.after} for m in moves])
    if forgotten:
        stack.add_override("removed", [{"from": f.address, "lifecycle": {"destroy": False}} for f in forgotten])

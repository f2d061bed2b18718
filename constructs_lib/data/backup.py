"""BackupVault and CrossRegionBackup: AWS Backup's vault per region, and the primary's
plan that copies every recovery point to the other regions' vaults."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.backup_plan import (
    BackupPlan,
    BackupPlanRule,
    BackupPlanRuleCopyAction,
    BackupPlanRuleCopyActionLifecycle,
    BackupPlanRuleLifecycle,
)
from cdktf_cdktf_provider_aws.backup_selection import BackupSelection
from cdktf_cdktf_provider_aws.backup_vault import BackupVault as BackupVaultResource
from cdktf_cdktf_provider_aws.backup_vault_lock_configuration import BackupVaultLockConfiguration
from cdktf_cdktf_provider_aws.backup_vault_policy import BackupVaultPolicy
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from ..addressing import Facet
from ..config import BackupConfig, VaultLock
from ..context import Context
from ..guards import protect
from ..iam import managed_policy_arn, policy_document, service_role
from ..kms import RegionalKey
from ..naming import Naming

VAULT_ROLE = "vault"
"""Name role of every region's vault: ``<project>-<env>-<region>-vault``."""
BACKUP_SERVICE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)
"""What AWS Backup needs to back up and restore RDS and S3 (AWS-managed)."""
START_WINDOW_MINUTES = 60
"""A job not started within an hour of its schedule is cancelled (and alarms)."""
COMPLETION_WINDOW_MINUTES = 360
"""A backup still running after 6 hours is cancelled: it would collide with the next day's."""
COMPLIANCE_GRACE_DAYS = 3
"""A compliance lock can be removed for 3 days (the minimum ``ChangeableForDays``), then never."""
GUARDED_VAULT_ACTIONS = (
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:DeleteBackupVault",
    "backup:PutBackupVaultAccessPolicy",
    "backup:DeleteBackupVaultAccessPolicy",
)
"""What only the backup admin role may do to a vault: delete or shorten recovery points,
delete the vault, and change or delete this very policy (so an admin of the account
cannot first lift the deny). Vault access policies take no wildcard actions."""


def effective_lock(props: BackupConfig, *, stateful: bool) -> VaultLock:
    """The configured lock, or governance (none where the environment is disposable)."""
    if props.vault_lock is not None:
        return props.vault_lock
    return VaultLock.GOVERNANCE if stateful else VaultLock.NONE


def vault_arn(partition: str, region: str, account: str, vault_name: str) -> str:
    """ARN of a backup vault from its parts: the primary's plan copies to the
    secondary vaults without a cross-stack reference (which would be a cycle: the
    secondary stacks already depend on the primary)."""
    return f"arn:{partition}:backup:{region}:{account}:backup-vault:{vault_name}"


def vault_name(naming: Naming) -> str:
    return naming.name(VAULT_ROLE)


class BackupVault(Facet):
    """Creates ``aws_backup_vault`` (encrypted with the region key, ``prevent_destroy``
    unless disposable); when stateful, a vault access policy that denies deleting or
    shortening recovery points, deleting the vault, and changing or deleting the
    policy itself to everyone but ``admin_role_name``; the vault lock of
    ``props.vault_lock`` (governance by default, none when disposable), keeping every
    recovery point at least ``retention_days``; and the service role AWS Backup assumes
    (managed backup/restore policies incl. S3).

    Every region has both, whatever its role: the backup plan that a failover adds to
    the surviving region then needs no IAM change, since IAM's control plane is in
    us-east-1 (IAM User Guide, "Resilience in IAM").

    Example::

        vault = BackupVault(tier, "vault", provider=provider, ctx=ctx, props=config.database.backup, key=key)
    """

    def __init__(
        self, scope: Construct, id: str, *, provider: AwsProvider, ctx: Context, props: BackupConfig, key: RegionalKey
    ):
        super().__init__(scope, id)
        self.vault = BackupVaultResource(
            self,
            "vault",
            provider=provider,
            name=vault_name(ctx.naming),
            kms_key_arn=key.arn,
            force_destroy=not ctx.stateful,
            lifecycle=protect(ctx.stateful),
        )
        if ctx.stateful:
            admin = f"arn:{key.partition_name}:iam::{key.account_id}:role/{props.admin_role_name}"
            BackupVaultPolicy(
                self,
                "vault-policy",
                provider=provider,
                backup_vault_name=self.vault.name,
                policy=policy_document(
                    {
                        "Sid": "OnlyBackupAdminDeletesOrLoosens",
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Action": list(GUARDED_VAULT_ACTIONS),
                        "Resource": "*",
                        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": admin}},
                    }
                ),
            )
        lock = effective_lock(props, stateful=ctx.stateful)
        self.lock: BackupVaultLockConfiguration | None = None
        if lock is not VaultLock.NONE:
            compliance = lock is VaultLock.COMPLIANCE
            self.lock = BackupVaultLockConfiguration(
                self,
                "vault-lock",
                provider=provider,
                backup_vault_name=self.vault.name,
                min_retention_days=props.lock_min_retention_days,
                # Set, the lock is in compliance mode (AWS Backup API reference,
                # PutBackupVaultLockConfiguration, ChangeableForDays); unset, governance.
                changeable_for_days=COMPLIANCE_GRACE_DAYS if compliance else None,
                # Every argument forces a replacement, and AWS refuses to delete a
                # compliance lock after its grace days: a retention change would fail
                # every apply from then on, so the retention is left as created. The mode
                # is not ignored: governance -> compliance replaces the governance lock,
                # and compliance -> governance stops at prevent_destroy.
                lifecycle=TerraformResourceLifecycle(
                    prevent_destroy=True,
                    ignore_changes=["min_retention_days", "max_retention_days"],
                )
                if compliance
                else None,
            )
        self.service_role = service_role(
            self,
            "backup-",
            provider=provider,
            name=ctx.naming.name("backup"),
            service="backup.amazonaws.com",
            # No aws:SourceAccount: AWS Backup's documented service role has none (see
            # constructs_lib.iam.TRUST_CONDITION_SERVICES); backups would fail silently.
            managed_policy_arns=[managed_policy_arn(key.partition_name, p) for p in BACKUP_SERVICE_POLICIES],
        )

    @property
    def name(self) -> str:
        return self.vault.name

    @property
    def arn(self) -> str:
        return self.vault.arn


class CrossRegionBackup(Construct):
    """A scheduled AWS Backup plan into this region's vault, copied to other regions.

    Creates: ``aws_backup_plan`` (one rule, the configured schedule and retention, a
    ``copy_action`` per destination vault with the same retention), and
    ``aws_backup_selection`` of the given resources with the vault's service role.

    Example::

        CrossRegionBackup(stack, "backup", provider=provider, ctx=ctx, props=config.database.backup,
                          vault=data.vault, resource_arns=(data.arn,), copy_to_vault_arns=(...,))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: BackupConfig,
        vault: BackupVault,
        resource_arns: Sequence[str],
        copy_to_vault_arns: Sequence[str] = (),
    ):
        """``resource_arns``: what to back up (at least one). ``copy_to_vault_arns``:
        vaults in other regions receiving a copy of every recovery point; default none."""
        super().__init__(scope, id)
        if not resource_arns:
            raise ValueError("CrossRegionBackup.resource_arns must name at least one resource")
        n = ctx.naming
        self.plan = BackupPlan(
            self,
            "plan",
            provider=provider,
            name=n.name("daily"),
            rule=[
                BackupPlanRule(
                    rule_name="daily",
                    target_vault_name=vault.name,
                    schedule=props.schedule,
                    start_window=START_WINDOW_MINUTES,
                    completion_window=COMPLETION_WINDOW_MINUTES,
                    lifecycle=BackupPlanRuleLifecycle(delete_after=props.retention_days),
                    copy_action=[
                        BackupPlanRuleCopyAction(
                            destination_vault_arn=arn,
                            lifecycle=BackupPlanRuleCopyActionLifecycle(delete_after=props.retention_days),
                        )
                        for arn in copy_to_vault_arns
                    ]
                    or None,
                )
            ],
        )
        BackupSelection(
            self,
            "selection",
            provider=provider,
            name=n.name("data"),
            plan_id=self.plan.id,
            iam_role_arn=vault.service_role.arn,
            resources=list(resource_arns),
        )

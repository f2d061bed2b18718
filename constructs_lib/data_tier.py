"""DataTier: the database of one region (primary, or a cross-region read replica of
it) and the AWS Backup vault and plan that keep copies in another region."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.backup_plan import (
    BackupPlan,
    BackupPlanRule,
    BackupPlanRuleCopyAction,
    BackupPlanRuleCopyActionLifecycle,
    BackupPlanRuleLifecycle,
)
from cdktf_cdktf_provider_aws.backup_selection import BackupSelection
from cdktf_cdktf_provider_aws.backup_vault import BackupVault
from cdktf_cdktf_provider_aws.backup_vault_policy import BackupVaultPolicy
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .config import Engine
from .guards import protect
from .iam import assume_role_policy
from .kms import RegionalKey
from .naming import Naming
from .network import RegionalNetwork

LOG_EXPORTS = {
    Engine.POSTGRES: ("postgresql", "upgrade"),
    Engine.MYSQL: ("error", "general", "slowquery"),
}
"""Engine logs exported to CloudWatch Logs."""


def parameter_family(engine: Engine, version: str) -> str:
    """``postgres16`` for PostgreSQL 16.x, ``mysql8.0`` for MySQL 8.0.x."""
    parts = version.split(".")
    if engine is Engine.POSTGRES:
        return f"postgres{parts[0]}"
    return f"mysql{parts[0]}.{parts[1]}"


def engine_parameters(engine: Engine) -> dict[str, str]:
    """Parameters that force TLS and turn on the logging each engine needs."""
    if engine is Engine.POSTGRES:
        return {
            "rds.force_ssl": "1",
            "log_connections": "1",
            "log_disconnections": "1",
            "log_min_duration_statement": "1000",
            "log_lock_waits": "1",
        }
    return {
        "require_secure_transport": "ON",
        "slow_query_log": "1",
        "long_query_time": "1",
        "log_output": "FILE",
    }


@dataclass(frozen=True, kw_only=True)
class DataTierProps:
    naming: Naming
    engine: Engine = Engine.POSTGRES
    """Default: PostgreSQL."""
    engine_version: str = "16"
    """Default: 16 (minor versions upgrade automatically)."""
    instance_class: str = "db.r6g.large"
    allocated_storage_gb: int = 100
    max_allocated_storage_gb: int = 500
    backup_retention_days: int = 7
    port: int = 5432
    multi_az: bool = True
    deletion_protection: bool = True
    performance_insights: bool = True
    db_name: str = "app"
    username: str = "app_admin"
    replicate_from: str | None = None
    """ARN of the primary DB instance: set, this region runs a cross-region read
    replica of it. Default: None, this region runs the primary."""
    log_retention_days: int = 365
    stateful: bool = True
    """Default: true, prevent_destroy on the DB and vault, final snapshot on delete."""
    backup_admin_role_name: str = "BackupAdmin"
    """The only role allowed to delete recovery points from the vault."""


class DataTier(Construct):
    """The database of one region and its backup vault.

    Creates: a DB subnet group over the database subnets; a security group admitting
    the DB port from the app tier's security group only (plus the app's matching
    egress rule); a parameter group forcing TLS with engine logging; CloudWatch log
    groups (KMS) for the exported engine logs; an enhanced-monitoring role; either
    the primary ``aws_db_instance`` (encrypted with the region key, password managed
    by RDS in Secrets Manager, IAM auth, Multi-AZ, gp3 autoscaling storage, deletion
    protection, final snapshot) or a cross-region read replica of it (encrypted with
    this region's key); and an AWS Backup vault (KMS) whose access policy denies
    deleting recovery points to everyone but the backup admin role.

    Example::

        data = DataTier(stack, "data", provider=provider, network=network, key=key,
                        app_security_group_id=app.app_security_group_id,
                        props=DataTierProps(naming=naming))
        data.endpoint
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        props: DataTierProps,
        network: RegionalNetwork,
        key: RegionalKey,
        app_security_group_id: str,
    ):
        super().__init__(scope, id)
        if props.max_allocated_storage_gb < props.allocated_storage_gb:
            raise ValueError("DataTierProps.max_allocated_storage_gb must be >= allocated_storage_gb")
        n = props.naming
        account, part = key.account_id, key.partition_name
        self.is_replica = props.replicate_from is not None
        identifier = n.name("db")

        self.subnet_group = DbSubnetGroup(
            self,
            "subnet-group",
            provider=provider,
            name=n.name("db"),
            subnet_ids=network.database_subnet_ids,
            description="Database subnets (no route to the internet)",
        )
        self.security_group = SecurityGroup(
            self,
            "sg",
            provider=provider,
            name=n.name("db"),
            vpc_id=network.vpc_id,
            description="Database: DB port from the app tier only",
            tags={"Name": n.name("db")},
        )
        VpcSecurityGroupIngressRule(
            self,
            "in-from-app",
            provider=provider,
            security_group_id=self.security_group.id,
            description="DB port from the app instances",
            ip_protocol="tcp",
            from_port=props.port,
            to_port=props.port,
            referenced_security_group_id=app_security_group_id,
        )
        VpcSecurityGroupEgressRule(
            self,
            "app-out-db",
            provider=provider,
            security_group_id=app_security_group_id,
            description="App instances to the database",
            ip_protocol="tcp",
            from_port=props.port,
            to_port=props.port,
            referenced_security_group_id=self.security_group.id,
        )
        family = parameter_family(props.engine, props.engine_version)
        self.parameter_group = DbParameterGroup(
            self,
            "parameters",
            provider=provider,
            name=n.name(f"db-{family.replace('.', '-')}"),
            family=family,
            description=f"{family}: TLS required, engine logging on",
            parameter=[
                DbParameterGroupParameter(name=k, value=v, apply_method="immediate")
                for k, v in sorted(engine_parameters(props.engine).items())
            ],
        )
        log_groups = [
            CloudwatchLogGroup(
                self,
                f"log-{log}",
                provider=provider,
                name=f"/aws/rds/instance/{identifier}/{log}",
                retention_in_days=props.log_retention_days,
                kms_key_id=key.arn,
            )
            for log in LOG_EXPORTS[props.engine]
        ]
        monitoring_role = IamRole(
            self,
            "monitoring-role",
            provider=provider,
            name=n.name("rds-monitoring"),
            assume_role_policy=assume_role_policy("monitoring.rds.amazonaws.com", account),
        )
        IamRolePolicyAttachment(
            self,
            "monitoring-policy",
            provider=provider,
            role=monitoring_role.name,
            policy_arn=f"arn:{part}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        )

        common = {
            "provider": provider,
            "identifier": identifier,
            "instance_class": props.instance_class,
            "max_allocated_storage": props.max_allocated_storage_gb,
            "storage_type": "gp3",
            "storage_encrypted": True,
            "kms_key_id": key.arn,
            "port": props.port,
            "multi_az": props.multi_az,
            "db_subnet_group_name": self.subnet_group.name,
            "vpc_security_group_ids": [self.security_group.id],
            "parameter_group_name": self.parameter_group.name,
            "backup_retention_period": props.backup_retention_days,
            "backup_window": "03:00-04:00",
            "maintenance_window": "sun:04:30-sun:05:30",
            "copy_tags_to_snapshot": True,
            "deletion_protection": props.deletion_protection,
            "skip_final_snapshot": not props.stateful,
            "final_snapshot_identifier": n.name("db-final") if props.stateful else None,
            "auto_minor_version_upgrade": True,
            "performance_insights_enabled": props.performance_insights,
            "performance_insights_kms_key_id": key.arn if props.performance_insights else None,
            "performance_insights_retention_period": 7 if props.performance_insights else None,
            "monitoring_interval": 60,
            "monitoring_role_arn": monitoring_role.arn,
            "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS[props.engine]),
            "iam_database_authentication_enabled": True,
            "publicly_accessible": False,
            "lifecycle": protect(props.stateful),
            "depends_on": log_groups,
            "tags": {"Name": identifier, "Backup": "daily"},
        }
        if self.is_replica:
            # Engine, version, storage size, name and credentials come from the source.
            self.db = DbInstance(self, "db", replicate_source_db=props.replicate_from, **common)
        else:
            self.db = DbInstance(
                self,
                "db",
                engine=props.engine.value,
                engine_version=props.engine_version,
                allocated_storage=props.allocated_storage_gb,
                db_name=props.db_name,
                username=props.username,
                # RDS generates the password and keeps it in Secrets Manager under this
                # key: it never appears in config, code, the synthesized JSON or outputs.
                manage_master_user_password=True,
                master_user_secret_kms_key_id=key.arn,
                **common,
            )

        self.vault = BackupVault(
            self,
            "vault",
            provider=provider,
            name=n.name("vault"),
            kms_key_arn=key.arn,
            force_destroy=not props.stateful,
            lifecycle=protect(props.stateful),
        )
        if props.stateful:
            admin = f"arn:{part}:iam::{account}:role/{props.backup_admin_role_name}"
            BackupVaultPolicy(
                self,
                "vault-policy",
                provider=provider,
                backup_vault_name=self.vault.name,
                policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "OnlyBackupAdminDeletesRecoveryPoints",
                                "Effect": "Deny",
                                "Principal": {"AWS": "*"},
                                "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
                                "Resource": "*",
                                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": admin}},
                            }
                        ],
                    }
                ),
            )

    @property
    def endpoint(self) -> str:
        return self.db.endpoint

    @property
    def address(self) -> str:
        return self.db.address

    @property
    def port(self) -> float:
        return self.db.port

    @property
    def arn(self) -> str:
        return self.db.arn

    @property
    def identifier(self) -> str:
        return self.db.identifier

    @property
    def vault_arn(self) -> str:
        return self.vault.arn

    @property
    def master_secret_arn(self) -> str | None:
        """ARN of the RDS-managed master secret (primary only)."""
        return None if self.is_replica else self.db.master_user_secret.get(0).secret_arn


def vault_arn(partition: str, region: str, account: str, vault_name: str) -> str:
    """ARN of a backup vault from its parts: the primary's plan copies to the
    secondary vaults without a cross-stack reference (which would be a cycle: the
    secondary stacks already depend on the primary)."""
    return f"arn:{partition}:backup:{region}:{account}:backup-vault:{vault_name}"


@dataclass(frozen=True, kw_only=True)
class CrossRegionBackupProps:
    naming: Naming
    schedule: str = "cron(0 5 * * ? *)"
    """Default: daily at 05:00 UTC."""
    retention_days: int = 35
    copy_to_vault_arns: tuple[str, ...] = ()
    """Vaults in other regions receiving a copy of every recovery point."""
    resource_arns: tuple[str, ...] = ()
    """What to back up (the database, the application bucket)."""


class CrossRegionBackup(Construct):
    """A daily AWS Backup plan into this region's vault, copied to other regions.

    Creates: ``aws_backup_plan`` (one rule, retention, a ``copy_action`` per
    destination vault), ``aws_backup_selection`` of the given resources, and the
    service role AWS Backup assumes (managed backup/restore policies incl. S3).

    Example::

        CrossRegionBackup(stack, "backup", provider=provider, vault=data,
                          props=CrossRegionBackupProps(naming=naming, resource_arns=(data.arn,)))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        vault: DataTier,
        key: RegionalKey,
        props: CrossRegionBackupProps,
    ):
        super().__init__(scope, id)
        if not props.resource_arns:
            raise ValueError("CrossRegionBackupProps.resource_arns must name at least one resource")
        n, part, account = props.naming, key.partition_name, key.account_id
        role = IamRole(
            self,
            "role",
            provider=provider,
            name=n.name("backup"),
            assume_role_policy=assume_role_policy("backup.amazonaws.com", account),
        )
        for i, policy in enumerate(
            (
                "service-role/AWSBackupServiceRolePolicyForBackup",
                "service-role/AWSBackupServiceRolePolicyForRestores",
                "AWSBackupServiceRolePolicyForS3Backup",
                "AWSBackupServiceRolePolicyForS3Restore",
            )
        ):
            IamRolePolicyAttachment(
                self,
                f"policy-{i}",
                provider=provider,
                role=role.name,
                policy_arn=f"arn:{part}:iam::aws:policy/{policy}",
            )
        self.plan = BackupPlan(
            self,
            "plan",
            provider=provider,
            name=n.name("daily"),
            rule=[
                BackupPlanRule(
                    rule_name="daily",
                    target_vault_name=vault.vault.name,
                    schedule=props.schedule,
                    start_window=60,
                    completion_window=360,
                    lifecycle=BackupPlanRuleLifecycle(delete_after=props.retention_days),
                    copy_action=[
                        BackupPlanRuleCopyAction(
                            destination_vault_arn=arn,
                            lifecycle=BackupPlanRuleCopyActionLifecycle(delete_after=props.retention_days),
                        )
                        for arn in props.copy_to_vault_arns
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
            iam_role_arn=role.arn,
            resources=list(props.resource_arns),
        )

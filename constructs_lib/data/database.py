"""Database: one region's RDS instance, the primary or a cross-region read replica."""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from ..addressing import Facet
from ..config import DatabaseConfig, Engine
from ..context import Context
from ..guards import protect
from ..iam import managed_policy_arn, service_role
from ..kms import RegionalKey
from ..logs import encrypted_log_group
from ..network import RegionalNetwork
from ..security_groups import IN, OUT, Peer, Rule, add_rules, security_group
from .credentials import MasterCredentials

LOG_EXPORTS = {
    Engine.POSTGRES: ("postgresql", "upgrade"),
    Engine.MYSQL: ("error", "general", "slowquery"),
}
"""Engine logs exported to CloudWatch Logs."""
MONITORING_INTERVAL_SECONDS = 60
"""Enhanced monitoring (OS metrics) every minute, like every other metric of the product."""
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7
"""The free tier of Performance Insights retention."""


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


class Database(Facet):
    """Creates: a DB subnet group over the database subnets; a security group admitting
    the DB port from the app tier's group only (plus the app's matching egress rule); a
    parameter group forcing TLS with engine logging; KMS log groups for the exported
    engine logs; the enhanced-monitoring role; and either the primary
    ``aws_db_instance`` (encrypted with the region key, master password written
    write-only from ``MasterCredentials``, IAM auth, Multi-AZ, gp3 autoscaling storage, deletion
    protection, final snapshot) or, with ``replicate_from``, a cross-region read
    replica of it (encrypted with this region's key).

    Example::

        db = Database(tier, "database", provider=provider, ctx=ctx, props=config.database,
                      network=network, key=key, app_security_group_id=app.app_security_group_id)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: DatabaseConfig,
        network: RegionalNetwork,
        key: RegionalKey,
        app_security_group_id: str,
        log_retention_days: int,
        credentials: MasterCredentials,
        replicate_from: str | None = None,
    ):
        """``credentials``: this region's master secret (the primary's password comes
        from it). ``replicate_from``: ARN of the primary instance; set, this is its replica."""
        super().__init__(scope, id)
        n = ctx.naming
        replica = replicate_from is not None
        if not replica and credentials.password is None:
            raise ValueError("the primary database needs credentials that generate its password (no copy_from)")
        identifier = n.name("db")
        port = props.effective_port

        self.subnet_group = DbSubnetGroup(
            self,
            "subnet-group",
            provider=provider,
            name=identifier,
            subnet_ids=network.database_subnet_ids,
            description="Database subnets (no route to the internet)",
        )
        self.security_group = security_group(
            self,
            "sg",
            provider=provider,
            name=identifier,
            description="Database: DB port from the app tier only",
            vpc_id=network.vpc_id,
        )
        db, app = self.security_group.id, app_security_group_id
        add_rules(
            self,
            provider,
            Rule("in-from-app", IN, db, port, Peer.group(app), "DB port from the app instances"),
            Rule("app-out-db", OUT, app, port, Peer.group(db), "App instances to the database"),
        )
        family = parameter_family(props.engine, props.version)
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
            # A major version upgrade needs a group of the new family: the database moves
            # to the new one before the old is deleted (RDS refuses to delete a group in
            # use). Name and description both carry the family, so they never collide.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        log_groups = [
            encrypted_log_group(
                self,
                f"log-{log}",
                provider=provider,
                name=f"/aws/rds/instance/{identifier}/{log}",
                retention_days=log_retention_days,
                key=key,
            )
            for log in LOG_EXPORTS[props.engine]
        ]
        monitoring_role = service_role(
            self,
            "monitoring-",
            provider=provider,
            name=n.name("rds-monitoring"),
            service="monitoring.rds.amazonaws.com",
            source_account=key.account_id,
            managed_policy_arns=[
                managed_policy_arn(key.partition_name, "service-role/AmazonRDSEnhancedMonitoringRole")
            ],
        )
        insights = props.performance_insights
        self.instance = DbInstance(
            self,
            "db",
            provider=provider,
            identifier=identifier,
            # A replica takes engine, version, storage size, name and credentials from
            # its source; only the primary names them.
            replicate_source_db=replicate_from,
            engine=None if replica else props.engine.value,
            engine_version=None if replica else props.version,
            allocated_storage=None if replica else props.allocated_storage_gb,
            db_name=None if replica else props.db_name,
            username=None if replica else props.username,
            # Write-only (Terraform 1.11): the password is sent to RDS when its version
            # changes and is kept in no state or plan file. Not RDS-managed: RDS cannot
            # create a replica of an instance whose password it manages (RDS User Guide,
            # "Limitations for Secrets Manager integration with Amazon RDS").
            password_wo=None if replica else credentials.password,
            password_wo_version=None if replica else credentials.version_number,
            instance_class=props.instance_class_in(replica=replica),
            max_allocated_storage=props.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=key.arn,
            port=port,
            multi_az=props.multi_az_in(replica=replica),
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=self.parameter_group.name,
            backup_retention_period=props.backup_retention_days,
            backup_window=props.backup_window,
            maintenance_window=props.maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=props.deletion_protection,
            skip_final_snapshot=not ctx.stateful,
            final_snapshot_identifier=n.name("db-final") if ctx.stateful else None,
            auto_minor_version_upgrade=True,
            performance_insights_enabled=insights,
            performance_insights_kms_key_id=key.arn if insights else None,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS if insights else None,
            monitoring_interval=MONITORING_INTERVAL_SECONDS,
            monitoring_role_arn=monitoring_role.arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS[props.engine]),
            iam_database_authentication_enabled=True,
            publicly_accessible=False,
            lifecycle=protect(ctx.stateful),
            depends_on=log_groups,
            tags={"Name": identifier, "Backup": "daily"},
        )

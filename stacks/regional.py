"""RegionalStack: everything one region runs, with its own state."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib.app_tier import AppTier, AppTierProps, BastionProps, LambdaProps
from constructs_lib.certificates import DnsValidatedCertificate, DnsValidatedCertificateProps
from constructs_lib.config import Config, RegionConfig
from constructs_lib.data_tier import CrossRegionBackup, CrossRegionBackupProps, DataTier, DataTierProps, vault_arn
from constructs_lib.kms import RegionalKey, RegionalKeyProps
from constructs_lib.naming import Naming, default_tags
from constructs_lib.network import NatStrategy, RegionalNetwork, RegionalNetworkProps
from constructs_lib.origin_secret import OriginSecret, OriginSecretProps

from .common import ProductStack


def regional_stack_name(config: Config, region: RegionConfig) -> str:
    return f"{config.project}-{config.environment}-{region.name}"


class RegionalStack(ProductStack):
    """One region: KMS key, network, app tier (and the tiers built on it).

    The primary region's stack also holds the CloudFront origin secret; the other
    regions read it through a cross-stack reference (``primary``)."""

    origin_secret_value: str
    """The CloudFront origin secret (a token; cross-stack in secondary regions)."""
    data: DataTier

    def __init__(self, scope: Construct, *, config: Config, region: RegionConfig, primary: RegionalStack | None = None):
        super().__init__(scope, regional_stack_name(config, region), config=config)
        self.region = region
        self.provider = self.aws_provider(region.name)
        naming = Naming(project=config.project, environment=config.environment, region=region.name)
        self.naming = naming
        stateful = not config.disposable

        self.key = RegionalKey(
            self,
            "key",
            provider=self.provider,
            props=RegionalKeyProps(
                naming=naming,
                prevent_destroy=stateful,
                # CloudWatch alarms publish to the SNS topic encrypted with this key.
                service_principals=("cloudwatch.amazonaws.com",),
            ),
        )
        self.network = RegionalNetwork(
            self,
            "network",
            provider=self.provider,
            key=self.key,
            props=RegionalNetworkProps(
                naming=naming,
                cidr=region.vpc_cidr,
                azs=region.zones,
                subnets=region.subnet_plan,
                nat=NatStrategy(region.nat.value),
                flow_log_retention_days=config.network.flow_log_retention_days,
                flow_log_traffic_type=config.network.flow_log_traffic_type,
                interface_endpoints=tuple(config.network.interface_endpoints),
            ),
        )

        if primary is None:
            self.origin_secret: OriginSecret | None = OriginSecret(
                self,
                "origin-secret",
                provider=self.provider,
                key=self.key,
                props=OriginSecretProps(naming=naming, recovery_window_days=30 if stateful else 0),
            )
            secret_value = self.origin_secret.value
        else:
            self.origin_secret = None
            secret_value = primary.origin_secret_value
        self.origin_secret_value = secret_value

        # With a delegated domain the ALB serves HTTPS for <region>.origin.<domain> and
        # origin.<domain>, validated in the existing zone (config.edge.zone_id).
        self.certificate: DnsValidatedCertificate | None = None
        if config.edge.delegated:
            assert config.edge.zone_id is not None
            origin = f"origin.{config.edge.domain}"
            self.certificate = DnsValidatedCertificate(
                self,
                "certificate",
                provider=self.provider,
                props=DnsValidatedCertificateProps(
                    domain=f"{region.name}.{origin}", alternative_names=(origin,), zone_id=config.edge.zone_id
                ),
            )

        app = config.app
        self.app = AppTier(
            self,
            "app",
            provider=self.provider,
            network=self.network,
            key=self.key,
            props=AppTierProps(
                naming=naming,
                origin_secret=secret_value,
                tags=default_tags(
                    project=config.project,
                    environment=config.environment,
                    region=region.name,
                    owner=config.owner,
                    cost_center=config.cost_center,
                ),
                instance_types=tuple(app.instance_types),
                min_size=app.min_size,
                desired_capacity=app.desired_capacity,
                max_size=app.max_size,
                app_port=app.app_port,
                health_check_path=app.health_check_path,
                health_check_grace_seconds=app.health_check_grace_seconds,
                cpu_high_percent=app.cpu_high_percent,
                cpu_low_percent=app.cpu_low_percent,
                ami_id=app.ami_id,
                alb_deletion_protection=app.alb_deletion_protection,
                certificate_arn=self.certificate.arn if self.certificate else None,
                bastion=BastionProps(
                    instance_type=app.bastion.instance_type,
                    allowed_ssh_cidrs=tuple(app.bastion.allowed_ssh_cidrs),
                    key_name=app.bastion.key_name,
                    detailed_monitoring=app.bastion.detailed_monitoring,
                )
                if app.bastion.enabled
                else None,
                function=LambdaProps(
                    reserved_concurrency=app.function.reserved_concurrency,
                    memory_mb=app.function.memory_mb,
                    timeout_seconds=app.function.timeout_seconds,
                    log_retention_days=app.log_retention_days,
                ),
                log_retention_days=app.log_retention_days,
                stateful=stateful,
            ),
        )

        db = config.database
        self.data = DataTier(
            self,
            "data",
            provider=self.provider,
            network=self.network,
            key=self.key,
            app_security_group_id=self.app.app_security_group_id,
            props=DataTierProps(
                naming=naming,
                engine=db.engine,
                engine_version=db.version,
                instance_class=db.instance_class
                if primary is None
                else (db.replica_instance_class or db.instance_class),
                allocated_storage_gb=db.allocated_storage_gb,
                max_allocated_storage_gb=db.max_allocated_storage_gb,
                backup_retention_days=db.backup_retention_days,
                port=db.effective_port,
                multi_az=db.multi_az
                if primary is None
                else (db.multi_az if db.replica_multi_az is None else db.replica_multi_az),
                deletion_protection=db.deletion_protection,
                performance_insights=db.performance_insights,
                db_name=db.db_name,
                username=db.username,
                replicate_from=None if primary is None else primary.data.arn,
                log_retention_days=app.log_retention_days,
                stateful=stateful,
                backup_admin_role_name=db.backup.admin_role_name,
            ),
        )
        if primary is None:
            # Every recovery point is copied to each secondary region's vault.
            copies = tuple(
                vault_arn(
                    self.key.partition_name,
                    other.name,
                    self.key.account_id,
                    Naming(project=config.project, environment=config.environment, region=other.name).name("vault"),
                )
                for other in config.secondaries
            )
            CrossRegionBackup(
                self,
                "backup",
                provider=self.provider,
                vault=self.data,
                key=self.key,
                props=CrossRegionBackupProps(
                    naming=naming,
                    schedule=db.backup.schedule,
                    retention_days=db.backup.retention_days,
                    copy_to_vault_arns=copies,
                    resource_arns=(self.data.arn, self.app.app_bucket.arn),
                ),
            )

        TerraformOutput(self, "vpc_id", value=self.network.vpc_id, description=f"VPC id in {region.name}")
        TerraformOutput(
            self, "public_subnet_ids", value=self.network.public_subnet_ids, description="Public subnets, one per AZ"
        )
        TerraformOutput(
            self,
            "private_subnet_ids",
            value=self.network.private_subnet_ids,
            description="Private (app) subnets, one per AZ",
        )
        TerraformOutput(
            self,
            "database_subnet_ids",
            value=self.network.database_subnet_ids,
            description="Database subnets, one per AZ",
        )
        TerraformOutput(
            self, "kms_key_arn", value=self.key.arn, description=f"Customer-managed KMS key of {region.name}"
        )

        a = self.app
        for name, value, description in (
            ("alb_dns_name", a.alb_dns_name, "DNS name of the regional ALB (answers only CloudFront)"),
            ("alb_zone_id", a.alb_zone_id, "Route 53 zone id of the ALB, for alias records"),
            ("alb_arn", a.alb_arn, "ARN of the regional ALB"),
            ("target_group_arn", a.target_group_arn, "ARN of the app target group"),
            ("asg_name", a.asg_name, "Name of the app Auto Scaling group"),
            ("sns_topic_arn", a.sns_topic_arn, "SNS topic every alarm of this region notifies"),
            ("app_bucket_name", a.app_bucket_name, "Application bucket (object creation triggers the Lambda)"),
            ("log_bucket_name", a.log_bucket_name, "ALB and S3 access log bucket"),
        ):
            TerraformOutput(self, name, value=value, description=description)
        if a.bastion_id is not None:
            TerraformOutput(
                self,
                "bastion_id",
                value=a.bastion_id,
                description="Bastion instance id (aws ssm start-session --target <id>)",
            )

        d = self.data
        TerraformOutput(
            self,
            "db_endpoint",
            value=d.endpoint,
            description="Database endpoint (host:port); read-only replica in secondary regions",
        )
        TerraformOutput(self, "db_port", value=d.port, description="Database port")
        TerraformOutput(
            self,
            "db_identifier",
            value=d.identifier,
            description="RDS identifier (the replica to promote in a failover, in secondary regions)",
        )
        TerraformOutput(self, "backup_vault_arn", value=d.vault_arn, description="AWS Backup vault of this region")
        if d.master_secret_arn is not None:
            TerraformOutput(
                self,
                "db_master_secret_arn",
                value=d.master_secret_arn,
                description="Secrets Manager ARN of the RDS-managed master credentials (not the secret)",
            )

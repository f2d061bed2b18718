"""RegionalStack: everything one region runs, with its own state."""

from __future__ import annotations

from constructs import Construct

from constructs_lib.app import AppTier
from constructs_lib.certificates import DnsValidatedCertificate, DnsValidatedCertificateProps
from constructs_lib.config import Config, RegionConfig
from constructs_lib.data import (
    CredentialsSource,
    CrossRegionBackup,
    DataTier,
    master_secret_name,
    vault_arn,
    vault_name,
)
from constructs_lib.detection import subscribe
from constructs_lib.edge.origins import origin_name, regional_origin_name
from constructs_lib.kms import RegionalKey, RegionalKeyProps
from constructs_lib.network import RegionalNetwork

from . import upgrades
from .common import DOMAIN_VARIABLE, ProductStack, context_for, naming_for


def regional_stack_name(config: Config, region: RegionConfig) -> str:
    return f"{config.project}-{config.environment}-{region.name}"


def backup_copy_targets(config: Config, partition: str, account: str) -> tuple[str, ...]:
    """ARNs of the vaults (one per secondary region) every recovery point is copied to."""
    return tuple(
        vault_arn(partition, other.name, account, vault_name(naming_for(config, other.name)))
        for other in config.secondaries
    )


class RegionalStack(ProductStack):
    """One region: KMS key, network, app tier, data tier (and, in the primary, the
    cross-region backup plan).

    A secondary reads only its replica's source from the primary (``primary``), and at
    apply time the primary's master secret, to copy it; nothing
    a role swap changes here is read by the edge (the origin rule is the global
    stack's, see ``OriginAccess``)."""

    data: DataTier

    def __init__(self, scope: Construct, *, config: Config, region: RegionConfig, primary: RegionalStack | None = None):
        super().__init__(scope, regional_stack_name(config, region), config=config)
        self.region = region
        self.provider = provider = self.aws_provider(region.name)
        self.ctx = ctx = context_for(config, region.name)

        self.key = RegionalKey(
            self,
            "key",
            provider=provider,
            props=RegionalKeyProps(
                naming=ctx.naming,
                prevent_destroy=ctx.stateful,
                # CloudWatch alarms publish to the SNS topic encrypted with this key.
                service_principals=("cloudwatch.amazonaws.com",),
            ),
        )
        self.network = RegionalNetwork(
            self, "network", provider=provider, ctx=ctx, props=config.network, region=region, key=self.key
        )

        # With a delegated domain the ALB serves HTTPS for <region>.origin.<domain> and
        # origin.<domain>, validated in the existing zone (edge.zone_id or TF_VAR_hosted_zone_id).
        self.certificate: DnsValidatedCertificate | None = None
        if config.edge.delegated:
            assert self.zone_id is not None
            self.certificate = DnsValidatedCertificate(
                self,
                "certificate",
                provider=provider,
                props=DnsValidatedCertificateProps(
                    domain=regional_origin_name(region.name, self.domain),
                    alternative_names=(origin_name(self.domain),),
                    zone_id=self.zone_id,
                    # origin.<domain> is on every region's certificate, with one record:
                    # the home region's (the first listed, which no role swap moves).
                    validated_elsewhere=()
                    if region.name == config.home.name
                    else (f'"{origin_name(config.edge.domain or "${var." + DOMAIN_VARIABLE + "}")}"',),
                ),
            )

        self.app = AppTier(
            self,
            "app",
            provider=provider,
            ctx=ctx,
            props=config.app,
            network=self.network,
            key=self.key,
            certificate_arn=self.certificate.arn if self.certificate else None,
            ami_id=region.ami_id,
        )
        # Who hears the region's alarms (config [alerts]).
        self.alert_subscriptions = subscribe(
            self.app, provider=provider, topic_arn=self.app.topic.arn, subscriptions=config.alerts.subscriptions
        )
        self.data = DataTier(
            self,
            "data",
            provider=provider,
            ctx=ctx,
            props=config.database,
            network=self.network,
            key=self.key,
            app_security_group_id=self.app.app_security_group_id,
            log_retention_days=config.app.log_retention_days,
            replicate_from=None if primary is None else primary.data.arn,
            # A secondary copies the master credentials from the primary's secret at
            # apply time (a provider of the primary's region, used for nothing else).
            credentials_from=None
            if primary is None
            else CredentialsSource(
                provider=self.aws_provider(primary.region.name),
                secret_id=master_secret_name(primary.ctx.naming),
            ),
        )
        if primary is None:
            CrossRegionBackup(
                self,
                "backup",
                provider=provider,
                ctx=ctx,
                props=config.database.backup,
                vault=self.data.vault,
                resource_arns=(self.data.arn, self.app.app_bucket.arn),
                copy_to_vault_arns=backup_copy_targets(config, self.key.partition_name, self.key.account_id),
            )
        upgrades.declare(self, upgrades.regional_moves(), upgrades.REGIONAL_FORGOTTEN)
        self._publish_outputs()

    def _publish_outputs(self) -> None:
        net, app, data, name = self.network, self.app, self.data, self.region.name
        self.outputs(
            ("vpc_id", net.vpc_id, f"VPC id in {name}"),
            ("public_subnet_ids", net.public_subnet_ids, "Public subnets, one per AZ"),
            ("private_subnet_ids", net.private_subnet_ids, "Private (app) subnets, one per AZ"),
            ("database_subnet_ids", net.database_subnet_ids, "Database subnets, one per AZ"),
            ("kms_key_arn", self.key.arn, f"Customer-managed KMS key of {name}"),
            ("alb_dns_name", app.alb_dns_name, "DNS name of the regional ALB (answers only CloudFront)"),
            ("alb_zone_id", app.alb_zone_id, "Route 53 zone id of the ALB, for alias records"),
            ("alb_arn", app.alb_arn, "ARN of the regional ALB"),
            ("target_group_arn", app.target_group_arn, "ARN of the app target group"),
            ("asg_name", app.asg_name, "Name of the app Auto Scaling group"),
            ("sns_topic_arn", app.sns_topic_arn, "SNS topic every alarm of this region notifies"),
            ("app_bucket_name", app.app_bucket.bucket_name, "Application bucket (object creation triggers the Lambda)"),
            ("log_bucket_name", app.log_bucket.bucket_name, "ALB and S3 access log bucket"),
            ("bastion_id", app.bastion_id, "Bastion instance id (aws ssm start-session --target <id>)"),
            ("db_endpoint", data.endpoint, "Database endpoint (host:port); read-only replica in secondary regions"),
            ("db_port", data.port, "Database port"),
            (
                "db_identifier",
                data.identifier,
                "RDS identifier (the replica to promote in a failover, in secondary regions)",
            ),
            ("backup_vault_arn", data.vault_arn, "AWS Backup vault of this region"),
            (
                "alert_subscriptions_pending",
                {
                    f"{protocol}:{endpoint}": sub.pending_confirmation
                    for (protocol, endpoint), sub in zip(
                        self.config.alerts.subscriptions, self.alert_subscriptions, strict=True
                    )
                }
                or None,
                "Per alert subscriber, true while SNS waits for its confirmation (it deletes it after 48 hours)",
            ),
            (
                "db_master_secret_arn",
                data.master_secret_arn,
                "Secrets Manager ARN of this region's copy of the database master credentials (not the secret)",
            ),
        )

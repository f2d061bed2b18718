"""GlobalStack: what is global or spans regions, deployed after every region."""

from __future__ import annotations

from constructs import Construct

from constructs_lib.audit import AuditTrail, AuditTrailProps
from constructs_lib.config import Config
from constructs_lib.detection import SecurityAlarms
from constructs_lib.edge import MANAGED_SECURITY_HEADERS_POLICY_ID, GlobalEdge, RegionalOrigin
from constructs_lib.kms import RegionalKey, RegionalKeyProps
from constructs_lib.replication import BucketReplication, BucketReplicationProps, ReplicaBucket

from .common import ProductStack, context_for, naming_for
from .regional import RegionalStack

EDGE_REGION = "us-east-1"
"""CloudFront's WAF web ACL, its certificate and its logs' key must be in us-east-1."""


def global_stack_name(config: Config) -> str:
    return f"{config.project}-{config.environment}-global"


class GlobalStack(ProductStack):
    """CloudFront, WAF and Route 53 failover in front of every region, the account's
    audit trail, and the cross-region replication of the application bucket.

    Reads the regional stacks' ALBs, buckets and keys through cdktf cross-stack
    references, so ``cdktf deploy '*'`` runs it last."""

    def __init__(self, scope: Construct, *, config: Config, regional: dict[str, RegionalStack]):
        super().__init__(scope, global_stack_name(config), config=config)
        global_ctx = context_for(config, "global")
        stateful = global_ctx.stateful
        primary_cfg = config.primary
        primary = regional[primary_cfg.name]
        secondaries = [regional[r.name] for r in config.secondaries]

        self.edge_provider = self.aws_provider(EDGE_REGION)
        self.primary_provider = (
            self.edge_provider if primary_cfg.name == EDGE_REGION else self.aws_provider(primary_cfg.name)
        )
        primary_naming = naming_for(config, primary_cfg.name)

        self.edge_key = RegionalKey(
            self,
            "edge-key",
            provider=self.edge_provider,
            props=RegionalKeyProps(
                naming=global_ctx.naming,
                region=EDGE_REGION,
                prevent_destroy=stateful,
                service_principals=("cloudtrail.amazonaws.com",) if primary_cfg.name == EDGE_REGION else (),
            ),
        )
        if primary_cfg.name == EDGE_REGION:
            trail_key = self.edge_key
        else:
            trail_key = RegionalKey(
                self,
                "trail-key",
                provider=self.primary_provider,
                props=RegionalKeyProps(
                    naming=naming_for(config, f"audit-{primary_cfg.name}"),
                    region=primary_cfg.name,
                    prevent_destroy=stateful,
                    service_principals=("cloudtrail.amazonaws.com",),
                ),
            )

        def origin(stack: RegionalStack) -> RegionalOrigin:
            return RegionalOrigin(
                region=stack.region.name,
                alb_dns_name=stack.app.alb_dns_name,
                alb_zone_id=stack.app.alb_zone_id,
                https=stack.certificate is not None,
            )

        self.edge = GlobalEdge(
            self,
            "edge",
            provider=self.edge_provider,
            ctx=global_ctx,
            props=config.edge,
            domain=self.domain,
            key=self.edge_key,
            primary=origin(primary),
            secondaries=[origin(s) for s in secondaries],
            origin_secret=primary.origin_secret_value,
            health_check_path=config.app.health_check_path,
            log_retention_days=config.app.log_retention_days,
            # moto has no response-headers-policy API (stacks/emulator.py, "construct").
            response_headers_policy_id=MANAGED_SECURITY_HEADERS_POLICY_ID if config.emulator else None,
        )

        # Account-wide, once: in the primary region, beside the data it audits.
        self.audit = AuditTrail(
            self,
            "audit",
            provider=self.primary_provider,
            key=trail_key,
            props=AuditTrailProps(
                naming=primary_naming,
                access_log_bucket=primary.app.log_bucket.bucket_name,
                log_retention_days=config.app.log_retention_days,
                stateful=stateful,
                # Object-level reads and writes of the application data, in every region.
                data_event_bucket_arns=(primary.app.app_bucket.arn, *(s.app.app_bucket.arn for s in secondaries)),
            ),
        )
        # The account's security events (CIS CloudWatch controls), from the trail's log
        # group, to the primary region's alarm topic.
        SecurityAlarms(
            self,
            "security-alarms",
            provider=self.primary_provider,
            naming=primary_naming,
            log_group_name=self.audit.log_group.name,
            topic_arn=primary.app.topic.arn,
        )

        # Here rather than in the primary stack: S3 refuses a rule to a bucket that does
        # not exist yet, and the secondaries deploy after the primary.
        BucketReplication(
            self,
            "app-bucket-replication",
            provider=self.primary_provider,
            props=BucketReplicationProps(
                naming=primary_naming,
                source_region=primary_cfg.name,
                source_bucket_name=primary.app.app_bucket.bucket_name,
                source_bucket_arn=primary.app.app_bucket.arn,
                source_key_arn=primary.key.arn,
                destinations=tuple(
                    ReplicaBucket(region=s.region.name, bucket_arn=s.app.app_bucket.arn, key_arn=s.key.arn)
                    for s in secondaries
                ),
            ),
        )

        e = self.edge
        self.outputs(
            ("cloudfront_domain_name", e.distribution_domain_name, "CloudFront distribution domain name"),
            (
                "cloudfront_url",
                f"https://{e.distribution_domain_name}",
                "URL that works before DNS delegation (the default certificate)",
            ),
            ("cloudfront_distribution_id", e.distribution_id, "Distribution id (for invalidations)"),
            ("site_url", f"https://{self.domain}", "User-facing URL once the domain is delegated to the zone"),
            ("zone_id", e.zone_id, "Route 53 hosted zone id"),
            ("zone_name_servers", e.name_servers, "Delegate the domain to these name servers"),
            ("failover_record_name", e.failover_record_name, "Route 53 failover name (PRIMARY/SECONDARY)"),
            ("health_check_ids", e.health_check_ids, "Route 53 health check id per region"),
            ("cloudtrail_arn", self.audit.trail_arn, "Account audit trail"),
        )

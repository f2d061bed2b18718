"""GlobalStack: what is global or spans regions, deployed after every region."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib.audit import AuditTrail, AuditTrailProps
from constructs_lib.config import Config
from constructs_lib.global_edge import (
    MANAGED_SECURITY_HEADERS_POLICY_ID,
    GlobalEdge,
    GlobalEdgeProps,
    RegionalOrigin,
)
from constructs_lib.kms import RegionalKey, RegionalKeyProps
from constructs_lib.naming import Naming
from constructs_lib.replication import BucketReplication, BucketReplicationProps, ReplicaBucket

from .common import ProductStack
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
        stateful = not config.disposable
        primary_cfg = config.primary
        primary = regional[primary_cfg.name]
        secondaries = [regional[r.name] for r in config.secondaries]

        self.edge_provider = self.aws_provider(EDGE_REGION)
        self.primary_provider = (
            self.edge_provider if primary_cfg.name == EDGE_REGION else self.aws_provider(primary_cfg.name)
        )
        global_naming = Naming(project=config.project, environment=config.environment, region="global")
        primary_naming = Naming(project=config.project, environment=config.environment, region=primary_cfg.name)

        self.edge_key = RegionalKey(
            self,
            "edge-key",
            provider=self.edge_provider,
            props=RegionalKeyProps(
                naming=global_naming,
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
                    naming=Naming(
                        project=config.project, environment=config.environment, region=f"audit-{primary_cfg.name}"
                    ),
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

        edge = config.edge
        self.edge = GlobalEdge(
            self,
            "edge",
            provider=self.edge_provider,
            key=self.edge_key,
            props=GlobalEdgeProps(
                naming=global_naming,
                domain=edge.domain,
                primary=origin(primary),
                secondaries=tuple(origin(s) for s in secondaries),
                origin_secret=primary.origin_secret_value,
                zone_id=edge.zone_id,
                delegated=edge.delegated,
                health_check_path=config.app.health_check_path,
                health_check_interval=edge.health_check_interval,
                health_check_failure_threshold=edge.health_check_failure_threshold,
                health_check_regions=tuple(edge.health_check_regions),
                price_class=edge.price_class.value,
                waf_enabled=edge.waf_enabled,
                waf_rate_limit=edge.waf_rate_limit,
                write_path_patterns=tuple(edge.write_path_patterns),
                static_path_pattern=edge.static_path_pattern,
                origin_connection_timeout=edge.origin_connection_timeout,
                origin_connection_attempts=edge.origin_connection_attempts,
                geo_allow=tuple(edge.geo_allow),
                log_retention_days=config.app.log_retention_days,
                stateful=stateful,
                # moto has no response-headers-policy API (stacks/emulator.py, "construct").
                response_headers_policy_id=MANAGED_SECURITY_HEADERS_POLICY_ID if config.emulator else None,
            ),
        )

        # Account-wide, once: in the primary region, beside the data it audits.
        self.audit = AuditTrail(
            self,
            "audit",
            provider=self.primary_provider,
            key=trail_key,
            props=AuditTrailProps(
                naming=primary_naming,
                access_log_bucket=primary.app.log_bucket_name,
                log_retention_days=config.app.log_retention_days,
                stateful=stateful,
            ),
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
                source_bucket_name=primary.app.app_bucket_name,
                source_bucket_arn=primary.app.app_bucket.arn,
                source_key_arn=primary.key.arn,
                destinations=tuple(
                    ReplicaBucket(region=s.region.name, bucket_arn=s.app.app_bucket.arn, key_arn=s.key.arn)
                    for s in secondaries
                ),
            ),
        )

        e = self.edge
        TerraformOutput(
            self,
            "cloudfront_domain_name",
            value=e.distribution_domain_name,
            description="CloudFront distribution domain name",
        )
        TerraformOutput(
            self,
            "cloudfront_url",
            value=f"https://{e.distribution_domain_name}",
            description="URL that works before DNS delegation (the default certificate)",
        )
        TerraformOutput(
            self,
            "cloudfront_distribution_id",
            value=e.distribution_id,
            description="Distribution id (for invalidations)",
        )
        TerraformOutput(
            self,
            "site_url",
            value=f"https://{edge.domain}",
            description="User-facing URL once the domain is delegated to the zone",
        )
        TerraformOutput(self, "zone_id", value=e.zone_id, description="Route 53 hosted zone id")
        if e.name_servers is not None:
            TerraformOutput(
                self, "zone_name_servers", value=e.name_servers, description="Delegate the domain to these name servers"
            )
        TerraformOutput(
            self,
            "failover_record_name",
            value=e.failover_record_name,
            description="Route 53 failover name (PRIMARY/SECONDARY)",
        )
        TerraformOutput(
            self, "health_check_ids", value=e.health_check_ids, description="Route 53 health check id per region"
        )
        TerraformOutput(self, "cloudtrail_arn", value=self.audit.trail_arn, description="Account audit trail")

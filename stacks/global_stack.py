"""GlobalStack: what is global or spans regions, deployed after every region."""

from __future__ import annotations

from constructs import Construct

from constructs_lib.audit import AuditTrail, AuditTrailProps, trail_name
from constructs_lib.config import Config
from constructs_lib.detection import SecurityAlarms
from constructs_lib.edge import MANAGED_SECURITY_HEADERS_POLICY_ID, GlobalEdge, RegionalOrigin
from constructs_lib.edge.origin_access import OriginAccess, OriginListener
from constructs_lib.guards import secret_recovery_window
from constructs_lib.kms import RegionalKey, RegionalKeyProps, TrailRef
from constructs_lib.origin_secret import OriginSecret, OriginSecretProps
from constructs_lib.replication import BucketReplication, BucketReplicationProps, ReplicaBucket

from . import upgrades
from .common import ProductStack, context_for, naming_for
from .regional import RegionalStack

EDGE_REGION = "us-east-1"
"""CloudFront's WAF web ACL, its certificate and its logs' key must be in us-east-1."""


def global_stack_name(config: Config) -> str:
    return f"{config.project}-{config.environment}-global"


class GlobalStack(ProductStack):
    """CloudFront, WAF and Route 53 failover in front of every region, the origin secret
    and the listener rule admitting it on every ALB, the account's audit trail (in the
    home region), and the replication of every region's application bucket to the others.

    Reads the regional stacks' ALBs, buckets and keys through cdktf cross-stack
    references, so ``cdktf deploy '*'`` runs it last."""

    def __init__(self, scope: Construct, *, config: Config, regional: dict[str, RegionalStack]):
        super().__init__(scope, global_stack_name(config), config=config)
        global_ctx = context_for(config, "global")
        stateful = global_ctx.stateful
        home_cfg = config.home
        # In config order, so that a role swap reorders nothing below.
        regional = {r.name: regional[r.name] for r in config.regions}
        primary = regional[config.primary.name]
        secondaries = [regional[r.name] for r in config.secondaries]

        # One provider per region (CloudFront's own region included): the origin rules and
        # the replication of each region's bucket are made with that region's API.
        self.edge_provider = self.aws_provider(EDGE_REGION)
        self.providers = {EDGE_REGION: self.edge_provider}
        for region in config.regions:
            if region.name not in self.providers:
                self.providers[region.name] = self.aws_provider(region.name)
        self.home_provider = self.providers[home_cfg.name]
        home = regional[home_cfg.name]
        home_naming = naming_for(config, home_cfg.name)

        trail = TrailRef(region=home_cfg.name, name=trail_name(home_naming))
        self.edge_key = RegionalKey(
            self,
            "edge-key",
            provider=self.edge_provider,
            props=RegionalKeyProps(
                naming=global_ctx.naming,
                region=EDGE_REGION,
                prevent_destroy=stateful,
                cloudtrail=trail if home_cfg.name == EDGE_REGION else None,
            ),
        )
        if home_cfg.name == EDGE_REGION:
            trail_key = self.edge_key
        else:
            trail_key = RegionalKey(
                self,
                "trail-key",
                provider=self.home_provider,
                props=RegionalKeyProps(
                    naming=naming_for(config, f"audit-{home_cfg.name}"),
                    region=home_cfg.name,
                    prevent_destroy=stateful,
                    cloudtrail=trail,
                ),
            )

        # The value CloudFront sends, and the rule on every region's listener that admits
        # it: here, with the distribution, so that both change in one apply and no
        # regional apply (a failover's role swap) can change what an ALB accepts.
        self.origin_secret = OriginSecret(
            self,
            "origin-secret",
            provider=self.edge_provider,
            key=self.edge_key,
            props=OriginSecretProps(
                naming=global_ctx.naming,
                active=config.edge.origin_secret_active,
                recovery_window_days=secret_recovery_window(stateful),
            ),
        )
        self.origin_access = OriginAccess(
            self,
            "origin-access",
            accepted=self.origin_secret.accepted,
            listeners=[
                OriginListener(
                    region=name,
                    provider=self.providers[name],
                    listener_arn=stack.app.listener_arn,
                    target_group_arn=stack.app.target_group_arn,
                )
                for name, stack in regional.items()
            ],
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
            # A zone id from TF_VAR_hosted_zone_id is a reference: set without validation (the
            # variable validates it at plan).
            props=config.edge.model_copy(update={"zone_id": self.zone_id}),
            domain=self.domain,
            key=self.edge_key,
            primary=origin(primary),
            secondaries=[origin(s) for s in secondaries],
            origin_secret=self.origin_secret.value,
            health_check_path=config.app.health_check_path,
            log_retention_days=config.app.log_retention_days,
            # moto has no response-headers-policy API (stacks/emulator.py, "construct").
            response_headers_policy_id=MANAGED_SECURITY_HEADERS_POLICY_ID if config.emulator else None,
        )

        # Account-wide, once: in the home region (the first listed), which a failover's
        # role swap does not move.
        self.audit = AuditTrail(
            self,
            "audit",
            provider=self.home_provider,
            key=trail_key,
            props=AuditTrailProps(
                naming=home_naming,
                access_log_bucket=home.app.log_bucket.bucket_name,
                log_retention_days=config.app.log_retention_days,
                stateful=stateful,
                # Object-level reads and writes of the application data, in every region.
                data_event_bucket_arns=tuple(stack.app.app_bucket.arn for stack in regional.values()),
            ),
        )
        # The account's security events (CIS CloudWatch controls), from the trail's log
        # group, to the home region's alarm topic.
        SecurityAlarms(
            self,
            "security-alarms",
            provider=self.home_provider,
            naming=home_naming,
            log_group_name=self.audit.log_group.name,
            topic_arn=home.app.topic.arn,
        )

        # Every region's application bucket replicates to every other region's, whatever
        # the roles: objects written in the surviving region during a failover reach the
        # other region when it returns, and a role swap changes no replication rule.
        # Here rather than in the regional stacks: S3 refuses a rule to a bucket that does
        # not exist yet.
        for name, source in regional.items():
            BucketReplication(
                self,
                f"app-bucket-replication-{name}",
                provider=self.providers[name],
                props=BucketReplicationProps(
                    naming=naming_for(config, name),
                    source_region=name,
                    source_bucket_name=source.app.app_bucket.bucket_name,
                    source_bucket_arn=source.app.app_bucket.arn,
                    source_key_arn=source.key.arn,
                    destinations=tuple(
                        ReplicaBucket(
                            region=other,
                            bucket_name=dest.app.app_bucket.bucket_name,
                            bucket_arn=dest.app.app_bucket.arn,
                            key_arn=dest.key.arn,
                        )
                        for other, dest in regional.items()
                        if other != name
                    ),
                    alarm_actions=(source.app.sns_topic_arn,),
                ),
            )

        upgrades.declare(
            self, upgrades.global_moves(config.primary.name), upgrades.ZONE_KEPT if self.zone_id is not None else ()
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

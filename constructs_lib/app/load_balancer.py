"""LoadBalancer: one region's internet-facing ALB, its listener rules and alarms."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from cdktf_cdktf_provider_aws.lb import Lb, LbAccessLogs
from cdktf_cdktf_provider_aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
)
from cdktf_cdktf_provider_aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionPathPattern,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from constructs import Construct

from ..addressing import Facet
from ..alarms import AlarmSpec, metric_alarm
from ..buckets import SecureBucket, SecureBucketProps
from ..config import AppConfig
from ..context import Context
from ..kms import RegionalKey
from ..network import RegionalNetwork

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only."""
HEALTH_CHECK_INTERVAL_SECONDS = 15
"""Target health is probed every 15 s: with the thresholds below, a dead instance
leaves rotation in 45 s, a new one joins in 30 s."""
HEALTH_CHECK_TIMEOUT_SECONDS = 5
"""The health path is a static file: 5 s without an answer means the server is stuck."""
HEALTHY_THRESHOLD = 2
"""Two good answers in a row before an instance gets traffic (one can be luck)."""
UNHEALTHY_THRESHOLD = 3
"""Three failures in a row before it is taken out (one slow answer is not an outage)."""
DEREGISTRATION_DELAY_SECONDS = "30"
"""In-flight requests get 30 s to finish when an instance leaves (the app serves short
requests; the ALB default of 300 s slows every deploy and scale-in)."""
HEALTH_PRIORITY = 5
"""The health path rule is evaluated first: Route 53 cannot send the origin header. The
rule that admits CloudFront (the origin secret) belongs to the edge
(``constructs_lib.edge.origin_access``), which owns the secret."""

LOAD_BALANCER_ALARMS = (
    AlarmSpec(
        id="alb-5xx",
        description="The ALB or its targets answered 5xx more than 10 times a minute for 3 minutes",
        namespace="AWS/ApplicationELB",
        metric_name="HTTPCode_ELB_5XX_Count",
        statistic="Sum",
        evaluation_periods=3,
        threshold=10,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
    ),
    AlarmSpec(
        id="unhealthy-hosts",
        description="At least one target failed its health check for 3 minutes",
        namespace="AWS/ApplicationELB",
        metric_name="UnHealthyHostCount",
        statistic="Maximum",
        evaluation_periods=3,
        threshold=0,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
    ),
    # The page that matters most: with no healthy target this region serves nothing
    # (Route 53 and CloudFront fail over; this tells the operator why).
    AlarmSpec(
        id="no-healthy-hosts",
        description="No healthy target behind the ALB: this region cannot serve",
        namespace="AWS/ApplicationELB",
        metric_name="HealthyHostCount",
        statistic="Minimum",
        evaluation_periods=1,
        threshold=1,
        comparison_operator="LessThanThreshold",
        treat_missing_data="breaching",
    ),
)
"""Alarms on the ALB (5xx) and on its target group (unhealthy, no healthy hosts)."""


class LoadBalancer(Facet):
    """The ALB CloudFront (and only CloudFront) talks to.

    Creates: a log bucket for ALB and S3 access logs (delivery by this region's ELB
    account and the S3 logging service); an internet-facing ALB in the public subnets
    (access logs, invalid headers dropped, deletion protection); the app target group
    with health checks; one listener (HTTPS on TLS 1.2+ with a certificate, else HTTP)
    answering 403 by default and, with Route 53 checks, a rule forwarding the health
    path; the ALB alarms
    (``LOAD_BALANCER_ALARMS``) to the alarm topic. The rule forwarding what carries the
    origin secret is the edge's (``OriginAccess``): a region serves CloudFront once the
    global stack is applied, and a change of region roles never touches it.

    Example::

        lb = LoadBalancer(tier, "load-balancer", provider=provider, ctx=ctx, props=config.app,
                          network=network, key=key, security_groups=groups.load_balancer_groups,
                          alarm_topic=topic)
        lb.alb.dns_name
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: AppConfig,
        network: RegionalNetwork,
        key: RegionalKey,
        security_groups: list[SecurityGroup],
        alarm_topic: SnsTopic,
        certificate_arn: str | None = None,
        route53_health_checks: bool = True,
    ):
        super().__init__(scope, id)
        n = ctx.naming
        account, part = key.account_id, key.partition_name
        elb_account = DataAwsElbServiceAccount(self, "elb-account", provider=provider)
        logs = f"{n.name('logs')}-{account}"
        self.log_bucket = SecureBucket(
            self,
            "log-bucket",
            provider=provider,
            props=SecureBucketProps.for_logs(
                logs,
                stateful=ctx.stateful,
                policy_statements=(
                    {
                        "Sid": "AlbAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"AWS": elb_account.arn},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:{part}:s3:::{logs}/alb/AWSLogs/{account}/*",
                    },
                    {
                        "Sid": "S3ServerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:{part}:s3:::{logs}/*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                    },
                ),
            ),
        )
        self.alb = Lb(
            self,
            "alb",
            provider=provider,
            name=n.short("alb"),
            load_balancer_type="application",
            internal=False,
            security_groups=[g.id for g in security_groups],
            subnets=network.public_subnet_ids,
            drop_invalid_header_fields=True,
            enable_deletion_protection=props.alb_deletion_protection,
            access_logs=LbAccessLogs(bucket=self.log_bucket.bucket_name, prefix="alb", enabled=True),
            depends_on=[self.log_bucket.policy],
        )
        self.target_group = LbTargetGroup(
            self,
            "tg",
            provider=provider,
            name=n.short("tg"),
            port=props.app_port,
            protocol="HTTP",
            vpc_id=network.vpc_id,
            target_type="instance",
            deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
            health_check=LbTargetGroupHealthCheck(
                enabled=True,
                path=props.health_check_path,
                matcher="200",
                interval=HEALTH_CHECK_INTERVAL_SECONDS,
                timeout=HEALTH_CHECK_TIMEOUT_SECONDS,
                healthy_threshold=HEALTHY_THRESHOLD,
                unhealthy_threshold=UNHEALTHY_THRESHOLD,
                protocol="HTTP",
            ),
        )
        https = certificate_arn is not None
        self.listener = LbListener(
            self,
            "https" if https else "http",
            provider=provider,
            load_balancer_arn=self.alb.arn,
            port=listener_port(https=https),
            protocol="HTTPS" if https else "HTTP",
            ssl_policy=TLS_POLICY if https else None,
            certificate_arn=certificate_arn,
            default_action=[
                LbListenerDefaultAction(
                    type="fixed-response",
                    fixed_response=LbListenerDefaultActionFixedResponse(
                        content_type="text/plain", message_body="Forbidden", status_code="403"
                    ),
                )
            ],
        )
        if route53_health_checks:
            # Route 53 cannot send the origin header; it may read the health path only.
            self._forward(
                "health-check",
                provider,
                HEALTH_PRIORITY,
                LbListenerRuleCondition(
                    path_pattern=LbListenerRuleConditionPathPattern(values=[props.health_check_path])
                ),
            )
        dimensions = {
            "alb-5xx": {"LoadBalancer": self.alb.arn_suffix},
            "unhealthy-hosts": {"LoadBalancer": self.alb.arn_suffix, "TargetGroup": self.target_group.arn_suffix},
            "no-healthy-hosts": {"LoadBalancer": self.alb.arn_suffix, "TargetGroup": self.target_group.arn_suffix},
        }
        for spec in LOAD_BALANCER_ALARMS:
            metric_alarm(
                self,
                spec,
                provider=provider,
                naming=n,
                dimensions=dimensions[spec.id],
                actions=[alarm_topic.arn],
            )

    def _forward(self, id: str, provider: AwsProvider, priority: int, condition: LbListenerRuleCondition) -> None:
        LbListenerRule(
            self,
            id,
            provider=provider,
            listener_arn=self.listener.arn,
            priority=priority,
            condition=[condition],
            action=[LbListenerRuleAction(type="forward", target_group_arn=self.target_group.arn)],
        )


def listener_port(*, https: bool) -> int:
    """The one port the ALB listens on: 443 with a certificate, else 80."""
    return 443 if https else 80

"""AppTier: the web tier of one region, composed of focused constructs."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.instance import Instance
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from constructs import Construct

from ..buckets import SecureBucket
from ..config import AppConfig
from ..context import Context
from ..kms import RegionalKey
from ..network import RegionalNetwork
from .bastion import Bastion
from .fleet import Fleet
from .load_balancer import LoadBalancer, listener_port
from .object_processing import ObjectProcessing
from .security import AppSecurityGroups


class AppTier(Construct):
    """The web tier of one region: the alarm topic, then one construct per concern.

    - ``AppSecurityGroups`` (security.py): ALB -> app groups and rules.
    - ``LoadBalancer`` (load_balancer.py): log bucket, ALB, target group, listener and
      its rules, ALB alarms.
    - ``Fleet`` (fleet.py): instance role, launch template, Auto Scaling group, CPU
      step scaling with its alarms.
    - ``Bastion`` (bastion.py), unless ``props.bastion.enabled`` is false.
    - ``ObjectProcessing`` (object_processing.py): application bucket and its Lambda.

    Each is a ``Facet``: its id is not part of Terraform addresses, so every resource
    keeps the address ``<tier id>_<resource id>`` (``aws_autoscaling_group.app_asg``).
    The tier itself creates the encrypted SNS topic every alarm of the region notifies.

    Example::

        app = AppTier(stack, "app", provider=provider, ctx=ctx, props=config.app,
                      network=network, key=key)
        app.alb_dns_name
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
        certificate_arn: str | None = None,
        route53_health_checks: bool = True,
        ami_id: str | None = None,
    ):
        """``ami_id``: this region's AMI (``regions[].ami_id``); default the latest Amazon
        Linux 2023 of the region. ``certificate_arn``: this region's ACM
        certificate for an HTTPS listener; default none, HTTP from CloudFront only.
        ``route53_health_checks``: default true, Route 53 checkers may read the health
        path through a security group of their own."""
        super().__init__(scope, id)
        self.topic = SnsTopic(
            self, "alarms", provider=provider, name=ctx.naming.name("alarms"), kms_master_key_id=key.arn
        )
        self.listener_port = listener_port(https=certificate_arn is not None)
        self.security = AppSecurityGroups(
            self,
            "security",
            provider=provider,
            ctx=ctx,
            props=props,
            network=network,
            listener_port=self.listener_port,
            route53_health_checks=route53_health_checks,
        )
        self.load_balancer = LoadBalancer(
            self,
            "load-balancer",
            provider=provider,
            ctx=ctx,
            props=props,
            network=network,
            key=key,
            security_groups=self.security.load_balancer_groups,
            alarm_topic=self.topic,
            certificate_arn=certificate_arn,
            route53_health_checks=route53_health_checks,
        )
        self.fleet = Fleet(
            self,
            "fleet",
            provider=provider,
            ctx=ctx,
            props=props,
            network=network,
            key=key,
            security_group=self.security.app,
            target_group=self.load_balancer.target_group,
            alarm_topic=self.topic,
            ami_id=ami_id,
        )
        self.bastion: Instance | None = None
        if props.bastion.enabled:
            self.bastion = Bastion(
                self,
                "bastion",
                provider=provider,
                ctx=ctx,
                props=props.bastion,
                network=network,
                key=key,
                app_security_group=self.security.app,
                image_id=self.fleet.image_id,
            ).instance
        self.objects = ObjectProcessing(
            self,
            "objects",
            provider=provider,
            ctx=ctx,
            props=props.function,
            network=network,
            key=key,
            security_group=self.security.function,
            access_logs_to=self.load_balancer.log_bucket,
            log_retention_days=props.log_retention_days,
        )

    # --- outputs -------------------------------------------------------------------
    @property
    def alb_dns_name(self) -> str:
        return self.load_balancer.alb.dns_name

    @property
    def alb_zone_id(self) -> str:
        return self.load_balancer.alb.zone_id

    @property
    def alb_arn(self) -> str:
        return self.load_balancer.alb.arn

    @property
    def target_group_arn(self) -> str:
        return self.load_balancer.target_group.arn

    @property
    def listener_arn(self) -> str:
        """The ALB's one listener (the edge adds the rule that admits CloudFront)."""
        return self.load_balancer.listener.arn

    @property
    def asg_name(self) -> str:
        return self.fleet.asg.name

    @property
    def sns_topic_arn(self) -> str:
        return self.topic.arn

    @property
    def app_security_group_id(self) -> str:
        return self.security.app.id

    @property
    def app_bucket(self) -> SecureBucket:
        return self.objects.bucket

    @property
    def log_bucket(self) -> SecureBucket:
        return self.load_balancer.log_bucket

    @property
    def bastion_id(self) -> str | None:
        return self.bastion.id if self.bastion is not None else None

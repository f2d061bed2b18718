"""AppTier: the web fleet of one region behind its ALB, with scaling, alarms, a
bastion and an S3-triggered Lambda."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cdktf import AssetType, TerraformAsset, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.autoscaling_group import (
    AutoscalingGroup,
    AutoscalingGroupInstanceRefresh,
    AutoscalingGroupInstanceRefreshPreferences,
    AutoscalingGroupLaunchTemplate,
    AutoscalingGroupMixedInstancesPolicy,
    AutoscalingGroupMixedInstancesPolicyLaunchTemplate,
    AutoscalingGroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecification,
    AutoscalingGroupMixedInstancesPolicyLaunchTemplateOverride,
    AutoscalingGroupTag,
)
from cdktf_cdktf_provider_aws.autoscaling_policy import AutoscalingPolicy, AutoscalingPolicyStepAdjustment
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.data_aws_ec2_managed_prefix_list import DataAwsEc2ManagedPrefixList
from cdktf_cdktf_provider_aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions, InstanceRootBlockDevice
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.launch_template import (
    LaunchTemplate,
    LaunchTemplateBlockDeviceMappings,
    LaunchTemplateBlockDeviceMappingsEbs,
    LaunchTemplateIamInstanceProfile,
    LaunchTemplateMetadataOptions,
    LaunchTemplateMonitoring,
    LaunchTemplateTagSpecifications,
)
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
    LbListenerRuleConditionHttpHeader,
    LbListenerRuleConditionPathPattern,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification, S3BucketNotificationLambdaFunction
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .buckets import SecureBucket, SecureBucketProps
from .iam import assume_role_policy
from .kms import RegionalKey
from .naming import Naming
from .network import RegionalNetwork

AL2023_SSM_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
"""Public SSM parameter holding the latest Amazon Linux 2023 AMI of the region."""
CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"


def route53_health_check_prefix_list(region: str) -> str:
    """AWS-managed prefix list of the Route 53 health checkers, as seen from ``region``."""
    return f"com.amazonaws.{region}.route53-healthchecks"


ORIGIN_SECRET_HEADER = "X-Origin-Verify"
"""Header CloudFront adds to every origin request; the ALB forwards nothing without it."""
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only."""
LAMBDA_SOURCE = Path(__file__).resolve().parent.parent / "lambda_src" / "object_created"
LAMBDA_RUNTIME = "python3.12"
DEFAULT_SCALING_ADJUSTMENT = 1


@dataclass(frozen=True, kw_only=True)
class BastionProps:
    instance_type: str = "t3.micro"
    """Default: t3.micro."""
    allowed_ssh_cidrs: tuple[str, ...] = ()
    """Where SSH may come from. Default: nowhere (SSM Session Manager only; no SSH rule)."""
    key_name: str | None = None
    """EC2 key pair for SSH. Default: none."""
    detailed_monitoring: bool = True
    """Default: 1-minute CloudWatch metrics."""


@dataclass(frozen=True, kw_only=True)
class LambdaProps:
    reserved_concurrency: int = 5
    """Default: 5 concurrent executions, so a burst of uploads cannot starve the account."""
    memory_mb: int = 256
    timeout_seconds: int = 30
    log_retention_days: int = 365


@dataclass(frozen=True, kw_only=True)
class AppTierProps:
    naming: Naming
    """Names every resource. Required."""
    origin_secret: str
    """Value CloudFront sends in ``X-Origin-Verify``; the ALB forwards only requests
    carrying it. Required (a token resolved by Terraform, never a literal in config)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags to propagate to instances and volumes launched by the ASG (provider
    default_tags do not reach them). Default: none."""
    instance_types: tuple[str, ...] = ("t3.small",)
    """First is the launch template's; more make a mixed-instances ASG. Default: t3.small."""
    min_size: int = 3
    desired_capacity: int = 3
    max_size: int = 9
    app_port: int = 8080
    """Port the web server listens on. Default: 8080."""
    health_check_path: str = "/health"
    health_check_grace_seconds: int = 300
    cpu_high_percent: float = 80.0
    """Average CPU above which the fleet scales out. Default: 80."""
    cpu_low_percent: float = 20.0
    """Average CPU below which the fleet scales in. Default: 20."""
    ami_id: str | None = None
    """Default: the latest Amazon Linux 2023 AMI from the public SSM parameter."""
    alb_deletion_protection: bool = True
    certificate_arn: str | None = None
    """ACM certificate of this region for an HTTPS listener. Default: none (HTTP from
    CloudFront only, plain HTTP never reaches the fleet without the origin secret)."""
    route53_health_checks: bool = True
    """Default: true, Route 53 health checkers may request the health check path
    (a security group of their own, admitting only their managed prefix list)."""
    bastion: BastionProps | None = field(default_factory=BastionProps)
    """Default: a bastion with SSM only. None: no bastion."""
    function: LambdaProps = field(default_factory=LambdaProps)
    log_retention_days: int = 365
    stateful: bool = True
    """Default: true; buckets holding data get prevent_destroy."""


def user_data(port: int, health_path: str, region: str) -> str:
    """Boot script: a dependency-free web server (python3 ships with AL2023) that
    answers the health check path and the root page."""
    health_dir = str(Path("/srv/www") / health_path.lstrip("/")).rsplit("/", 1)[0]
    return f"""#!/bin/bash
set -euo pipefail
mkdir -p /srv/www {health_dir}
echo ok > /srv/www{health_path}
echo "<h1>served from {region}</h1>" > /srv/www/index.html
cat > /etc/systemd/system/webapp.service <<'UNIT'
[Unit]
Description=minimal web server
After=network-online.target

[Service]
DynamicUser=yes
ExecStart=/usr/bin/python3 -m http.server {port} --directory /srv/www
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now webapp.service
"""


class AppTier(Construct):
    """The web tier of one region.

    Creates: security groups ALB -> app (and bastion -> app, Lambda egress-only) with
    one rule resource per rule; an internet-facing ALB in the public subnets with
    access logs to a log bucket, invalid headers dropped and deletion protection;
    a target group with health checks; an HTTP listener that forwards only requests
    carrying the CloudFront origin secret (an HTTPS listener on TLS 1.2+ instead
    when a certificate is given), plus the health check path for Route 53 checkers
    admitted by a security group of their own; a launch template (IMDSv2 only,
    KMS-encrypted gp3 root volume, detailed monitoring, SSM-only instance role, a
    boot script serving the health path); an Auto Scaling group over the private
    subnets with instance refresh; CPU step scaling driven by alarms; ALB 5xx and
    unhealthy-host alarms; an encrypted SNS topic every alarm notifies; a bastion;
    the application bucket and a Lambda function in the VPC triggered by its object
    creations, with an encrypted DLQ and log group.

    Example::

        app = AppTier(stack, "app", provider=provider, network=network, key=key,
                      props=AppTierProps(naming=naming, origin_secret=secret.value))
        app.alb_dns_name
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        props: AppTierProps,
        network: RegionalNetwork,
        key: RegionalKey,
    ):
        super().__init__(scope, id)
        if not props.instance_types:
            raise ValueError("AppTierProps.instance_types must name at least one instance type")
        if not 0 <= props.min_size <= props.desired_capacity <= props.max_size:
            raise ValueError("AppTierProps needs 0 <= min_size <= desired_capacity <= max_size")
        if not 0 <= props.cpu_low_percent < props.cpu_high_percent <= 100:
            raise ValueError("AppTierProps needs 0 <= cpu_low_percent < cpu_high_percent <= 100")
        n = props.naming
        region = n.region
        account = key.account_id
        part = key.partition_name
        self._provider = provider
        self._https = bool(props.certificate_arn)

        # --- notifications --------------------------------------------------------
        self.topic = SnsTopic(self, "alarms", provider=provider, name=n.name("alarms"), kms_master_key_id=key.arn)
        alarm_actions = [self.topic.arn]

        # --- security groups ------------------------------------------------------
        def sg(sid: str, role: str, description: str) -> SecurityGroup:
            return SecurityGroup(
                self,
                sid,
                provider=provider,
                name=n.name(role),
                description=description,
                vpc_id=network.vpc_id,
                tags={"Name": n.name(role)},
            )

        self.alb_sg = sg("alb-sg", "alb", "ALB: HTTP(S) from CloudFront only")
        self.app_sg = sg("app-sg", "app", "App instances: app port from the ALB only")
        self.lambda_sg = sg("lambda-sg", "lambda", "Lambda ENIs: egress only")
        cloudfront = DataAwsEc2ManagedPrefixList(
            self, "cloudfront-prefix-list", provider=provider, name=CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST
        )
        # One listener port: HTTPS when there is a certificate, else HTTP. The
        # CloudFront prefix list weighs 55 of the default 60 rules per group, so the
        # group admits it on that single port and the health checkers get their own group.
        listener_port = 443 if props.certificate_arn else 80
        VpcSecurityGroupIngressRule(
            self,
            f"alb-in-{listener_port}",
            provider=provider,
            security_group_id=self.alb_sg.id,
            description=f"Port {listener_port} from CloudFront origin-facing servers only",
            ip_protocol="tcp",
            from_port=listener_port,
            to_port=listener_port,
            prefix_list_id=cloudfront.id,
        )
        alb_groups = [self.alb_sg]
        if props.route53_health_checks:
            self.health_sg = sg("alb-health-sg", "alb-health", "ALB: health check path from Route 53 checkers only")
            checkers = DataAwsEc2ManagedPrefixList(
                self, "route53-prefix-list", provider=provider, name=route53_health_check_prefix_list(region)
            )
            VpcSecurityGroupIngressRule(
                self,
                f"alb-health-in-{listener_port}",
                provider=provider,
                security_group_id=self.health_sg.id,
                description=f"Port {listener_port} from Route 53 health checkers only",
                ip_protocol="tcp",
                from_port=listener_port,
                to_port=listener_port,
                prefix_list_id=checkers.id,
            )
            alb_groups.append(self.health_sg)
        for group in alb_groups:
            VpcSecurityGroupEgressRule(
                self,
                f"{group.node.id.removesuffix('-sg')}-out-app",
                provider=provider,
                security_group_id=group.id,
                description="To the app instances on the app port",
                ip_protocol="tcp",
                from_port=props.app_port,
                to_port=props.app_port,
                referenced_security_group_id=self.app_sg.id,
            )
        for group in alb_groups:
            VpcSecurityGroupIngressRule(
                self,
                f"app-in-{group.node.id.removesuffix('-sg')}",
                provider=provider,
                security_group_id=self.app_sg.id,
                description=f"App port from the ALB ({group.node.id})",
                ip_protocol="tcp",
                from_port=props.app_port,
                to_port=props.app_port,
                referenced_security_group_id=group.id,
            )
        for sid, group in (("app-out-https", self.app_sg), ("lambda-out-https", self.lambda_sg)):
            VpcSecurityGroupEgressRule(
                self,
                sid,
                provider=provider,
                security_group_id=group.id,
                description="HTTPS to AWS APIs and package repositories (via endpoints or NAT)",
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4="0.0.0.0/0",
            )

        # --- logs -----------------------------------------------------------------
        elb_account = DataAwsElbServiceAccount(self, "elb-account", provider=provider)
        self.log_bucket = SecureBucket(
            self,
            "log-bucket",
            provider=provider,
            props=SecureBucketProps(
                name=f"{n.name('logs')}-{account}",
                expire_days=365,
                noncurrent_expire_days=30,
                stateful=props.stateful,
                force_destroy=not props.stateful,
                policy_statements=(
                    {
                        "Sid": "AlbAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"AWS": elb_account.arn},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:{part}:s3:::{n.name('logs')}-{account}/alb/AWSLogs/{account}/*",
                    },
                    {
                        "Sid": "S3ServerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:{part}:s3:::{n.name('logs')}-{account}/*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                    },
                ),
            ),
        )

        # --- load balancer --------------------------------------------------------
        self.alb = Lb(
            self,
            "alb",
            provider=provider,
            name=n.short("alb"),
            load_balancer_type="application",
            internal=False,
            security_groups=[g.id for g in alb_groups],
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
            deregistration_delay="30",
            health_check=LbTargetGroupHealthCheck(
                enabled=True,
                path=props.health_check_path,
                matcher="200",
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
                protocol="HTTP",
            ),
        )
        forbidden = LbListenerDefaultAction(
            type="fixed-response",
            fixed_response=LbListenerDefaultActionFixedResponse(
                content_type="text/plain", message_body="Forbidden", status_code="403"
            ),
        )
        if props.certificate_arn:
            self.listener = LbListener(
                self,
                "https",
                provider=provider,
                load_balancer_arn=self.alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=props.certificate_arn,
                default_action=[forbidden],
            )
        else:
            self.listener = LbListener(
                self,
                "http",
                provider=provider,
                load_balancer_arn=self.alb.arn,
                port=80,
                protocol="HTTP",
                default_action=[forbidden],
            )
        LbListenerRule(
            self,
            "from-cloudfront",
            provider=provider,
            listener_arn=self.listener.arn,
            priority=10,
            condition=[
                LbListenerRuleCondition(
                    http_header=LbListenerRuleConditionHttpHeader(
                        http_header_name=ORIGIN_SECRET_HEADER, values=[props.origin_secret]
                    )
                )
            ],
            action=[LbListenerRuleAction(type="forward", target_group_arn=self.target_group.arn)],
        )
        if props.route53_health_checks:
            # Route 53 cannot send the origin header; it may read the health path only.
            LbListenerRule(
                self,
                "health-check",
                provider=provider,
                listener_arn=self.listener.arn,
                priority=5,
                condition=[
                    LbListenerRuleCondition(
                        path_pattern=LbListenerRuleConditionPathPattern(values=[props.health_check_path]),
                    )
                ],
                action=[LbListenerRuleAction(type="forward", target_group_arn=self.target_group.arn)],
            )

        # --- instances ------------------------------------------------------------
        instance_role = IamRole(
            self,
            "instance-role",
            provider=provider,
            name=n.name("instance"),
            assume_role_policy=assume_role_policy("ec2.amazonaws.com", account),
        )
        for i, policy in enumerate(("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy")):
            IamRolePolicyAttachment(
                self,
                f"instance-policy-{i}",
                provider=provider,
                role=instance_role.name,
                policy_arn=f"arn:{part}:iam::aws:policy/{policy}",
            )
        profile = IamInstanceProfile(
            self, "instance-profile", provider=provider, name=n.name("instance"), role=instance_role.name
        )
        if props.ami_id:
            image_id = props.ami_id
        else:
            image_id = DataAwsSsmParameter(self, "ami", provider=provider, name=AL2023_SSM_PARAMETER).insecure_value
        propagated = dict(props.tags)
        self.launch_template = LaunchTemplate(
            self,
            "launch-template",
            provider=provider,
            name=n.name("app"),
            image_id=image_id,
            instance_type=props.instance_types[0],
            update_default_version=True,
            vpc_security_group_ids=[self.app_sg.id],
            iam_instance_profile=LaunchTemplateIamInstanceProfile(arn=profile.arn),
            metadata_options=LaunchTemplateMetadataOptions(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="enabled",
            ),
            monitoring=LaunchTemplateMonitoring(enabled=True),
            block_device_mappings=[
                LaunchTemplateBlockDeviceMappings(
                    device_name="/dev/xvda",
                    ebs=LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=20,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=key.arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            user_data=base64.b64encode(user_data(props.app_port, props.health_check_path, region).encode()).decode(),
            tag_specifications=[
                LaunchTemplateTagSpecifications(resource_type=kind, tags={**propagated, "Name": n.name("app")})
                for kind in ("instance", "volume")
            ],
        )
        lt_spec = AutoscalingGroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecification(
            launch_template_id=self.launch_template.id, version="$Latest"
        )
        mixed = None
        launch_template = None
        if len(props.instance_types) > 1:
            mixed = AutoscalingGroupMixedInstancesPolicy(
                launch_template=AutoscalingGroupMixedInstancesPolicyLaunchTemplate(
                    launch_template_specification=lt_spec,
                    override=[
                        AutoscalingGroupMixedInstancesPolicyLaunchTemplateOverride(instance_type=t)
                        for t in props.instance_types
                    ],
                )
            )
        else:
            launch_template = AutoscalingGroupLaunchTemplate(id=self.launch_template.id, version="$Latest")
        self.asg = AutoscalingGroup(
            self,
            "asg",
            provider=provider,
            name=n.name("app"),
            min_size=props.min_size,
            max_size=props.max_size,
            desired_capacity=props.desired_capacity,
            vpc_zone_identifier=network.private_subnet_ids,
            target_group_arns=[self.target_group.arn],
            health_check_type="ELB",
            health_check_grace_period=props.health_check_grace_seconds,
            launch_template=launch_template,
            mixed_instances_policy=mixed,
            enabled_metrics=[
                "GroupDesiredCapacity",
                "GroupInServiceInstances",
                "GroupMinSize",
                "GroupMaxSize",
                "GroupTotalInstances",
            ],
            instance_refresh=AutoscalingGroupInstanceRefresh(
                strategy="Rolling",
                preferences=AutoscalingGroupInstanceRefreshPreferences(min_healthy_percentage=66),
            ),
            tag=[
                AutoscalingGroupTag(key=k, value=v, propagate_at_launch=True)
                for k, v in sorted({**propagated, "Name": n.name("app")}.items())
            ],
            # The scaling policies below move desired_capacity; Terraform must not
            # reset it on every apply.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["desired_capacity"]),
        )

        # --- scaling and alarms ---------------------------------------------------
        scale_out = AutoscalingPolicy(
            self,
            "scale-out",
            provider=provider,
            name=n.name("scale-out"),
            autoscaling_group_name=self.asg.name,
            policy_type="StepScaling",
            adjustment_type="ChangeInCapacity",
            metric_aggregation_type="Average",
            step_adjustment=[
                AutoscalingPolicyStepAdjustment(
                    metric_interval_lower_bound="0", scaling_adjustment=DEFAULT_SCALING_ADJUSTMENT
                )
            ],
        )
        scale_in = AutoscalingPolicy(
            self,
            "scale-in",
            provider=provider,
            name=n.name("scale-in"),
            autoscaling_group_name=self.asg.name,
            policy_type="StepScaling",
            adjustment_type="ChangeInCapacity",
            metric_aggregation_type="Average",
            step_adjustment=[
                AutoscalingPolicyStepAdjustment(
                    metric_interval_upper_bound="0", scaling_adjustment=-DEFAULT_SCALING_ADJUSTMENT
                )
            ],
        )
        asg_dim = {"AutoScalingGroupName": self.asg.name}
        self.cpu_high = CloudwatchMetricAlarm(
            self,
            "cpu-high",
            provider=provider,
            alarm_name=n.name("cpu-high"),
            alarm_description=f"Average CPU above {props.cpu_high_percent:g}% for 2 minutes: scale out",
            namespace="AWS/EC2",
            metric_name="CPUUtilization",
            dimensions=asg_dim,
            statistic="Average",
            period=60,
            evaluation_periods=2,
            threshold=props.cpu_high_percent,
            comparison_operator="GreaterThanThreshold",
            alarm_actions=[scale_out.arn, *alarm_actions],
        )
        self.cpu_low = CloudwatchMetricAlarm(
            self,
            "cpu-low",
            provider=provider,
            alarm_name=n.name("cpu-low"),
            alarm_description=f"Average CPU below {props.cpu_low_percent:g}% for 5 minutes: scale in",
            namespace="AWS/EC2",
            metric_name="CPUUtilization",
            dimensions=asg_dim,
            statistic="Average",
            period=60,
            evaluation_periods=5,
            threshold=props.cpu_low_percent,
            comparison_operator="LessThanThreshold",
            alarm_actions=[scale_in.arn, *alarm_actions],
        )
        CloudwatchMetricAlarm(
            self,
            "alb-5xx",
            provider=provider,
            alarm_name=n.name("alb-5xx"),
            alarm_description="The ALB or its targets answered 5xx more than 10 times a minute for 3 minutes",
            namespace="AWS/ApplicationELB",
            metric_name="HTTPCode_ELB_5XX_Count",
            dimensions={"LoadBalancer": self.alb.arn_suffix},
            statistic="Sum",
            period=60,
            evaluation_periods=3,
            threshold=10,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=alarm_actions,
            ok_actions=alarm_actions,
        )
        CloudwatchMetricAlarm(
            self,
            "unhealthy-hosts",
            provider=provider,
            alarm_name=n.name("unhealthy-hosts"),
            alarm_description="At least one target failed its health check for 3 minutes",
            namespace="AWS/ApplicationELB",
            metric_name="UnHealthyHostCount",
            dimensions={"LoadBalancer": self.alb.arn_suffix, "TargetGroup": self.target_group.arn_suffix},
            statistic="Maximum",
            period=60,
            evaluation_periods=3,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=alarm_actions,
            ok_actions=alarm_actions,
        )
        # The page that matters most: with no healthy target this region serves nothing
        # (Route 53 and CloudFront fail over; this tells the operator why).
        self.healthy_hosts_alarm = CloudwatchMetricAlarm(
            self,
            "no-healthy-hosts",
            provider=provider,
            alarm_name=n.name("no-healthy-hosts"),
            alarm_description="No healthy target behind the ALB: this region cannot serve",
            namespace="AWS/ApplicationELB",
            metric_name="HealthyHostCount",
            dimensions={"LoadBalancer": self.alb.arn_suffix, "TargetGroup": self.target_group.arn_suffix},
            statistic="Minimum",
            period=60,
            evaluation_periods=1,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=alarm_actions,
            ok_actions=alarm_actions,
        )

        # --- bastion --------------------------------------------------------------
        self.bastion: Instance | None = None
        if props.bastion is not None:
            self._bastion(props, network, key, profile.name, image_id)

        # --- application bucket and its Lambda ------------------------------------
        self.app_bucket = SecureBucket(
            self,
            "app-bucket",
            provider=provider,
            access_logs_to=self.log_bucket,
            props=SecureBucketProps(
                name=f"{n.name('data')}-{account}",
                kms_key_arn=key.arn,
                access_log_prefix="s3/app-bucket/",
                stateful=props.stateful,
                force_destroy=not props.stateful,
            ),
        )
        self._function(props, network, key, part, account)

    def _bastion(
        self, props: AppTierProps, network: RegionalNetwork, key: RegionalKey, profile: str, image_id: str
    ) -> None:
        assert props.bastion is not None
        provider, n, b = self._provider, props.naming, props.bastion
        self.bastion_sg = SecurityGroup(
            self,
            "bastion-sg",
            provider=provider,
            name=n.name("bastion"),
            vpc_id=network.vpc_id,
            description="Bastion: SSH from the configured ranges only",
            tags={"Name": n.name("bastion")},
        )
        for i, cidr in enumerate(b.allowed_ssh_cidrs):
            VpcSecurityGroupIngressRule(
                self,
                f"bastion-in-ssh-{i}",
                provider=provider,
                security_group_id=self.bastion_sg.id,
                description=f"SSH from allowed range {cidr}",
                ip_protocol="tcp",
                from_port=22,
                to_port=22,
                cidr_ipv4=cidr,
            )
        VpcSecurityGroupEgressRule(
            self,
            "bastion-out-ssh",
            provider=provider,
            security_group_id=self.bastion_sg.id,
            description="SSH to the app instances",
            ip_protocol="tcp",
            from_port=22,
            to_port=22,
            referenced_security_group_id=self.app_sg.id,
        )
        VpcSecurityGroupEgressRule(
            self,
            "bastion-out-https",
            provider=provider,
            security_group_id=self.bastion_sg.id,
            description="HTTPS to SSM and package repositories",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
        )
        VpcSecurityGroupIngressRule(
            self,
            "app-in-bastion-ssh",
            provider=provider,
            security_group_id=self.app_sg.id,
            description="SSH from the bastion",
            ip_protocol="tcp",
            from_port=22,
            to_port=22,
            referenced_security_group_id=self.bastion_sg.id,
        )
        self.bastion = Instance(
            self,
            "bastion",
            provider=provider,
            ami=image_id,
            instance_type=b.instance_type,
            subnet_id=network.public_subnet_ids[0],
            vpc_security_group_ids=[self.bastion_sg.id],
            associate_public_ip_address=True,
            iam_instance_profile=profile,
            key_name=b.key_name,
            monitoring=b.detailed_monitoring,
            ebs_optimized=True,
            metadata_options=InstanceMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            root_block_device=InstanceRootBlockDevice(
                encrypted=True, kms_key_id=key.arn, volume_type="gp3", volume_size=20
            ),
            tags={"Name": n.name("bastion")},
            # A newer AMI must not replace the bastion under someone's session.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["ami"]),
        )

    def _function(
        self, props: AppTierProps, network: RegionalNetwork, key: RegionalKey, part: str, account: str
    ) -> None:
        provider, n, f = self._provider, props.naming, props.function
        fname = n.name("object-created")
        log_group = CloudwatchLogGroup(
            self,
            "function-logs",
            provider=provider,
            name=f"/aws/lambda/{fname}",
            retention_in_days=f.log_retention_days,
            kms_key_id=key.arn,
        )
        dlq = SqsQueue(
            self,
            "function-dlq",
            provider=provider,
            name=n.name("object-created-dlq"),
            kms_master_key_id=key.arn,
            message_retention_seconds=1_209_600,
        )
        role = IamRole(
            self,
            "function-role",
            provider=provider,
            name=n.name("object-created"),
            assume_role_policy=assume_role_policy("lambda.amazonaws.com", account),
        )
        IamRolePolicy(
            self,
            "function-policy",
            provider=provider,
            role=role.id,
            name="least-privilege",
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReadNewObjects",
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                            "Resource": f"{self.app_bucket.arn}/*",
                        },
                        {
                            "Sid": "DecryptWithRegionKey",
                            "Effect": "Allow",
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                            "Resource": key.arn,
                        },
                        {
                            "Sid": "WriteOwnLogs",
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"{log_group.arn}:*",
                        },
                        {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dlq.arn},
                        {
                            "Sid": "Tracing",
                            "Effect": "Allow",
                            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                            "Resource": "*",
                        },
                        # ENI actions for a function in a VPC take no resource-level scoping
                        # (the ENIs do not exist yet); the same grant as AWS's managed
                        # AWSLambdaVPCAccessExecutionRole, without its logs:* on every group.
                        {
                            "Sid": "VpcNetworkInterfaces",
                            "Effect": "Allow",
                            "Action": [
                                "ec2:CreateNetworkInterface",
                                "ec2:DescribeNetworkInterfaces",
                                "ec2:DeleteNetworkInterface",
                                "ec2:AssignPrivateIpAddresses",
                                "ec2:UnassignPrivateIpAddresses",
                            ],
                            "Resource": "*",
                        },
                    ],
                }
            ),
        )
        asset = TerraformAsset(self, "function-code", path=str(LAMBDA_SOURCE), type=AssetType.ARCHIVE)
        self.function = LambdaFunction(
            self,
            "function",
            provider=provider,
            function_name=fname,
            role=role.arn,
            runtime=LAMBDA_RUNTIME,
            handler="handler.handler",
            filename=asset.path,
            source_code_hash=asset.asset_hash,
            memory_size=f.memory_mb,
            timeout=f.timeout_seconds,
            reserved_concurrent_executions=f.reserved_concurrency,
            kms_key_arn=key.arn,
            environment=LambdaFunctionEnvironment(variables={"LOG_LEVEL": "INFO"}),
            vpc_config=LambdaFunctionVpcConfig(
                subnet_ids=network.private_subnet_ids, security_group_ids=[self.lambda_sg.id]
            ),
            dead_letter_config=LambdaFunctionDeadLetterConfig(target_arn=dlq.arn),
            tracing_config=LambdaFunctionTracingConfig(mode="Active"),
            depends_on=[log_group],
        )
        permission = LambdaPermission(
            self,
            "function-s3-permission",
            provider=provider,
            statement_id="AllowAppBucket",
            action="lambda:InvokeFunction",
            function_name=self.function.function_name,
            principal="s3.amazonaws.com",
            source_arn=self.app_bucket.arn,
            source_account=account,
        )
        S3BucketNotification(
            self,
            "app-bucket-notification",
            provider=provider,
            bucket=self.app_bucket.bucket_name,
            lambda_function=[
                S3BucketNotificationLambdaFunction(lambda_function_arn=self.function.arn, events=["s3:ObjectCreated:*"])
            ],
            depends_on=[permission],
        )

    # --- outputs -------------------------------------------------------------------
    @property
    def alb_dns_name(self) -> str:
        return self.alb.dns_name

    @property
    def alb_zone_id(self) -> str:
        return self.alb.zone_id

    @property
    def listener_port(self) -> int:
        return 443 if self._https else 80

    @property
    def alb_arn(self) -> str:
        return self.alb.arn

    @property
    def target_group_arn(self) -> str:
        return self.target_group.arn

    @property
    def asg_name(self) -> str:
        return self.asg.name

    @property
    def sns_topic_arn(self) -> str:
        return self.topic.arn

    @property
    def app_security_group_id(self) -> str:
        return self.app_sg.id

    @property
    def app_bucket_name(self) -> str:
        return self.app_bucket.bucket_name

    @property
    def log_bucket_name(self) -> str:
        return self.log_bucket.bucket_name

    @property
    def bastion_id(self) -> str | None:
        return self.bastion.id if self.bastion is not None else None

"""Fleet: the app instances of one region, their scaling and its alarms."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from cdktf import TerraformResourceLifecycle
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
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.launch_template import (
    LaunchTemplate,
    LaunchTemplateBlockDeviceMappings,
    LaunchTemplateBlockDeviceMappingsEbs,
    LaunchTemplateIamInstanceProfile,
    LaunchTemplateMetadataOptions,
    LaunchTemplateMonitoring,
    LaunchTemplateTagSpecifications,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from constructs import Construct

from ..addressing import Facet
from ..alarms import AlarmSpec, metric_alarm
from ..config import AppConfig
from ..context import Context
from ..iam import session_instance_profile
from ..kms import RegionalKey
from ..network import RegionalNetwork

AL2023_SSM_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture}"
"""Public SSM parameter holding the latest Amazon Linux 2023 AMI of the region, per
architecture (x86_64 or arm64: the config makes every instance type share one)."""
"""Session Manager instead of SSH keys, and the CloudWatch agent's metrics and logs."""
INSTANCE_REFRESH_MIN_HEALTHY_PERCENT = 66
"""A rolling refresh replaces at most a third at once: two of the reference three
instances keep serving while the third is replaced."""
ROOT_DEVICE = "/dev/xvda"
"""Root device name of Amazon Linux 2023 AMIs."""
ASG_METRICS = (
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupMinSize",
    "GroupMaxSize",
    "GroupTotalInstances",
)
"""Group metrics published to CloudWatch (free at one-minute granularity)."""


@dataclass(frozen=True, kw_only=True)
class ScalingStep:
    """One CPU alarm and the step policy it drives."""

    policy_id: str
    alarm_id: str
    adjustment: int
    """Instances added (positive) or removed (negative) per alarm."""
    scale_out: bool
    evaluation_minutes: int
    """Scale out fast (2 min), scale in slowly (5 min): a brief lull must not remove
    capacity a returning peak needs."""


SCALING_STEPS = (
    ScalingStep(policy_id="scale-out", alarm_id="cpu-high", adjustment=1, scale_out=True, evaluation_minutes=2),
    ScalingStep(policy_id="scale-in", alarm_id="cpu-low", adjustment=-1, scale_out=False, evaluation_minutes=5),
)


def cpu_alarm(step: ScalingStep, props: AppConfig) -> AlarmSpec:
    """The CPU alarm of ``step``, with the thresholds of ``props``."""
    percent = props.cpu_high_percent if step.scale_out else props.cpu_low_percent
    direction, action = ("above", "scale out") if step.scale_out else ("below", "scale in")
    return AlarmSpec(
        id=step.alarm_id,
        description=f"Average CPU {direction} {percent:g}% for {step.evaluation_minutes} minutes: {action}",
        namespace="AWS/EC2",
        metric_name="CPUUtilization",
        statistic="Average",
        evaluation_periods=step.evaluation_minutes,
        threshold=percent,
        comparison_operator="GreaterThanThreshold" if step.scale_out else "LessThanThreshold",
        notify_ok=False,
    )


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


class Fleet(Facet):
    """The Auto Scaling group of app instances.

    Creates: the instance role (SSM + CloudWatch agent) and profile; the AMI lookup
    (latest Amazon Linux 2023, unless ``ami_id``); a launch template (IMDSv2 only,
    KMS-encrypted gp3 root volume, detailed monitoring, the boot script serving the
    health path, tags propagated to instances and volumes); the Auto Scaling group
    over the private subnets, registered with the target group, ELB health checks,
    rolling instance refresh, mixed instances when several types are given; and from
    ``SCALING_STEPS`` a step policy and the CPU alarm driving it per direction.

    Example::

        fleet = Fleet(tier, "fleet", provider=provider, ctx=ctx, props=config.app, network=network,
                      key=key, security_group=groups.app, target_group=lb.target_group, alarm_topic=topic)
        fleet.asg.name
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
        security_group: SecurityGroup,
        target_group: LbTargetGroup,
        alarm_topic: SnsTopic,
        ami_id: str | None = None,
    ):
        """``ami_id``: this region's AMI; default the latest Amazon Linux 2023 of the region."""
        super().__init__(scope, id)
        n = ctx.naming
        self.instance_profile = session_instance_profile(
            self,
            "instance-",
            provider=provider,
            name=n.name("instance"),
            region=n.region,
            partition=key.partition_name,
            account=key.account_id,
        )
        self.image_id = (
            ami_id
            or DataAwsSsmParameter(
                self, "ami", provider=provider, name=AL2023_SSM_PARAMETER.format(architecture=props.architecture)
            ).insecure_value
        )
        """The AMI every instance (and the bastion) boots."""
        tags = {**ctx.tags, "Name": n.name("app")}
        self.launch_template = LaunchTemplate(
            self,
            "launch-template",
            provider=provider,
            name=n.name("app"),
            image_id=self.image_id,
            instance_type=props.instance_types[0],
            update_default_version=True,
            vpc_security_group_ids=[security_group.id],
            iam_instance_profile=LaunchTemplateIamInstanceProfile(arn=self.instance_profile.arn),
            metadata_options=LaunchTemplateMetadataOptions(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="enabled",
            ),
            monitoring=LaunchTemplateMonitoring(enabled=True),
            block_device_mappings=[
                LaunchTemplateBlockDeviceMappings(
                    device_name=ROOT_DEVICE,
                    ebs=LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=props.root_volume_gb,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=key.arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            user_data=base64.b64encode(user_data(props.app_port, props.health_check_path, n.region).encode()).decode(),
            tag_specifications=[
                LaunchTemplateTagSpecifications(resource_type=kind, tags=tags) for kind in ("instance", "volume")
            ],
        )
        mixed = None
        launch_template = None
        if len(props.instance_types) > 1:
            mixed = AutoscalingGroupMixedInstancesPolicy(
                launch_template=AutoscalingGroupMixedInstancesPolicyLaunchTemplate(
                    launch_template_specification=AutoscalingGroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecification(
                        launch_template_id=self.launch_template.id, version="$Latest"
                    ),
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
            target_group_arns=[target_group.arn],
            health_check_type="ELB",
            health_check_grace_period=props.health_check_grace_seconds,
            launch_template=launch_template,
            mixed_instances_policy=mixed,
            enabled_metrics=list(ASG_METRICS),
            instance_refresh=AutoscalingGroupInstanceRefresh(
                strategy="Rolling",
                preferences=AutoscalingGroupInstanceRefreshPreferences(
                    min_healthy_percentage=INSTANCE_REFRESH_MIN_HEALTHY_PERCENT
                ),
            ),
            tag=[AutoscalingGroupTag(key=k, value=v, propagate_at_launch=True) for k, v in sorted(tags.items())],
            # The scaling policies move desired_capacity; Terraform must not reset it
            # on every apply.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["desired_capacity"]),
        )
        for step in SCALING_STEPS:
            policy = AutoscalingPolicy(
                self,
                step.policy_id,
                provider=provider,
                name=n.name(step.policy_id),
                autoscaling_group_name=self.asg.name,
                policy_type="StepScaling",
                adjustment_type="ChangeInCapacity",
                metric_aggregation_type="Average",
                # Open-ended on the alarm's side of the threshold: any breach is one step.
                step_adjustment=[
                    AutoscalingPolicyStepAdjustment(
                        metric_interval_lower_bound="0" if step.scale_out else None,
                        metric_interval_upper_bound=None if step.scale_out else "0",
                        scaling_adjustment=step.adjustment,
                    )
                ],
            )
            metric_alarm(
                self,
                cpu_alarm(step, props),
                provider=provider,
                naming=n,
                dimensions={"AutoScalingGroupName": self.asg.name},
                actions=[policy.arn, alarm_topic.arn],
            )

"""AppTier behaviours, synthesized in a small stack of one region."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from constructs_lib.naming import Naming
from tests.conftest import resources, synth_json

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666"


def build(
    stack_factory: Callable[..., Any], *, certificate_arn: str | None = None, ami_id: str | None = None, **app: Any
) -> dict[str, Any]:
    """An AppTier (props: ``[app]`` of a config, validated like one) in a small stack."""
    from constructs_lib.app import AppTier
    from constructs_lib.config import AppConfig, NetworkConfig, RegionConfig
    from constructs_lib.context import Context
    from constructs_lib.kms import RegionalKey, RegionalKeyProps
    from constructs_lib.network import RegionalNetwork

    stack, providers = stack_factory("us-east-1")
    provider = providers["us-east-1"]
    naming = Naming(project="t", environment="test", region="us-east-1")
    ctx = Context(naming=naming, tags={"Project": "t"})
    key = RegionalKey(stack, "key", provider=provider, props=RegionalKeyProps(naming=naming))
    network = RegionalNetwork(
        stack,
        "network",
        provider=provider,
        ctx=ctx,
        props=NetworkConfig(interface_endpoints=[]),
        region=RegionConfig.model_validate(
            {"name": "us-east-1", "role": "primary", "vpc_cidr": "10.0.0.0/16", "az_count": 2}
        ),
        key=key,
    )
    AppTier(
        stack,
        "app",
        provider=provider,
        ctx=ctx,
        props=AppConfig.model_validate(app),
        network=network,
        key=key,
        certificate_arn=certificate_arn,
        ami_id=ami_id,
    )
    return synth_json(stack)


@pytest.fixture(scope="module")
def default(stack_factory: Callable[..., Any]) -> dict[str, Any]:
    return build(stack_factory)


def one(doc: dict[str, Any], rtype: str, name: str) -> dict[str, Any]:
    return resources(doc, rtype)[name]


def ref(rtype: str, name: str, attr: str = "id") -> str:
    return f"${{{rtype}.{name}.{attr}}}"


def test_launch_template_requires_imdsv2_and_encrypts_with_the_region_key(default: dict[str, Any]) -> None:
    lt = one(default, "aws_launch_template", "app_launch-template")
    assert lt["metadata_options"]["http_tokens"] == "required"
    assert lt["metadata_options"]["http_put_response_hop_limit"] == 1
    (device,) = lt["block_device_mappings"]
    assert device["ebs"]["encrypted"] == "true"
    assert device["ebs"]["kms_key_id"] == ref("aws_kms_key", "key_key", "arn")
    assert lt["monitoring"] == {"enabled": True}


def test_bastion_requires_imdsv2_and_encrypts_its_volume(default: dict[str, Any]) -> None:
    bastion = one(default, "aws_instance", "app_bastion")
    assert bastion["metadata_options"]["http_tokens"] == "required"
    assert bastion["root_block_device"]["encrypted"] is True
    assert bastion["root_block_device"]["kms_key_id"] == ref("aws_kms_key", "key_key", "arn")
    assert bastion["subnet_id"] == ref("aws_subnet", "network_public-0")


def test_user_data_serves_the_health_check_path(default: dict[str, Any]) -> None:
    lt = one(default, "aws_launch_template", "app_launch-template")
    script = base64.b64decode(lt["user_data"]).decode()
    assert "echo ok > /srv/www/health" in script
    assert "http.server 8080" in script
    tg = one(default, "aws_lb_target_group", "app_tg")
    assert (tg["health_check"]["path"], tg["port"]) == ("/health", 8080)


def ingress(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resources(doc, "aws_vpc_security_group_ingress_rule").values())


def test_security_groups_chain_alb_to_app_and_nothing_is_open_to_the_world(default: dict[str, Any]) -> None:
    alb_sg, app_sg, bastion_sg, health_sg = (
        ref("aws_security_group", f"app_{n}-sg") for n in ("alb", "app", "bastion", "alb-health")
    )
    rules = ingress(default)
    assert all(r.get("cidr_ipv4") != "0.0.0.0/0" and r.get("cidr_ipv6") != "::/0" for r in rules)
    assert all(r.get("description") for r in rules)
    alb_rules = [r for r in rules if r["security_group_id"] == alb_sg]
    assert [(r["from_port"], r["prefix_list_id"]) for r in alb_rules] == [
        (80, "${data.aws_ec2_managed_prefix_list.app_cloudfront-prefix-list.id}")
    ]
    health_rules = [r for r in rules if r["security_group_id"] == health_sg]
    assert [(r["from_port"], r["prefix_list_id"]) for r in health_rules] == [
        (80, "${data.aws_ec2_managed_prefix_list.app_route53-prefix-list.id}")
    ]
    app_rules = sorted(
        (r["from_port"], r["referenced_security_group_id"]) for r in rules if r["security_group_id"] == app_sg
    )
    assert app_rules == sorted([(22, bastion_sg), (8080, alb_sg), (8080, health_sg)])
    assert one(default, "aws_lb", "app_alb")["security_groups"] == [alb_sg, health_sg]
    assert not [r for r in rules if r["security_group_id"] == bastion_sg], "no SSH rule without allowed CIDRs"


def test_bastion_ssh_only_from_configured_ranges(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, bastion={"allowed_ssh_cidrs": ["203.0.113.0/24", "198.51.100.7/32"]})
    bastion_sg = ref("aws_security_group", "app_bastion-sg")
    ssh = sorted(r["cidr_ipv4"] for r in ingress(doc) if r["security_group_id"] == bastion_sg)
    assert ssh == ["198.51.100.7/32", "203.0.113.0/24"]


def test_no_bastion_when_disabled(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, bastion={"enabled": False})
    assert "aws_instance" not in doc["resource"]
    assert all(r["from_port"] != 22 for r in ingress(doc))


def test_cpu_alarms_drive_the_right_policies_and_notify(default: dict[str, Any]) -> None:
    high = one(default, "aws_cloudwatch_metric_alarm", "app_cpu-high")
    low = one(default, "aws_cloudwatch_metric_alarm", "app_cpu-low")
    topic = ref("aws_sns_topic", "app_alarms", "arn")
    assert (high["threshold"], high["comparison_operator"]) == (80, "GreaterThanThreshold")
    assert (low["threshold"], low["comparison_operator"]) == (20, "LessThanThreshold")
    assert high["alarm_actions"] == [ref("aws_autoscaling_policy", "app_scale-out", "arn"), topic]
    assert low["alarm_actions"] == [ref("aws_autoscaling_policy", "app_scale-in", "arn"), topic]
    out = one(default, "aws_autoscaling_policy", "app_scale-out")["step_adjustment"][0]
    into = one(default, "aws_autoscaling_policy", "app_scale-in")["step_adjustment"][0]
    assert out["scaling_adjustment"] == 1 and into["scaling_adjustment"] == -1
    for alarm in resources(default, "aws_cloudwatch_metric_alarm").values():
        assert topic in alarm["alarm_actions"]
    assert one(default, "aws_sns_topic", "app_alarms")["kms_master_key_id"] == ref("aws_kms_key", "key_key", "arn")


@pytest.mark.parametrize(
    ("sizes", "expected"), [({}, (3, 3, 9)), ({"min_size": 2, "desired_capacity": 2, "max_size": 5}, (2, 2, 5))]
)
def test_asg_sizes_follow_props(
    stack_factory: Callable[..., Any], default: dict[str, Any], sizes: dict[str, Any], expected: tuple[int, int, int]
) -> None:
    doc = build(stack_factory, **sizes) if sizes else default
    asg = one(doc, "aws_autoscaling_group", "app_asg")
    assert (asg["min_size"], asg["desired_capacity"], asg["max_size"]) == expected
    assert asg["health_check_type"] == "ELB"
    assert asg["target_group_arns"] == [ref("aws_lb_target_group", "app_tg", "arn")]
    assert asg["vpc_zone_identifier"] == [
        ref("aws_subnet", "network_private-0"),
        ref("aws_subnet", "network_private-1"),
    ]
    assert asg["instance_refresh"]["strategy"] == "Rolling"
    assert asg["lifecycle"] == {"ignore_changes": ["desired_capacity"]}


def test_several_instance_types_make_a_mixed_instances_group(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, instance_types=["t3.small", "t3a.small"])
    asg = one(doc, "aws_autoscaling_group", "app_asg")
    overrides = asg["mixed_instances_policy"]["launch_template"]["override"]
    assert [o["instance_type"] for o in overrides] == ["t3.small", "t3a.small"]
    assert "launch_template" not in asg


def test_the_region_alone_forwards_nothing_but_the_health_path(default: dict[str, Any]) -> None:
    """The rule admitting CloudFront is the edge's (tests/test_global_edge.py): on its
    own a region answers 403 to everything but the health checkers' path."""
    listener = one(default, "aws_lb_listener", "app_http")
    assert listener["default_action"][0]["fixed_response"]["status_code"] == "403"
    assert list(resources(default, "aws_lb_listener_rule")) == ["app_health-check"]
    alb = one(default, "aws_lb", "app_alb")
    assert alb["drop_invalid_header_fields"] is True and alb["enable_deletion_protection"] is True
    assert alb["access_logs"]["enabled"] is True


def test_route53_checkers_may_read_only_the_health_path(default: dict[str, Any]) -> None:
    rule = one(default, "aws_lb_listener_rule", "app_health-check")
    assert rule["condition"] == [{"path_pattern": {"values": ["/health"]}}]
    from constructs_lib.edge.origin_access import FORWARD_PRIORITY

    assert rule["priority"] < FORWARD_PRIORITY, "evaluated before the edge's origin rule"


def test_with_certificate_only_https_is_served_with_tls12(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, certificate_arn=CERT)
    assert list(resources(doc, "aws_lb_listener")) == ["app_https"]
    https = one(doc, "aws_lb_listener", "app_https")
    assert https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06" and https["certificate_arn"] == CERT
    rule = one(doc, "aws_lb_listener_rule", "app_health-check")
    assert rule["listener_arn"] == ref("aws_lb_listener", "app_https", "arn")
    alb_sg = ref("aws_security_group", "app_alb-sg")
    assert sorted(r["from_port"] for r in ingress(doc) if r["security_group_id"] == alb_sg) == [443]


def test_instances_and_bastion_get_session_manager_only_from_roles_of_their_own(default: dict[str, Any]) -> None:
    """No AWS-managed policies on instance roles (AmazonSSMManagedInstanceCore reads every
    SSM parameter of the account; no CloudWatch agent runs): an inline policy with the
    Session Manager actions, the registration scoped to this account's instances; and the
    bastion has its own role and profile, not the fleet's."""
    attached = {a["role"] for a in resources(default, "aws_iam_role_policy_attachment").values()}
    fleet, bastion = ref("aws_iam_role", "app_instance-role", "name"), ref("aws_iam_role", "app_bastion-role", "name")
    assert fleet not in attached and bastion not in attached
    policies = {p["role"]: p for p in resources(default, "aws_iam_role_policy").values()}
    for role in (ref("aws_iam_role", "app_instance-role", "id"), ref("aws_iam_role", "app_bastion-role", "id")):
        statements = json.loads(policies[role]["policy"])["Statement"]
        actions = sorted(
            a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
        assert actions == [
            "s3:GetObject",
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ]
        register = next(s for s in statements if s["Action"] == "ssm:UpdateInstanceInformation")
        assert register["Resource"].endswith(":instance/*") and "${" in register["Resource"]
        # Reads only AWS's own buckets of this region (SSM Agent's, dnf's), none of the account's.
        (read,) = [s for s in statements if s["Action"] == "s3:GetObject"]
        buckets = [r.split(":s3:::")[1] for r in read["Resource"]]
        assert "amazon-ssm-us-east-1/*" in buckets and "al2023-repos-us-east-1-de612dc2/*" in buckets
        assert all("us-east-1" in b and b.endswith("/*") for b in buckets)
    profiles = resources(default, "aws_iam_instance_profile")
    assert profiles["app_bastion-profile"]["role"] == bastion and profiles["app_instance-profile"]["role"] == fleet
    for prefix in ("bastion", "instance"):
        # The profile waits for the policy: an instance must not boot before its permissions.
        assert profiles[f"app_{prefix}-profile"]["depends_on"] == [f"aws_iam_role_policy.app_{prefix}-policy"]
    (instance,) = resources(default, "aws_instance").values()
    assert instance["iam_instance_profile"] == ref("aws_iam_instance_profile", "app_bastion-profile", "name")


def test_lambda_runs_in_the_vpc_triggered_by_the_app_bucket(default: dict[str, Any]) -> None:
    fn = one(default, "aws_lambda_function", "app_function")
    assert fn["vpc_config"]["subnet_ids"] == [
        ref("aws_subnet", "network_private-0"),
        ref("aws_subnet", "network_private-1"),
    ]
    assert fn["reserved_concurrent_executions"] == 5
    assert fn["tracing_config"] == {"mode": "Active"}
    assert fn["dead_letter_config"]["target_arn"] == ref("aws_sqs_queue", "app_function-dlq", "arn")
    assert fn["filename"].endswith("/archive.zip") and fn["filename"].startswith("assets/")
    (notification,) = resources(default, "aws_s3_bucket_notification").values()
    assert notification["lambda_function"][0]["events"] == ["s3:ObjectCreated:*"]
    assert notification["bucket"] == ref("aws_s3_bucket", "app_app-bucket_bucket")
    policy = json.loads(one(default, "aws_iam_role_policy", "app_function-policy")["policy"])
    read = next(s for s in policy["Statement"] if s["Sid"] == "ReadNewObjects")
    assert read["Resource"] == f"{ref('aws_s3_bucket', 'app_app-bucket_bucket', 'arn')}/*"
    assert not any(s["Action"] in ("*", "s3:*") for s in policy["Statement"])


def test_app_bucket_is_encrypted_versioned_private_and_tls_only(default: dict[str, Any]) -> None:
    enc = one(default, "aws_s3_bucket_server_side_encryption_configuration", "app_app-bucket_encryption")
    rule = enc["rule"][0]["apply_server_side_encryption_by_default"]
    assert rule == {"kms_master_key_id": ref("aws_kms_key", "key_key", "arn"), "sse_algorithm": "aws:kms"}
    assert (
        one(default, "aws_s3_bucket_versioning", "app_app-bucket_versioning")["versioning_configuration"]["status"]
        == "Enabled"
    )
    pab = one(default, "aws_s3_bucket_public_access_block", "app_app-bucket_public-access-block")
    assert all(
        pab[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    policy = json.loads(one(default, "aws_s3_bucket_policy", "app_app-bucket_policy")["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert one(default, "aws_s3_bucket_logging", "app_app-bucket_logging")["target_bucket"] == ref(
        "aws_s3_bucket", "app_log-bucket_bucket"
    )
    assert one(default, "aws_s3_bucket", "app_app-bucket_bucket")["lifecycle"] == {"prevent_destroy": True}


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"min_size": 4, "desired_capacity": 3}, "min_size <= desired_capacity"),
        ({"cpu_low_percent": 90.0}, "must be below cpu_high_percent"),
        ({"instance_types": []}, "at least 1 item"),
        ({"root_volume_gb": 4}, "greater than or equal to 8"),
    ],
)
def test_app_tier_props_are_the_validated_config(
    stack_factory: Callable[..., Any], props: dict[str, Any], message: str
) -> None:
    """The tier takes ``[app]`` itself as props: an inconsistent one cannot be built, so
    the tier needs no checks of its own (one place for each rule)."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        build(stack_factory, **props)


def test_root_volumes_follow_config(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, root_volume_gb=40, bastion={"root_volume_gb": 12})
    (device,) = one(doc, "aws_launch_template", "app_launch-template")["block_device_mappings"]
    assert device["ebs"]["volume_size"] == 40
    assert one(doc, "aws_instance", "app_bastion")["root_block_device"]["volume_size"] == 12


def test_the_region_s_ami_is_used_when_given(stack_factory: Callable[..., Any], default: dict[str, Any]) -> None:
    """AMI ids are regional (regions[].ami_id); without one, the region's latest AL2023."""
    doc = build(stack_factory, ami_id="ami-0123456789abcdef0")
    assert one(doc, "aws_launch_template", "app_launch-template")["image_id"] == "ami-0123456789abcdef0"
    assert one(doc, "aws_instance", "app_bastion")["ami"] == "ami-0123456789abcdef0"
    assert "aws_ssm_parameter" not in doc.get("data", {})
    lookup = one(default, "aws_launch_template", "app_launch-template")["image_id"]
    assert lookup == "${data.aws_ssm_parameter.app_ami.insecure_value}"

"""Config validation: every rule has a failing example whose message names the field."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.config import ConfigError, NatMode, Role, load, parse
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = tomllib.loads((ROOT / "config/default.toml").read_text())


def test_default_config_is_the_reference_architecture() -> None:
    c = load(ROOT / "config/default.toml")
    assert [(r.name, r.role, r.vpc_cidr, r.az_count, r.nat) for r in c.regions] == [
        ("us-east-1", Role.PRIMARY, "10.0.0.0/16", 3, NatMode.PER_AZ),
        ("us-west-2", Role.SECONDARY, "10.1.0.0/16", 3, NatMode.PER_AZ),
    ]
    assert c.primary.zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    assert c.disposable is False


def test_dev_config_is_cheap_and_disposable() -> None:
    c = load(ROOT / "config/dev.toml")
    assert {r.nat for r in c.regions} == {NatMode.SINGLE}
    assert c.disposable is True
    assert c.network.interface_endpoints == []


def mutate(path: str, value: Any) -> dict[str, Any]:
    """A copy of the default config with one key (dotted path, [i] for list items) set;
    value ``DELETE`` removes it."""
    data = copy.deepcopy(DEFAULT)
    parts = path.replace("]", "").replace("[", ".").split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    last = parts[-1]
    if value is DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


DELETE = object()

BAD = [
    # (id, key, value, field named in the message, words of the fix)
    ("unknown-top-key", "regoins", [], "regoins", "unknown key"),
    ("unknown-region-key", "regions[0].cidr", "10.0.0.0/16", "regions[0].cidr", "unknown key"),
    ("missing-project", "project", DELETE, "project", "required"),
    ("project-uppercase", "project", "WebApp", "project", "should match pattern"),
    ("wrong-type-az-count", "regions[0].az_count", "three", "regions[0].az_count", "valid integer"),
    ("az-count-too-small", "regions[0].az_count", 1, "regions[0].az_count", "greater than or equal to 2"),
    ("az-count-too-big", "regions[0].az_count", 7, "regions[0].az_count", "less than or equal to 6"),
    ("az-count-above-region", "regions[1].az_count", 5, "regions[1].az_count", "us-west-2 has 4 availability zones"),
    ("bad-region", "regions[1].name", "us-west-9", "regions[1].name", "unknown region 'us-west-9'"),
    ("bad-cidr", "regions[0].vpc_cidr", "10.0.0.0/33", "regions[0].vpc_cidr", "not a valid IPv4 network"),
    ("cidr-host-bits", "regions[0].vpc_cidr", "10.0.0.1/16", "regions[0].vpc_cidr", "not a valid IPv4 network"),
    ("public-cidr", "regions[0].vpc_cidr", "8.8.0.0/16", "regions[0].vpc_cidr", "RFC 1918"),
    ("vpc-too-big", "regions[0].vpc_cidr", "10.0.0.0/8", "regions[0].vpc_cidr", "must be /16 to /20"),
    ("overlap", "regions[1].vpc_cidr", "10.0.128.0/17", "regions", "overlaps"),
    ("two-primaries", "regions[1].role", "primary", "regions", "exactly one region"),
    ("no-primary", "regions[0].role", "secondary", "regions", "exactly one region"),
    ("bad-role", "regions[0].role", "leader", "regions[0].role", "unknown role 'leader'"),
    ("duplicate-region", "regions[1].name", "us-east-1", "regions", "more than once"),
    ("bad-nat", "regions[0].nat", "none", "regions[0].nat", "unknown NAT mode"),
    ("one-region", "regions", [DEFAULT["regions"][0]], "regions", "at least 2 items"),
    ("azs-wrong-count", "regions[0].azs", ["us-east-1a"], "regions[0].azs", "lists 1 zones"),
    (
        "azs-wrong-region",
        "regions[0].azs",
        ["us-west-2a", "us-west-2b", "us-west-2c"],
        "regions[0].azs",
        "not zones of us-east-1",
    ),
    (
        "subnet-outside-vpc",
        "regions[0].subnets",
        {
            "public": ["10.0.0.0/24", "10.0.1.0/24", "10.9.2.0/24"],
            "private": ["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"],
            "database": ["10.0.240.0/24", "10.0.241.0/24", "10.0.242.0/24"],
        },
        "regions[0].subnets.public",
        "not inside vpc_cidr",
    ),
    (
        "subnets-overlap",
        "regions[0].subnets",
        {
            "public": ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
            "private": ["10.0.0.0/20", "10.0.32.0/20", "10.0.48.0/20"],
            "database": ["10.0.240.0/24", "10.0.241.0/24", "10.0.242.0/24"],
        },
        "regions[0].subnets",
        "overlaps",
    ),
    (
        "subnets-count",
        "regions[0].subnets",
        {"public": ["10.0.0.0/24"], "private": ["10.0.16.0/20"], "database": ["10.0.240.0/24"]},
        "regions[0].subnets.public",
        "one per AZ",
    ),
    (
        "retention",
        "network.flow_log_retention_days",
        10,
        "network.flow_log_retention_days",
        "not a CloudWatch Logs retention",
    ),
    ("traffic-type", "network.flow_log_traffic_type", "SOME", "network.flow_log_traffic_type", "ALL, ACCEPT or REJECT"),
    ("backend-missing-bucket", "backend", {"region": "us-east-1"}, "backend.bucket", "required"),
    ("disposable-type", "disposable", "yes", "disposable", "valid boolean"),
    (
        "asg-min-above-max",
        "app",
        {"min_size": 6, "desired_capacity": 6, "max_size": 5},
        "app.min_size",
        "min_size <= desired_capacity <= max_size",
    ),
    ("asg-desired-below-min", "app", {"min_size": 3, "desired_capacity": 2}, "app.min_size", "got 3 / 2 / 9"),
    ("cpu-threshold-120", "app", {"cpu_high_percent": 120}, "app.cpu_high_percent", "less than or equal to 100"),
    ("cpu-low-above-high", "app", {"cpu_low_percent": 85}, "app.cpu_low_percent", "must be below cpu_high_percent"),
    (
        "ssh-cidr-malformed",
        "app",
        {"bastion": {"allowed_ssh_cidrs": ["203.0.113.0/33"]}},
        "app.bastion.allowed_ssh_cidrs",
        "not a valid IPv4 network",
    ),
    (
        "ssh-open-to-world",
        "app",
        {"bastion": {"allowed_ssh_cidrs": ["0.0.0.0/0"]}},
        "app.bastion.allowed_ssh_cidrs",
        "whole internet",
    ),
    ("no-instance-types", "app", {"instance_types": []}, "app.instance_types", "at least 1 item"),
    ("bad-instance-type", "app", {"instance_types": ["big"]}, "app.instance_types[0]", "should match pattern"),
    ("bad-port", "app", {"app_port": 70000}, "app.app_port", "less than or equal to 65535"),
    ("bad-health-path", "app", {"health_check_path": "health"}, "app.health_check_path", "should match pattern"),
    ("bad-ami", "regions[0].ami_id", "ami-xyz", "regions[0].ami_id", "should match pattern"),
    ("ami-for-every-region", "app", {"ami_id": "ami-0123456789abcdef0"}, "app.ami_id", "set regions[].ami_id"),
    ("unknown-engine", "database", {"engine": "oracle"}, "database.engine", "unknown engine 'oracle'"),
    (
        "mysql-version-on-postgres",
        "database",
        {"engine": "postgres", "engine_version": "8.0"},
        "database.engine_version",
        "not a postgres version",
    ),
    (
        "postgres-version-on-mysql",
        "database",
        {"engine": "mysql", "engine_version": "16"},
        "database.engine_version",
        "not a mysql version",
    ),
    (
        "retention-zero",
        "database",
        {"backup_retention_days": 0},
        "database.backup_retention_days",
        "greater than or equal to 1",
    ),
    (
        "retention-36",
        "database",
        {"backup_retention_days": 36},
        "database.backup_retention_days",
        "less than or equal to 35",
    ),
    (
        "storage-max-below",
        "database",
        {"allocated_storage_gb": 200, "max_allocated_storage_gb": 100},
        "database.max_allocated_storage_gb",
        "set it to at least 220",
    ),
    (
        "storage-headroom-under-10-percent",
        "database",
        {"allocated_storage_gb": 100, "max_allocated_storage_gb": 109},
        "database.max_allocated_storage_gb",
        "less than the 10 % RDS requires",
    ),
    ("backup-cron-not-cron", "database.backup.schedule", "rate(1 day)", "database.backup.schedule", "not a cron"),
    ("backup-cron-5-fields", "database.backup.schedule", "cron(0 5 * * ?)", "database.backup.schedule", "has 5 fields"),
    (
        "backup-cron-both-days",
        "database.backup.schedule",
        "cron(0 5 * * * *)",
        "database.backup.schedule",
        "exactly one of day-of-month and day-of-week",
    ),
    (
        "backup-cron-every-15-minutes",
        "database.backup.schedule",
        "cron(0/15 * ? * * *)",
        "database.backup.schedule",
        "60 minutes between jobs",
    ),
    ("backup-cron-hour-25", "database.backup.schedule", "cron(0 25 * * ? *)", "database.backup.schedule", "hours"),
    (
        "backup-cron-bad-month",
        "database.backup.schedule",
        "cron(0 5 ? FOO MON *)",
        "database.backup.schedule",
        "invalid month",
    ),
    ("project-sthree", "project", "sthree", "project", "AWS reserves 'sthree-'"),
    ("project-internal-alb", "project", "internal", "project", "'internal-' at the start of load balancer names"),
    ("project-sg", "project", "sg", "project", "'sg-' at the start of security group names"),
    (
        "subnet-too-large",
        "regions[0].subnets",
        {
            "public": ["10.0.0.0/15", "10.2.0.0/24", "10.2.1.0/24"],
            "private": ["10.0.16.0/20"] * 3,
            "database": ["10.0.2.0/24"] * 3,
        },
        "regions[0].subnets.public",
        "a VPC subnet is /16 to /28",
    ),
    (
        "subnet-too-small",
        "regions[0].subnets",
        {
            "public": ["10.0.0.0/29", "10.0.0.8/29", "10.0.0.16/29"],
            "private": ["10.0.16.0/20"] * 3,
            "database": ["10.0.2.0/24"] * 3,
        },
        "regions[0].subnets.public",
        "is a /29",
    ),
    (
        "bad-instance-class",
        "database",
        {"instance_class": "r6g.large"},
        "database.instance_class",
        "should match pattern",
    ),
    ("bad-db-port", "database", {"port": 80}, "database.port", "greater than or equal to 1150"),
    ("reserved-username", "database", {"username": "admin"}, "database.username", "reserved by postgres 16"),
    # Database: engine reserved words, RDS's own users, name lengths, the version and class tables.
    ("pg-username-keyword", "database.username", "user", "database.username", "reserved by postgres 16"),
    ("pg-username-rds-role", "database.username", "rdsadmin", "database.username", "a user RDS keeps"),
    ("pg-username-pg-prefix", "database.username", "pg_app", "database.username", "starts with pg_"),
    ("pg-db-name-keyword", "database.db_name", "select", "database.db_name", "reserved by postgres 16"),
    ("pg-db-name-64", "database.db_name", "a" * 64, "database.db_name", "longer than the 63 characters"),
    (
        "mysql-username-keyword",
        "database",
        {"engine": "mysql", "engine_version": "8.4", "username": "qualify"},
        "database.username",
        "reserved by mysql 8.4",
    ),
    (
        "mysql-username-rds-user",
        "database",
        {"engine": "mysql", "username": "rdsrepladmin"},
        "database.username",
        "a user RDS keeps",
    ),
    ("mysql-db-name-schema", "database", {"engine": "mysql", "db_name": "sys"}, "database.db_name", "schema RDS keeps"),
    ("username-17", "database.username", "a" * 17, "database.username", "should match pattern"),
    (
        "pg-minor-retired",
        "database.engine_version",
        "16.4",
        "database.engine_version",
        "use 16 (RDS picks the current minor) or one of 16.9",
    ),
    ("pg-major-unknown", "database.engine_version", "19", "database.engine_version", "use one of the majors"),
    (
        "mysql-minor-unknown",
        "database",
        {"engine": "mysql", "engine_version": "8.4.99"},
        "database.engine_version",
        "not an RDS for mysql version in the table",
    ),
    ("db-class-unknown", "database.instance_class", "db.r6g.lrage", "database.instance_class", "unknown to the table"),
    (
        "db-replica-class-not-offered",
        "database.replica_instance_class",
        "db.x9z.large",
        "database.replica_instance_class",
        "unknown to the table of RDS for postgres instance classes",
    ),
    # Review findings: architecture, ACM name length, Lambda reserve, AWS character sets.
    (
        "arch-mixed",
        "app.instance_types",
        ["t4g.small"],
        "app.instance_types",
        "mixes arm64 (t4g.small) and x86_64 (t3.micro)",
    ),
    ("arch-mac", "app.instance_types", ["mac2.metal"], "app.instance_types", "neither x86_64 nor arm64"),
    (
        "delegated-domain-too-long-for-acm",
        "edge",
        {"domain": "a" * 30 + ".acme-corporation.com", "delegated": True, "zone_id": "Z0123456789ABC"},
        "edge.domain",
        "ACM takes at most 64",
    ),
    ("edge-domain-internal", "edge.domain", "shop.corp.internal", "edge.domain", "special-use name 'internal'"),
    ("owner-tag-tab", "owner", "platform\tteam", "owner", "should match pattern"),
    (
        "backup-admin-role-non-ascii",
        "database.backup.admin_role_name",
        "Bäckup",
        "database.backup.admin_role_name",
        "should match pattern",
    ),
    (
        "lambda-reserve-over-900",
        "app",
        {"function": {"reserved_concurrency": 901}},
        "app.function.reserved_concurrency",
        "less than or equal to 900",
    ),
    (
        "storage-no-room-to-autoscale",
        "database",
        {"allocated_storage_gb": 60000, "max_allocated_storage_gb": 65536},
        "database.allocated_storage_gb",
        "allocate at most 59578",
    ),
    # Alerts: SNS subscribers.
    ("alerts-email-shape", "alerts", {"email": ["oncall at acme.com"]}, "alerts.email", "not an email address"),
    ("alerts-email-twice", "alerts", {"email": ["a@acme.com", "A@acme.com"]}, "alerts.email", "must be unique"),
    (
        "alerts-chat-webhook",
        "alerts",
        {"https": ["https://hooks.slack.com/services/T0/B0/x"]},
        "alerts.https",
        "cannot confirm an SNS subscription",
    ),
    ("alerts-http-cleartext", "alerts", {"https": ["http://hooks.acme.com/x"]}, "alerts.https", "not an https:// URL"),
    # Account guard rails.
    ("account-id-short", "account", {"id": "12345"}, "account.id", "should match pattern"),
    (
        "account-role-arn-shape",
        "account",
        {"id": "111122223333", "role_arn": "arn:aws:iam::111122223333:user/deployer"},
        "account.role_arn",
        "not an IAM role ARN",
    ),
    (
        "account-role-other-account",
        "account",
        {"id": "111122223333", "role_arn": "arn:aws:iam::444455556666:role/deployer"},
        "account.role_arn",
        "the role is in account 444455556666 but id is 111122223333",
    ),
    (
        "account-session-without-role",
        "account",
        {"id": "111122223333", "session_name": "ci"},
        "account.role_arn",
        "set role_arn too",
    ),
    (
        "account-session-name-characters",
        "account",
        {"id": "111122223333", "role_arn": "arn:aws:iam::111122223333:role/deployer", "session_name": "ci run #1"},
        "account.session_name",
        "should match pattern",
    ),
    # App and network: the EC2 and endpoint tables.
    ("ec2-type-unknown", "app.instance_types", ["t3.smal"], "app.instance_types", "unknown to the table of EC2"),
    (
        "ec2-type-not-in-a-region",
        "app.instance_types",
        ["t3.small", "m8in.metal-48xl"],
        "app.instance_types",
        "'m8in.metal-48xl' is not offered in us-west-2",
    ),
    (
        "bastion-type-unknown",
        "app.bastion.instance_type",
        "t9.micro",
        "app.bastion.instance_type",
        "unknown to the table",
    ),
    (
        "endpoint-unknown",
        "network.interface_endpoints",
        ["ssm", "ssmm"],
        "network.interface_endpoints",
        "check the name",
    ),
    (
        "endpoint-gateway",
        "network.interface_endpoints",
        ["s3"],
        "network.interface_endpoints",
        "gateway endpoint for s3",
    ),
    (
        "endpoint-shape",
        "network.interface_endpoints",
        ["SSM"],
        "network.interface_endpoints",
        "com.amazonaws.<region>.",
    ),
    (
        # No cleartext hop outside disposable environments (CloudFront -> ALB over HTTP).
        "production-without-delegated-domain",
        "edge",
        {"domain": "shop.acme.com", "delegated": False},
        "edge.delegated",
        "set [edge] delegated = true",
    ),
    ("edge-bad-domain", "edge", {"domain": "Not A Domain"}, "edge.domain", "should match pattern"),
    ("vault-lock-unknown", "database.backup.vault_lock", "strict", "database.backup.vault_lock", "governance"),
    (
        "vault-lock-minimum-above-retention",
        "database.backup.vault_lock_min_retention_days",
        36,
        "database.backup.vault_lock_min_retention_days",
        "every backup and copy into the locked vault would fail",
    ),
    ("edge-interval", "edge", {"health_check_interval": 15}, "edge.health_check_interval", "use 10 (fast) or 30"),
    (
        "edge-threshold",
        "edge",
        {"health_check_failure_threshold": 0},
        "edge.health_check_failure_threshold",
        "greater than or equal to 1",
    ),
    (
        "edge-checker-regions",
        "edge",
        {"health_check_regions": ["us-east-1", "us-west-2"]},
        "edge.health_check_regions",
        "at least 3",
    ),
    ("edge-price-class", "edge", {"price_class": "PriceClass_999"}, "edge.price_class", "unknown price class"),
    (
        "edge-write-path",
        "edge",
        {"write_path_patterns": ["api/*"]},
        "edge.write_path_patterns",
        "not a CloudFront path pattern",
    ),
    ("edge-geo", "edge", {"geo_allow": ["usa"]}, "edge.geo_allow", "alpha-2"),
    (
        "insights-on-small-mysql",
        "database",
        {"engine": "mysql", "instance_class": "db.t3.micro"},
        "database.instance_class",
        "does not support Performance Insights on MySQL",
    ),
    (
        "insights-on-small-mysql-replica",
        "database",
        {"engine": "mysql", "replica_instance_class": "db.t4g.small"},
        "database.replica_instance_class",
        "set performance_insights = false",
    ),
    ("waf-rate-below-aws-floor", "edge", {"waf_rate_limit": 9}, "edge.waf_rate_limit", "greater than or equal to 10"),
    ("edge-geo-unassigned", "edge", {"geo_allow": ["US", "UK"]}, "edge.geo_allow", "UK is GB"),
    ("edge-geo-twice", "edge", {"geo_allow": ["DE", "DE"]}, "edge.geo_allow", "must be unique"),
    ("edge-zone-id", "edge", {"zone_id": "abc"}, "edge.zone_id", "should match pattern"),
    ("db-backup-window-format", "database.backup_window", "3:00-4:00", "database.backup_window", "like 03:00-04:00"),
    ("db-backup-window-short", "database.backup_window", "03:00-03:20", "database.backup_window", "shorter than 30"),
    (
        "db-maintenance-window-format",
        "database.maintenance_window",
        "sunday:04:30-sunday:05:30",
        "database.maintenance_window",
        "like sun:04:30-sun:05:30",
    ),
    (
        "db-windows-overlap",
        "database.maintenance_window",
        "mon:03:30-mon:04:30",
        "database.backup_window",
        "overlaps maintenance_window",
    ),
    ("app-root-volume", "app.root_volume_gb", 4, "app.root_volume_gb", "greater than or equal to 8"),
    ("bastion-root-volume", "app.bastion.root_volume_gb", 20000, "app.bastion.root_volume_gb", "less than or equal"),
    (
        "lambda-concurrency",
        "app",
        {"function": {"reserved_concurrency": 0}},
        "app.function.reserved_concurrency",
        "greater than or equal to 1",
    ),
    # Domains: special-use names outside the emulator, delegation without a domain.
    ("edge-domain-example-com", "edge.domain", "shop.example.com", "edge.domain", "special-use name 'example.com'"),
    ("edge-domain-dot-test", "edge.domain", "webapp.test", "edge.domain", "use a domain you own"),
    ("edge-domain-home-arpa", "edge.domain", "nas.home.arpa", "edge.domain", "special-use name 'home.arpa'"),
    # Tags (owner, cost_center): AWS tag value rules.
    ("owner-tag-characters", "owner", "platform<team>", "owner", "should match pattern"),
    ("cost-center-tag-length", "cost_center", "c" * 257, "cost_center", "at most 256 characters"),
    # Backend: S3 bucket naming and Terraform's key rules.
    (
        "backend-kms-key-not-an-arn",
        "backend",
        {"bucket": "acme-tf", "region": "us-east-1", "kms_key_id": "mykey"},
        "backend.kms_key_id",
        "should match pattern",
    ),
    (
        "backend-bucket-uppercase",
        "backend",
        {"bucket": "Acme_State", "region": "us-east-1"},
        "backend.bucket",
        "is not an S3 bucket name",
    ),
    ("backend-bucket-ip", "backend", {"bucket": "192.168.1.10", "region": "us-east-1"}, "backend.bucket", "IP address"),
    (
        "backend-bucket-suffix",
        "backend",
        {"bucket": "acme-state-s3alias", "region": "us-east-1"},
        "backend.bucket",
        "'-s3alias'",
    ),
    (
        "backend-key-prefix-slash",
        "backend",
        {"bucket": "acme-state", "region": "us-east-1", "key_prefix": "/team/webapp"},
        "backend.key_prefix",
        "must not start or end with /",
    ),
    # App: health path (Route 53 limit), instance type list, bastion key pair and SSH rules.
    (
        "health-path-too-long",
        "app.health_check_path",
        "/" + "h" * 255,
        "app.health_check_path",
        "at most 255 characters",
    ),
    ("instance-types-twice", "app.instance_types", ["t3.small", "t3.small"], "app.instance_types", "must be unique"),
    ("bastion-key-name-non-ascii", "app.bastion.key_name", "clé", "app.bastion.key_name", "should match pattern"),
    (
        "bastion-ssh-twice",
        "app.bastion.allowed_ssh_cidrs",
        ["203.0.113.0/24", "203.0.113.0/24"],
        "app.bastion.allowed_ssh_cidrs",
        "must be unique",
    ),
    (
        "bastion-ssh-over-quota",
        "app.bastion.allowed_ssh_cidrs",
        [f"198.51.{i}.0/24" for i in range(61)],
        "app.bastion.allowed_ssh_cidrs",
        "at most 60 items",
    ),
    # Edge: CloudFront path patterns and the cache-behaviour quota.
    ("edge-static-path", "edge.static_path_pattern", "static/*", "edge.static_path_pattern", "like /static/*"),
    (
        "edge-write-path-space",
        "edge.write_path_patterns",
        ["/api v2/*"],
        "edge.write_path_patterns",
        "not a CloudFront path pattern",
    ),
    (
        "edge-static-is-a-write-path",
        "edge",
        {"write_path_patterns": ["/api/*", "/static/*"]},
        "edge.static_path_pattern",
        "also a write path",
    ),
    (
        "edge-too-many-behaviours",
        "edge.write_path_patterns",
        [f"/api/v{i}/*" for i in range(25)],
        "edge.write_path_patterns",
        "at most 25",
    ),
]


@pytest.mark.parametrize(("key", "value", "field", "fix"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_config_names_field_and_fix(key: str, value: Any, field: str, fix: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(mutate(key, value), "bad.toml")
    text = "\n".join(info.value.problems)
    assert any(p.startswith(field) for p in info.value.problems), text
    assert fix in text, text


def test_toml_writer_round_trips_the_default() -> None:
    from tests import tomlw

    assert tomllib.loads(tomlw.dumps(DEFAULT)) == DEFAULT


@pytest.mark.parametrize(("key", "value", "field", "fix"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_main_rejects_each_bad_config_with_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    value: Any,
    field: str,
    fix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same table through the entry point (in-process: exit status, stderr)."""
    import main
    from tests import tomlw

    config = tmp_path / "bad.toml"
    config.write_text(tomlw.dumps(mutate(key, value)))
    monkeypatch.setenv("STACK_CONFIG", str(config))
    assert main.main() == 2
    err = capsys.readouterr().err
    assert f"{config}: {field}" in err and fix in err, err
    assert "Traceback" not in err


def test_asg_sizes_of_the_second_reference_are_expressible() -> None:
    c = parse(mutate("app", {"min_size": 2, "desired_capacity": 2, "max_size": 5}))
    assert (c.app.min_size, c.app.desired_capacity, c.app.max_size) == (2, 2, 5)


def test_every_problem_is_reported_at_once() -> None:
    data = mutate("regions[0].az_count", 9)
    data["regions"][1]["nat"] = "none"
    with pytest.raises(ConfigError) as info:
        parse(data, "bad.toml")
    assert len(info.value.problems) == 2


FILES = [
    ("missing-file", None, "file not found"),
    ("empty", b"", "file is empty"),
    ("not-toml", b"project = [unclosed\n", "not valid TOML"),
    ("binary", bytes(range(256)) * 4, "not UTF-8"),
    ("huge", b"# " + b"x" * 10_000_000 + b"\n", "at most 1000000 bytes"),
    ("overlap", (ROOT / "config/default.toml").read_bytes().replace(b"10.1.0.0/16", b"10.0.0.0/16"), "overlaps"),
]


@pytest.mark.parametrize(("content", "message"), [f[1:] for f in FILES], ids=[f[0] for f in FILES])
def test_main_exits_2_with_readable_message(tmp_path: Path, content: bytes | None, message: str) -> None:
    config = tmp_path / "bad.toml"
    if content is not None:
        config.write_bytes(content)
    proc = run_main(cwd=tmp_path, timeout=120, STACK_CONFIG=str(config))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert str(config) in proc.stderr, "the message names the file"
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "cdktf.out").exists(), "nothing is synthesized from a bad config"


@pytest.mark.parametrize(
    ("window", "minutes", "first"),
    [
        ("03:00-04:00", 7 * 60, 3 * 60),  # daily: one hour on each of 7 days
        ("23:30-00:30", 7 * 60, 0),  # across midnight: Monday 00:00-00:30 is the wrap of Sunday's
        ("sun:04:30-sun:05:30", 60, 6 * 1440 + 4 * 60 + 30),
        ("sun:23:45-mon:00:15", 30, 0),  # across the week's end
    ],
)
def test_window_minutes(window: str, minutes: int, first: int) -> None:
    from constructs_lib.config import window_minutes

    covered = window_minutes(window)
    assert len(covered) == minutes and min(covered) == first


def test_replica_settings_default_to_the_primary_s() -> None:
    db = parse(DEFAULT).database
    assert db.instance_class_in(replica=True) == db.instance_class_in(replica=False) == "db.r6g.large"
    assert db.multi_az_in(replica=True) is db.multi_az_in(replica=False) is True
    own = parse(mutate("database", {"replica_instance_class": "db.r6g.xlarge", "replica_multi_az": False})).database
    assert (own.instance_class_in(replica=True), own.multi_az_in(replica=True)) == ("db.r6g.xlarge", False)
    assert (own.instance_class_in(replica=False), own.multi_az_in(replica=False)) == ("db.r6g.large", True)


def test_reserved_prefix_from_project_and_environment_together() -> None:
    """``amzn-s3-demo-`` only appears when project and environment meet."""
    data = mutate("project", "amzn-s3")
    data["environment"] = "demo"
    with pytest.raises(ConfigError) as info:
        parse(data, "bad.toml")
    assert any(p.startswith("project:") and "'amzn-s3-demo-'" in p for p in info.value.problems)
    assert parse(mutate("project", "amzn-s3")).project == "amzn-s3", "with another environment the names are free"


def test_longest_derived_bucket_name_fits_s3s_limit() -> None:
    """Why no length rule is needed: the longest bucket name the stacks can derive
    (project 16, environment 8, the longest supported region, the longest role, a
    12-digit account) stays within S3's 63 characters."""
    from constructs_lib.regions import SUPPORTED_REGIONS

    region = max(SUPPORTED_REGIONS, key=len)
    longest = f"{'p' * 16}-{'e' * 8}-{region}-{'trail'}-{'1' * 12}"
    assert len(longest) <= 63, longest
    assert len(f"{'p' * 16}-{'e' * 8}-global-cdn-logs-{'1' * 12}") <= 63


def test_shipped_backup_schedules_are_aws_cron() -> None:
    from constructs_lib.aws_cron import aws_cron_problem

    for path in sorted((ROOT / "config").glob("*.toml")):
        assert aws_cron_problem(load(path).database.backup.schedule) is None, path.name


def test_country_table_has_every_assigned_code() -> None:
    from constructs_lib.countries import ISO_3166_ALPHA2

    assert len(ISO_3166_ALPHA2) == 249
    assert {"US", "DE", "GB", "JP", "BR", "ZA"} <= ISO_3166_ALPHA2
    assert not {"UK", "EU", "EL", "XX"} & ISO_3166_ALPHA2
    assert parse(mutate("edge.geo_allow", ["US", "GB", "DE"])).edge.geo_allow == ["US", "GB", "DE"]


def test_waf_rate_limit_follows_aws_floor_of_10() -> None:
    """AWS lowered the rate-based rule's floor from 100 to 10; the validator follows AWS."""
    assert parse(mutate("edge.waf_rate_limit", 10)).edge.waf_rate_limit == 10


def test_small_mysql_classes_run_without_performance_insights() -> None:
    db = {"engine": "mysql", "instance_class": "db.t3.micro", "performance_insights": False}
    assert parse(mutate("database", db)).database.instance_class == "db.t3.micro"
    pg = {"engine": "postgres", "instance_class": "db.t4g.micro"}
    assert parse(mutate("database", pg)).database.performance_insights is True


def test_db_class_must_be_offered_in_every_region_of_the_config() -> None:
    """A class one region lacks would fail the replica (or the promoted primary) there."""
    data = mutate("regions[1]", {"name": "eu-west-3", "role": "secondary", "vpc_cidr": "10.1.0.0/16"})
    data["database"]["instance_class"] = "db.r7g.large"
    with pytest.raises(ConfigError) as info:
        parse(data, "bad.toml")
    (problem,) = info.value.problems
    assert problem.startswith("database.instance_class: 'db.r7g.large' is not offered in eu-west-3"), problem
    assert "rds_instance_classes_postgres.json, as of 2026-08-11" in problem
    data["database"]["instance_class"] = "db.r6g.large"
    assert parse(data).database.instance_class == "db.r6g.large"


@pytest.mark.parametrize(
    ("engine", "version", "username"),
    [("mysql", "8.4", "admin"), ("postgres", "16", "postgres"), ("mysql", "8.0", "qualify")],
)
def test_engine_defaults_aws_accepts_are_accepted(engine: str, version: str, username: str) -> None:
    """Not stricter than AWS: RDS's console defaults (admin on MySQL, postgres on
    PostgreSQL) are valid, and a word reserved only from MySQL 8.4 on is valid on 8.0."""
    c = parse(mutate("database", {"engine": engine, "engine_version": version, "username": username}))
    assert c.database.username == username


def test_every_table_names_its_date_source_and_refresh() -> None:
    import json

    from constructs_lib.aws_tables import TABLES, table

    for path in sorted(TABLES.glob("*.json")):
        meta = json.loads(path.read_text())
        assert {"what", "as_of", "source", "refresh", "regions"} <= set(meta), path
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["as_of"]), path
        t = table(path.stem)
        assert t.regions and all(t.regions.values()), path


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("edge.write_path_patterns", ["/api/v?/*"]),
        ("edge.domain", "shop.xn--p1ai"),
        ("database.maintenance_window", "Sun:04:30-Sun:05:30"),
        ("owner", "Équipe plateforme"),
    ],
)
def test_what_aws_accepts_is_accepted(key: str, value: Any) -> None:
    """Not stricter than AWS: CloudFront's ? wildcard, punycode top-level domains, day
    names in any case (stored lowercase, as the provider does), Unicode tag values."""
    c = parse(mutate(key, value))
    assert c.database.maintenance_window == "sun:04:30-sun:05:30"


def test_graviton_fleet_and_bastion_boot_the_arm64_image() -> None:
    data = mutate("app.instance_types", ["t4g.small", "m7g.large"])
    data["app"]["bastion"] = {"instance_type": "t4g.micro"}
    c = parse(data)
    assert c.app.architecture == "arm64"


def test_at_most_one_primary_and_fifteen_replicas() -> None:
    data = copy.deepcopy(DEFAULT)
    names = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3"]
    names += ["eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2"]
    names += ["ap-northeast-3", "ap-southeast-1", "ap-southeast-2"]
    data["regions"] = [
        {"name": n, "role": "primary" if i == 0 else "secondary", "vpc_cidr": f"10.{i}.0.0/16", "az_count": 2}
        for i, n in enumerate(names)
    ]
    with pytest.raises(ConfigError) as info:
        parse(data, "bad.toml")
    assert info.value.problems == ["regions: List should have at most 16 items after validation, not 17"]
    data["regions"].pop()
    assert len(parse(data).secondaries) == 15


def test_emulator_region_endpoints_name_regions_of_the_config_and_loopback_only() -> None:
    """[emulator.regions] (the drill's endpoint per region): only the config's regions or
    us-east-1 (the global services' home), only loopback URLs; global services in any
    region resolve to us-east-1's endpoint."""
    local = tomllib.loads((ROOT / "config/local.toml").read_text())
    local["emulator"]["regions"] = {"us-east-1": "http://127.0.0.1:5001", "us-west-2": "http://127.0.0.1:5002"}
    emulator = parse(local).emulator
    assert emulator is not None
    assert emulator.service_url("ec2", "us-west-2") == "http://127.0.0.1:5002"
    for service in ("iam", "route53", "cloudfront"):
        assert emulator.service_url(service, "us-west-2") == "http://127.0.0.1:5001"
    local["emulator"]["regions"]["eu-west-1"] = "http://127.0.0.1:5003"
    with pytest.raises(ConfigError) as err:
        parse(local)
    assert "emulator.regions: eu-west-1 is not a region of the config" in str(err.value)
    local["emulator"]["regions"] = {"us-west-2": "http://10.0.0.8:5002"}
    with pytest.raises(ConfigError) as err:
        parse(local)
    assert "emulator.regions.us-west-2" in str(err.value) and "should match pattern" in str(err.value)


@pytest.mark.parametrize("lock", ["governance", "compliance"])
def test_a_disposable_environment_refuses_a_vault_lock(lock: str) -> None:
    data = mutate("database.backup.vault_lock", lock)
    data["disposable"] = True
    with pytest.raises(ConfigError) as info:
        parse(data, "dev.toml")
    (problem,) = info.value.problems
    assert problem.startswith("database.backup.vault_lock") and 'set vault_lock = "none"' in problem

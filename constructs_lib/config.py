"""The configuration schema: one pydantic model tree, loaded from TOML, validated
before any construct runs.

Importing this module is cheap (no cdktf, no provider bindings), so a bad file is
reported in well under a second.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from . import cidr
from .aws_cron import aws_cron_problem
from .aws_tables import table
from .countries import ISO_3166_ALPHA2
from .regions import AZ_LETTERS, SUPPORTED_REGIONS, default_azs

MAX_CONFIG_BYTES = 1_000_000
"""A config file larger than this is rejected before parsing (configs are a few KB)."""

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""Retention values CloudWatch Logs accepts."""

NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
TAG_VALUE_MAX = 256
TAG_VALUE_PATTERN = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"
"""Tag values: at most 256 Unicode characters, letters, digits, spaces and ``_ . : / =
+ - @`` (AWS General Reference / Tagging AWS resources, "Tag naming limits and
requirements"); the most restrictive set, which every tagged service accepts."""


class ConfigError(Exception):
    """A config file that cannot be used; ``problems`` holds one readable line each."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Role(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class NatMode(StrEnum):
    """How many NAT gateways a region runs."""

    PER_AZ = "per_az"
    """One per AZ: an AZ outage leaves the others' egress intact (reference)."""
    SINGLE = "single"
    """One for the region: cheaper, but every private subnet loses egress with its AZ."""


def _enum(kind: type[StrEnum], what: str, value: Any) -> Any:
    """Turn a string into ``kind``, or fail listing the allowed values."""
    if not isinstance(value, str):
        return value
    allowed = [member.value for member in kind]
    if value not in allowed:
        raise ValueError(f"unknown {what} '{value}'; use one of: {', '.join(allowed)}")
    return kind(value)


def _check_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        raise ValueError(f"{value} is not a CloudWatch Logs retention; use one of {LOG_RETENTION_DAYS}")
    return value


def _check_region(value: str) -> str:
    if value not in AZ_LETTERS:
        raise ValueError(f"unknown region '{value}'; use one of: {', '.join(SUPPORTED_REGIONS)}")
    return value


def _check_cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as err:
        raise ValueError(
            f"'{value}' is not a valid IPv4 network in CIDR form ({err}); write it like 10.0.0.0/16"
        ) from None
    return str(net)


def _check_private_cidr(value: str) -> str:
    net = ipaddress.IPv4Network(_check_cidr(value))
    rfc1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    if not any(net.subnet_of(block) for block in rfc1918):
        raise ValueError(
            f"'{value}' is not a private (RFC 1918) range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
        )
    return value


CidrStr = Annotated[str, Field(description="IPv4 CIDR")]
SUBNET_MIN_PREFIX, SUBNET_MAX_PREFIX = 16, 28
"""The sizes a VPC subnet can have (Amazon VPC User Guide, "Subnet CIDR blocks")."""


class SubnetCidrs(Strict):
    """Explicit subnet CIDRs, one per AZ in each list (instead of the automatic plan)."""

    public: list[str]
    private: list[str]
    database: list[str]

    @field_validator("public", "private", "database")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        checked = [_check_cidr(v) for v in values]
        for value in checked:
            prefix = ipaddress.IPv4Network(value).prefixlen
            # Source: Amazon VPC User Guide, "Subnet CIDR blocks": a subnet's IPv4 block
            # is between a /16 and a /28 (CreateSubnet refuses anything else).
            if not SUBNET_MIN_PREFIX <= prefix <= SUBNET_MAX_PREFIX:
                raise ValueError(
                    f"'{value}' is a /{prefix}; a VPC subnet is /{SUBNET_MIN_PREFIX} to /{SUBNET_MAX_PREFIX}"
                )
        return checked


class RegionConfig(Strict):
    name: str
    """AWS region name, e.g. us-east-1."""
    role: Role
    """primary (the writable database, the backup plan, the origin CloudFront and Route 53
    prefer) or secondary. A failover swaps roles (``make failover``); nothing account-wide
    follows the role (see ``Config.home``)."""
    vpc_cidr: str
    """The region's VPC range; must not overlap any other region's."""
    az_count: int = Field(default=3, ge=2, le=cidr.MAX_AZS)
    """Default: 3 AZs."""
    azs: list[str] | None = None
    """Default: the first az_count AZs of the region (us-east-1a, us-east-1b, ...)."""
    nat: NatMode = NatMode.PER_AZ
    """Default: one NAT gateway per AZ."""
    subnets: SubnetCidrs | None = None
    """Default: derived from vpc_cidr (see constructs_lib/cidr.py)."""
    ami_id: str | None = Field(default=None, pattern=r"^ami-[0-9a-f]{8,17}$")
    """The AMI of the app instances and the bastion in this region (an AMI id belongs to
    one region). Default: the latest Amazon Linux 2023 AMI of the region (public SSM
    parameter)."""

    @field_validator("name")
    @classmethod
    def _region(cls, value: str) -> str:
        return _check_region(value)

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, value: str) -> str:
        _check_private_cidr(value)
        prefix = ipaddress.IPv4Network(value).prefixlen
        if not cidr.MIN_VPC_PREFIX <= prefix <= cidr.MAX_VPC_PREFIX:
            raise ValueError(
                f"'{value}' is a /{prefix}; a VPC here must be /{cidr.MIN_VPC_PREFIX} to /{cidr.MAX_VPC_PREFIX}"
            )
        return value

    @field_validator("nat", mode="before")
    @classmethod
    def _nat(cls, value: Any) -> Any:
        return _enum(NatMode, "NAT mode", value)

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> Any:
        return _enum(Role, "role", value)

    @model_validator(mode="after")
    def _fits(self) -> RegionConfig:
        available = len(AZ_LETTERS[self.name])
        if self.azs is None and self.az_count > available:
            raise ValueError(
                f"az_count: {self.name} has {available} availability zones; set az_count to at most {available}"
            )
        if self.azs is not None:
            if len(self.azs) != self.az_count:
                raise ValueError(f"azs: lists {len(self.azs)} zones but az_count is {self.az_count}; make them equal")
            bad = [az for az in self.azs if not (az.startswith(self.name) and len(az) == len(self.name) + 1)]
            if bad:
                raise ValueError(f"azs: {bad} are not zones of {self.name}; use names like {self.name}a")
            if len(set(self.azs)) != len(self.azs):
                raise ValueError("azs: zones must be unique")
        vpc = ipaddress.IPv4Network(self.vpc_cidr)
        if self.subnets is not None:
            for tier in ("public", "private", "database"):
                values = getattr(self.subnets, tier)
                if len(values) != self.az_count:
                    raise ValueError(
                        f"subnets.{tier}: has {len(values)} CIDRs but az_count is {self.az_count}; give one per AZ"
                    )
                for value in values:
                    if not ipaddress.IPv4Network(value).subnet_of(vpc):
                        raise ValueError(
                            f"subnets.{tier}: {value} is not inside vpc_cidr {self.vpc_cidr}; pick a range inside it"
                        )
            nets = [
                ipaddress.IPv4Network(v) for v in self.subnets.public + self.subnets.private + self.subnets.database
            ]
            for i, a in enumerate(nets):
                for b in nets[i + 1 :]:
                    if a.overlaps(b):
                        raise ValueError(f"subnets: {a} overlaps {b}; subnets must not overlap")
        return self

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(self.azs) if self.azs else default_azs(self.name, self.az_count)

    @property
    def subnet_plan(self) -> cidr.SubnetPlan:
        if self.subnets is not None:
            return cidr.SubnetPlan(
                public=tuple(self.subnets.public),
                private=tuple(self.subnets.private),
                database=tuple(self.subnets.database),
            )
        return cidr.plan(self.vpc_cidr, self.az_count)

    @property
    def is_primary(self) -> bool:
        return self.role is Role.PRIMARY


ENDPOINT_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9]*([.-][a-z0-9]+)*$")
"""The short names of AWS services' endpoints (ssm, ecr.api, sagemaker.runtime-fips)."""
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")
"""Services RegionalNetwork always reaches through gateway endpoints (network/endpoints.py)."""


class NetworkConfig(Strict):
    flow_log_retention_days: int = 365
    """Default: 365 days of VPC flow logs."""
    flow_log_traffic_type: str = "ALL"
    """Default: ALL (ACCEPT and REJECT)."""
    interface_endpoints: list[str] = Field(
        default_factory=lambda: ["ssm", "ssmmessages", "ec2messages", "secretsmanager", "logs", "kms"]
    )
    """Default: the endpoints SSM Session Manager, Secrets Manager, Logs and KMS need
    from private subnets without the NAT path. Empty list: none (cheaper)."""

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        return _check_retention(value)

    @field_validator("flow_log_traffic_type")
    @classmethod
    def _traffic(cls, value: str) -> str:
        if value not in ("ALL", "ACCEPT", "REJECT"):
            raise ValueError(f"'{value}' is not a flow log traffic type; use ALL, ACCEPT or REJECT")
        return value

    @field_validator("interface_endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        for name in value:
            if not ENDPOINT_SERVICE_NAME.match(name):
                raise ValueError(
                    f"'{name}' is not a service endpoint name; write the part after com.amazonaws.<region>., "
                    "like 'ssm' or 'ecr.api'"
                )
            if name in GATEWAY_ENDPOINT_SERVICES:
                raise ValueError(
                    f"'{name}': every VPC already has a (free) gateway endpoint for {name}; remove it from the list"
                )
        if len(set(value)) != len(value):
            raise ValueError("endpoint names must be unique")
        return value


INSTANCE_TYPE_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$"


def _check_ssh_cidr(value: str) -> str:
    net = ipaddress.IPv4Network(_check_cidr(value))
    if net.prefixlen == 0:
        raise ValueError(
            f"'{value}' opens SSH to the whole internet; give your office or VPN range, or leave the list empty to use SSM Session Manager"
        )
    return value


SG_RULES_MAX = 60
"""Amazon VPC quotas, "Inbound or outbound rules per security group": 60 (adjustable)."""
ROOT_VOLUME_MIN_GB = 8
"""The Amazon Linux 2023 AMI's root snapshot is 8 GiB; a root volume cannot be smaller
than its snapshot (EC2 API reference, EbsBlockDevice.VolumeSize)."""
ROOT_VOLUME_MAX_GB = 16384
"""The largest gp3 volume (EBS volume types, gp3: 1 GiB - 16 TiB)."""


class BastionConfig(Strict):
    enabled: bool = True
    """Default: one bastion per region in a public subnet."""
    instance_type: str = Field(default="t3.micro", pattern=INSTANCE_TYPE_PATTERN)
    """Default: t3.micro (a jump host needs no more)."""
    root_volume_gb: int = Field(default=20, ge=ROOT_VOLUME_MIN_GB, le=ROOT_VOLUME_MAX_GB)
    """Size of the encrypted gp3 root volume. Default: 20 GiB."""
    allowed_ssh_cidrs: list[str] = Field(default_factory=list, max_length=SG_RULES_MAX)
    """Default: empty, no SSH rule at all (SSM Session Manager only). At most 60, one
    inbound rule each (Amazon VPC quotas: 60 inbound rules per security group)."""
    key_name: str | None = Field(default=None, min_length=1, max_length=255, pattern=r"^[\x20-\x7e]+$")
    """EC2 key pair for SSH: up to 255 printable ASCII characters (EC2 API reference,
    CreateKeyPair KeyName). Default: none."""
    detailed_monitoring: bool = True
    """Default: 1-minute CloudWatch metrics for the bastion."""

    @field_validator("allowed_ssh_cidrs")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        checked = [_check_ssh_cidr(v) for v in values]
        # EC2 refuses a rule that duplicates another (InvalidPermission.Duplicate).
        if len(set(checked)) != len(checked):
            raise ValueError("ranges must be unique (EC2 refuses a duplicate security group rule)")
        return checked


class LambdaConfig(Strict):
    """The function every object created in the application bucket triggers."""

    reserved_concurrency: int = Field(default=5, ge=1, le=900)
    """Default: 5 concurrent executions, so a burst of uploads cannot starve the account.
    At most 900: Lambda keeps 100 of the account's concurrency (default quota 1000)
    unreserved (Lambda Developer Guide, "Configuring reserved concurrency"); an account
    still on a lower quota refuses more than its quota minus 100."""
    memory_mb: int = Field(default=256, ge=128, le=10240)
    """Default: 256 MB (Lambda allows 128 to 10,240)."""
    timeout_seconds: int = Field(default=30, ge=1, le=900)
    """Default: 30 s (Lambda allows up to 900)."""


MAX_INSTANCE_TYPE_OVERRIDES = 40


ARCHITECTURES = ("x86_64", "arm64")
"""The architectures Amazon Linux 2023 AMIs exist for (public SSM parameters
``al2023-ami-kernel-default-<architecture>``)."""


def architecture_of(instance_type: str) -> str | None:
    """The first of ``ARCHITECTURES`` ``instance_type`` runs (table
    ``ec2_instance_architectures``), None for a type that runs neither or is unknown."""
    arch = table("ec2_instance_architectures")
    return next((a for a in ARCHITECTURES if instance_type in arch.regions[a]), None)


class AppConfig(Strict):
    instance_types: list[Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN)]] = Field(
        default_factory=lambda: ["t3.small"], min_length=1
    )
    """Default: ["t3.small"]. More than one makes a mixed-instances ASG: unique, at most
    40 (Auto Scaling API reference, LaunchTemplate.Overrides: 40 items)."""
    min_size: int = Field(default=3, ge=0)
    """Default: 3, one instance per AZ of the reference architecture."""
    desired_capacity: int = Field(default=3, ge=0)
    """Default: 3. Scaling moves it afterwards; Terraform does not reset it."""
    max_size: int = Field(default=9, ge=1)
    """Default: 9."""
    app_port: int = Field(default=8080, ge=1, le=65535)
    """Port the web server listens on. Default: 8080."""
    health_check_path: str = Field(default="/health", pattern=r"^/[A-Za-z0-9._~/-]*$", max_length=255)
    """Path the target group and Route 53 probe. At most 255 characters (Route 53 API
    reference, HealthCheckConfig.ResourcePath; the target group allows 1024). Default: /health."""
    health_check_grace_seconds: int = Field(default=300, ge=0, le=7200)
    """Seconds a new instance has to boot before failed checks count. Default: 300."""
    cpu_high_percent: float = Field(default=80.0, gt=0, le=100)
    """Average CPU above which the fleet scales out. Default: 80."""
    cpu_low_percent: float = Field(default=20.0, ge=0, lt=100)
    """Average CPU below which the fleet scales in. Default: 20."""
    ami_id: str | None = None
    """Not accepted: an AMI id belongs to one region (EC2 User Guide, "Copy an AMI": a
    copy in another region gets a new id); set ``regions[].ami_id`` per region."""
    root_volume_gb: int = Field(default=20, ge=ROOT_VOLUME_MIN_GB, le=ROOT_VOLUME_MAX_GB)
    """Size of each instance's encrypted gp3 root volume. Default: 20 GiB."""
    alb_deletion_protection: bool = True
    """Default: true; false only where the stack is torn down (disposable profiles)."""
    log_retention_days: int = 365
    """Retention of every log group of the product (Lambda, database, WAF, DNS, trail). Default: 365."""
    bastion: BastionConfig = Field(default_factory=BastionConfig)
    function: LambdaConfig = Field(default_factory=LambdaConfig)

    @field_validator("cpu_high_percent", "cpu_low_percent", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        return _check_retention(value)

    @field_validator("instance_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_INSTANCE_TYPE_OVERRIDES:
            raise ValueError(f"{len(value)} instance types; an Auto Scaling group takes at most 40")
        if len(set(value)) != len(value):
            raise ValueError("instance types must be unique (Auto Scaling refuses duplicate overrides)")
        return value

    @field_validator("ami_id")
    @classmethod
    def _ami(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError(
                f"'{value}' would be used in every region, but an AMI id exists in one region only; "
                "remove it (latest Amazon Linux 2023 per region) or set regions[].ami_id for each region"
            )
        return value

    @property
    def architecture(self) -> str:
        """x86_64 or arm64: the architecture of the first instance type (the config
        checks that every type shares it)."""
        return architecture_of(self.instance_types[0]) or "x86_64"

    @model_validator(mode="after")
    def _sizes(self) -> AppConfig:
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise ValueError(
                f"min_size: need min_size <= desired_capacity <= max_size, got {self.min_size} / "
                f"{self.desired_capacity} / {self.max_size}; adjust them"
            )
        if not self.cpu_low_percent < self.cpu_high_percent:
            raise ValueError(
                f"cpu_low_percent: {self.cpu_low_percent:g} must be below cpu_high_percent "
                f"{self.cpu_high_percent:g}, or the fleet would scale in and out at once"
            )
        return self


class Engine(StrEnum):
    POSTGRES = "postgres"
    MYSQL = "mysql"


ENGINE_VERSIONS = {
    Engine.POSTGRES: (
        re.compile(r"^(1[3-9])(\.\d+)?$"),
        "16",
        "a PostgreSQL major, optionally with a minor: 16 or 16.9",
    ),
    Engine.MYSQL: (re.compile(r"^8\.(0|4)(\.\d+)?$"), "8.4", "a MySQL 8.0 or 8.4 version: 8.4 or 8.4.7"),
}
"""The shape of a version per engine, the default, and how to write one. Which versions
RDS offers is the table ``rds_engine_versions_<engine>`` (a major alone lets RDS pick its
current minor). MySQL defaults to 8.4: 8.0 left standard support on 2026-07-31 and bills
RDS Extended Support."""
USERNAME_MAX = 16
"""CreateDBInstance MasterUsername: 1 to 16 letters, digits or underscores, starting with a letter."""
DB_NAME_MAX = {Engine.POSTGRES: 63, Engine.MYSQL: 64}
"""CreateDBInstance DBName: PostgreSQL 1 to 63, MySQL 1 to 64 characters."""


def reserved_words(engine: Engine, version: str, kind: str) -> frozenset[str]:
    """What a master user name (``kind="user"``) or a database name (``"db"``) may not be
    for ``engine`` at ``version``: the engine's reserved words (table
    ``engine_reserved_words``), plus the users RDS creates itself, or the schemas every
    MySQL server has."""
    t = table("engine_reserved_words")
    if engine is Engine.POSTGRES:
        words = t.regions["postgres"]
        return words | t.regions["postgres-users"] if kind == "user" else words
    major = ".".join(version.split(".")[:2])
    words = t.regions[f"mysql-{major}"]
    return words | (t.regions["mysql-users"] if kind == "user" else t.regions["mysql-schemas"])


class VaultLock(StrEnum):
    """AWS Backup Vault Lock (AWS Backup Developer Guide, "AWS Backup Vault Lock")."""

    NONE = "none"
    GOVERNANCE = "governance"
    """Recovery points cannot be deleted before their retention; a principal allowed
    ``backup:DeleteBackupVaultLockConfiguration`` can remove the lock."""
    COMPLIANCE = "compliance"
    """As governance, but after a 3-day grace period nobody, not even the root user,
    can remove the lock or delete the vault before every recovery point expires."""


class BackupConfig(Strict):
    """The AWS Backup plan of the primary region, copied to every secondary vault."""

    schedule: str = "cron(0 5 * * ? *)"
    """An AWS cron expression in UTC, at most once an hour. Default: daily at 05:00 UTC."""
    retention_days: int = Field(default=35, ge=1, le=36500)
    """Days a recovery point is kept, in the primary vault and in every copy. Default: 35."""
    admin_role_name: str = Field(default="BackupAdmin", pattern=r"^[A-Za-z0-9_+=,.@-]{1,64}$")
    """The only IAM role that may delete recovery points, or change or delete the vault's
    access policy (vault access policy). Default: BackupAdmin."""
    vault_lock: VaultLock | None = None
    """Vault Lock of every region's vault: governance, compliance (irreversible after 3
    days) or none; it keeps each recovery point at least ``retention_days``. Default:
    governance, none in a disposable environment (whose vault is deleted with it)."""

    vault_lock_min_retention_days: int | None = Field(default=None, ge=1, le=36500)
    """The lock's minimum retention: AWS Backup fails every backup or copy job into a
    locked vault whose lifecycle is shorter (AWS Backup Developer Guide, "AWS Backup
    Vault Lock"), so it is at most ``retention_days``. A compliance lock's minimum is
    fixed once its grace days are over: keep ``retention_days`` at least this. Default:
    ``retention_days``."""

    @field_validator("vault_lock", mode="before")
    @classmethod
    def _lock(cls, value: Any) -> Any:
        return _enum(VaultLock, "vault lock", value)

    @model_validator(mode="after")
    def _lock_minimum(self) -> BackupConfig:
        floor = self.vault_lock_min_retention_days
        if floor is not None and floor > self.retention_days:
            raise ValueError(
                f"vault_lock_min_retention_days: {floor} is longer than retention_days ({self.retention_days}); "
                "every backup and copy into the locked vault would fail: lower it, or raise retention_days"
            )
        return self

    @property
    def lock_min_retention_days(self) -> int:
        return self.vault_lock_min_retention_days or self.retention_days

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        problem = aws_cron_problem(value)
        if problem is not None:
            raise ValueError(f"'{value}' {problem}; write it like cron(0 5 * * ? *) (daily, 05:00 UTC)")
        return value


MYSQL_CLASSES_WITHOUT_INSIGHTS = frozenset(
    {"db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"}
)
"""Instance classes on which RDS for MySQL has no Performance Insights."""
RDS_MAX_STORAGE_GB = 65536
"""gp3 storage of RDS for PostgreSQL and MySQL: 20 GiB to 64 TiB (RDS User Guide, "Amazon RDS DB instance storage")."""
STORAGE_AUTOSCALING_HEADROOM_PERCENT = 110
"""RDS: the autoscaling ceiling is at least 10 % above the allocated storage (in whole
GiB, rounded up; integer arithmetic, so 200 GiB needs 220, not 221)."""
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MIN_WINDOW_MINUTES = 30
"""RDS: backup and maintenance windows are at least 30 minutes (API reference,
CreateDBInstance, PreferredBackupWindow and PreferredMaintenanceWindow)."""
_HHMM = r"([01]\d|2[0-3]):([0-5]\d)"
BACKUP_WINDOW = re.compile(rf"^{_HHMM}-{_HHMM}$")
MAINTENANCE_WINDOW = re.compile(rf"^({'|'.join(WEEKDAYS)}):{_HHMM}-({'|'.join(WEEKDAYS)}):{_HHMM}$")


def _window(window: str) -> tuple[list[int], int]:
    """Start minutes of the week (0 = Monday 00:00 UTC) and length of an RDS window: a
    daily ``hh24:mi-hh24:mi`` window starts on every day, a ``ddd:hh24:mi-ddd:hh24:mi``
    window once. Both may wrap past midnight (or the week's end). ``window`` must match
    ``BACKUP_WINDOW`` or ``MAINTENANCE_WINDOW``."""
    daily = BACKUP_WINDOW.match(window)
    if daily:
        h1, m1, h2, m2 = (int(g) for g in daily.groups())
        start = h1 * 60 + m1
        return [day * MINUTES_PER_DAY + start for day in range(7)], (h2 * 60 + m2 - start) % MINUTES_PER_DAY
    weekly = MAINTENANCE_WINDOW.match(window)
    assert weekly is not None, window
    day1, hour1, min1, day2, hour2, min2 = weekly.groups()
    start = WEEKDAYS.index(day1) * MINUTES_PER_DAY + int(hour1) * 60 + int(min1)
    end = WEEKDAYS.index(day2) * MINUTES_PER_DAY + int(hour2) * 60 + int(min2)
    return [start], (end - start) % (7 * MINUTES_PER_DAY)


def window_length(window: str) -> int:
    """Minutes of one occurrence of an RDS window."""
    return _window(window)[1]


def window_minutes(window: str) -> frozenset[int]:
    """The minutes of the week (0 = Monday 00:00 UTC) an RDS window covers."""
    starts, length = _window(window)
    return frozenset((s + i) % (7 * MINUTES_PER_DAY) for s in starts for i in range(length))


class DatabaseConfig(Strict):
    engine: Engine = Engine.POSTGRES
    """postgres (default) or mysql."""
    engine_version: str | None = None
    """Default: 16 for postgres, 8.4 for mysql (minor upgrades automatic)."""
    instance_class: str = Field(default="db.r6g.large", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    replica_instance_class: str | None = Field(default=None, pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    """Default: same as instance_class, so a promoted replica carries the full load."""
    allocated_storage_gb: int = Field(default=100, ge=20, le=RDS_MAX_STORAGE_GB)
    max_allocated_storage_gb: int = Field(default=500, ge=20, le=RDS_MAX_STORAGE_GB)
    """Storage autoscaling ceiling; must be >= allocated_storage_gb."""
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    """Days of automated backups (point-in-time recovery). Default: 7."""
    backup_window: str = "03:00-04:00"
    """Daily window of automated backups, UTC, ``hh24:mi-hh24:mi``, at least 30
    minutes, not overlapping the maintenance window (RDS API reference). Default:
    03:00-04:00, before the AWS Backup plan's 05:00 run."""
    maintenance_window: str = "sun:04:30-sun:05:30"
    """Weekly maintenance window, UTC, ``ddd:hh24:mi-ddd:hh24:mi``, at least 30
    minutes. Default: Sunday 04:30-05:30, the quietest hour of a typical week."""
    port: int | None = Field(default=None, ge=1150, le=65535)
    """Default: 5432 for postgres, 3306 for mysql."""
    multi_az: bool = True
    replica_multi_az: bool | None = None
    """Default: same as multi_az."""
    deletion_protection: bool = True
    performance_insights: bool = True
    """Default: on (encrypted with the region key). Off for classes without it (db.t4g.micro)."""
    db_name: str = Field(default="app", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
    """The database RDS creates: a letter, then letters, digits or underscores; at most 63
    characters on PostgreSQL, 64 on MySQL; not a reserved word of the engine."""
    username: str = Field(default="app_admin", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
    """Master user name (1 to 16 characters, not a reserved word or a user RDS keeps);
    its password is generated by Secrets Manager and kept in each region's secret
    ``<project>-<env>-<region>-db-master`` (never in config, code or Terraform state)."""
    master_password_version: int = Field(default=1, ge=1, le=1_000_000)
    """Raise it by one to rotate the master password: the next ``make deploy`` generates a
    new one, sets it on the primary and writes it to every region's secret (the
    replicas follow the primary by replication). Default: 1."""
    backup: BackupConfig = Field(default_factory=BackupConfig)

    @field_validator("engine", mode="before")
    @classmethod
    def _engine(cls, value: Any) -> Any:
        return _enum(Engine, "engine", value)

    @field_validator("maintenance_window", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        # RDS takes day names in any case (Mon or mon); the provider stores them lowercase.
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseConfig:
        pattern, _, how = ENGINE_VERSIONS[self.engine]
        if self.engine_version is not None and not pattern.match(self.engine_version):
            raise ValueError(f"engine_version: '{self.engine_version}' is not a {self.engine.value} version; use {how}")
        problem = self._version_offered()
        if problem is not None:
            raise ValueError(f"engine_version: {problem}")
        # Source: RDS API reference, CreateDBInstance MasterUsername and DBName: "Can't be
        # a reserved word for the chosen database engine" (words: engine_reserved_words).
        for field, kind, limit in (("username", "user", USERNAME_MAX), ("db_name", "db", DB_NAME_MAX[self.engine])):
            value = getattr(self, field)
            if value.lower() in reserved_words(self.engine, self.version, kind):
                raise ValueError(
                    f"{field}: '{value}' is reserved by {self.engine.value} {self.version} (a keyword, or a "
                    f"{'user' if kind == 'user' else 'schema'} RDS keeps); pick another, e.g. "
                    f"{'app_admin' if kind == 'user' else 'app'}"
                )
            if len(value) > limit:
                raise ValueError(f"{field}: '{value}' is longer than the {limit} characters {self.engine.value} allows")
        if self.engine is Engine.POSTGRES and self.username.lower().startswith("pg_"):
            # PostgreSQL documentation, "Database Roles": role names beginning with pg_ are reserved.
            raise ValueError(f"username: '{self.username}' starts with pg_, which PostgreSQL reserves; pick another")
        # Source: RDS User Guide, "Managing capacity automatically with Amazon RDS storage
        # autoscaling": the maximum storage threshold must be at least 10 % above the
        # allocated storage, else CreateDBInstance fails ("Invalid max storage size").
        least = -(-self.allocated_storage_gb * STORAGE_AUTOSCALING_HEADROOM_PERCENT // 100)
        if least > RDS_MAX_STORAGE_GB:
            most = RDS_MAX_STORAGE_GB * 100 // STORAGE_AUTOSCALING_HEADROOM_PERCENT
            raise ValueError(
                f"allocated_storage_gb: {self.allocated_storage_gb} leaves no room for the 10 % storage-autoscaling "
                f"headroom under RDS's {RDS_MAX_STORAGE_GB} GiB; allocate at most {most}"
            )
        if self.max_allocated_storage_gb < least:
            raise ValueError(
                f"max_allocated_storage_gb: {self.max_allocated_storage_gb} leaves less than the 10 % RDS requires "
                f"above allocated_storage_gb {self.allocated_storage_gb}; set it to at least {least} "
                "(AWS recommends 26 % or more)"
            )
        if self.performance_insights and self.engine is Engine.MYSQL:
            # Source: RDS User Guide, "Amazon RDS DB engine, Region, and instance class
            # support for Database Insights" (Performance Insights): RDS for MySQL does not
            # support these classes; CreateDBInstance refuses the combination.
            for field, cls in (
                ("instance_class", self.instance_class),
                ("replica_instance_class", self.replica_instance_class),
            ):
                if cls in MYSQL_CLASSES_WITHOUT_INSIGHTS:
                    raise ValueError(
                        f"{field}: {cls} does not support Performance Insights on MySQL; "
                        "set performance_insights = false or pick a larger class (e.g. db.t4g.medium)"
                    )
        for name, pattern, example in (
            ("backup_window", BACKUP_WINDOW, "03:00-04:00"),
            ("maintenance_window", MAINTENANCE_WINDOW, "sun:04:30-sun:05:30"),
        ):
            value = getattr(self, name)
            if not pattern.match(value):
                raise ValueError(f"{name}: '{value}' is not an RDS window; write it like {example} (UTC)")
            if window_length(value) < MIN_WINDOW_MINUTES:
                raise ValueError(f"{name}: '{value}' is shorter than {MIN_WINDOW_MINUTES} minutes; widen it")
        if window_minutes(self.backup_window) & window_minutes(self.maintenance_window):
            raise ValueError(
                f"backup_window: '{self.backup_window}' overlaps maintenance_window '{self.maintenance_window}'; "
                "RDS refuses overlapping windows, move one of them"
            )
        return self

    def _version_offered(self) -> str | None:
        """Why RDS offers no ``engine_version`` (table ``rds_engine_versions_<engine>``), or None."""
        t = table(f"rds_engine_versions_{self.engine.value}")
        offered = set().union(*t.regions.values())
        version = self.version
        if version in offered or any(v.startswith(f"{version}.") for v in offered):
            return None
        major = version.split(".")[0] if self.engine is Engine.POSTGRES else ".".join(version.split(".")[:2])
        same_major = sorted(
            (v for v in offered if v.startswith(f"{major}.")), key=lambda v: [int(p) for p in v.split(".")]
        )
        hint = (
            f"use {major} (RDS picks the current minor) or one of {', '.join(same_major)}"
            if same_major
            else f"use one of the majors it lists ({', '.join(sorted({v.rsplit('.', 1)[0] for v in offered}))})"
        )
        return f"'{version}' is not an RDS for {self.engine.value} version in the table ({t.cite}); {hint}"

    def instance_class_in(self, *, replica: bool) -> str:
        """The instance class of the primary, or of a replica (``replica_instance_class``
        if set, else the primary's)."""
        return (self.replica_instance_class or self.instance_class) if replica else self.instance_class

    def multi_az_in(self, *, replica: bool) -> bool:
        """Multi-AZ of the primary, or of a replica (``replica_multi_az`` if set)."""
        if replica and self.replica_multi_az is not None:
            return self.replica_multi_az
        return self.multi_az

    @property
    def version(self) -> str:
        return self.engine_version or ENGINE_VERSIONS[self.engine][1]

    @property
    def effective_port(self) -> int:
        return self.port or (5432 if self.engine is Engine.POSTGRES else 3306)


DOMAIN_PATTERN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
"""Lowercase labels, a top-level label of letters or punycode (xn--...)."""
ACM_DOMAIN_MAX = 64
"""ACM API reference, RequestCertificate DomainName: at most 64 octets (the first name)."""
DOMAIN_MAX_LENGTH = 200
"""Route 53 names are at most 255 octets; the longest name derived from the domain is
``<region>.origin.<domain>`` (about 30 more), so 200 leaves room for every region."""
RESERVED_DOMAINS = (
    # RFC 2606 section 2 and RFC 6761 section 6: reserved top-level names.
    "test",
    "example",
    "invalid",
    "localhost",
    # RFC 2606 section 3: reserved second-level names.
    "example.com",
    "example.net",
    "example.org",
    # RFC 6762 (mDNS), RFC 7686 (Tor), RFC 8375 (home networks), RFC 9476 (alternative
    # namespaces), RFC 8880 and 9462/9665 (.arpa special-use names): not in the public DNS.
    "local",
    "onion",
    "home.arpa",
    "alt",
    "ipv4only.arpa",
    "resolver.arpa",
    "service.arpa",
    # ICANN board resolution 2024.07.29.06: .internal is kept for private use.
    "internal",
)
"""Special-use names (IANA "Special-Use Domain Names" registry, and .internal). A name
under them can never be delegated from the public DNS, and Route 53 refuses hosted zones
for some (example.com: InvalidDomainName); only the emulator profile may use them."""


def reserved_domain(domain: str) -> str | None:
    """The special-use name ``domain`` is or lies under, else None."""
    return next((r for r in RESERVED_DOMAINS if domain == r or domain.endswith(f".{r}")), None)


def domain_problem(domain: str) -> str | None:
    """Why ``domain`` cannot be the edge domain of a real deploy, or None. Used by the
    config, the deploy preflight (``TF_VAR_domain``) and mirrored by the Terraform
    variable's own validation."""
    if len(domain) > DOMAIN_MAX_LENGTH or not re.fullmatch(DOMAIN_PATTERN, domain):
        return (
            f"'{domain:.60}' is not a lowercase DNS name of at most {DOMAIN_MAX_LENGTH} characters like shop.acme.com"
        )
    reserved = reserved_domain(domain)
    if reserved is not None:
        return (
            f"'{domain}' is under the special-use name '{reserved}' (RFC 2606/6761), for which Route 53 "
            "creates no hosted zone; use a domain you own, like shop.acme.com"
        )
    return None


CACHE_BEHAVIOURS_MAX = 25
"""CloudFront quotas, "Cache behaviors per distribution": 25 (adjustable)."""
PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_\-.*?$/~\"'@:+&]{0,254}$")
"""CloudFront Developer Guide, "Path pattern": case-sensitive, at most 255 characters of
A-Z a-z 0-9 _ - . $ / ~ " ' @ : + and &, with the wildcards * (any) and ? (one
character), starting with / here (the product's paths)."""


def _check_path_pattern(path: str, example: str) -> str:
    if not PATH_PATTERN.match(path):
        raise ValueError(
            f"'{path:.60}' is not a CloudFront path pattern (a /, then at most 254 of A-Z a-z 0-9 _-.*?$/~\"'@:+&); "
            f"write it like {example}"
        )
    return path


class PriceClass(StrEnum):
    PRICE_CLASS_100 = "PriceClass_100"
    PRICE_CLASS_200 = "PriceClass_200"
    PRICE_CLASS_ALL = "PriceClass_All"


ZONE_ID_PATTERN = r"^Z[A-Z0-9]{1,31}$"
"""A Route 53 hosted zone id."""


class EdgeConfig(Strict):
    domain: str | None = Field(default=None, pattern=DOMAIN_PATTERN, max_length=DOMAIN_MAX_LENGTH)
    """The user-facing name (and www.<domain>); the origin failover record is
    origin.<domain>. A domain you own: special-use names (example.com, .test, ...) only
    in the emulator profile. Default: none; the stacks then take it as the Terraform
    variable ``domain`` (``TF_VAR_domain``), which every stack requires, so a deploy
    without one stops before creating anything (``make deploy`` says so first)."""
    delegated: bool = False
    """true: the domain is delegated to a Route 53 zone (``zone_id``), every hop that
    leaves a VPC has TLS (ACM certificates for CloudFront and each ALB, validated in the zone), and writes
    fail over with Route 53. Required outside disposable environments (no cleartext
    hop in production). Default: false, only for disposable ones: nothing waits on
    certificate validation, CloudFront serves its default certificate and reaches the
    ALBs over HTTP."""
    zone_id: str | None = Field(default=None, pattern=ZONE_ID_PATTERN)
    """An existing, delegated public hosted zone for the domain. Default: none; with
    delegated = true the stacks then take it as the Terraform variable ``zone_id``
    (``TF_VAR_hosted_zone_id``), required by every stack; without, the global stack creates a
    zone."""
    health_check_interval: int = 10
    """Seconds between Route 53 health checks: 10 (fast) or 30. Default: 10."""
    health_check_failure_threshold: int = Field(default=3, ge=1, le=10)
    health_check_regions: list[str] = Field(default_factory=lambda: ["us-east-1", "us-west-2", "eu-west-1"])
    """Where Route 53 checks from (at least 3). Default: us-east-1, us-west-2, eu-west-1."""
    price_class: PriceClass = PriceClass.PRICE_CLASS_100
    waf_enabled: bool = True
    waf_rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000)
    """Requests per 5 minutes per client IP before the rate rule blocks: 10 to 2,000,000,000
    (WAF API reference, RateBasedStatement.Limit; the floor was 100 until 2024). Default: 2000."""
    write_path_patterns: list[str] = Field(default_factory=lambda: ["/api/*"])
    """Paths that accept writes (POST/PUT/PATCH/DELETE). CloudFront origin groups fail
    over only GET/HEAD/OPTIONS, so these go to the primary origin (origin.<domain>,
    failed over by Route 53 when delegated). Default: /api/*."""
    static_path_pattern: str = "/static/*"
    """The one cached path (AWS managed CachingOptimized); every other path is never cached."""
    origin_secret_active: Literal["a", "b"] = "a"
    """Which of the two origin secret values CloudFront sends; every ALB accepts both.
    Switch it in a rotation, after regenerating the other (README, "Rotating the origin
    secret"). Default: a."""
    origin_connection_timeout: int = Field(default=3, ge=1, le=10)
    """Seconds CloudFront waits to connect to an origin before trying the next. Default: 3."""
    origin_connection_attempts: int = Field(default=1, ge=1, le=3)
    geo_allow: list[str] = Field(default_factory=list)
    """ISO country codes allowed; empty: no geo restriction. Default: empty."""

    @field_validator("price_class", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        return _enum(PriceClass, "price class", value)

    @field_validator("health_check_interval")
    @classmethod
    def _interval(cls, value: int) -> int:
        if value not in (10, 30):
            raise ValueError(f"{value} is not a Route 53 interval; use 10 (fast) or 30")
        return value

    @field_validator("health_check_regions")
    @classmethod
    def _checker_regions(cls, value: list[str]) -> list[str]:
        allowed = (
            "us-east-1",
            "us-west-1",
            "us-west-2",
            "eu-west-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-northeast-1",
            "sa-east-1",
        )
        bad = [r for r in value if r not in allowed]
        if bad:
            raise ValueError(f"{bad} are not Route 53 health-checker regions; use some of {', '.join(allowed)}")
        if len(set(value)) < 3:
            raise ValueError("Route 53 needs at least 3 distinct health-checker regions")
        return value

    @field_validator("write_path_patterns")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        for path in value:
            _check_path_pattern(path, "/api/*")
        if len(set(value)) != len(value):
            raise ValueError("path patterns must be unique (CloudFront refuses two behaviours with one pattern)")
        return value

    @field_validator("static_path_pattern")
    @classmethod
    def _static(cls, value: str) -> str:
        return _check_path_pattern(value, "/static/*")

    @field_validator("geo_allow")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code; write it like US or DE")
            # Source: CloudFront API reference, GeoRestriction: ISO 3166-1 alpha-2 codes only
            # (the table's date and refresh: constructs_lib/countries.py).
            if code not in ISO_3166_ALPHA2:
                raise ValueError(
                    f"'{code}' is not an assigned ISO 3166-1 alpha-2 code (e.g. UK is GB, EL is GR); "
                    "use the country's ISO code, like US or DE"
                )
        if len(set(value)) != len(value):
            raise ValueError("country codes must be unique")
        return value

    @model_validator(mode="after")
    def _delegation(self) -> EdgeConfig:
        if self.static_path_pattern in self.write_path_patterns:
            raise ValueError(
                f"static_path_pattern: '{self.static_path_pattern}' is also a write path; "
                "CloudFront refuses two behaviours with one pattern, pick another"
            )
        behaviours = len(self.write_path_patterns) + 1
        if behaviours > CACHE_BEHAVIOURS_MAX:
            raise ValueError(
                f"write_path_patterns: {behaviours} cache behaviours with the static path; a distribution has "
                f"at most {CACHE_BEHAVIOURS_MAX} (CloudFront quotas), so merge patterns (e.g. /api/*)"
            )
        return self


EMULATED_SERVICES = (
    "acm",
    "autoscaling",
    "backup",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "ec2",
    "elbv2",
    "iam",
    "kms",
    "lambda_",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
)
"""Every AWS service the stacks call (provider endpoint argument names); all are
pointed at the emulator."""
GLOBAL_SERVICES = ("cloudfront", "iam", "route53")
"""Services with one global endpoint, whose control plane is in us-east-1 (IAM User
Guide, "Resilience in IAM"; Route 53 and CloudFront, "Global services" in the AWS Fault
Isolation Boundaries whitepaper): whatever region calls them, they answer from there."""
GLOBAL_CONTROL_REGION = "us-east-1"
LOOPBACK_URL = r"^http://(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):\d{2,5}$"


class EmulatorConfig(Strict):
    """Deploy against a local AWS emulator (moto) instead of AWS. Only for tests and
    ``make deploy-local``: dummy credentials, no account lookups, path-style S3, and
    every service endpoint on the emulator."""

    endpoint: str = Field(pattern=LOOPBACK_URL)
    """Loopback URL of the emulator, e.g. http://127.0.0.1:4566 (nothing else is accepted,
    so no test can send traffic off this machine)."""
    regions: dict[str, Annotated[str, Field(pattern=LOOPBACK_URL)]] = Field(default_factory=dict)
    """Per region, another loopback URL in front of the same emulator (the region-loss
    drill cuts one). A region's provider and the failover tool use its URL; the global
    services (``GLOBAL_SERVICES``) use the URL of us-east-1, which hosts their control
    plane. Default: none, every region uses ``endpoint``."""

    def url(self, region: str) -> str:
        """The endpoint that ``region``'s calls go to."""
        return self.regions.get(region, self.endpoint)

    def service_url(self, service: str, region: str) -> str:
        """Where a client in ``region`` reaches ``service`` (a provider endpoint name)."""
        return self.url(GLOBAL_CONTROL_REGION if service in GLOBAL_SERVICES else region)


WEBHOOKS_WITHOUT_SNS = ("hooks.slack.com", "webhook.office.com", "discord.com")
"""Incoming-webhook hosts that post whatever they get and never answer SNS's
SubscriptionConfirmation (SNS Developer Guide, "Confirm your subscription")."""
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
HTTPS_ENDPOINT = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[\x21-\x7e]*)?$")


class AlertsConfig(Strict):
    """Who hears the alarms: every region's alarm topic (application and database alarms,
    and in the home region (the first listed) the account's security alarms from the audit trail) gets
    these subscriptions. Email subscribers confirm from the message SNS sends them; an
    HTTPS endpoint must confirm the subscription request (SNS Developer Guide, "HTTP/S")."""

    email: list[str] = Field(default_factory=list, max_length=20)
    """Addresses, e.g. ["oncall@acme.com"]. Default: none."""
    https: list[str] = Field(default_factory=list, max_length=20)
    """HTTPS endpoints (a pager or chat webhook), e.g. ["https://events.pagerduty.com/..."].
    Default: none."""

    @field_validator("email")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for address in value:
            if len(address) > 254 or not EMAIL.match(address):
                raise ValueError(f"'{address:.60}' is not an email address; write it like oncall@acme.com")
        if len({a.lower() for a in value}) != len(value):
            raise ValueError("addresses must be unique (SNS keeps one subscription per endpoint)")
        return value

    @field_validator("https")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        for url in value:
            # SNS delivers over TLS only to https://; http:// would carry alarm text in clear.
            if len(url) > 2048 or not HTTPS_ENDPOINT.match(url):
                raise ValueError(f"'{url:.60}' is not an https:// URL; write it like https://hooks.acme.com/alarms")
            host = url.split("/")[2].split(":")[0]
            if host in WEBHOOKS_WITHOUT_SNS or any(host.endswith(f".{h}") for h in WEBHOOKS_WITHOUT_SNS):
                raise ValueError(
                    f"'{url:.60}' is a chat webhook, which cannot confirm an SNS subscription (it would stay pending "
                    "and be deleted after 48 hours); use AWS Chatbot or an endpoint that handles SNS messages"
                )
        if len(set(value)) != len(value):
            raise ValueError("endpoints must be unique (SNS keeps one subscription per endpoint)")
        return value

    @property
    def subscriptions(self) -> list[tuple[str, str]]:
        """``(protocol, endpoint)`` of every subscriber."""
        return [("email", a) for a in self.email] + [("https", u) for u in self.https]


ACCOUNT_ID = r"^\d{12}$"
ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::(\d{12}):role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
"""IAM role ARNs: partition, 12-digit account, optional path, a name of at most 64
characters of ``[\\w+=,.@-]`` (IAM API reference, CreateRole RoleName and Path)."""


class AccountConfig(Strict):
    """The AWS account this environment deploys to: every provider of every stack gets
    ``allowed_account_ids = [id]`` (Terraform refuses to plan with credentials of any
    other account) and, with ``role_arn``, assumes that role first."""

    id: str = Field(pattern=ACCOUNT_ID)
    """The 12-digit account id."""
    role_arn: str | None = None
    """A role in that account to assume (a deploy role: CI's OIDC identity or your own
    credentials assume it). Default: none, use the credentials as they are."""
    session_name: str | None = Field(default=None, pattern=r"^[\w+=,.@-]{2,64}$")
    """STS RoleSessionName (2 to 64 of ``[\\w+=,.@-]``; it shows in CloudTrail). Default:
    ``<project>-<environment>-terraform``."""
    external_id: str | None = Field(default=None, min_length=2, max_length=1224, pattern=r"^[\w+=,.@:/-]+$")
    """STS ExternalId, when the role's trust policy requires one (STS API reference,
    AssumeRole ExternalId: 2 to 1224 of ``[\\w+=,.@:/-]``). Default: none."""

    @field_validator("role_arn")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None and not ROLE_ARN.match(value):
            raise ValueError(f"'{value}' is not an IAM role ARN; write it like arn:aws:iam::123456789012:role/deployer")
        return value

    @model_validator(mode="after")
    def _same_account(self) -> AccountConfig:
        if self.role_arn is not None:
            match = ROLE_ARN.match(self.role_arn)
            assert match is not None
            if match.group(2) != self.id:
                raise ValueError(
                    f"role_arn: the role is in account {match.group(2)} but id is {self.id}; Terraform would refuse "
                    "every plan (allowed_account_ids), use a role of the target account"
                )
        if (self.session_name or self.external_id) and self.role_arn is None:
            raise ValueError("role_arn: session_name and external_id apply to an assumed role; set role_arn too")
        return self


class BackendConfig(Strict):
    """An S3 backend per stack (state key ``<key_prefix>/<stack>.tfstate``)."""

    bucket: str = Field(min_length=3, max_length=63)
    """An existing general purpose bucket (S3 naming rules are checked)."""
    region: str
    key_prefix: str = Field(default="multi-region-web", min_length=1, max_length=512)
    """State keys are ``<key_prefix>/<stack>.tfstate``: no leading or trailing ``/``,
    no ``//`` (Terraform's S3 backend refuses them), at most 512 characters."""
    use_lockfile: bool = True
    """Default: S3-native state locking (Terraform >= 1.10), no DynamoDB table."""
    kms_key_id: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
    """A KMS key (ARN) the state objects are encrypted with: reading state (it holds the
    origin secret) then also needs ``kms:Decrypt`` on it. Default: none, SSE-S3
    (``encrypt = true`` either way)."""

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return _check_region(value)

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        problem = bucket_name_problem(value)
        if problem is not None:
            raise ValueError(f"'{value}' {problem}")
        return value

    @field_validator("key_prefix")
    @classmethod
    def _key_prefix(cls, value: str) -> str:
        # Terraform S3 backend ("key" and "workspace_key_prefix" validation): a key must
        # not start or end with "/" nor contain "//".
        if value.startswith("/") or value.endswith("/") or "//" in value:
            raise ValueError(f"'{value}' must not start or end with / or contain //; write it like team/webapp")
        return value


BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why S3 refuses ``name`` for a general purpose bucket, or None (Amazon S3 User
    Guide, "General purpose bucket naming rules")."""
    if not BUCKET_NAME.match(name):
        return "is not an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
    if ".." in name:
        return "has two adjacent periods, which S3 bucket names may not"
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
        return "is formatted as an IP address, which S3 bucket names may not be"
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        if name.startswith(prefix):
            return f"starts with '{prefix}', which S3 reserves"
    for suffix in RESERVED_BUCKET_SUFFIXES:
        if name.endswith(suffix):
            return f"ends with '{suffix}', which S3 reserves"
    return None


RESERVED_NAME_PREFIXES = (
    ("S3 bucket names", "xn--", "Amazon S3 User Guide, general purpose bucket naming rules"),
    ("S3 bucket names", "sthree-", "Amazon S3 User Guide, general purpose bucket naming rules"),
    ("S3 bucket names", "amzn-s3-demo-", "Amazon S3 User Guide, general purpose bucket naming rules"),
    ("load balancer names", "internal-", "Elastic Load Balancing API reference, CreateLoadBalancer Name"),
    ("security group names", "sg-", "Amazon EC2 API reference, CreateSecurityGroup GroupName"),
)
"""Prefixes AWS keeps for itself in names the stacks derive as
``<project>-<environment>-<region>-<role>`` (buckets, the ALB, security groups)."""


def derived_name_prefixes(project: str, environment: str, regions: list[str]) -> list[str]:
    """The start of every name the stacks derive: one per region and one for the global stack."""
    return [f"{project}-{environment}-{region}-" for region in (*regions, "global")]


def domain_max_length(config: Config) -> int:
    """The longest domain ``config`` can deploy: with delegated = true the ALB
    certificates are for ``<region>.origin.<domain>`` (ACM RequestCertificate: at most
    64 characters), else the DNS limit."""
    if not config.edge.delegated:
        return DOMAIN_MAX_LENGTH
    return ACM_DOMAIN_MAX - max(len(f"{r.name}.origin.") for r in config.regions)


MAX_REGIONS = 16
"""RDS quotas, "Read replicas per primary DB instance": 15 (cross-region replicas count),
so one primary and 15 secondaries."""


class Config(Strict):
    project: str = Field(min_length=2, max_length=16, pattern=NAME_PATTERN)
    """Short lowercase name, first part of every resource name."""
    environment: str = Field(min_length=2, max_length=8, pattern=NAME_PATTERN)
    """prod, staging, dev, ..."""
    owner: str = Field(min_length=1, max_length=TAG_VALUE_MAX, pattern=TAG_VALUE_PATTERN)
    """Tag ``Owner`` on every resource (a tag value: letters, digits, spaces, ``_.:/=+-@``)."""
    cost_center: str = Field(min_length=1, max_length=TAG_VALUE_MAX, pattern=TAG_VALUE_PATTERN)
    """Tag ``CostCenter`` on every resource (same rules as ``owner``)."""
    disposable: bool = False
    """Default: false, stateful resources carry prevent_destroy. true only for
    throw-away environments (dev, the emulator)."""
    regions: list[RegionConfig] = Field(min_length=2, max_length=MAX_REGIONS)
    """Exactly one primary; the others are secondaries (at most 15: each holds a
    cross-region read replica of the primary)."""
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    app: AppConfig = Field(default_factory=AppConfig)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    edge: EdgeConfig = Field(default_factory=EdgeConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    """Default: no subscriber (make deploy of a non-disposable config asks for one)."""
    account: AccountConfig | None = None
    """The target account (and deploy role). Default: none, which only synth and the
    emulator accept: ``make deploy`` of a non-emulator config requires it (preflight)."""
    backend: BackendConfig | None = None
    """Default: local state files beside the project."""
    emulator: EmulatorConfig | None = None
    """Default: none, real AWS."""

    @model_validator(mode="after")
    def _regions(self) -> Config:
        names = [r.name for r in self.regions]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"regions: {', '.join(dupes)} listed more than once; each region may appear once")
        primaries = [r.name for r in self.regions if r.is_primary]
        if len(primaries) != 1:
            raise ValueError(
                f'regions: exactly one region must have role = "primary" (found {len(primaries)}: {primaries or "none"})'
            )
        for i, a in enumerate(self.regions):
            for b in self.regions[i + 1 :]:
                if ipaddress.IPv4Network(a.vpc_cidr).overlaps(ipaddress.IPv4Network(b.vpc_cidr)):
                    raise ValueError(
                        f"regions: vpc_cidr {a.vpc_cidr} ({a.name}) overlaps {b.vpc_cidr} ({b.name}); "
                        "give each region its own range (e.g. 10.0.0.0/16 and 10.1.0.0/16) so they can be peered"
                    )
        if self.emulator is not None and not self.disposable:
            raise ValueError("emulator: an emulator profile must set disposable = true so destroy can clean up")
        lock = self.database.backup.vault_lock
        if self.disposable and lock not in (None, VaultLock.NONE):
            raise ValueError(
                f"database.backup.vault_lock: a disposable environment is torn down, and a vault under a "
                f'{lock.value} lock keeps its recovery points; set vault_lock = "none" (or disposable = false)'
            )
        if not self.disposable and not self.edge.delegated:
            raise ValueError(
                "edge.delegated: a non-disposable environment has TLS on every hop that crosses the internet, and CloudFront can reach the "
                "ALBs over HTTPS only with certificates for a domain you delegate to Route 53; set "
                "[edge] delegated = true (with zone_id, or TF_VAR_hosted_zone_id at deploy: the id of the domain's "
                "existing hosted zone), or disposable = true for a throw-away environment"
            )
        if self.emulator is not None:
            unknown = sorted(set(self.emulator.regions) - {*names, GLOBAL_CONTROL_REGION})
            if unknown:
                raise ValueError(
                    f"emulator.regions: {', '.join(unknown)} is not a region of the config; name endpoints only for "
                    f"{', '.join(dict.fromkeys([*names, GLOBAL_CONTROL_REGION]))}"
                )
        if self.edge.delegated and self.edge.domain is not None:
            # ACM RequestCertificate: the first domain name is at most 64 octets; the
            # regional certificates are for <region>.origin.<domain>.
            longest = max((f"{r.name}.origin.{self.edge.domain}" for r in self.regions), key=len)
            if len(longest) > ACM_DOMAIN_MAX:
                raise ValueError(
                    f"edge.domain: with delegated = true the ALB certificate is for {longest} ({len(longest)} "
                    f"characters), and ACM takes at most {ACM_DOMAIN_MAX}; use a domain of at most "
                    f"{ACM_DOMAIN_MAX - len(longest) + len(self.edge.domain)} characters"
                )
        problem = self._architecture()
        if problem is not None:
            raise ValueError(problem)
        if self.emulator is None and self.edge.domain is not None:
            problem = domain_problem(self.edge.domain)
            if problem is not None:
                raise ValueError(f"edge.domain: {problem} (or leave it unset and pass TF_VAR_domain at deploy)")
        problem = self._offerings(names)
        if problem is not None:
            raise ValueError(problem)
        for start in derived_name_prefixes(self.project, self.environment, names):
            for kind, reserved, source in RESERVED_NAME_PREFIXES:
                if start.startswith(reserved):
                    raise ValueError(
                        f"project: names derived from project and environment start '{start}', and AWS reserves "
                        f"'{reserved}' at the start of {kind} ({source}); choose another project or environment"
                    )
        return self

    def _architecture(self) -> str | None:
        """The fleet and the bastion boot one Amazon Linux 2023 AMI, so every instance
        type must run its architecture (table ``ec2_instance_architectures``)."""
        types = [("app.instance_types", t) for t in self.app.instance_types]
        if self.app.bastion.enabled:
            types.append(("app.bastion.instance_type", self.app.bastion.instance_type))
        seen: dict[str, str] = {}
        for field, name in types:
            arch = architecture_of(name)
            if arch is None and table("ec2_instance_types").known(name):
                return f"{field}: '{name}' runs neither x86_64 nor arm64 Amazon Linux 2023 (a Mac or 32-bit type); pick another"
            if arch is not None:
                seen.setdefault(arch, name)
        if len(seen) > 1:
            return (
                f"app.instance_types: mixes {' and '.join(f'{a} ({t})' for a, t in seen.items())}; the fleet and the "
                "bastion boot one Amazon Linux 2023 AMI, so pick types of one architecture"
            )
        return None

    def _offerings(self, regions: list[str]) -> str | None:
        """The first value a table of AWS offerings does not list for every region."""
        engine = self.database.engine.value
        classes = f"rds_instance_classes_{engine}"
        what = {
            "ec2_instance_types": "EC2 instance types",
            "vpc_endpoint_services": "interface endpoint services",
            classes: f"RDS for {engine} instance classes",
        }
        db, bastion = self.database, self.app.bastion
        checks = [
            ("app.instance_types", "ec2_instance_types", self.app.instance_types, "t3.small"),
            ("network.interface_endpoints", "vpc_endpoint_services", self.network.interface_endpoints, "ssm"),
            ("database.instance_class", classes, [db.instance_class], "db.r6g.large"),
            (
                "database.replica_instance_class",
                classes,
                [db.replica_instance_class] if db.replica_instance_class else [],
                "db.r6g.large",
            ),
            (
                "app.bastion.instance_type",
                "ec2_instance_types",
                [bastion.instance_type] if bastion.enabled else [],
                "t3.micro",
            ),
        ]
        for field, name, values, example in checks:
            t = table(name)
            for value in values:
                if not t.known(value):
                    return f"{field}: '{value}' is unknown to the table of {what[name]} ({t.cite}); check the name (like {example})"
                missing = [r for r in regions if value not in t.offered(r)]
                if missing:
                    return (
                        f"{field}: '{value}' is not offered in {', '.join(missing)} according to the table of {what[name]} "
                        f"({t.cite}); pick one every region of the config offers"
                    )
        return None

    @property
    def primary(self) -> RegionConfig:
        return next(r for r in self.regions if r.is_primary)

    @property
    def secondaries(self) -> list[RegionConfig]:
        return [r for r in self.regions if not r.is_primary]

    @property
    def home(self) -> RegionConfig:
        """The first region listed: home of what is account-wide (the audit trail and its
        security alarms). A failover swaps ``role`` only, so nothing here moves with it:
        a role swap must never re-create an audit bucket or a trail."""
        return self.regions[0]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part and not part.startswith("function-"):
            out += f".{part}" if out else part
    return out or "(top level)"


_FIXES = {
    "extra_forbidden": "unknown key; remove it or fix its spelling",
    "missing": "required; add it",
}


_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_.]*): ")


def _problem(err: ErrorDetails) -> str:
    where = _loc(err["loc"])
    kind = err["type"]
    if kind in _FIXES:
        return f"{where}: {_FIXES[kind]}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    # A model-level check names the field it is about first ("azs: ..."): make that
    # part of the path so every line starts with the full field path.
    field = _FIELD_PREFIX.match(msg)
    if field:
        sub = field.group(1)
        where = sub if not err["loc"] else f"{where}.{sub}"
        msg = msg[field.end() :]
    if kind.endswith("_type") or kind in ("string_pattern_mismatch",):
        msg = f"{msg} (got {type(err.get('input')).__name__} {err.get('input')!r:.60})"
    return f"{where}: {msg}"


def parse(data: dict[str, Any], source: str = "<config>") -> Config:
    """Validate a decoded config; raise ``ConfigError`` listing every problem."""
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, [_problem(e) for e in err.errors()]) from None


def load(path: str | Path) -> Config:
    """Read and validate a TOML config file."""
    source = str(path)
    file = Path(path)
    if not file.is_file():
        raise ConfigError(source, ["file not found; set STACK_CONFIG to an existing file such as config/default.toml"])
    size = file.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            source, [f"file is {size} bytes; a config is at most {MAX_CONFIG_BYTES} bytes, check the path"]
        )
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(source, [f"not UTF-8 text (byte {err.start}); a config is a TOML text file"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(source, [f"not valid TOML: {err}"]) from None
    if not data:
        raise ConfigError(source, ["file is empty; start from config/default.toml"])
    return parse(data, source)

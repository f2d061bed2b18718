"""A rough monthly cost of what a synthesized app keeps running (``make cost``).

    python -m tooling.cost [config ...]        # a Markdown table, one column per config

Pure over the synthesized JSON (:func:`estimate` takes the stacks of one app): it counts
what bills by the hour or by the month whatever the traffic (instances at the ASG's
desired capacity, NAT gateways, public IPv4 addresses, load balancers, interface
endpoints, databases and their storage, keys, secrets, alarms, the hosted zone, health
checks, the web ACL and its rules). Traffic-driven charges (data transfer, NAT and
endpoint data processing, ALB LCUs, CloudFront, WAF requests, Lambda, S3 and backup
storage, logs) are left out and named in the README, so the figure is a floor.

Prices: on-demand list prices in USD for us-east-1, from the AWS pricing pages named in
``SOURCES`` (as published in 2025; this offline machine cannot re-check them). us-west-2
bills the same for every item here. A type missing from the tables is an error naming it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tooling.architecture import Doc, Resolver, first, read_outdir

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

HOURS_PER_MONTH = 730

EC2_HOURLY = {
    "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832,
    "t3.xlarge": 0.1664, "t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336, "t4g.large": 0.0672,
    "m5.large": 0.096, "m6i.large": 0.096, "m6g.large": 0.077, "m7g.large": 0.0816, "m7i.large": 0.1008,
    "c6i.large": 0.085, "c7g.large": 0.0725, "r6i.large": 0.126,
}  # fmt: skip
"""Linux on-demand, per instance-hour."""

RDS_HOURLY = {
    "postgres": {
        "db.t3.micro": 0.018, "db.t3.small": 0.036, "db.t3.medium": 0.072, "db.t4g.micro": 0.016,
        "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.m6g.large": 0.168, "db.m6i.large": 0.178,
        "db.r6g.large": 0.225, "db.r6i.large": 0.25, "db.r6g.xlarge": 0.449,
    },
    "mysql": {
        "db.t3.micro": 0.017, "db.t3.small": 0.034, "db.t3.medium": 0.068, "db.t4g.micro": 0.016,
        "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.m6g.large": 0.152, "db.m6i.large": 0.171,
        "db.r6g.large": 0.215, "db.r6i.large": 0.24, "db.r6g.xlarge": 0.43,
    },
}  # fmt: skip
"""Single-AZ instance-hour by engine; Multi-AZ (one standby) bills twice that."""

UNIT = {
    "nat_gateway_hour": 0.045,
    "public_ipv4_hour": 0.005,
    "alb_hour": 0.0225,
    "interface_endpoint_az_hour": 0.01,
    "ebs_gp3_gb_month": 0.08,
    "rds_gp3_gb_month": 0.115,
    "kms_key_month": 1.00,
    "secret_month": 0.40,
    "alarm_month": 0.10,
    "hosted_zone_month": 0.50,
    "health_check_month": 0.50,
    "health_check_feature_month": 1.00,
    "web_acl_month": 5.00,
    "web_acl_rule_month": 1.00,
}

SOURCES: dict[str, tuple[str, ...]] = {
    "EC2 instances, EBS gp3, public IPv4": (
        "aws.amazon.com/ec2/pricing/on-demand/",
        "aws.amazon.com/ebs/pricing/",
        "aws.amazon.com/vpc/pricing/",
    ),
    "NAT gateways, interface endpoints": ("aws.amazon.com/vpc/pricing/", "aws.amazon.com/privatelink/pricing/"),
    "Application Load Balancer": ("aws.amazon.com/elasticloadbalancing/pricing/",),
    "RDS instances and gp3 storage": ("aws.amazon.com/rds/postgresql/pricing/", "aws.amazon.com/rds/mysql/pricing/"),
    "KMS, Secrets Manager, CloudWatch alarms": (
        "aws.amazon.com/kms/pricing/",
        "aws.amazon.com/secrets-manager/pricing/",
        "aws.amazon.com/cloudwatch/pricing/",
    ),
    "Route 53 zone and health checks, WAF": ("aws.amazon.com/route53/pricing/", "aws.amazon.com/waf/pricing/"),
}

CATEGORIES = ("compute", "network", "load balancing", "database", "edge", "security and monitoring")


class PriceMissing(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    stack: str
    category: str
    what: str
    monthly: float


def _price(table: dict[str, float], key: str, what: str) -> float:
    if key not in table:
        raise PriceMissing(f"no price for {what} {key!r}: add it to tooling/cost.py ({', '.join(sorted(table))} known)")
    return table[key]


def _ebs_gb(mappings: Any) -> float:
    return sum(float(first(m.get("ebs")).get("volume_size", 8)) for m in (mappings or []))


def estimate(docs: dict[str, Doc]) -> list[Item]:
    """Line items of one synthesized app (stack name -> cdk.tf.json)."""
    items: list[Item] = []
    h = HOURS_PER_MONTH
    s = Resolver(docs)
    for stack in sorted(docs):

        def _res(rtype: str, stack: str = stack) -> list[Doc]:
            return list(s.resources(stack, rtype).values())

        def add(category: str, what: str, monthly: float, stack: str = stack) -> None:
            if monthly:
                items.append(Item(stack, category, what, round(monthly, 2)))

        for asg in _res("aws_autoscaling_group"):
            lt = s.launch_template(stack, asg)
            itype = str(lt.get("instance_type", ""))
            mixed = first(asg.get("mixed_instances_policy"))
            overrides = first(mixed.get("launch_template")).get("override", []) if mixed else []
            if overrides:
                itype = str(overrides[0].get("instance_type"))
            n = int(asg.get("desired_capacity") or asg.get("min_size") or 0)
            add("compute", f"{n} x {itype} (ASG desired)", n * h * _price(EC2_HOURLY, itype, "EC2 instance type"))
            ebs = n * _ebs_gb(lt.get("block_device_mappings")) * UNIT["ebs_gp3_gb_month"]
            add("compute", f"{n} x EBS gp3", ebs)
        for inst in _res("aws_instance"):
            itype = str(inst.get("instance_type"))
            add("compute", f"bastion {itype}", h * _price(EC2_HOURLY, itype, "EC2 instance type"))
            add(
                "compute",
                "bastion EBS gp3",
                float(first(inst.get("root_block_device")).get("volume_size", 8)) * UNIT["ebs_gp3_gb_month"],
            )
            if inst.get("associate_public_ip_address"):
                add("network", "bastion public IPv4", h * UNIT["public_ipv4_hour"])

        nats = _res("aws_nat_gateway")
        add("network", f"{len(nats)} NAT gateway(s)", len(nats) * h * UNIT["nat_gateway_hour"])
        eips = _res("aws_eip")
        add("network", f"{len(eips)} Elastic IP(s)", len(eips) * h * UNIT["public_ipv4_hour"])
        enis = sum(
            len(e.get("subnet_ids") or [])
            for e in _res("aws_vpc_endpoint")
            if e.get("vpc_endpoint_type") == "Interface"
        )
        add("network", f"interface endpoints ({enis} endpoint-AZs)", enis * h * UNIT["interface_endpoint_az_hour"])

        lbs = _res("aws_lb")
        add("load balancing", f"{len(lbs)} ALB(s), hourly part", len(lbs) * h * UNIT["alb_hour"])

        for db in _res("aws_db_instance"):
            source = s.db_source(stack, db)
            engine = str(source.get("engine"))
            cls = str(db.get("instance_class"))
            copies = 2 if db.get("multi_az") else 1
            role = "replica" if "replicate_source_db" in db else "primary"
            hourly = _price(RDS_HOURLY.get(engine, {}), cls, f"RDS {engine} instance class")
            add("database", f"RDS {engine} {cls} {role}{' Multi-AZ' if copies == 2 else ''}", copies * h * hourly)
            gb = float(db.get("allocated_storage") or source.get("allocated_storage") or 0)
            add("database", f"RDS gp3 {gb:g} GB x {copies}", copies * gb * UNIT["rds_gp3_gb_month"])
        secrets = len(_res("aws_secretsmanager_secret"))
        add("security and monitoring", f"{secrets} secret(s)", secrets * UNIT["secret_month"])
        keys = len(_res("aws_kms_key"))
        add("security and monitoring", f"{keys} KMS key(s)", keys * UNIT["kms_key_month"])
        alarms = len(_res("aws_cloudwatch_metric_alarm"))
        add("security and monitoring", f"{alarms} alarm(s)", alarms * UNIT["alarm_month"])

        zones = len(_res("aws_route53_zone"))
        add("edge", f"{zones} hosted zone(s)", zones * UNIT["hosted_zone_month"])
        for hc in _res("aws_route53_health_check"):
            features = sum(
                (
                    int(hc.get("request_interval", 30)) == 10,
                    bool(hc.get("measure_latency")),
                    str(hc.get("type", "")).startswith("HTTPS"),
                    "STR_MATCH" in str(hc.get("type", "")),
                )
            )
            add(
                "edge",
                f"health check (+{features} features)",
                UNIT["health_check_month"] + features * UNIT["health_check_feature_month"],
            )
        for acl in _res("aws_wafv2_web_acl"):
            rules = len(acl.get("rule", []))
            add("edge", f"web ACL + {rules} rules", UNIT["web_acl_month"] + rules * UNIT["web_acl_rule_month"])
    return items


def by_category(items: Iterable[Item]) -> dict[str, float]:
    out = dict.fromkeys(CATEGORIES, 0.0)
    for item in items:
        out[item.category] += item.monthly
    return {k: round(v, 2) for k, v in out.items()}


def total(items: Iterable[Item]) -> float:
    return round(sum(i.monthly for i in items), 2)


def markdown(estimates: dict[str, list[Item]]) -> str:
    """A table: one row per category, one column per config, and the total."""
    names = list(estimates)
    lines = ["| per month (USD) | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---:|" * len(names)]
    cats = {n: by_category(items) for n, items in estimates.items()}
    for cat in CATEGORIES:
        lines.append(f"| {cat} | " + " | ".join(f"{cats[n][cat]:,.0f}" for n in names) + " |")
    lines.append("| **total (fixed part)** | " + " | ".join(f"**{total(estimates[n]):,.0f}**" for n in names) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Synthesize each config (in this process) and print the table."""
    import tempfile
    from pathlib import Path

    from constructs_lib.config import ConfigError, load
    from runtime import entry

    args = argv if argv is not None else sys.argv[1:]
    configs = args or ["config/default.toml", "config/mysql.toml", "config/dev.toml"]

    estimates: dict[str, list[Item]] = {}
    with tempfile.TemporaryDirectory(prefix="cost-") as tmp:
        for i, path in enumerate(configs):
            try:
                config = load(path)
            except ConfigError as err:
                return entry.report(err)
            outdir = Path(tmp) / str(i)
            entry.synth(config, outdir=outdir)
            try:
                estimates[Path(path).name] = estimate(read_outdir(outdir))
            except PriceMissing as err:
                print(f"error: {path}: {err}", file=sys.stderr)
                return 2
    print(markdown(estimates))
    for name, items in estimates.items():
        print(f"\n{name}:")
        for item in items:
            print(f"  {item.stack:28s} {item.category:24s} {item.what:40s} {item.monthly:>9,.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The region-loss drill: deploy the local profile with one loopback endpoint per region,
cut us-east-1 (the primary, and the home of the global control planes), run
``make failover EXECUTE=1``, restore it, run ``make failback EXECUTE=1``, and check the
emulator's own state at every step (not the tool's output):

(a) every ALB that still serves accepts the origin header value the distribution sends;
(b) the origin group and the Route 53 failover records point at ALBs and health checks
    that exist;
(c) the promoted database is standalone and has an RDS-managed master secret;
(d) no request reached the cut endpoint (us-east-1's APIs, and IAM, Route 53 and
    CloudFront, whose control planes are there) while it was cut;
(e) the plan the failover applied to us-west-2 destroys or replaces nothing stateful
    and changes nothing the edge reads (the ALB, its listener and target group stay);
(f) after failback every stack re-plans with exit code 0, the config has its original
    roles, and the objects written before the loss are still there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tooling.local_aws import (
    ROOT,
    MotoServer,
    RegionProxy,
    local_config,
    seed_aws_managed_data,
    seed_replica_subnet_groups,
    terraform_env,
)
from tooling.plan import STATEFUL_TYPES, Runner, summarize

pytestmark = pytest.mark.drill

EAST, WEST = "us-east-1", "us-west-2"
STACKS = {EAST: "webapp-local-us-east-1", WEST: "webapp-local-us-west-2", "global": "webapp-local-global"}
OBJECTS = {f"orders/{i}.json": json.dumps({"order": i}).encode() for i in range(3)}


@dataclass
class Drill:
    moto: MotoServer
    proxies: dict[str, RegionProxy]
    config: Path
    original: str
    outdir: Path
    env: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)

    def client(self, service: str, region: str) -> Any:
        """Straight to moto, past the proxies: the drill's reads are not product traffic."""
        return self.moto.client(service, region)

    def run(self, label: str, *argv: str) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, *argv], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=2400, check=False
        )
        self.seconds[label] = round(time.monotonic() - started, 1)
        print(f"--- {label} ({self.seconds[label]} s)\n{proc.stdout[-8000:]}\n{proc.stderr[-4000:]}")
        assert proc.returncode == 0, f"{label} exited {proc.returncode}:\n{proc.stdout[-6000:]}\n{proc.stderr[-4000:]}"
        return proc

    def tool(self, runbook: str) -> subprocess.CompletedProcess[str]:
        return self.run(
            runbook,
            "-m",
            "tooling.failover",
            runbook,
            "--config",
            str(self.config),
            "--outdir",
            str(self.outdir),
            "--execute",
        )


@pytest.fixture(scope="module")
def drill(terraform: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    base = tmp_path_factory.mktemp("drill")
    moto = MotoServer(base / "moto.log")
    proxies = {region: RegionProxy(region, moto.port) for region in (EAST, WEST)}
    try:
        # The base endpoint is us-east-1's too: nothing may reach moto around the proxies.
        config = local_config(proxies[EAST].endpoint, base / "local.toml", {r: p.endpoint for r, p in proxies.items()})
        env = {
            **terraform_env(Path(terraform.env["TF_CLI_CONFIG_FILE"])),
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
            "STACK_CONFIG": str(config),
            "CDKTF_OUTDIR": str(base / "out"),
        }
        d = Drill(moto, proxies, config, config.read_text(), base / "out", env)
        seed_aws_managed_data(moto, [EAST, WEST])
        seed_replica_subnet_groups(moto, EAST, [f"{STACKS[WEST]}-db"])
        d.run("synth", "main.py")
        d.run("deploy", "-m", "tooling.plan", "--outdir", str(d.outdir), "--apply")
        yield d
    finally:
        for proxy in proxies.values():
            proxy.close()
        moto.stop()


# --- what the emulator says ----------------------------------------------------------


def alb(d: Drill, region: str) -> dict[str, Any]:
    (found,) = [
        lb
        for lb in d.client("elbv2", region).describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"].startswith("webapp-local")
    ]
    return dict(found)


def edge_of(d: Drill) -> tuple[dict[str, Any], str]:
    cloudfront = d.client("cloudfront", EAST)
    (summary,) = cloudfront.list_distributions()["DistributionList"]["Items"]
    config = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
    values = {h["HeaderValue"] for o in config["Origins"]["Items"] for h in o["CustomHeaders"].get("Items", [])}
    (value,) = values
    return config, value


def accepted_values(d: Drill, region: str) -> set[str]:
    elbv2 = d.client("elbv2", region)
    (listener,) = elbv2.describe_listeners(LoadBalancerArn=alb(d, region)["LoadBalancerArn"])["Listeners"]
    values: set[str] = set()
    for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
        forwards = any(a["Type"] == "forward" for a in rule["Actions"])
        for condition in rule["Conditions"]:
            header = condition.get("HttpHeaderConfig")
            if forwards and header and header["HttpHeaderName"] == "X-Origin-Verify":
                values.update(header["Values"])
    return values


def check_edge(d: Drill, serving: list[str]) -> None:
    """(a) and (b)."""
    config, sent = edge_of(d)
    for region in serving:
        assert sent in accepted_values(d, region), f"(a) the {region} ALB refuses what CloudFront sends"
    albs = {alb(d, r)["DNSName"] for r in (EAST, WEST)}
    origins = {o["Id"]: o["DomainName"] for o in config["Origins"]["Items"]}
    (group,) = config["OriginGroups"]["Items"]
    members = [m["OriginId"] for m in group["Members"]["Items"]]
    assert {origins[m] for m in members} == albs, "(b) the origin group points at both ALBs"
    route53 = d.client("route53", EAST)
    (zone,) = route53.list_hosted_zones()["HostedZones"]
    checks = {c["Id"] for c in route53.list_health_checks()["HealthChecks"]}
    records = [
        r for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"] if "Failover" in r
    ]
    assert sorted(r["Failover"] for r in records) == ["PRIMARY", "SECONDARY"]
    for record in records:
        assert record["AliasTarget"]["DNSName"].rstrip(".").lower() in {a.lower() for a in albs}, "(b)"
        assert record["HealthCheckId"] in checks, "(b) a failover record names a health check that does not exist"


@contextmanager
def plain_http(d: Drill, region: str, bucket: str) -> Iterator[Any]:
    """The bucket's policy denies every request not made over TLS, and moto's endpoint is
    plain HTTP: lift the policy while the drill reads or writes objects, then put the very
    same document back (Terraform sees no change)."""
    s3 = d.client("s3", region)
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    assert "aws:SecureTransport" in policy
    s3.delete_bucket_policy(Bucket=bucket)
    try:
        yield s3
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def app_bucket(d: Drill, region: str) -> str:
    (name,) = [
        b["Name"]
        for b in d.client("s3", region).list_buckets()["Buckets"]
        if b["Name"].startswith(f"{STACKS[region]}-data-") and b.get("BucketRegion", region) == region
    ]
    return str(name)


def database(d: Drill, region: str) -> dict[str, Any]:
    return dict(
        d.client("rds", region).describe_db_instances(DBInstanceIdentifier=f"{STACKS[region]}-db")["DBInstances"][0]
    )


def master_secret(d: Drill, region: str) -> dict[str, Any]:
    """The master credentials in ``region``'s own secret (MasterCredentials)."""
    value = d.client("secretsmanager", region).get_secret_value(SecretId=f"{STACKS[region]}-db-master")
    return dict(json.loads(value["SecretString"]))


def edge_inputs(d: Drill, region: str) -> dict[str, str]:
    """What the global stack reads of a region that a role swap must leave alone."""
    lb = alb(d, region)
    elbv2 = d.client("elbv2", region)
    (listener,) = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    (group,) = [
        g for g in elbv2.describe_target_groups()["TargetGroups"] if lb["LoadBalancerArn"] in g["LoadBalancerArns"]
    ]
    return {"alb": lb["LoadBalancerArn"], "listener": listener["ListenerArn"], "target_group": group["TargetGroupArn"]}


def plan_exit_codes(d: Drill) -> dict[str, int]:
    run = Runner(d.outdir, d.env)
    codes = {}
    for stack in STACKS.values():
        proc = run(stack, "plan", "-input=false", "-detailed-exitcode", ok=(0, 1, 2))
        codes[stack] = proc.returncode
        if proc.returncode != 0:
            print(f"{stack}: {proc.stdout[-4000:]}{proc.stderr[-2000:]}")
    return codes


# --- the drill, in order ----------------------------------------------------------------


def test_1_deployed_with_one_endpoint_per_region(drill: Drill) -> None:
    assert all(p.connections > 0 for p in drill.proxies.values()), "each region was deployed through its endpoint"
    check_edge(drill, [EAST, WEST])
    assert database(drill, WEST)["ReadReplicaSourceDBInstanceIdentifier"].endswith(f":db:{STACKS[EAST]}-db")
    bucket = app_bucket(drill, EAST)
    with plain_http(drill, EAST, bucket) as s3:
        for key, body in OBJECTS.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)
    drill.snapshots["bucket"] = {"name": bucket}
    drill.snapshots["west_edge_inputs"] = edge_inputs(drill, WEST)
    drill.snapshots["credentials"] = master_secret(drill, EAST)
    assert master_secret(drill, WEST) == drill.snapshots["credentials"], "the secondary copied the primary's"
    for region in (EAST, WEST):
        s3 = drill.client("s3", region)
        rules = s3.get_bucket_replication(Bucket=app_bucket(drill, region))["ReplicationConfiguration"]["Rules"]
        assert [r["ID"] for r in rules] == [f"to-{WEST if region == EAST else EAST}"], "both ways"


def test_2_failover_with_us_east_1_cut(drill: Drill) -> None:
    east = drill.proxies[EAST]
    east.set_cut(True)
    try:
        drill.tool("failover")
        # (d) nothing reached us-east-1, nor IAM, Route 53 or CloudFront (their endpoint).
        assert east.while_cut == 0, f"{east.while_cut} connection(s) reached the cut us-east-1 endpoint"
        assert drill.proxies[WEST].connections > 0
    finally:
        east.set_cut(False)
    # (c) the surviving database is standalone, its region's secret still holds the
    # credentials it had as a replica, and RDS manages no password (it could not
    # create the replica of it at failback).
    west = database(drill, WEST)
    assert not west.get("ReadReplicaSourceDBInstanceIdentifier"), "(c) still a replica"
    assert "MasterUserSecret" not in west
    assert master_secret(drill, WEST) == drill.snapshots["credentials"]
    assert west["BackupRetentionPeriod"] > 0
    # (e) the plan the tool applied to us-west-2, read back with Terraform.
    stack = STACKS[WEST]
    shown = subprocess.run(
        ["terraform", "show", "-json", str(drill.outdir / "plans" / f"{stack}.failover.tfplan")],
        cwd=drill.outdir / "stacks" / stack,
        env=drill.env,
        capture_output=True,
        text=True,
        check=True,
    )
    planned = json.loads(shown.stdout)
    summary = summarize(stack, planned)
    assert summary.at_risk() == [], f"(e) stateful resources destroyed or replaced: {summary.at_risk()}"
    assert not summary.destroy and not summary.replace, (summary.destroy, summary.replace)
    assert not [
        n
        for n, c in planned["output_changes"].items()
        if n.startswith("cross-stack-output-") and c["actions"] not in (["no-op"], ["create"])
    ], "(e) an output the edge reads changed"
    assert "aws_backup_plan.backup_plan" in summary.add, "the new primary's backup plan"
    assert not [a for a in summary.change if a.split(".")[0] in STATEFUL_TYPES - {"aws_db_instance"}]
    assert edge_inputs(drill, WEST) == drill.snapshots["west_edge_inputs"], "(e) the ALB, listener or group changed"
    # (a), (b) with the roles swapped and the global stack not applied.
    check_edge(drill, [WEST])
    assert 'name = "us-west-2"\nrole = "primary"' in drill.config.read_text()


def test_3_failback_with_us_east_1_restored(drill: Drill) -> None:
    # What moto lacks for the new us-east-1 replica: its subnet group looked up in the
    # source region (tooling/local_aws.py), and the ReplicaLag RDS would publish.
    seed_replica_subnet_groups(drill.moto, WEST, [f"{STACKS[EAST]}-db"])
    drill.client("cloudwatch", EAST).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "ReplicaLag",
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": f"{STACKS[EAST]}-db"}],
                "Timestamp": datetime.now(UTC),
                "Value": 0.0,
            }
        ],
    )
    drill.tool("failback")
    # (f) the original roles, a clean re-plan of every stack, the objects still there.
    assert drill.config.read_text() == drill.original
    assert plan_exit_codes(drill) == dict.fromkeys(STACKS.values(), 0)
    east, west = database(drill, EAST), database(drill, WEST)
    assert not east.get("ReadReplicaSourceDBInstanceIdentifier") and "MasterUserSecret" not in east
    assert master_secret(drill, EAST) == master_secret(drill, WEST) == drill.snapshots["credentials"]
    assert west["ReadReplicaSourceDBInstanceIdentifier"].endswith(f":db:{STACKS[EAST]}-db")
    kept = [
        i["DBInstanceIdentifier"]
        for r in (EAST, WEST)
        for i in drill.client("rds", r).describe_db_instances()["DBInstances"]
        if "-diverged-" in i["DBInstanceIdentifier"]
    ]
    assert len(kept) == 2 and all(k.startswith(STACKS[r]) for k, r in zip(sorted(kept), (EAST, WEST), strict=True))
    bucket = drill.snapshots["bucket"]["name"]
    with plain_http(drill, EAST, bucket) as s3:
        for key, body in OBJECTS.items():
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    check_edge(drill, [EAST, WEST])
    print(f"drill timings (s): {drill.seconds}; connections: { {r: p.connections for r, p in drill.proxies.items()} }")

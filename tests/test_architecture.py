"""The architecture's own rules: facets do not change addresses, constructs stay small
and layered, derived props come from pure functions (tested here without synth)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.config import EdgeConfig, parse
from tests.conftest import ROOT, resources, synth_json
from tests.test_config import DEFAULT, mutate

MAX_CLASS_LINES = 250
"""No construct or stack class is longer than this (issue: one construct per concern)."""


def classes(*folders: str) -> list[tuple[str, str, int]]:
    """(file, class, lines) of every class in the folders' Python files."""
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                    found.append((str(path.relative_to(ROOT)), node.name, node.end_lineno - node.lineno + 1))
    return found


def test_no_construct_or_stack_class_is_longer_than_the_limit() -> None:
    long = [c for c in classes("constructs_lib", "stacks") if c[2] > MAX_CLASS_LINES]
    assert not long, long


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("constructs_lib", {"stacks", "runtime", "tooling", "scripts", "tests", "main"}),
        ("stacks", {"runtime", "tooling", "scripts", "tests", "main"}),
        ("runtime", {"tooling", "scripts", "tests"}),
        ("tooling", {"scripts", "tests"}),
        ("scripts", {"tests"}),
    ],
)
def test_layers_import_only_downwards(folder: str, forbidden: set[str]) -> None:
    wrong = {
        str(p.relative_to(ROOT)): imports(p) & forbidden
        for p in (ROOT / folder).rglob("*.py")
        if imports(p) & forbidden
    }
    assert not wrong, wrong


def test_a_facet_groups_code_without_changing_addresses(stack_factory: Callable[..., Any]) -> None:
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
    from constructs import Construct

    from constructs_lib.addressing import Facet

    stack, providers = stack_factory("us-east-1")
    tier = Construct(stack, "tier")
    part = Facet(tier, "part")
    SnsTopic(part, "topic", provider=providers["us-east-1"], name="t")
    SnsTopic(Construct(tier, "child"), "topic", provider=providers["us-east-1"], name="u")
    assert set(resources(synth_json(stack), "aws_sns_topic")) == {"tier_topic", "tier_child_topic"}


def test_two_parts_claiming_one_address_fail_the_synth(stack_factory: Callable[..., Any]) -> None:
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
    from constructs import Construct

    from constructs_lib.addressing import Facet

    stack, providers = stack_factory("us-east-1")
    tier = Construct(stack, "tier")
    for part in ("a", "b"):
        SnsTopic(Facet(tier, part), "topic", provider=providers["us-east-1"], name=part)
    with pytest.raises(Exception, match="both map to Terraform name tier_topic"):
        synth_json(stack)


def test_every_regional_tier_binds_each_resource_to_its_own_region(stack_factory: Callable[..., Any]) -> None:
    """Network, app and data tiers (every facet) twice in one stack under two aliased
    providers: each resource and data source uses its region's provider, none the other's
    or a default one."""
    from constructs_lib.app import AppTier
    from constructs_lib.context import Context
    from constructs_lib.data import DataTier
    from constructs_lib.kms import RegionalKey, RegionalKeyProps
    from constructs_lib.naming import Naming
    from constructs_lib.network import RegionalNetwork

    config = parse(DEFAULT)
    regions = ("us-east-1", "us-west-2")
    stack, providers = stack_factory(*regions)
    for region_config in config.regions:
        region = region_config.name
        p = providers[region]
        ctx = Context(naming=Naming(project="t", environment="test", region=region))
        key = RegionalKey(stack, f"key-{region}", provider=p, props=RegionalKeyProps(naming=ctx.naming))
        net = RegionalNetwork(
            stack, f"net-{region}", provider=p, ctx=ctx, props=config.network, region=region_config, key=key
        )
        app = AppTier(stack, f"app-{region}", provider=p, ctx=ctx, props=config.app, network=net, key=key)
        DataTier(
            stack,
            f"data-{region}",
            provider=p,
            ctx=ctx,
            props=config.database,
            network=net,
            key=key,
            app_security_group_id=app.app_security_group_id,
            log_retention_days=365,
        )
    doc = synth_json(stack)
    seen = dict.fromkeys(regions, 0)
    for block in ("resource", "data"):
        for rtype, items in doc.get(block, {}).items():
            for name, body in items.items():
                region = next(r for r in regions if r in name)
                assert body.get("provider") == f"aws.{region.replace('-', '_')}", f"{rtype}.{name}"
                seen[region] += 1
    assert seen["us-east-1"] == seen["us-west-2"] > 100


# --- derived props: pure functions ---------------------------------------------------


def test_routes_send_writes_to_the_primary_and_cache_only_the_static_path() -> None:
    from constructs_lib.edge.distribution import (
        ALL_METHODS,
        CACHING_DISABLED_POLICY_ID,
        CACHING_OPTIMIZED_POLICY_ID,
        ORIGIN_GROUP,
        PRIMARY_ORIGIN,
        READ_METHODS,
        routes,
    )

    default, *writes, static = routes(EdgeConfig(write_path_patterns=["/api/*", "/graphql"]))
    assert (default.path_pattern, default.target_origin_id, default.allowed_methods) == (
        None,
        ORIGIN_GROUP,
        READ_METHODS,
    )
    assert [(w.path_pattern, w.target_origin_id, w.allowed_methods) for w in writes] == [
        ("/api/*", PRIMARY_ORIGIN, ALL_METHODS),
        ("/graphql", PRIMARY_ORIGIN, ALL_METHODS),
    ]
    assert {default.cache_policy_id, *(w.cache_policy_id for w in writes)} == {CACHING_DISABLED_POLICY_ID}
    assert (static.path_pattern, static.cache_policy_id, static.origin_request_policy_id) == (
        "/static/*",
        CACHING_OPTIMIZED_POLICY_ID,
        None,
    )


@pytest.mark.parametrize(
    ("https", "delegated", "failover", "host"),
    [
        (False, False, True, "alb.example"),
        (True, False, True, "alb.example"),
        (False, True, True, "alb.example"),
        (True, True, True, "origin.shop.io"),
        (True, True, False, "us-west-2.origin.shop.io"),
    ],
)
def test_origin_host(https: bool, delegated: bool, failover: bool, host: str) -> None:
    from constructs_lib.edge.origins import RegionalOrigin, origin_host

    origin = RegionalOrigin(region="us-west-2", alb_dns_name="alb.example", alb_zone_id="Z", https=https)
    assert origin_host(origin, "shop.io", delegated=delegated, failover=failover) == host


def test_backup_copies_go_to_every_secondary_vault() -> None:
    from stacks.regional import backup_copy_targets

    three = mutate(
        "regions", [*DEFAULT["regions"], {"name": "eu-west-1", "role": "secondary", "vpc_cidr": "10.2.0.0/16"}]
    )
    assert backup_copy_targets(parse(three), "aws", "123456789012") == (
        "arn:aws:backup:us-west-2:123456789012:backup-vault:webapp-prod-us-west-2-vault",
        "arn:aws:backup:eu-west-1:123456789012:backup-vault:webapp-prod-eu-west-1-vault",
    )


def test_context_protects_state_unless_disposable() -> None:
    from stacks.common import context_for

    ctx = context_for(parse(DEFAULT), "us-east-1")
    assert ctx.stateful is True and ctx.naming.name("db") == "webapp-prod-us-east-1-db"
    assert ctx.tags["Region"] == "us-east-1" and ctx.tags["ManagedBy"] == "cdktf"
    assert context_for(parse(mutate("disposable", True)), "us-east-1").stateful is False


@pytest.mark.parametrize(("mode", "azs", "count"), [("per_az", 3, 3), ("single", 3, 1), ("per_az", 2, 2)])
def test_nat_gateway_count(mode: str, azs: int, count: int) -> None:
    from constructs_lib.config import NatMode
    from constructs_lib.network import nat_gateway_count

    assert nat_gateway_count(NatMode(mode), azs) == count


def test_cpu_alarms_scale_out_fast_and_in_slowly() -> None:
    from constructs_lib.app.fleet import SCALING_STEPS, cpu_alarm

    app = parse(mutate("app.cpu_high_percent", 70)).app
    out, into = (cpu_alarm(step, app) for step in SCALING_STEPS)
    assert (out.threshold, out.comparison_operator, out.evaluation_periods) == (70, "GreaterThanThreshold", 2)
    assert (into.threshold, into.comparison_operator, into.evaluation_periods) == (20, "LessThanThreshold", 5)
    assert out.description == "Average CPU above 70% for 2 minutes: scale out"


@pytest.mark.parametrize(
    ("path", "facets", "parts"),
    [
        ("s/app/asg", set(), ["app", "asg"]),
        ("s/app/fleet/asg", {"s/app/fleet"}, ["app", "asg"]),
        ("s/data/vault/vault", {"s/data/vault", "s/data/database"}, ["data", "vault"]),
        ("s/app/fleet/x/y", {"s/app/fleet"}, ["app", "x", "y"]),
        ("s/fleet", {"s/app/fleet"}, ["fleet"]),
    ],
)
def test_address_parts_from_paths(path: str, facets: set[str], parts: list[str]) -> None:
    """The path-based naming the stacks use gives what walking the scopes gives."""
    from constructs_lib.addressing import address_parts_of_path

    assert address_parts_of_path(path, "s", facets) == parts


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 5 * * ? *)",
        "cron(15 * ? * * *)",
        "cron(0 12 ? * MON-FRI *)",
        "cron(0 3 ? * 3#2 *)",
        "cron(0 5 L * ? *)",
        "cron(30 2 1,15 JAN-MAR ? 2027)",
    ],
)
def test_aws_cron_accepts_the_documented_forms(expression: str) -> None:
    """Forms from the EventBridge cron reference that AWS Backup accepts (at most hourly)."""
    from constructs_lib.aws_cron import aws_cron_problem

    assert aws_cron_problem(expression) is None

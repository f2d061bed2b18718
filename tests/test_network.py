"""RegionalNetwork and RegionalKey, synthesized in small stacks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from constructs_lib import cidr
from constructs_lib.naming import Naming
from tests.conftest import resources, synth_json


def build(
    stack_factory: Callable[..., Any],
    nat: str = "per_az",
    azs: int = 3,
    regions: tuple[str, ...] = ("us-east-1",),
    endpoints: tuple[str, ...] = (),
) -> dict[str, Any]:
    from constructs_lib.config import NetworkConfig, RegionConfig
    from constructs_lib.context import Context
    from constructs_lib.kms import RegionalKey, RegionalKeyProps
    from constructs_lib.network import RegionalNetwork

    stack, providers = stack_factory(*regions)
    for i, region in enumerate(regions):
        naming = Naming(project="t", environment="test", region=region)
        key = RegionalKey(stack, f"key-{region}", provider=providers[region], props=RegionalKeyProps(naming=naming))
        RegionalNetwork(
            stack,
            f"net-{region}",
            provider=providers[region],
            ctx=Context(naming=naming),
            props=NetworkConfig(interface_endpoints=list(endpoints)),
            region=RegionConfig.model_validate(
                {"name": region, "role": "primary", "vpc_cidr": f"10.{i}.0.0/16", "az_count": azs, "nat": nat}
            ),
            key=key,
        )
    return synth_json(stack)


@pytest.fixture(scope="module")
def per_az(stack_factory: Callable[..., Any]) -> dict[str, Any]:
    return build(stack_factory)


def logical(doc: dict[str, Any], rtype: str, suffix: str) -> str:
    matches = [k for k in resources(doc, rtype) if k.endswith(f"_{suffix}")]
    assert len(matches) == 1, (suffix, list(resources(doc, rtype)))
    return matches[0]


def test_three_azs_make_nine_subnets_with_planned_cidrs(per_az: dict[str, Any]) -> None:
    subnets = resources(per_az, "aws_subnet")
    assert len(subnets) == 9
    assert sorted(s["cidr_block"] for s in subnets.values()) == sorted(cidr.plan("10.0.0.0/16", 3).all())
    assert all(s["map_public_ip_on_launch"] is False for s in subnets.values())
    assert {s["availability_zone"] for s in subnets.values()} == {"us-east-1a", "us-east-1b", "us-east-1c"}


@pytest.mark.parametrize(
    ("nat", "azs", "expected"), [("per_az", 3, 3), ("single", 3, 1), ("per_az", 2, 2), ("single", 2, 1)]
)
def test_nat_gateway_count_follows_strategy(
    stack_factory: Callable[..., Any], nat: str, azs: int, expected: int
) -> None:
    doc = build(stack_factory, nat=nat, azs=azs)
    assert len(resources(doc, "aws_nat_gateway")) == expected
    assert len(resources(doc, "aws_eip")) == expected
    # one private route table per AZ whatever the NAT mode
    assert len([k for k in resources(doc, "aws_route_table") if "private-rt" in k]) == azs


def test_private_routes_use_the_nat_of_their_own_az(per_az: dict[str, Any]) -> None:
    nats = resources(per_az, "aws_nat_gateway")
    subnets = resources(per_az, "aws_subnet")
    routes = resources(per_az, "aws_route")
    for i in range(3):
        route = routes[logical(per_az, "aws_route", f"private-default-{i}")]
        nat_id = route["nat_gateway_id"].removeprefix("${aws_nat_gateway.").removesuffix(".id}")
        nat_subnet = nats[nat_id]["subnet_id"].removeprefix("${aws_subnet.").removesuffix(".id}")
        private_subnet = subnets[logical(per_az, "aws_subnet", f"private-{i}")]
        assert subnets[nat_subnet]["availability_zone"] == private_subnet["availability_zone"]
        assert (
            route["route_table_id"]
            == f"${{aws_route_table.{logical(per_az, 'aws_route_table', f'private-rt-{i}')}.id}}"
        )


def test_single_nat_serves_every_private_route(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, nat="single")
    (nat,) = resources(doc, "aws_nat_gateway")
    targets = {r["nat_gateway_id"] for k, r in resources(doc, "aws_route").items() if "private-default" in k}
    assert targets == {f"${{aws_nat_gateway.{nat}.id}}"}


def test_database_tier_has_no_route_to_the_internet(per_az: dict[str, Any]) -> None:
    db_rt = logical(per_az, "aws_route_table", "database-rt")
    for route in resources(per_az, "aws_route").values():
        assert route["route_table_id"] != f"${{aws_route_table.{db_rt}.id}}"
    assert (
        "route" not in resources(per_az, "aws_route_table")[db_rt]
        or not resources(per_az, "aws_route_table")[db_rt]["route"]
    )
    db_subnets = {f"${{aws_subnet.{k}.id}}" for k in resources(per_az, "aws_subnet") if "database-" in k}
    assocs = [a for a in resources(per_az, "aws_route_table_association").values() if a["subnet_id"] in db_subnets]
    assert len(assocs) == 3 and {a["route_table_id"] for a in assocs} == {f"${{aws_route_table.{db_rt}.id}}"}


def test_public_route_goes_to_the_internet_gateway(per_az: dict[str, Any]) -> None:
    route = resources(per_az, "aws_route")[logical(per_az, "aws_route", "public-default")]
    assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert route["gateway_id"].startswith("${aws_internet_gateway.")


def test_flow_logs_go_to_an_encrypted_log_group(per_az: dict[str, Any]) -> None:
    (flow,) = resources(per_az, "aws_flow_log").values()
    (group_id,) = [k for k in resources(per_az, "aws_cloudwatch_log_group") if "flow-log" in k]
    group = resources(per_az, "aws_cloudwatch_log_group")[group_id]
    assert flow["traffic_type"] == "ALL"
    assert flow["log_destination"] == f"${{aws_cloudwatch_log_group.{group_id}.arn}}"
    assert group["kms_key_id"].startswith("${aws_kms_key.") and group["kms_key_id"].endswith(".arn}")
    assert group["retention_in_days"] == 365


def test_default_security_group_has_no_rules(per_az: dict[str, Any]) -> None:
    (sg,) = resources(per_az, "aws_default_security_group").values()
    assert "ingress" not in sg and "egress" not in sg


def test_gateway_endpoints_on_private_and_database_tables(per_az: dict[str, Any]) -> None:
    endpoints = resources(per_az, "aws_vpc_endpoint")
    assert {e["service_name"] for e in endpoints.values()} == {
        "com.amazonaws.us-east-1.s3",
        "com.amazonaws.us-east-1.dynamodb",
    }
    for endpoint in endpoints.values():
        assert len(endpoint["route_table_ids"]) == 4  # 3 private + 1 database


def test_interface_endpoints_only_admit_https_from_the_vpc(stack_factory: Callable[..., Any]) -> None:
    doc = build(stack_factory, endpoints=("ssm", "logs"))
    interface = [e for e in resources(doc, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"]
    assert {e["service_name"] for e in interface} == {"com.amazonaws.us-east-1.ssm", "com.amazonaws.us-east-1.logs"}
    (rule,) = resources(doc, "aws_vpc_security_group_ingress_rule").values()
    assert (rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == (443, 443, "10.0.0.0/16")
    for endpoint in interface:
        (statement,) = json.loads(endpoint["policy"])["Statement"]
        assert statement["Effect"] == "Allow" and set(statement["Condition"]) == {"StringEquals"}
        (account,) = statement["Condition"]["StringEquals"].values()
        assert list(statement["Condition"]["StringEquals"]) == ["aws:PrincipalAccount"] and is_account(account), (
            "credentials of another account cannot use the VPC's private path"
        )


def is_account(value: str) -> bool:
    return value.startswith("${data.aws_caller_identity.") and value.endswith(".account_id}")


def test_gateway_endpoints_reach_the_accounts_own_buckets_and_the_repositories(per_az: dict[str, Any]) -> None:
    """Limited to the account (no copying data out to another account's bucket through
    the endpoint), plus reads of the AWS-owned buckets the instances need: dnf's AL2023
    repositories (AL2023 User Guide) and SSM Agent's buckets (Systems Manager User Guide)."""
    endpoints = {e["service_name"].rsplit(".", 1)[1]: e for e in resources(per_az, "aws_vpc_endpoint").values()}
    for service, endpoint in endpoints.items():
        own, *rest = json.loads(endpoint["policy"])["Statement"]
        ((key, account),) = own["Condition"]["StringEquals"].items()
        assert key == "aws:ResourceAccount" and is_account(account) and own["Resource"] == "*"
        if service == "dynamodb":
            assert rest == []
    (repos,) = json.loads(endpoints["s3"]["policy"])["Statement"][1:]
    assert repos["Action"] == "s3:GetObject" and "Condition" not in repos
    buckets = [r.split(":s3:::")[1] for r in repos["Resource"]]
    assert "al2023-repos-us-east-1-de612dc2/*" in buckets and "amazon-ssm-us-east-1/*" in buckets
    assert all(b.endswith("/*") and "us-east-1" in b for b in buckets)


def test_kms_key_rotates_and_lets_regional_logs_use_it(per_az: dict[str, Any]) -> None:
    import json

    (key,) = resources(per_az, "aws_kms_key").values()
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    assert key["lifecycle"] == {"prevent_destroy": True}
    policy = json.loads(key["policy"])
    logs = [s for s in policy["Statement"] if s["Principal"].get("Service") == "logs.us-east-1.amazonaws.com"]
    assert len(logs) == 1


def test_two_regions_in_one_stack_bind_every_resource_to_its_own_provider(stack_factory: Callable[..., Any]) -> None:
    """The same constructs twice, under two aliased providers: nothing may use the
    other region's provider, and nothing may fall back to a default provider."""
    doc = build(stack_factory, regions=("us-east-1", "us-west-2"))
    seen = {"aws.us_east_1": 0, "aws.us_west_2": 0}
    for block in ("resource", "data"):
        for rtype, items in doc.get(block, {}).items():
            for name, body in items.items():
                region = "us-east-1" if "us-east-1" in name else "us-west-2"
                expected = f"aws.{region.replace('-', '_')}"
                assert body.get("provider") == expected, f"{block}.{rtype}.{name} uses {body.get('provider')}"
                seen[expected] += 1
    assert seen["aws.us_east_1"] == seen["aws.us_west_2"] > 40
    west = [s for k, s in resources(doc, "aws_subnet").items() if "us-west-2" in k]
    assert {s["availability_zone"] for s in west} == {"us-west-2a", "us-west-2b", "us-west-2c"}


def test_a_subnet_plan_that_does_not_match_the_azs_is_a_config_error() -> None:
    """The network takes the validated region config: a plan with the wrong number of
    subnets never reaches it."""
    from constructs_lib.config import ConfigError, parse

    plan = cidr.plan("10.0.0.0/16", 3)
    region = {
        "name": "us-east-1",
        "role": "primary",
        "vpc_cidr": "10.0.0.0/16",
        "az_count": 2,
        "subnets": {
            "public": list(plan.public),
            "private": list(plan.private)[:2],
            "database": list(plan.database)[:2],
        },
    }
    other = {"name": "us-west-2", "role": "secondary", "vpc_cidr": "10.1.0.0/16"}
    with pytest.raises(ConfigError, match=r"subnets\.public: has 3 CIDRs but az_count is 2"):
        parse({"project": "t", "environment": "test", "owner": "o", "cost_center": "c", "regions": [region, other]})
